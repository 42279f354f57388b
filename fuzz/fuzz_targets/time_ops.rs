//! Times, dates and durations, extreme ones included, through every operator of the
//! language. The bytes build a small policy (typed expressions over time, date, duration,
//! number and money facts and literals, in a condition, an `up to` amount, a limit and a due
//! time), the facts (ordinary, boundary and arbitrary values) and `now`. Checks: no panic;
//! a policy that does not load says why without an internal error; trace on and off agree;
//! every amount has exactly the currency's two decimals; every due time is RFC 3339.
#![no_main]

use extramile::{Decision, Policy, Request};
use libfuzzer_sys::fuzz_target;
use std::fmt::Write;

/// Reads the fuzz input a byte or a number at a time (zeros once it runs out).
struct Bytes<'a>(&'a [u8]);

impl Bytes<'_> {
    fn byte(&mut self) -> u8 {
        match self.0.split_first() {
            Some((&b, rest)) => {
                self.0 = rest;
                b
            }
            None => 0,
        }
    }

    fn pick<'t>(&mut self, table: &[&'t str]) -> &'t str {
        table[usize::from(self.byte()) % table.len()]
    }

    fn u64(&mut self) -> u64 {
        (0..8).fold(0, |n, _| (n << 8) | u64::from(self.byte()))
    }
}

#[derive(Clone, Copy)]
enum Ty {
    Time,
    Date,
    Duration,
    Number,
    Money,
    Bool,
}

const TIMES: [&str; 6] = [
    "0000-01-01T00:00:00Z",
    "9999-12-31T23:59:59Z",
    "2026-11-22T10:00:00+14:00",
    "2026-02-28T23:59:59.999999999-11:30",
    "1970-01-01T00:00:00Z",
    "2024-02-29T12:00:00+05:45",
];
const DATES: [&str; 5] = ["0000-01-01", "9999-12-31", "2024-02-29", "2026-11-22", "1970-01-01"];
const DURATIONS: [&str; 9] = [
    "0 seconds",
    "1 second",
    "-1 second",
    "99999999999 weeks",
    "15250284452471 weeks",
    "9223372036854775807 seconds",
    "-9223372036854775807 seconds",
    "1.5 hours",
    "10000000 days",
];
const NUMBERS: [&str; 9] =
    ["0", "1", "-1", "0.5", "2.5", "1000000000000", "9999999999999999999999999999", "0.0000000001", "3"];
const MONEY: [&str; 6] =
    ["$0", "$0.01", "$12.50", "-$0.05", "$79228162514264337593543950.33", "$99999999999999999999999"];
const UNITS: [&str; 5] = ["seconds", "minutes", "hours", "days", "weeks"];
const DIRECTIONS: [&str; 3] = ["since", "until", "until next"];

