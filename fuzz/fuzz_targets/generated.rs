//! Structure-aware policies: the fuzz bytes choose, through `arbitrary`, a well-formed policy
//! (currency, role ladder, facts of every type with defaults, gestures of every kind, rules
//! with typed conditions, grants with alternatives and amounts, `never`, `owe`, `recommend`,
//! `escalate`, forbids and limits), an incident (present, missing, null, wrong-typed and
//! extreme facts), a role and `now`, so that `evaluate` explores far more than the examples.
//! Checks: no panic; no internal diagnostic (`E0000`, a bug by definition); a policy that
//! loads decides deterministically, the same with and without the trace and through
//! `evaluate_json` (the streaming reader), and never offers a non-positive amount.
#![no_main]

use arbitrary::Unstructured;
use extramile::{Decision, Policy, Request};
use libfuzzer_sys::fuzz_target;
use std::fmt::Write;

const CURRENCIES: [(&str, &str, u32); 4] = [("USD", "$", 2), ("JPY", "¥", 0), ("KWD", "", 3), ("EUR", "€", 2)];
const ROLES: [&str; 4] = ["agent", "supervisor", "manager", "director"];
const KINDS: [&str; 3] = ["broken", "late", "rude"];
const UNITS: [&str; 6] = ["seconds", "minutes", "hours", "days", "weeks", "day"];
const NOWS: [&str; 5] = [
    "2026-11-22T10:00:00Z",
    "2026-11-22T23:30:00-05:00",
    "2028-02-29T00:00:00+14:00",
    "0001-01-01T00:00:00Z",
    "9999-12-31T23:59:59-12:00",
];

#[derive(Clone, Copy, PartialEq)]
enum Ty {
    Money,
    Number,
    Text,
    Kind,
    Bool,
    Duration,
    Date,
    Time,
    Flags,
}

const FACTS: [(&str, Ty); 10] = [
    ("order.total", Ty::Money),
    ("order.used", Ty::Money),
    ("order.count", Ty::Number),
    ("customer.note", Ty::Text),
    ("incident.kind", Ty::Kind),
    ("customer.vip", Ty::Bool),
    ("delivery.late", Ty::Duration),
    ("customer.birthday", Ty::Date),
    ("order.placed", Ty::Time),
    ("customer.flags", Ty::Flags),
];

/// gesture name, kind (`amount`, `item`, `due`, or none).
const GESTURES: [(&str, &str); 5] =
    [("comp", "amount"), ("gift", "amount"), ("replace", "item"), ("call", "due"), ("note", "")];

struct Gen<'a, 'b> {
    u: &'a mut Unstructured<'b>,
    currency: (&'static str, &'static str, u32),
}

impl Gen<'_, '_> {
    fn pick(&mut self, n: usize) -> usize {
        self.u.choose_index(n).unwrap_or(0)
    }

    fn int(&mut self, lo: i64, hi: i64) -> i64 {
        self.u.int_in_range(lo..=hi).unwrap_or(lo)
    }

    fn flip(&mut self) -> bool {
        self.u.arbitrary().unwrap_or(false)
    }

    fn number_lit(&mut self) -> String {
        match self.pick(6) {
            0 => "0".into(),
            1 => format!("{}.{}", self.int(0, 999), self.int(0, 99)),
            2 => "9999999999999999999999999999".into(),
            3 => "0.0000000000000000000000000001".into(),
            _ => self.int(0, 1000).to_string(),
        }
    }

    fn money_lit(&mut self) -> String {
        let (code, symbol, digits) = self.currency;
        let whole = match self.pick(5) {
            0 => 0,
            1 => 79_228_162_514_264_337,
            _ => self.int(0, 5000),
        };
        let fraction = if digits == 0 || self.flip() {
            String::new()
        } else {
            format!(".{:0width$}", self.int(0, 10_i64.pow(digits) - 1), width = digits as usize)
        };
        if symbol.is_empty() || self.flip() {
            format!("{whole}{fraction} {code}")
        } else {
            format!("{symbol}{whole}{fraction}")
        }
    }

    fn duration_lit(&mut self) -> String {
        let n = match self.pick(6) {
            0 => "0".to_string(),
            1 => "99999999999".to_string(),
            2 => "1.5".to_string(),
            _ => self.int(1, 400).to_string(),
        };
        let unit = UNITS[self.pick(UNITS.len())];
        format!("{n} {unit}")
    }

