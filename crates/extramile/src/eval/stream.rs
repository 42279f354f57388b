//! Reads an evaluation request's JSON text straight into the fact table, without building
//! a JSON tree of the incident, for requests that follow the contract.
//!
//! Anything out of the ordinary (a syntax error, a key given twice, an unknown field or
//! role, a fact path running into something other than an object, facts nested too deep)
//! makes the reader give up, and the general path, which builds the tree, decides with its
//! exact messages. Both paths read each fact's JSON with the same function, so they agree
//! by construction; `tests/streaming.rs` checks it on generated requests.

use crate::eval::facts::{self, Filling};
use crate::eval::tree::{FactNode, FactObject};
use crate::ir::{FactSlot, Program, RoleId};
use crate::json::{EvaluationOptions, StrictSeed};
use crate::money::Currency;
use crate::name::Name;
use crate::value::Value;
use chrono::{DateTime, FixedOffset};
use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use std::fmt;

/// Buffers the reader keeps per thread.
#[derive(Debug, Default)]
pub(crate) struct Scratch {
    /// Whether each object of the tree was given (index 0 is unused).
    visited: Vec<bool>,
    /// The last `now` read, as written, and what it was read as: requests of one batch, or
    /// of one busy second, share it, and reading it again would cost as much as reading a
    /// few facts. Kept from one request to the next.
    last_now: Option<(Name, NowRead)>,
}

/// A request's `now`, and its text when that is already how decisions write it.
type NowRead = (DateTime<FixedOffset>, Option<Name>);

impl Scratch {
    /// Forgets the last request's objects (the last `now` is kept on purpose).
    pub fn clear(&mut self) {
        self.visited.clear();
    }
}

/// What a request asks for, besides its facts.
pub(crate) struct Request {
    /// The acting role.
    pub role: RoleId,
    /// The current time.
    pub now: DateTime<FixedOffset>,
    /// `now` as the request wrote it, when that is already how decisions write it.
    pub now_text: Option<Name>,
    /// Whether to trace.
    pub trace: bool,
    /// Whether keys that lead to no declared fact refuse the request.
    pub strict: bool,
}

/// Reads an evaluation request, the facts into the table `filling` fills; `None` if the
/// request is out of the ordinary (see the module's documentation).
pub(crate) fn read_request(text: &str, scratch: &mut Scratch, filling: Filling<'_>) -> Option<Request> {
    let mut reader = Reader::new(scratch, filling);
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let request = RequestSeed { reader: &mut reader }.deserialize(&mut deserializer).ok()?;
    deserializer.end().ok()?;
    reader.finish();
    Some(request)
}

/// Reads the facts object alone, like [`read_request`].
pub(crate) fn read_facts(text: &str, scratch: &mut Scratch, filling: Filling<'_>) -> Option<()> {
    let program = filling.program();
    let mut reader = Reader::new(scratch, filling);
    let mut deserializer = serde_json::Deserializer::from_str(text);
    ObjectSeed { reader: &mut reader, object: &program.fact_tree.root, id: 0, level: 1 }
        .deserialize(&mut deserializer)
        .ok()?;
    deserializer.end().ok()?;
    reader.finish();
    Some(())
}

struct Reader<'r> {
    program: &'r Program,
    filling: Filling<'r>,
    /// Whether each object of the fact tree was given (index 0 is unused).
    visited: &'r mut Vec<bool>,
    /// See [`Scratch::last_now`].
    last_now: &'r mut Option<(Name, NowRead)>,
}

impl<'r> Reader<'r> {
    fn new(scratch: &'r mut Scratch, filling: Filling<'r>) -> Reader<'r> {
        let program = filling.program();
        scratch.visited.clear();
        scratch.visited.resize(program.fact_tree.objects.saturating_add(1), false);
        Reader { program, filling, visited: &mut scratch.visited, last_now: &mut scratch.last_now }
    }

    /// Gives the facts that were not in the request their default or their error.
    fn finish(self) {
        let (currency, limits) = (self.program.currency, self.program.fact_limits);
        self.filling.finish(|fact| facts::slot_value(fact, None, None, currency, limits));
    }

    /// Whether `json`, found at `level`, nests no deeper than the limit allows.
    fn within_depth(&self, json: &serde_json::Value, level: usize) -> bool {
        let max_depth = self.program.fact_limits.max_depth;
        level <= max_depth && facts::check_depth(json, max_depth.saturating_sub(level)).is_ok()
    }
}

/// Gives up: the message is never shown, as the general path then decides.
fn give_up<E: serde::de::Error>() -> E {
    E::custom("left to the general path")
}