/// An expression of type `ty`, at most `depth` operators deep.
fn expr(b: &mut Bytes, ty: Ty, depth: u8) -> String {
    let leaf = depth == 0 || b.byte() % 3 == 0;
    match ty {
        Ty::Time if leaf => b.pick(&["t.a", "t.b", "now", TIMES[0], TIMES[1], TIMES[2], TIMES[3]]).to_string(),
        Ty::Time => {
            let (t, d) = (expr(b, Ty::Time, depth - 1), expr(b, Ty::Duration, depth - 1));
            match b.byte() % 3 {
                0 => format!("({t} + {d})"),
                1 => format!("({d} + {t})"),
                _ => format!("({t} - {d})"),
            }
        }
        Ty::Date if leaf => b.pick(&["d.a", "d.b", "today", DATES[0], DATES[1], DATES[2]]).to_string(),
        Ty::Date => {
            let (day, d) = (expr(b, Ty::Date, depth - 1), expr(b, Ty::Duration, depth - 1));
            match b.byte() % 3 {
                0 => format!("({day} + {d})"),
                1 => format!("({d} + {day})"),
                _ => format!("({day} - {d})"),
            }
        }
        Ty::Duration if leaf => match b.byte() % 3 {
            0 => b.pick(&["u.a", "u.b"]).to_string(),
            _ => b.pick(&DURATIONS).to_string(),
        },
        Ty::Duration => match b.byte() % 9 {
            0 => format!("({} - {})", expr(b, Ty::Time, depth - 1), expr(b, Ty::Time, depth - 1)),
            1 => format!("({} - {})", expr(b, Ty::Date, depth - 1), expr(b, Ty::Date, depth - 1)),
            2 => format!("({} + {})", expr(b, Ty::Duration, depth - 1), expr(b, Ty::Duration, depth - 1)),
            3 => format!("({} - {})", expr(b, Ty::Duration, depth - 1), expr(b, Ty::Duration, depth - 1)),
            4 => format!("({} * {})", expr(b, Ty::Duration, depth - 1), expr(b, Ty::Number, depth - 1)),
            5 => format!("({} / {})", expr(b, Ty::Duration, depth - 1), expr(b, Ty::Number, depth - 1)),
            6 => format!("(-{})", expr(b, Ty::Duration, depth - 1)),
            7 => format!("abs({})", expr(b, Ty::Duration, depth - 1)),
            _ => format!(
                "{}({}, {})",
                b.pick(&["min", "max"]),
                expr(b, Ty::Duration, depth - 1),
                expr(b, Ty::Duration, depth - 1)
            ),
        },
        Ty::Number if leaf => b
            .pick(&[
                "n.a", NUMBERS[0], NUMBERS[1], NUMBERS[2], NUMBERS[3], NUMBERS[4], NUMBERS[5], NUMBERS[6], NUMBERS[7],
                NUMBERS[8],
            ])
            .to_string(),
        Ty::Number => match b.byte() % 4 {
            0 => format!("({} / {})", expr(b, Ty::Duration, depth - 1), expr(b, Ty::Duration, depth - 1)),
            1 => {
                let ty = if b.byte() % 2 == 0 { Ty::Time } else { Ty::Date };
                let operand = expr(b, ty, depth - 1);
                format!("({} {} {operand})", b.pick(&UNITS), b.pick(&DIRECTIONS))
            }
            2 => format!("({} / {})", expr(b, Ty::Money, depth - 1), expr(b, Ty::Money, depth - 1)),
            _ => format!("({} * {})", expr(b, Ty::Number, depth - 1), expr(b, Ty::Number, depth - 1)),
        },
        Ty::Money if leaf => b.pick(&["m.a", MONEY[0], MONEY[1], MONEY[2], MONEY[3], MONEY[4], MONEY[5]]).to_string(),
        Ty::Money => match b.byte() % 6 {
            0 => format!("({} * {})", expr(b, Ty::Money, depth - 1), expr(b, Ty::Number, depth - 1)),
            1 => format!("({} / {})", expr(b, Ty::Money, depth - 1), expr(b, Ty::Number, depth - 1)),
            2 => format!("({} + {})", expr(b, Ty::Money, depth - 1), expr(b, Ty::Money, depth - 1)),
            3 => format!("({} - {})", expr(b, Ty::Money, depth - 1), expr(b, Ty::Money, depth - 1)),
            4 => format!("round({}, 1)", expr(b, Ty::Money, depth - 1)),
            _ => format!("({}% of {})", b.pick(&["12.5", "0.1", "100", "33.333"]), expr(b, Ty::Money, depth - 1)),
        },
        Ty::Bool => {
            let operand = [Ty::Time, Ty::Date, Ty::Duration, Ty::Number, Ty::Money][usize::from(b.byte()) % 5];
            let (x, y) = (expr(b, operand, depth), expr(b, operand, depth));
            match b.byte() % 3 {
                0 => format!("{x} {} {y}", b.pick(&["<", "<=", ">", ">=", "is", "is not"])),
                1 => format!("{x} between {y} and {}", expr(b, operand, depth)),
                _ => format!("{x} not in [{y}]"),
            }
        }
    }
}