    fn fact_of(&mut self, ty: Ty) -> Option<&'static str> {
        let matching: Vec<&'static str> = FACTS.iter().filter(|(_, t)| *t == ty).map(|(p, _)| *p).collect();
        if matching.is_empty() {
            return None;
        }
        let i = self.pick(matching.len());
        matching.get(i).copied()
    }

    /// An expression of type `ty`, at most `depth` levels deep.
    fn expr(&mut self, ty: Ty, depth: u32) -> String {
        let leaf = depth == 0 || self.pick(3) == 0;
        if leaf {
            return match ty {
                Ty::Money if self.flip() => self.money_lit(),
                Ty::Number if self.flip() => self.number_lit(),
                Ty::Number => {
                    ["days since", "hours until", "days until next", "weeks since"][self.pick(4)].to_string()
                        + [" customer.birthday", " order.placed"][self.pick(2)]
                }
                Ty::Duration if self.flip() => self.duration_lit(),
                Ty::Date if self.flip() => ["2026-02-28", "today", "2024-02-29", "9999-12-31"][self.pick(4)].into(),
                Ty::Time if self.flip() => {
                    ["now", "2026-05-01T10:00:00Z", "2026-05-01T10:00:00.5+02:00"][self.pick(3)].into()
                }
                Ty::Bool if self.flip() => ["true", "false"][self.pick(2)].into(),
                Ty::Text | Ty::Kind => format!("\"{}\"", KINDS[self.pick(KINDS.len())]),
                _ => self.fact_of(ty).unwrap_or("order.total").to_string(),
            };
        }
        let d = depth - 1;
        match ty {
            Ty::Money => match self.pick(9) {
                0 => format!("{}% of {}", self.number_lit(), self.expr(Ty::Money, d)),
                1 => format!("({} + {})", self.expr(Ty::Money, d), self.expr(Ty::Money, d)),
                2 => format!("({} - {})", self.expr(Ty::Money, d), self.expr(Ty::Money, d)),
                3 => format!("({} * {})", self.expr(Ty::Money, d), self.expr(Ty::Number, d)),
                4 => format!("({} / {})", self.expr(Ty::Money, d), self.expr(Ty::Number, d)),
                5 => format!("min({}, {})", self.expr(Ty::Money, d), self.expr(Ty::Money, d)),
                6 => format!("max({}, {})", self.expr(Ty::Money, d), self.expr(Ty::Money, d)),
                7 => format!("round({}, {})", self.expr(Ty::Money, d), self.int(0, 3)),
                _ => format!("abs(-{})", self.expr(Ty::Money, d)),
            },
            Ty::Number => match self.pick(5) {
                0 => format!("({} / {})", self.expr(Ty::Money, d), self.expr(Ty::Money, d)),
                1 => format!("({} / {})", self.expr(Ty::Duration, d), self.expr(Ty::Duration, d)),
                2 => format!("({} * {})", self.expr(Ty::Number, d), self.expr(Ty::Number, d)),
                3 => format!("round({}, {})", self.expr(Ty::Number, d), self.int(0, 10)),
                _ => format!("({} - {})", self.expr(Ty::Number, d), self.expr(Ty::Number, d)),
            },
            Ty::Duration => match self.pick(5) {
                0 => format!("({} - {})", self.expr(Ty::Time, d), self.expr(Ty::Time, d)),
                1 => format!("({} - {})", self.expr(Ty::Date, d), self.expr(Ty::Date, d)),
                2 => format!("({} * {})", self.expr(Ty::Duration, d), self.scale(d)),
                3 => format!("({} / {})", self.expr(Ty::Duration, d), self.scale(d)),
                _ => format!("({} + {})", self.expr(Ty::Duration, d), self.expr(Ty::Duration, d)),
            },
            Ty::Date => {
                format!("({} {} {})", self.expr(Ty::Date, d), ["+", "-"][self.pick(2)], self.expr(Ty::Duration, d))
            }
            Ty::Time => {
                format!("({} {} {})", self.expr(Ty::Time, d), ["+", "-"][self.pick(2)], self.expr(Ty::Duration, d))
            }
            Ty::Bool => self.cond(d),
            Ty::Text | Ty::Kind | Ty::Flags => self.expr(ty, 0),
        }
    }

    /// A number that scales a duration.
    fn scale(&mut self, depth: u32) -> String {
        self.expr(Ty::Number, depth)
    }

    fn cond(&mut self, depth: u32) -> String {
        let ordered = [Ty::Money, Ty::Number, Ty::Duration, Ty::Date, Ty::Time, Ty::Text];
        let sub = depth.saturating_sub(1);
        match self.pick(if depth == 0 { 6 } else { 9 }) {
            0 => {
                let ty = ordered[self.pick(ordered.len())];
                let op = ["<", "<=", ">", ">=", "==", "!=", "is", "is not"][self.pick(8)];
                format!("{} {op} {}", self.expr(ty, sub), self.expr(ty, sub))
            }
            1 => format!("incident.kind {} \"{}\"", ["is", "is not"][self.pick(2)], KINDS[self.pick(3)]),
            2 => format!(
                "incident.kind {} [\"{}\", \"{}\"]",
                ["in", "not in"][self.pick(2)],
                KINDS[self.pick(3)],
                KINDS[self.pick(3)]
            ),
            3 => ["customer.flags contains \"vip\"", "\"vip\" in customer.flags", "customer.note contains \"x\""]
                [self.pick(3)]
            .into(),
            4 => format!(
                "order.total {}between {} and {}",
                ["", "not "][self.pick(2)],
                self.money_lit(),
                self.money_lit()
            ),
            5 => self.expr(Ty::Bool, 0),
            6 => format!("not ({})", self.cond(sub)),
            7 => format!("({} and {})", self.cond(sub), self.cond(sub)),
            _ => format!("({} or {})", self.cond(sub), self.cond(sub)),
        }
    }

    fn amount(&mut self) -> String {
        self.expr(Ty::Money, 3)
    }

    fn gesture_phrase(&mut self, gesture: usize, in_grant: bool) -> String {
        let (name, kind) = GESTURES[gesture % GESTURES.len()];
        let mut text = name.to_string();
        if (kind == "item" || kind == "due" || (kind == "amount" && self.flip())) && self.flip() {
            text.push_str([" a lamp", " \"an item in stock\"", " a broken item"][self.pick(3)]);
        }
        if kind == "amount" && in_grant && self.pick(4) != 0 {
            let _ = write!(text, " up to {}", self.amount());
        }
        text
    }

    fn policy(&mut self) -> (String, usize) {
        let roles = 1 + self.pick(ROLES.len());
        let mut t = String::new();
        let _ = writeln!(t, "policy \"Generated\"\ncurrency {}\nroles {}", self.currency.0, ROLES[..roles].join(" < "));
        t.push_str("facts\n");
        for (path, ty) in FACTS {
            let decl = match ty {
                Ty::Money => "money",
                Ty::Number => "number",
                Ty::Text => "text",
                Ty::Kind => "one of \"broken\", \"late\", \"rude\"",
                Ty::Bool => "boolean",
                Ty::Duration => "duration",
                Ty::Date => "date",
                Ty::Time => "time",
                Ty::Flags => "list of text",
            };
            let default = match ty {
                _ if self.flip() => String::new(),
                Ty::Money => format!(", default {}", self.money_lit()),
                Ty::Number => format!(", default {}", self.number_lit()),
                Ty::Text | Ty::Kind => ", default \"late\"".into(),
                Ty::Bool => ", default false".into(),
                Ty::Duration => format!(", default {}", self.duration_lit()),
                Ty::Date => ", default 2026-01-01".into(),
                Ty::Time => ", default 2026-01-01T00:00:00Z".into(),
                Ty::Flags => ", default []".into(),
            };
            let _ = writeln!(t, "  {path}: {decl}{default}");
        }
        t.push_str("gestures\n");
        for (name, kind) in GESTURES {
            let kind = if kind.is_empty() { String::new() } else { format!(": {kind}") };
            let _ = writeln!(t, "  {name}{kind}");
        }
        let role = |g: &mut Self| ROLES[g.pick(roles)];
        for rule in 0..self.int(1, 8) {
            let _ = writeln!(t, "rule r{rule}");
            if self.flip() {
                let _ = writeln!(t, "  priority {}", self.int(-3, 3));
            }
            for _ in 0..self.int(0, 2) {
                let _ = writeln!(t, "  when {}", self.cond(3));
            }
            for _ in 0..self.int(0, 3) {
                let mut alts = Vec::new();
                for _ in 0..self.int(1, 3) {
                    let gesture = self.pick(GESTURES.len());
                    alts.push(self.gesture_phrase(gesture, true));
                }
                let _ = writeln!(t, "  {} may {}", role(self), alts.join("\n    or "));
            }
            match self.pick(8) {
                0 => {
                    let _ = writeln!(t, "  never {}", GESTURES[self.pick(GESTURES.len())].0);
                }
                1 => {
                    let _ = writeln!(t, "  owe comp of {}", self.amount());
                }
                2 => {
                    let _ = writeln!(t, "  owe replace a lamp");
                }
                3 => {
                    let _ = writeln!(t, "  recommend gift of {}", self.amount());
                }
                4 => {
                    let _ = writeln!(t, "  recommend call in {}", self.expr(Ty::Duration, 2));
                }
                5 => {
                    let _ = writeln!(t, "  escalate to {} because \"why\"", role(self));
                }
                _ => {}
            }
        }
        for _ in 0..self.int(0, 2) {
            let gestures = ["comp", "comp, gift", "replace, note", "call"][self.pick(4)];
            let _ = writeln!(t, "never {gestures} when {}", self.cond(2));
        }
        for _ in 0..self.int(0, 2) {
            let gestures = ["comp", "gift", "comp, gift"][self.pick(3)];
            let used = if self.flip() { format!(", already used {}", self.amount()) } else { String::new() };
            let _ = writeln!(t, "limit {gestures} to {}{used}", self.amount());
        }
        (t, roles)
    }

    fn fact_value(&mut self, ty: Ty) -> serde_json::Value {
        use serde_json::json;
        match self.pick(12) {
            0 => return json!(null),
            1 => return json!(["x", 1]),
            2 => return json!("nonsense"),
            _ => {}
        }
        match ty {
            Ty::Money => match self.pick(5) {
                0 => json!("792281625142643375935439503.35"),
                1 => json!(12.5),
                2 => json!({"amount": "7.25"}),
                _ => json!(format!("{}.{:02}", self.int(0, 100_000), self.int(0, 99))),
            },
            Ty::Number => match self.pick(3) {
                0 => json!(0),
                1 => json!(1e300),
                _ => json!(self.int(-100, 100)),
            },
            Ty::Text | Ty::Kind => json!(KINDS[self.pick(3)]),
            Ty::Bool => json!(self.flip()),
            Ty::Duration => match self.pick(4) {
                0 => json!("PT10000000000000000S"),
                1 => json!("9300000000000000 seconds"),
                _ => json!(format!("{} hours", self.int(0, 100))),
            },
            Ty::Date => json!(["2026-11-20", "0001-01-01", "9999-12-31", "2024-02-29"][self.pick(4)]),
            Ty::Time => {
                json!(["2026-11-20T10:00:00Z", "0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00"][self.pick(3)])
            }
            Ty::Flags => [json!(["vip"]), json!([]), json!(["fraud", "vip"])][self.pick(3)].clone(),
        }
    }

    fn facts(&mut self) -> serde_json::Value {
        let mut root = serde_json::Map::new();
        for (path, ty) in FACTS {
            if self.pick(6) == 0 {
                continue;
            }
            let value = self.fact_value(ty);
            let Some((object, key)) = path.split_once('.') else { continue };
            let entry = root.entry(object.to_string()).or_insert_with(|| serde_json::json!({}));
            if let Some(entry) = entry.as_object_mut() {
                entry.insert(key.to_string(), value);
            }
        }
        serde_json::Value::Object(root)
    }
}

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    let currency = CURRENCIES[u.choose_index(CURRENCIES.len()).unwrap_or(0)];
    let mut g = Gen { u: &mut u, currency };
    let (text, roles) = g.policy();
    let facts = g.facts();
    let role = ROLES[g.pick(roles)];
    let now = NOWS[g.pick(NOWS.len())];
    let policy = match Policy::parse(&text) {
        Ok(policy) => policy,
        Err(diagnostics) => {
            assert!(
                !diagnostics.items().iter().any(|d| d.code == "E0000"),
                "internal error (E0000):\n{diagnostics}\n{text}"
            );
            return;
        }
    };
    let now_text = now;
    let Ok(now) = chrono::DateTime::parse_from_rfc3339(now_text) else { return };
    let plain = Request::new(role, now);
    let decision = match policy.evaluate(&facts, &plain) {
        Ok(decision) => decision,
        Err(err) => panic!("a request on the ladder is refused: {err}\n{text}\n{facts}"),
    };
    let again = policy.evaluate(&facts, &plain).ok();
    assert_eq!(Some(&decision), again.as_ref(), "deterministic");
    let mut traced: Decision = match policy.evaluate(&facts, &plain.clone().with_trace(true)) {
        Ok(d) => d,
        Err(err) => panic!("trace changes acceptance: {err}"),
    };
    traced.trace = None;
    assert_eq!(traced, decision, "the rule index never changes a decision\n{text}\n{facts}");
    // The JSON request path streams the facts from the text: it must decide the same.
    let request = serde_json::json!({"facts": facts, "role": role, "now": now_text}).to_string();
    match policy.evaluate_json(&request).map(|json| serde_json::from_str::<Decision>(&json)) {
        Ok(Ok(streamed)) => assert_eq!(streamed, decision, "evaluate_json differs\n{text}\n{request}"),
        Ok(Err(err)) => panic!("a decision does not read back: {err}\n{text}\n{request}"),
        Err(err) => panic!("evaluate_json refuses what evaluate decides: {err}\n{text}\n{request}"),
    }
    for gesture in decision.offers.iter().flat_map(|o| &o.one_of) {
        if let Some(amount) = gesture.up_to {
            assert!(amount > extramile::Decimal::ZERO, "offered a non-positive amount\n{text}\n{facts}");
        }
    }
});
