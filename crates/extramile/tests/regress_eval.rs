//! Regression tests for the evaluator's defects of issue 19: alike offers that named one
//! rule with another's priority, and offers and approvals from many grants of one gesture.
#![allow(clippy::indexing_slicing, clippy::unwrap_used, reason = "tests fail loudly")]

use extramile::{Decision, Policy, Request};
use serde_json::json;

fn decide(source: &str, role: &str) -> Decision {
    let policy = Policy::parse(source).unwrap();
    let now = "2026-11-22T10:00:00Z".parse().unwrap();
    policy.evaluate(&json!({}), &Request::new(role, now)).unwrap()
}

/// Each offer as `rule:priority` with its gestures.
fn offers(decision: &Decision) -> Vec<String> {
    decision
        .offers
        .iter()
        .map(|offer| {
            let gestures: Vec<String> = offer
                .one_of
                .iter()
                .map(|g| format!("{}{}", g.gesture, g.up_to.map(|a| format!(" {a}")).unwrap_or_default()))
                .collect();
            format!("{}:{} {}", offer.rule, offer.priority, gestures.join(" | "))
        })
        .collect()
}

const HEADER: &str = "currency USD\nroles clerk < boss < chief\ngestures\n  comp: amount\n  replace: item\n  note\n";

/// Item 18: two rules making the same choice appear as one offer, which names a rule with
/// that rule's own priority (it named the first rule with the second's higher priority).
#[test]
fn alike_offers_name_a_rule_with_its_own_priority() {
    let source = format!(
        "{HEADER}rule low\n  clerk may comp up to $5 or replace an item\n\n\
         rule middle\n  priority 5\n  clerk may note\n\n\
         rule high\n  priority 5\n  clerk may comp up to $3 or replace an item\n"
    );
    let decision = decide(&source, "clerk");
    // `high` has the higher priority: the choice is its offer, after `middle` (equal
    // priority, earlier in the source). The amount is still the most generous grant's.
    assert_eq!(offers(&decision), ["middle:5 note", "high:5 comp 5.00 | replace"]);
    assert_eq!(decision.offers[1].one_of[0].limited_by.as_deref(), Some("low"));
    for offer in &decision.offers {
        let priority = if offer.rule == "low" { 0 } else { 5 };
        assert_eq!(offer.priority, priority, "{} has priority {priority}", offer.rule);
    }
}

#[test]
fn alike_offers_of_equal_priority_name_the_first_rule() {
    let source =
        format!("{HEADER}rule a\n  priority 2\n  clerk may note\n\nrule b\n  priority 2\n  clerk may note\n\nrule c\n  clerk may note\n");
    assert_eq!(offers(&decide(&source, "clerk")), ["a:2 note"]);
}

/// Many grants of one gesture to several roles: each role's offer and each approval is the
/// most generous grant to it or a role below, named by the first rule that gave it.
#[test]
fn approvals_climb_the_ladder_over_repeated_grants() {
    let source = format!(
        "{HEADER}rule a\n  boss may comp up to $20\n  clerk may comp up to $10\n  chief may comp up to $20\n\n\
         rule b\n  boss may comp up to $20\n  chief may comp up to $50\n  clerk may comp up to $10\n  \
         chief may replace an item\n  clerk may comp up to $4\n"
    );
    let decision = decide(&source, "clerk");
    assert_eq!(offers(&decision), ["a:0 comp 10.00"]);
    let approvals: Vec<String> = decision
        .needs_approval
        .iter()
        .map(|a| format!("{} {} {:?} {}", a.gesture, a.approver, a.up_to.map(|u| u.to_string()), a.rule))
        .collect();
    assert_eq!(approvals, ["comp boss Some(\"20.00\") a", "comp chief Some(\"50.00\") b", "replace chief None b",]);
    let decision = decide(&source, "boss");
    assert_eq!(offers(&decision), ["a:0 comp 20.00"]);
    assert_eq!(decision.needs_approval.len(), 2, "{:?}", decision.needs_approval);
    assert_eq!(decision.needs_approval[0].up_to.map(|u| u.to_string()).as_deref(), Some("50.00"));
}