struct RequestSeed<'a, 'r> {
    reader: &'a mut Reader<'r>,
}

impl<'de> DeserializeSeed<'de> for RequestSeed<'_, '_> {
    type Value = Request;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Request, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for RequestSeed<'_, '_> {
    type Value = Request;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an evaluation request")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Request, A::Error> {
        let (mut facts, mut role, mut now, mut options) = (false, None, None, None);
        let roles = &self.reader.program.roles;
        while let Some(field) = map.next_key_seed(FieldSeed)? {
            match field {
                Field::Facts if !facts => {
                    let object = &self.reader.program.fact_tree.root;
                    map.next_value_seed(ObjectSeed { reader: &mut *self.reader, object, id: 0, level: 1 })?;
                    facts = true;
                }
                Field::Role if role.is_none() => role = Some(map.next_value_seed(RoleSeed { roles })?),
                Field::Now if now.is_none() => {
                    now = Some(map.next_value_seed(NowSeed { last: &mut *self.reader.last_now })?);
                }
                Field::Options if options.is_none() => options = Some(map.next_value::<EvaluationOptions>()?),
                _ => return Err(give_up()),
            }
        }
        match (facts, role, now) {
            (true, Some(role), Some((now, now_text))) => {
                let EvaluationOptions { trace, strict } = options.unwrap_or_default();
                Ok(Request { role, now, now_text, trace, strict })
            }
            _ => Err(give_up()),
        }
    }
}

/// A field of the request.
enum Field {
    Facts,
    Role,
    Now,
    Options,
    Other,
}

struct FieldSeed;

impl<'de> DeserializeSeed<'de> for FieldSeed {
    type Value = Field;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Field, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl Visitor<'_> for FieldSeed {
    type Value = Field;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a field name")
    }

    fn visit_str<E>(self, v: &str) -> Result<Field, E> {
        Ok(match v {
            "facts" => Field::Facts,
            "role" => Field::Role,
            "now" => Field::Now,
            "options" => Field::Options,
            _ => Field::Other,
        })
    }
}

/// The current time, read as chrono reads it (`DateTime<FixedOffset>`'s `Deserialize`),
/// directly in the usual form.
struct NowSeed<'l> {
    /// The last `now` read (see [`Scratch::last_now`]).
    last: &'l mut Option<(Name, NowRead)>,
}

impl<'de> DeserializeSeed<'de> for NowSeed<'_> {
    type Value = NowRead;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl Visitor<'_> for NowSeed<'_> {
    type Value = NowRead;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an RFC 3339 time")
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Self::Value, E> {
        if let Some((text, read)) = &*self.last {
            if text == v {
                return Ok(read.clone());
            }
        }
        let read = match crate::value::parse_time(v) {
            // Already the decision's form: copied, not formatted again.
            Some(now) => (now, crate::value::is_canonical_time(v).then(|| Name::from(v))),
            None => v.parse().map(|now| (now, None)).map_err(|_| give_up())?,
        };
        *self.last = Some((Name::from(v), read.clone()));
        Ok(read)
    }
}

/// The role, as its place on the ladder.
struct RoleSeed<'r> {
    roles: &'r [Name],
}

impl<'de> DeserializeSeed<'de> for RoleSeed<'_> {
    type Value = RoleId;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<RoleId, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl Visitor<'_> for RoleSeed<'_> {
    type Value = RoleId;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a role")
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<RoleId, E> {
        self.roles.iter().position(|role| crate::value::same_text(role, v)).ok_or_else(give_up)
    }
}

/// An object of the facts, at `level` (the facts object is level 1), whose keys that lead
/// to facts are those of `object`.
struct ObjectSeed<'a, 'r> {
    reader: &'a mut Reader<'r>,
    object: &'r FactObject,
    /// The object's number in the fact tree (0 for the facts object).
    id: usize,
    level: usize,
}

