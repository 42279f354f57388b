//! `Name`: shared, immutable text for the decision, so that the names a policy defines
//! (rules, gestures, roles, reasons) are shared with every decision instead of copied.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::borrow::Borrow;
use std::fmt;
use std::ops::Deref;
use std::sync::Arc;

/// Immutable text shared between a compiled policy and its decisions. Cloning one costs a
/// reference count, not a copy. It reads like a `&str` (`Deref`), compares with `&str` and
/// `String`, and serialises as a JSON string.
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
pub struct Name(Arc<str>);

impl Name {
    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Default for Name {
    fn default() -> Name {
        Name::from("")
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
        Name(Arc::from(text))
    }
}

impl From<String> for Name {
    fn from(text: String) -> Name {
        Name(Arc::from(text))
    }
}

impl From<Arc<str>> for Name {
    fn from(text: Arc<str>) -> Name {
        Name(text)
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
        let clone = name.clone();
        assert!(std::ptr::eq(clone.as_str(), name.as_str()), "a clone shares the text");
        let json = serde_json::to_string(&name).unwrap_or_default();
        assert_eq!(json, r#""late_fee""#);
        let back: Name = serde_json::from_str(&json).unwrap_or_default();
        assert_eq!(back, name);
        assert_eq!(format!("{name} {name:?}"), r#"late_fee "late_fee""#);
    }
}