/// Item 11: keys of the facts that lead to no declared fact.
const KEYS_POLICY: &str = "currency USD\nroles clerk\nfacts\n  customer.tier: one of \"basic\", \"gold\", default \"basic\"\n  \
                           order.total: money, default $0\n  order.lines: list of text, default []\n  late: boolean, default false\n\
                           gestures\n  comp: amount\nrule gold\n  when customer.tier is \"gold\"\n  clerk may comp up to $5\n";

/// The decision's warnings as `fact: message`, by every reader of the facts: the JSON tree,
/// the JSON text, the JSON contract and facts read in advance. All must agree.
fn key_warnings(facts: &serde_json::Value) -> Vec<String> {
    let policy = Policy::parse(KEYS_POLICY).unwrap();
    let now = "2026-11-22T10:00:00Z".parse().unwrap();
    let request = Request::new("clerk", now);
    let show = |decision: &Decision| -> Vec<String> {
        decision.warnings.iter().map(|w| format!("{}: {}", w.fact.as_deref().unwrap_or("-"), w.message)).collect()
    };
    let by_tree = show(&policy.evaluate(facts, &request).unwrap());
    let by_text = show(&policy.evaluate_str(&facts.to_string(), &request).unwrap());
    let contract = format!(r#"{{"facts": {facts}, "role": "clerk", "now": "2026-11-22T10:00:00Z"}}"#);
    let by_contract: Decision = serde_json::from_str(&policy.evaluate_json(&contract).unwrap()).unwrap();
    let read_once = policy.facts(facts).unwrap();
    let by_facts = show(&policy.evaluate_facts(&read_once, &request).unwrap());
    assert_eq!(by_tree, by_text, "{facts}");
    assert_eq!(by_tree, show(&by_contract), "{facts}");
    assert_eq!(by_tree, by_facts, "{facts}");
    by_tree
}

#[test]
fn a_misspelt_key_is_a_warning_with_the_closest_declared_path() {
    assert_eq!(
        key_warnings(&json!({"custmer": {"tier": "gold"}})),
        ["custmer: `custmer` is not a declared fact or part of one: it is ignored; did you mean `customer`?"]
    );
    assert_eq!(
        key_warnings(&json!({"customer": {"teir": "gold"}, "order": {"total": 5}})),
        ["customer.teir: `customer.teir` is not a declared fact or part of one: it is ignored; did you mean `customer.tier`?"]
    );
    assert_eq!(
        key_warnings(&json!({"ticket_number": 12})),
        ["ticket_number: `ticket_number` is not a declared fact or part of one: it is ignored"]
    );
}

#[test]
fn keys_inside_values_and_inside_unknown_keys_are_not_warned_about() {
    let facts = json!({
        "order": {"total": {"amount": "5.00", "currency": "USD"}, "lines": ["a"]},
        "late": true,
        "notes": {"custmer": {"tier": 1}},
        "customer": {"tier": "basic"}
    });
    assert_eq!(key_warnings(&facts), ["notes: `notes` is not a declared fact or part of one: it is ignored"]);
    assert!(key_warnings(&json!({"customer": {"tier": "gold"}, "order": {"total": 1}})).is_empty());
}

#[test]
fn many_unknown_keys_name_the_first_ten_by_path_and_count_the_rest() {
    let mut facts = serde_json::Map::new();
    for i in (0..13).rev() {
        facts.insert(format!("extra{i:02}"), json!(i));
    }
    let warnings = key_warnings(&serde_json::Value::Object(facts));
    assert_eq!(warnings.len(), 11);
    assert!(warnings[0].starts_with("extra00: "), "{warnings:?}");
    assert!(warnings[9].starts_with("extra09: "), "{warnings:?}");
    assert_eq!(warnings[10], "-: and 3 more keys that are not declared facts or part of one: they are ignored");
}

#[test]
fn a_strict_request_refuses_an_unknown_key_by_every_reader() {
    let policy = Policy::parse(KEYS_POLICY).unwrap();
    let now = "2026-11-22T10:00:00Z".parse().unwrap();
    let strict = Request::new("clerk", now).with_strict(true);
    let facts = json!({"customer": {"teir": "gold"}, "order": {"total": 5}});
    let expected =
        extramile::RequestError::UnknownKey { path: "customer.teir".into(), suggestion: Some("customer.tier".into()) };
    assert_eq!(policy.evaluate(&facts, &strict).unwrap_err(), expected);
    assert_eq!(policy.evaluate_str(&facts.to_string(), &strict).unwrap_err(), expected);
    assert_eq!(policy.evaluate_facts(&policy.facts(&facts).unwrap(), &strict).unwrap_err(), expected);
    let contract = format!(
        r#"{{"facts": {facts}, "role": "clerk", "now": "2026-11-22T10:00:00Z", "options": {{"strict": true}}}}"#
    );
    let err = policy.evaluate_json(&contract).unwrap_err();
    assert_eq!(err, expected);
    assert_eq!(
        serde_json::to_value(&err).unwrap(),
        json!({"kind": "unknown_key", "path": "customer.teir", "suggestion": "customer.tier"})
    );
    assert_eq!(
        err.to_string(),
        "unknown key `customer.teir` in the facts: the policy declares no fact there; did you mean `customer.tier`?"
    );
    // Declared keys only: strict changes nothing.
    let fine = json!({"customer": {"tier": "gold"}});
    assert_eq!(policy.evaluate(&fine, &strict).unwrap().offers.len(), 1);
}

#[test]
fn the_incident_schema_describes_every_declared_fact() {
    let policy = Policy::parse(
        "currency USD\nroles clerk\nfacts\n  incident.kind: one of \"broken\", \"late\"\n  incident.at: time\n  \
         order.total: money\n  order.placed: date\n  order.count: number, default 1\n  late_by: duration, default 0 minutes\n  \
         flags: list of text, default []\n  vip: boolean, default false\n  note: text\n",
    )
    .unwrap();
    let schema = policy.incident_schema();
    assert_eq!(schema["$schema"], "https://json-schema.org/draft/2020-12/schema");
    assert_eq!(schema["type"], "object");
    assert_eq!(schema["additionalProperties"], false);
    assert_eq!(schema["required"], json!(["incident", "order", "note"]));
    let properties = &schema["properties"];
    assert_eq!(properties["incident"]["required"], json!(["kind", "at"]));
    assert_eq!(properties["incident"]["properties"]["kind"], json!({"enum": ["broken", "late"]}));
    assert_eq!(properties["incident"]["properties"]["at"]["format"], "date-time");
    let total = &properties["order"]["properties"]["total"];
    let forms: Vec<_> = total["anyOf"].as_array().unwrap().iter().map(|form| form["type"].clone()).collect();
    assert_eq!(forms, [json!("number"), json!("string"), json!("object")]);
    assert_eq!(properties["order"]["properties"]["placed"], json!({"type": "string", "format": "date"}));
    assert_eq!(properties["order"]["properties"]["count"], json!({"type": ["number", "null"], "default": 1}));
    assert_eq!(properties["order"]["required"], json!(["total", "placed"]));
    assert_eq!(properties["late_by"]["type"], json!(["string", "null"]));
    assert_eq!(properties["late_by"]["default"], "0 seconds");
    assert_eq!(properties["flags"], json!({"type": ["array", "null"], "items": {"type": "string"}, "default": []}));
    assert_eq!(properties["vip"], json!({"type": ["boolean", "null"], "default": false}));
    assert_eq!(properties["note"], json!({"type": "string"}));
}

/// A small model of offers and approvals, written from `docs/language.md` (steps 6 and 7),
/// compared with the engine on generated policies with repeated gestures, priorities and a
/// forbid: the grouping that made evaluation n log n must decide exactly as the model.
#[test]
fn offers_and_approvals_agree_with_a_model_of_the_documented_semantics() {
    #[derive(Clone, Copy, PartialEq, Debug)]
    enum Bound {
        Given,
        UpTo(u32),
        Unbounded,
    }
    let more = |a: Bound, b: Bound| {
        matches!((a, b), (Bound::Unbounded, Bound::UpTo(_)))
            || matches!((a, b), (Bound::UpTo(x), Bound::UpTo(y)) if x > y)
    };
    let gestures = ["comp", "gift", "note"];
    let roles = ["clerk", "boss", "chief"];
    let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = |n: u64| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        usize::try_from(seed % n).unwrap()
    };
    for case in 0..400 {
        // (rule, priority, grant, role, gesture, bound) in source order.
        let mut entries = Vec::new();
        let mut source = String::from(
            "currency USD\nroles clerk < boss < chief\ngestures\n  comp: amount\n  gift: amount\n  note\n",
        );
        let forbid_gift = next(3) == 0;
        let mut grant = 0;
        for rule in 0..1 + next(4) {
            let priority = next(3);
            source.push_str(&format!("rule r{rule}\n  priority {priority}\n"));
            for _ in 0..1 + next(3) {
                let role = next(3);
                let mut alternatives = Vec::new();
                for _ in 0..1 + next(3) {
                    let gesture = next(3);
                    let bound = match (gesture, next(4)) {
                        (2, _) => Bound::Given,
                        (_, 0) => Bound::Unbounded,
                        (_, n) => Bound::UpTo(u32::try_from(n + next(2)).unwrap()),
                    };
                    alternatives.push(match bound {
                        Bound::UpTo(n) => format!("{} up to ${n}", gestures[gesture]),
                        _ => gestures[gesture].to_string(),
                    });
                    entries.push((rule, priority, grant, role, gesture, bound));
                }
                source.push_str(&format!("  {} may {}\n", roles[role], alternatives.join(" or ")));
                grant += 1;
            }
        }
        if forbid_gift {
            source.push_str("rule blocker\n  never gift\n");
        }
        let policy = Policy::parse(&source).map_err(|d| d.render(false)).unwrap();
        let blocked = |gesture: usize| forbid_gift && gesture == 1;
        // The first most generous grant of `gesture` to a role up to `level`.
        let best = |gesture: usize, level: usize| {
            let mut found: Option<(usize, Bound)> = None;
            for &(rule, _, _, role, g, bound) in &entries {
                if g == gesture && role <= level && found.is_none_or(|(_, b)| more(bound, b)) {
                    found = Some((rule, bound));
                }
            }
            found
        };
        let shown = |gesture: usize, (rule, bound): (usize, Bound)| match bound {
            Bound::Given => gestures[gesture].to_string(),
            Bound::UpTo(n) => format!("{} {n}.00 r{rule}", gestures[gesture]),
            Bound::Unbounded => format!("{} - r{rule}", gestures[gesture]),
        };
        for acting in 0..3 {
            // Offers: one per grant to a role up to the acting one, alike ones kept once.
            let mut offers: Vec<(usize, usize, Vec<String>)> = Vec::new();
            for g in 0..grant {
                let alternatives: Vec<_> = entries.iter().filter(|e| e.2 == g).collect();
                let &(rule, priority, _, role, _, _) = alternatives[0];
                if role > acting {
                    continue;
                }
                let mut one_of: Vec<usize> = Vec::new();
                for e in &alternatives {
                    if !one_of.contains(&e.4) && !blocked(e.4) {
                        one_of.push(e.4);
                    }
                }
                if one_of.is_empty() {
                    continue;
                }
                let one_of: Vec<String> = one_of.iter().map(|&x| shown(x, best(x, acting).unwrap())).collect();
                match offers.iter().position(|o| o.2 == one_of) {
                    Some(at) if offers[at].1 >= priority => {}
                    Some(at) => {
                        offers.remove(at);
                        offers.push((rule, priority, one_of));
                    }
                    None => offers.push((rule, priority, one_of)),
                }
            }
            offers.sort_by_key(|o| std::cmp::Reverse(o.1));
            let expected: Vec<String> = offers.iter().map(|(r, p, o)| format!("r{r}:{p} {}", o.join(" | "))).collect();
            // Approvals: each gesture granted beyond the acting role climbs the ladder.
            let mut approvals = Vec::new();
            let mut seen = Vec::new();
            for &(_, _, _, role, gesture, _) in &entries {
                if role <= acting || seen.contains(&gesture) || blocked(gesture) {
                    continue;
                }
                seen.push(gesture);
                let mut previous = best(gesture, acting).map(|b| b.1);
                for (level, approver) in roles.iter().enumerate().skip(acting + 1) {
                    let Some((rule, bound)) = best(gesture, level) else { continue };
                    if previous.is_none_or(|p| more(bound, p)) {
                        approvals.push(format!("{approver} {}", shown(gesture, (rule, bound))));
                        previous = Some(bound);
                    }
                }
            }
            let now = "2026-11-22T10:00:00Z".parse().unwrap();
            let decision = policy.evaluate(&json!({}), &Request::new(roles[acting], now)).unwrap();
            let got: Vec<String> = decision
                .offers
                .iter()
                .map(|offer| {
                    let one_of: Vec<String> = offer
                        .one_of
                        .iter()
                        .map(|g| match (&g.up_to, &g.limited_by) {
                            (Some(up_to), Some(by)) => format!("{} {up_to} {by}", g.gesture),
                            (None, Some(by)) => format!("{} - {by}", g.gesture),
                            _ => g.gesture.to_string(),
                        })
                        .collect();
                    format!("{}:{} {}", offer.rule, offer.priority, one_of.join(" | "))
                })
                .collect();
            assert_eq!(got, expected, "case {case} as {}:\n{source}", roles[acting]);
            let got: Vec<String> = decision
                .needs_approval
                .iter()
                .map(|a| {
                    let gesture = gestures.iter().position(|g| a.gesture == *g).unwrap();
                    let bound = match (&a.up_to, gesture) {
                        (_, 2) => format!("{}", a.gesture),
                        (Some(up_to), _) => format!("{} {up_to} {}", a.gesture, a.rule),
                        (None, _) => format!("{} - {}", a.gesture, a.rule),
                    };
                    format!("{} {bound}", a.approver)
                })
                .collect();
            assert_eq!(got, approvals, "case {case} as {}:\n{source}", roles[acting]);
        }
    }
}