/// A fact's JSON value: a boundary value, or one built from arbitrary numbers.
fn fact(b: &mut Bytes, ty: Ty) -> serde_json::Value {
    let arbitrary = b.byte() % 2 == 0;
    match ty {
        Ty::Time if arbitrary => {
            let (year, month, day) = (b.u64() % 10_000, 1 + b.byte() % 12, 1 + b.byte() % 28);
            let (hour, minute, offset) = (b.byte() % 24, b.byte() % 60, b.byte() % 24);
            let sign = if b.byte() % 2 == 0 { '+' } else { '-' };
            format!("{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:59{sign}{offset:02}:59").into()
        }
        Ty::Time => b.pick(&TIMES).into(),
        Ty::Date if arbitrary => {
            format!("{:04}-{:02}-{:02}", b.u64() % 10_000, 1 + b.byte() % 12, 1 + b.byte() % 31).into()
        }
        Ty::Date => b.pick(&DATES).into(),
        Ty::Duration if arbitrary => match b.byte() % 3 {
            0 => format!("{} seconds", b.u64()).into(),
            1 => format!("PT{}S", b.u64()).into(),
            _ => format!("P{}W{}D", b.u64() % 100_000_000_000_000, b.u64() % 1_000_000_000).into(),
        },
        Ty::Duration => b
            .pick(&["PT10000000000000000S", "9300000000000000 seconds", "P", "PT", "-1 hours", "1 hour 1 hour", "P2W"])
            .into(),
        Ty::Number => serde_json::json!(b.u64() as i64),
        Ty::Money if arbitrary => format!("{}.{:02}", b.u64(), b.byte() % 100).into(),
        Ty::Money => {
            b.pick(&["792281625142643375935439503.35", "1.00000000000000000000000000001", "0.20", "1e5"]).into()
        }
        Ty::Bool => serde_json::Value::Bool(arbitrary),
    }
}

fn check(decision: &Decision) {
    let amounts = decision
        .offers
        .iter()
        .flat_map(|o| &o.one_of)
        .filter_map(|g| g.up_to)
        .chain(decision.needs_approval.iter().filter_map(|a| a.up_to))
        .chain(decision.owed.iter().filter_map(|o| o.amount))
        .chain(decision.recommended.iter().filter_map(|r| r.amount));
    for amount in amounts {
        assert_eq!(amount.scale(), 2, "every amount has the currency's two decimals: {amount}");
    }
    for recommendation in &decision.recommended {
        if let Some(due) = &recommendation.due {
            assert!(chrono::DateTime::parse_from_rfc3339(due).is_ok(), "a due time is RFC 3339: {due}");
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let mut b = Bytes(data);
    let depth = 1 + b.byte() % 4;
    let condition = expr(&mut b, Ty::Bool, depth);
    let amount = expr(&mut b, Ty::Money, depth);
    let per_second = expr(&mut b, Ty::Duration, depth);
    let cap = expr(&mut b, Ty::Money, depth);
    let due = expr(&mut b, Ty::Duration, depth);
    let mut source = String::from(
        "currency USD\nroles a < b\nfacts\n  t.a: time\n  t.b: time\n  d.a: date\n  d.b: date\n  u.a: duration\n  u.b: duration\n  n.a: number\n  m.a: money\ngestures\n  comp: amount\n  credit: amount\n  follow_up: due\n",
    );
    let _ = write!(
        source,
        "rule r\n  when {condition}\n  a may comp up to {amount}\n  b may credit up to $0.01 * ({per_second} / 1 second)\n  recommend follow_up in {due}\n  owe credit of {amount}\nlimit comp, credit to {cap}\n"
    );
    let policy = match Policy::parse(&source) {
        Ok(policy) => policy,
        Err(diagnostics) => {
            assert!(diagnostics.items().iter().all(|d| d.code != "E0000"), "internal error: {diagnostics}");
            return;
        }
    };
    let facts = serde_json::json!({
        "t": {"a": fact(&mut b, Ty::Time), "b": fact(&mut b, Ty::Time)},
        "d": {"a": fact(&mut b, Ty::Date), "b": fact(&mut b, Ty::Date)},
        "u": {"a": fact(&mut b, Ty::Duration), "b": fact(&mut b, Ty::Duration)},
        "n": {"a": fact(&mut b, Ty::Number)},
        "m": {"a": fact(&mut b, Ty::Money)},
    });
    let now = match fact(&mut b, Ty::Time).as_str().map(chrono::DateTime::parse_from_rfc3339) {
        Some(Ok(now)) => now,
        _ => return,
    };
    for role in ["a", "b"] {
        let request = Request::new(role, now);
        let Ok(decision) = policy.evaluate(&facts, &request) else { return };
        check(&decision);
        let text = policy.evaluate_str(&facts.to_string(), &request).ok();
        assert_eq!(text.as_ref(), Some(&decision), "the JSON text reader decides alike");
        let Ok(mut traced) = policy.evaluate(&facts, &request.clone().with_trace(true)) else {
            panic!("trace changes acceptance")
        };
        traced.trace = None;
        assert_eq!(traced, decision, "a traced evaluation decides alike");
    }
});