impl<'de> DeserializeSeed<'de> for ObjectSeed<'_, '_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ObjectSeed<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object")
    }

    /// A null object below the facts holds nothing: the facts inside it are missing.
    fn visit_unit<E: serde::de::Error>(self) -> Result<(), E> {
        if self.level > 1 {
            Ok(())
        } else {
            Err(give_up())
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        /// Past this many keys that lead to no fact in one object, the general path reads
        /// the object (telling a key given twice from the others would grow quadratic).
        const MAX_OTHER_KEYS: usize = 64;
        if self.level > self.reader.program.fact_limits.max_depth {
            return Err(give_up());
        }
        let mut other_keys: Vec<String> = Vec::new();
        while let Some(key) = map.next_key_seed(KeySeed { object: self.object })? {
            match key {
                Key::Known(FactNode::Fact(slot)) => {
                    let fact = self.reader.program.facts.get(*slot).ok_or_else(give_up)?;
                    let accepted = match map
                        .next_value_seed(FactSeed { fact, currency: self.reader.program.currency })?
                    {
                        FactJson::Choice(index) => self.reader.filling.set_choice(*slot, index),
                        FactJson::Read(value) => self.reader.filling.set_with(*slot, |_| Ok(value)),
                        FactJson::Other(json) => {
                            self.reader.within_depth(&json, self.level) && self.reader.filling.set_json(*slot, &json)
                        }
                    };
                    if !accepted {
                        return Err(give_up());
                    }
                }
                Key::Known(FactNode::Object(object, id)) => {
                    match self.reader.visited.get_mut(*id) {
                        Some(visited) if !*visited => *visited = true,
                        _ => return Err(give_up()),
                    }
                    let level = self.level.saturating_add(1);
                    map.next_value_seed(ObjectSeed { reader: &mut *self.reader, object, id: *id, level })?;
                }
                Key::Known(FactNode::Both) => return Err(give_up()),
                Key::Other(key) => {
                    if other_keys.len() >= MAX_OTHER_KEYS || other_keys.contains(&key) {
                        return Err(give_up());
                    }
                    let json = map.next_value_seed(StrictSeed::unplaced())?;
                    if !self.reader.within_depth(&json, self.level) {
                        return Err(give_up());
                    }
                    self.reader.filling.unknown_key(self.id, &key);
                    other_keys.push(key);
                }
            }
        }
        Ok(())
    }
}

/// A fact's JSON as [`FactSeed`] reads it.
enum FactJson {
    /// A `one of` text, by its index in the fact's sorted values (read without allocating).
    Choice(usize),
    /// The fact's value, read directly as `facts::quick_value` reads it: a whole number, or
    /// money with at most the currency's decimals.
    Read(Value),
    /// Anything else, to be read as the general path reads it.
    Other(serde_json::Value),
}

/// Reads a fact's value: the commonest facts straight to their value (a `one of` text to
/// the program's copy of it), anything else as [`StrictSeed`] does.
struct FactSeed<'r> {
    fact: &'r FactSlot,
    currency: Currency,
}

impl<'de> DeserializeSeed<'de> for FactSeed<'_> {
    type Value = FactJson;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<FactJson, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for FactSeed<'_> {
    type Value = FactJson;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<FactJson, E> {
        match facts::one_of_index(self.fact, v) {
            Some(index) => Ok(FactJson::Choice(index)),
            None => StrictSeed::unplaced().visit_str(v).map(FactJson::Other),
        }
    }

    fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<FactJson, E> {
        StrictSeed::unplaced().visit_bool(v).map(FactJson::Other)
    }

    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<FactJson, E> {
        match facts::whole_value(&self.fact.ty, v, self.currency) {
            Some(value) => Ok(FactJson::Read(value)),
            None => StrictSeed::unplaced().visit_i64(v).map(FactJson::Other),
        }
    }

    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<FactJson, E> {
        match i64::try_from(v) {
            Ok(v) => self.visit_i64(v),
            Err(_) => StrictSeed::unplaced().visit_u64(v).map(FactJson::Other),
        }
    }

    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<FactJson, E> {
        match facts::fractional_value(&self.fact.ty, v, self.currency) {
            Some(value) => Ok(FactJson::Read(value)),
            None => StrictSeed::unplaced().visit_f64(v).map(FactJson::Other),
        }
    }

    fn visit_unit<E: serde::de::Error>(self) -> Result<FactJson, E> {
        StrictSeed::unplaced().visit_unit().map(FactJson::Other)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<FactJson, A::Error> {
        StrictSeed::unplaced().visit_seq(seq).map(FactJson::Other)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<FactJson, A::Error> {
        StrictSeed::unplaced().visit_map(map).map(FactJson::Other)
    }
}

/// A key of a facts object: one that leads to facts, or another.
enum Key<'r> {
    Known(&'r FactNode),
    Other(String),
}

struct KeySeed<'r> {
    object: &'r FactObject,
}

impl<'de, 'r> DeserializeSeed<'de> for KeySeed<'r> {
    type Value = Key<'r>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Key<'r>, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'r> Visitor<'_> for KeySeed<'r> {
    type Value = Key<'r>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a key")
    }

    fn visit_str<E>(self, v: &str) -> Result<Key<'r>, E> {
        match self.object.get(v) {
            Some(node) => Ok(Key::Known(node)),
            None => Ok(Key::Other(v.to_string())),
        }
    }
}