const FLAGS_POLICY: &str = "currency USD\nroles clerk\nfacts\n  customer.flags: list of text, default []\n  \
                            customer.note.text: text, default \"\"\n  order.total: money\n\
                            gestures\n  comp: amount\n\
                            rule sorry\n  clerk may comp up to order.total\n\n\
                            never comp when \"fraud\" in customer.flags\n";

/// Item 1 (attack 10): a parent that is not an object (`"customer": ["fraud"]`) made every
/// fact under it missing, so facts with a default took it: the `never` read an empty list
/// of flags and the comp was offered. It is a wrong value: an error for each fact under it
/// (grants fail safe, forbids block), by every reader. A `null` parent stays missing.
#[test]
fn a_parent_that_is_not_an_object_is_an_error_never_the_default() {
    let policy = Policy::parse(FLAGS_POLICY).unwrap();
    let now = "2026-11-22T10:00:00Z".parse().unwrap();
    let request = Request::new("clerk", now);
    for customer in [json!(["fraud"]), json!("fraud"), json!(7), json!(true)] {
        let facts = json!({"customer": customer, "order": {"total": 30}});
        let decisions = [
            policy.evaluate(&facts, &request).unwrap(),
            policy.evaluate_str(&facts.to_string(), &request).unwrap(),
            policy.evaluate_facts(&policy.facts(&facts).unwrap(), &request).unwrap(),
        ];
        for decision in decisions {
            assert!(decision.offers.is_empty(), "{customer}: {:?}", decision.offers);
            assert_eq!(decision.forbidden.len(), 1, "{customer}");
            assert_eq!(decision.errors[0].fact.as_deref(), Some("customer.flags"), "{customer}");
            assert!(decision.errors[0].message.contains("cannot be read: `customer` is"), "{customer}");
        }
    }
    let facts = policy.facts(&json!({"customer": {"note": 5}, "order": {"total": 30}})).unwrap();
    let note = facts.get("customer.note.text").unwrap().unwrap_err();
    assert_eq!(note.message, "fact `customer.note.text` cannot be read: `customer.note` is a number, not an object");
    // A null parent is an absent object: its facts are missing and take their defaults.
    for customer in [json!(null), json!({}), json!({"note": null})] {
        let facts = json!({"customer": customer, "order": {"total": 30}});
        for decision in
            [policy.evaluate(&facts, &request).unwrap(), policy.evaluate_str(&facts.to_string(), &request).unwrap()]
        {
            assert_eq!(decision.offers.len(), 1, "{customer}");
            assert!(decision.errors.is_empty(), "{customer}: {:?}", decision.errors);
        }
    }
}

