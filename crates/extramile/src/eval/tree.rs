//! The declared fact paths as a tree of object keys, and the reader of a facts
//! `serde_json::Value` that walks the document once, reading the facts and checking the
//! nesting depth together.

use crate::eval::facts::{self, Filling};
use crate::ir::{FactSlot, SlotId};
use serde_json::{Map, Value as Json};

/// The declared fact paths as a tree of object keys, built when the policy is compiled.
#[derive(Debug, Default)]
pub struct FactTree {
    pub(super) root: FactObject,
    /// How many objects the tree has below the root.
    pub(super) objects: usize,
    /// Each object's dotted path, by the number that tells objects apart (the facts
    /// object, `""`, is 0).
    pub(crate) object_paths: Vec<Box<str>>,
}

/// The keys of one object that lead to facts, sorted for binary search.
#[derive(Debug, Default)]
pub(super) struct FactObject {
    keys: Vec<(Box<str>, FactNode)>,
}

/// What a key of a [`FactObject`] leads to.
#[derive(Debug)]
pub(super) enum FactNode {
    /// The key holds a fact.
    Fact(SlotId),
    /// The key holds an object with facts inside; the number tells objects apart.
    Object(FactObject, usize),
    /// The key holds a fact and is also the parent of facts: left to the general path
    /// (the checker refuses such overlaps, E0113, so this is only a safeguard).
    Both,
}

impl FactTree {
    /// The tree of the paths of `slots`.
    pub fn new(slots: &[FactSlot]) -> FactTree {
        let mut tree = FactTree::default();
        for (slot, fact) in slots.iter().enumerate() {
            tree.root.insert(&fact.segments, slot, &mut tree.objects);
        }
        tree.object_paths.resize(tree.objects.saturating_add(1), Box::default());
        tree.root.name_objects("", &mut tree.object_paths);
        tree
    }

    /// The dotted path of a key of the object numbered `object`, and the declared path
    /// (of a fact, or of an object of facts) beside it that is closest to it, if one is
    /// close: `custmer` and `customer`.
    pub(crate) fn key_path(&self, object: usize, key: &str) -> (String, Option<String>) {
        let parent = self.object_paths.get(object).map_or("", |path| &**path);
        let full = |key: &str| if parent.is_empty() { key.to_string() } else { format!("{parent}.{key}") };
        // The object's node, found by its path from the facts object.
        let mut node = Some(&self.root);
        for segment in parent.split('.').filter(|segment| !segment.is_empty()) {
            node = match node.and_then(|node| node.get(segment)) {
                Some(FactNode::Object(inner, _)) => Some(inner),
                _ => None,
            };
        }
        let siblings = node.into_iter().flat_map(|node| node.keys.iter().map(|(key, _)| &**key));
        let suggestion = crate::check::closest(key, siblings).map(full);
        (full(key), suggestion)
    }
}

impl FactObject {
    fn insert(&mut self, segments: &[crate::name::Name], slot: SlotId, objects: &mut usize) {
        let Some((first, rest)) = segments.split_first() else { return };
        let index = match self.find(first) {
            Some(index) => index,
            None => {
                let node = if rest.is_empty() {
                    FactNode::Fact(slot)
                } else {
                    *objects = objects.saturating_add(1);
                    FactNode::Object(FactObject::default(), *objects)
                };
                let at = self.keys.partition_point(|(key, _)| **key < **first);
                self.keys.insert(at, (first.as_str().into(), node));
                if rest.is_empty() {
                    return;
                }
                at
            }
        };
        let Some((_, node)) = self.keys.get_mut(index) else { return };
        match node {
            FactNode::Object(object, _) if !rest.is_empty() => object.insert(rest, slot, objects),
            FactNode::Both => {}
            _ => *node = FactNode::Both,
        }
    }

    /// Writes the dotted path of each object below this one, found at `path`, into `paths`.
    fn name_objects(&self, path: &str, paths: &mut [Box<str>]) {
        for (key, node) in &self.keys {
            if let FactNode::Object(object, id) = node {
                let inner = if path.is_empty() { key.to_string() } else { format!("{path}.{key}") };
                object.name_objects(&inner, paths);
                if let Some(slot) = paths.get_mut(*id) {
                    *slot = inner.into();
                }
            }
        }
    }

    fn find(&self, key: &str) -> Option<usize> {
        self.keys.binary_search_by(|(k, _)| (**k).cmp(key)).ok()
    }

    /// What `key` leads to, if it leads to facts.
    pub(super) fn get(&self, key: &str) -> Option<&FactNode> {
        crate::value::find_sorted(&self.keys, key, |(k, _)| k).map(|(_, node)| node)
    }

    /// What `key` leads to, trying first the key after the one found last (`next`, which
    /// this moves on): serde_json keeps an object's keys sorted, as the tree's are, so the
    /// keys of a document that holds only facts are each found at the first try.
    fn get_after(&self, key: &str, next: &mut usize) -> Option<&FactNode> {
        let index = match self.keys.get(*next) {
            Some((expected, _)) if crate::value::same_text(expected, key) => *next,
            _ => crate::value::position_sorted(&self.keys, key, |(k, _)| k)?,
        };
        *next = index.saturating_add(1);
        self.keys.get(index).map(|(_, node)| node)
    }
}

/// The facts document nests deeper than `FactLimits::max_depth`; `facts::check_depth`
/// names the path.
#[derive(Debug)]
pub(crate) struct TooDeep;

