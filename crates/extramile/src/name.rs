//! `Name`: immutable text for the decision that clones without allocating, so that the
//! names a policy defines (rules, gestures, roles, reasons) go into every decision cheaply.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use smol_str::SmolStr;
use std::borrow::Borrow;
use std::fmt;
use std::ops::Deref;
use std::sync::Arc;

/// Immutable text that a compiled policy hands to its decisions. Cloning one never
/// allocates: names of up to 23 bytes (nearly every rule, gesture and role name) are kept
/// inline and copied, longer ones share their text by reference count (`smol_str`), so
/// that building a decision neither copies names nor touches a shared counter for most of
/// them. It reads like a `&str` (`Deref`), compares with `&str` and `String`, and
/// serialises as a JSON string.
///
/// ```
/// use extramile::Name;
/// let name = Name::from("comp");
/// assert_eq!(name, "comp");
/// assert_eq!(name.len(), 4);
/// assert_eq!(serde_json::to_string(&name)?, r#""comp""#);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Name(SmolStr);

impl Name {
    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Default for Name {
    fn default() -> Name {
        // A constant: no copying of an empty text.
        const EMPTY: SmolStr = SmolStr::new_inline("");
        Name(EMPTY)
    }
}

impl Deref for Name {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for Name {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl Borrow<str> for Name {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

impl fmt::Display for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<&str> for Name {
    fn from(text: &str) -> Name {
        Name(SmolStr::from(text))
    }
}

impl From<String> for Name {
    fn from(text: String) -> Name {
        Name(SmolStr::from(text))
    }
}

impl From<Arc<str>> for Name {
    fn from(text: Arc<str>) -> Name {
        Name(SmolStr::from(text))
    }
}

impl From<Name> for String {
    fn from(name: Name) -> String {
        name.0.to_string()
    }
}

impl PartialEq<str> for Name {
    fn eq(&self, other: &str) -> bool {
        &*self.0 == other
    }
}

impl PartialEq<&str> for Name {
    fn eq(&self, other: &&str) -> bool {
        &*self.0 == *other
    }
}

impl PartialEq<String> for Name {
    fn eq(&self, other: &String) -> bool {
        *self.0 == **other
    }
}

impl PartialEq<Name> for str {
    fn eq(&self, other: &Name) -> bool {
        self == &*other.0
    }
}

impl PartialEq<Name> for &str {
    fn eq(&self, other: &Name) -> bool {
        *self == &*other.0
    }
}

impl PartialEq<Name> for String {
    fn eq(&self, other: &Name) -> bool {
        **self == *other.0
    }
}

impl Serialize for Name {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Name {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Name, D::Error> {
        String::deserialize(deserializer).map(Name::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compares_with_text_and_round_trips_through_json() {
        let name = Name::from("late_fee");
        assert_eq!(name, "late_fee");
        assert_eq!("late_fee", name);
        assert_eq!(name, "late_fee".to_string());
        assert_ne!(name, "late");
        let long = Name::from("a name longer than the twenty-three bytes kept inline");
        let clone = long.clone();
        assert!(std::ptr::eq(clone.as_str(), long.as_str()), "a clone of a long name shares the text");
        assert_eq!(name.clone(), name, "a short name is copied");
        let json = serde_json::to_string(&name).unwrap_or_default();
        assert_eq!(json, r#""late_fee""#);
        let back: Name = serde_json::from_str(&json).unwrap_or_default();
        assert_eq!(back, name);
        assert_eq!(format!("{name} {name:?}"), r#"late_fee "late_fee""#);
    }
}