/// Item 3 (attack 12): `1 in f()` for a script `f` refused to load with E0104 ("a text can
/// only contain text"): the checker took a script's result on the right of `in` (or the left
/// of `contains`) for a text. It is a list or a text only when the script runs; evaluation
/// checks it then.
#[test]
fn a_script_result_may_be_a_list_on_either_side_of_in_and_contains() {
    let source = "currency USD\nroles clerk\ngestures\n  comp: amount\n\
                  script \"\"\"\nfn nums() { [1, 2, 3] }\nfn word() { \"abc\" }\n\"\"\"\n\
                  rule listed\n  when 2 in nums() and nums() contains 3 and 7 not in nums()\n  clerk may comp up to $2\n\n\
                  rule texts\n  when \"b\" in word() and word() contains \"c\"\n  clerk may comp up to $1\n\n\
                  rule absent\n  when 9 in nums()\n  clerk may comp up to $50\n\n\
                  rule wrong\n  when 1 in word()\n  clerk may comp up to $60\n";
    let decision = decide(source, "clerk");
    assert_eq!(offers(&decision), ["listed:0 comp 2.00"]);
    assert_eq!(decision.errors.len(), 1, "{:?}", decision.errors);
    assert_eq!(decision.errors[0].rule, "wrong");
    // A text fact still takes only text on the left of `in`.
    let typed = "currency USD\nroles clerk\nfacts\n  note: text\ngestures\n  comp: amount\n\
                 rule r\n  when 1 in note\n  clerk may comp up to $1\n";
    let rendered = Policy::parse(typed).unwrap_err().render(false);
    assert!(rendered.contains("E0104") && rendered.contains("a text can only contain text"), "{rendered}");
}