/// Reads every declared fact of `program` from `facts` into the table `filling` fills, as
/// [`facts::read_facts`] does, and checks the depth as [`facts::check_depth`] does, in one
/// walk of the document: each key is looked up in the (small) fact tree instead of each
/// fact's path in the document. Facts the walk does not find take the per-path reader,
/// which gives their default or the exact message.
pub(crate) fn read_document(mut filling: Filling<'_>, facts: &Json) -> Result<(), TooDeep> {
    let program = filling.program();
    let max_depth = program.fact_limits.max_depth;
    match facts {
        // The facts object itself is level 1.
        Json::Object(_) if max_depth < 1 => return Err(TooDeep),
        Json::Object(map) => walk(&mut filling, map, (&program.fact_tree.root, 0), 1)?,
        other => facts::check_depth(other, max_depth).map_err(|_| TooDeep)?,
    }
    filling.finish(|fact| facts::read_slot(fact, facts, program.currency, program.fact_limits));
    Ok(())
}

/// Walks `map`, found at `level`, whose keys lead to the facts of `object` (with its
/// number, for naming the keys that lead to no fact).
fn walk(
    filling: &mut Filling<'_>,
    map: &Map<String, Json>,
    (object, id): (&FactObject, usize),
    level: usize,
) -> Result<(), TooDeep> {
    let max_depth = filling.program().fact_limits.max_depth;
    let mut next = 0;
    for (key, child) in map {
        match (object.get_after(key, &mut next), child) {
            (Some(FactNode::Object(inner, inner_id)), Json::Object(child_map)) => {
                let level = level.saturating_add(1);
                if level > max_depth {
                    return Err(TooDeep);
                }
                walk(filling, child_map, (inner, *inner_id), level)?;
            }
            (node, _) => {
                match node {
                    // A map's keys are distinct, so each slot is met once at most.
                    Some(FactNode::Fact(slot)) => {
                        filling.set_json(*slot, child);
                    }
                    None => filling.unknown_key(id, key),
                    Some(_) => {}
                }
                let nested = matches!(child, Json::Object(_) | Json::Array(_));
                if nested && facts::check_depth(child, max_depth.saturating_sub(level)).is_err() {
                    return Err(TooDeep);
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "tests fail loudly")]
mod tests {
    use super::*;
    use crate::eval::facts::{check_depth, read_facts, FactLimits};
    use crate::value::Value;
    use crate::{LoadOptions, Policy};
    use proptest::prelude::*;

    const POLICY: &str = "currency USD\nroles agent\n\nfacts\n  a.b: number\n  a.c: text, default \"\"\n  \
                          k: one of \"x\", \"y\"\n  c.d.e: number, default 1\n  l: list of number, default []\n  \
                          m: money, default $0\n  d.m: money\n";

    /// Documents whose keys are often the policy's, at every level.
    fn document() -> impl Strategy<Value = Json> {
        let leaf = prop_oneof![
            Just(Json::Null),
            any::<bool>().prop_map(Json::from),
            (-3_i64..5).prop_map(Json::from),
            prop::sample::select(&[0.5, 12.25, -7.1, 1.005, 1e20, 0.0][..]).prop_map(Json::from),
            prop::sample::select(&["x", "y", "z", ""][..]).prop_map(Json::from),
        ];
        leaf.prop_recursive(6, 40, 4, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..3).prop_map(Json::Array),
                prop::collection::btree_map(
                    prop::sample::select(&["a", "b", "c", "d", "e", "k", "l", "m", "z"][..]),
                    inner,
                    0..4
                )
                .prop_map(|map| Json::Object(map.into_iter().map(|(k, v)| (k.to_string(), v)).collect())),
            ]
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3_000))]

        /// One walk gives what looking up each fact's path gives, and refuses exactly the
        /// documents the depth check refuses.
        #[test]
        fn the_walk_agrees_with_the_lookups_and_the_depth_check(facts in document(), max_depth in 0_usize..6) {
            let options =
                LoadOptions { fact_limits: FactLimits { max_depth, ..FactLimits::default() }, ..LoadOptions::default() };
            let policy = Policy::parse_with("walk.policy", POLICY, options).unwrap();
            let program = &policy.program;
            let (mut table, mut looked_up) = (crate::eval::facts::FactTable::default(), Vec::new());
            let walk = read_document(Filling::new(program, &mut table), &facts);
            let walked = table.values;
            prop_assert_eq!(walk.is_ok(), check_depth(&facts, max_depth).is_ok(), "{}", facts);
            if walk.is_ok() {
                read_facts(program, &facts, &mut looked_up);
                // As text, which tells amounts of different scales apart (`100` from `100.00`).
                prop_assert_eq!(format!("{walked:?}"), format!("{looked_up:?}"), "{}", facts);
            }
        }
    }

    #[test]
    fn the_walk_finds_nested_facts_and_gives_defaults() {
        let policy = Policy::parse(POLICY).unwrap();
        let facts = serde_json::json!({"a": {"b": 2, "z": [1]}, "k": "y", "c": {"d": {}}});
        let mut table = crate::eval::facts::FactTable::default();
        read_document(Filling::new(&policy.program, &mut table), &facts).unwrap();
        let numbers: Vec<Option<Value>> = table.values.into_iter().map(Result::ok).collect();
        assert_eq!(numbers[0], Some(Value::Number(2.into())));
        assert_eq!(numbers[1], Some(Value::Text("".into())));
        assert_eq!(numbers[2], Some(Value::Text("y".into())));
        assert_eq!(numbers[3], Some(Value::Number(1.into())));
    }
}