/// Item 3 (attack 14): script functions named `min`, `max`, `round` or `abs` loaded without
/// a word and never ran (the built-in wins every call). Now E0118 at the definition.
#[test]
fn a_script_function_named_like_a_built_in_is_a_load_error() {
    for (name, params) in [("min", "a, b"), ("max", "a"), ("round", "x"), ("abs", "x, y, z")] {
        let source = format!(
            "currency USD\nroles clerk\ngestures\n  comp: amount\nscript \"\"\"\n// fn {name}( in a comment\nfn  {name} ({params}) {{ 999 }}\nfn other() {{ 1 }}\n\"\"\"\n\
             rule r\n  clerk may comp up to $1 * other()\n"
        );
        let rendered = Policy::parse(&source).unwrap_err().render(false);
        assert!(
            rendered.contains(&format!("error[E0118]: script function `{name}` has the name of a built-in")),
            "{rendered}"
        );
        assert!(rendered.contains("--> policy:7:5"), "points at the definition: {rendered}");
        assert!(rendered.contains(&format!("such as `my_{name}`")), "{rendered}");
    }
    // Other names are fine, including ones that contain a built-in's name.
    let fine = "currency USD\nroles clerk\ngestures\n  comp: amount\nscript \"\"\"\nfn minimum(a) { a }\nfn my_abs(x) { x }\n\"\"\"\n\
                rule r\n  clerk may comp up to $1 * minimum(2) * my_abs(1)\n";
    assert_eq!(offers(&decide(fine, "clerk")), ["r:0 comp 2.00"]);
}

/// Item 4 (attack 15): `owe comp of -¥5` loaded silently and was listed as owed `-5`.
/// Decided: an amount is what the customer may or must receive. A negative constant `up to`,
/// owed or recommended amount is a load error (E0119); a computed negative one owed or
/// recommended is an evaluation error of its rule, and the line is dropped (nothing is
/// listed as owed), while a computed `up to` that is zero or negative is, as documented,
/// not offered. Sibling: the help of W0202 wrote `$50` in a yen policy.
#[test]
fn negative_amounts_owed_recommended_or_granted_are_refused() {
    let header = "currency JPY\nroles a < b\nfacts\n  price: money\ngestures\n  comp: amount\n";
    for (line, what) in [
        ("owe comp of -¥5", "an amount owed cannot be negative: `-¥5` is -5"),
        ("owe comp of ¥5 - ¥10", "an amount owed cannot be negative: `¥5 - ¥10` is -5"),
        ("recommend comp of -(¥5)", "a recommended amount cannot be negative: `-(¥5)` is -5"),
        ("a may comp up to -¥1", "an `up to` amount cannot be negative: `-¥1` is -1"),
    ] {
        let source = format!("{header}rule r\n  {line}\n");
        let rendered = Policy::parse(&source).unwrap_err().render(false);
        assert!(rendered.contains(&format!("error[E0119]: {what}")), "{line}: {rendered}");
    }
    let source = format!(
        "{header}rule r\n  owe comp of price - ¥100\n  recommend comp of price - ¥50\n  a may comp up to price - ¥10\n  b may comp\n"
    );
    let policy = Policy::parse(&source).unwrap();
    let now = "2026-11-22T10:00:00Z".parse().unwrap();
    let decision = policy.evaluate(&json!({"price": 5}), &Request::new("a", now)).unwrap();
    assert!(decision.owed.is_empty() && decision.recommended.is_empty() && decision.offers.is_empty(), "{decision:?}");
    let errors: Vec<&str> = decision.errors.iter().map(|e| e.message.as_str()).collect();
    assert_eq!(
        errors,
        ["an amount owed cannot be negative, found -95", "a recommended amount cannot be negative, found -45"]
    );
    // Zero and more are listed as they are.
    let decision = policy.evaluate(&json!({"price": 100}), &Request::new("a", now)).unwrap();
    assert_eq!(decision.owed[0].amount.map(|a| a.to_string()).as_deref(), Some("0"));
    assert_eq!(decision.recommended[0].amount.map(|a| a.to_string()).as_deref(), Some("50"));
    assert!(decision.errors.is_empty());
    // W0202's help writes money of the policy's currency.
    let warned = |currency: &str| {
        let source = format!("currency {currency}\nroles a\ngestures\n  comp: amount\nrule r\n  a may comp\n");
        Policy::check("p", &source).render(false)
    };
    assert!(warned("JPY").contains("such as `comp up to ¥50`"), "{}", warned("JPY"));
    assert!(warned("CHF").contains("such as `comp up to 50 CHF`"), "{}", warned("CHF"));
}

/// Item 3, sibling: a script's result looked for in a typed list was compared as it came
/// (a number with money), so `five() in [$5, $10]` was silently false where `five() is $5`
/// held. It is converted to the list's type, as `is` converts it (a wrong one is an error).
#[test]
fn a_script_result_is_looked_for_in_a_list_as_the_lists_type() {
    let source = "currency USD\nroles clerk\ngestures\n  comp: amount\n\
                  script \"\"\"\nfn five() { 5 }\nfn word() { \"x\" }\n\"\"\"\n\
                  rule listed\n  when five() in [$5, $10] and [$1, $5] contains five() and five() not in [$6]\n  clerk may comp up to $2\n\n\
                  rule wrong\n  when word() in [$5]\n  clerk may comp up to $60\n";
    let decision = decide(source, "clerk");
    assert_eq!(offers(&decision), ["listed:0 comp 2.00"]);
    assert_eq!(decision.errors.len(), 1, "{:?}", decision.errors);
    assert_eq!(decision.errors[0].message, "script returned text, expected money");
}
