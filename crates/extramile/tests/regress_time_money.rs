//! Regressions of issue 19 on time, dates, durations and money: extreme durations fail
//! safe instead of panicking, money is exact to the minor unit or an overflow, money and
//! duration texts in facts are read by their documented grammar only, durations round
//! as money does, and caps and bounds round toward zero.
#![allow(
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests fail loudly"
)]

use extramile::{Decimal, Decision, Policy, Request};
use proptest::prelude::*;
use serde_json::{json, Value as Json};

const NOW: &str = "2026-11-22T10:00:00Z";

fn request() -> Request {
    Request::new("a", NOW.parse().unwrap())
}

fn decide(policy: &Policy, facts: &Json) -> Decision {
    let decision = policy.evaluate(facts, &request()).unwrap();
    // The JSON text reader reads the same facts to the same decision, and a traced
    // evaluation (which always evaluates the expressions) decides alike.
    let text = policy.evaluate_str(&facts.to_string(), &request()).unwrap();
    assert_eq!(decision.to_json().unwrap(), text.to_json().unwrap(), "{facts}");
    let traced = policy.evaluate(facts, &request().with_trace(true)).unwrap();
    assert_eq!(decision.offers, traced.offers, "{facts}");
    assert_eq!(decision.errors.len(), traced.errors.len(), "{facts}");
    decision
}

fn messages(decision: &Decision) -> Vec<String> {
    decision.errors.iter().map(|p| p.message.clone()).collect()
}

fn up_to(decision: &Decision, gesture: &str) -> Option<String> {
    decision
        .offers
        .iter()
        .flat_map(|o| &o.one_of)
        .find(|g| g.gesture == gesture)
        .and_then(|g| g.up_to)
        .map(|d| d.to_string())
}

const TIME_POLICY: &str = r#"currency USD
roles a
facts
  o.d: duration
  o.placed: time
  o.day: date
gestures
  comp: amount
  follow_up: due
  note
rule by_time
  when o.placed + o.d > now
  a may comp up to $5
rule by_time_minus
  when o.placed - o.d < now
  a may comp up to $6
rule by_date
  when o.day + o.d > today
  a may comp up to $7
rule by_date_minus
  when o.day - o.d < today
  a may comp up to $8
rule follow
  recommend follow_up in o.d
rule still
  a may note
"#;

/// Item 1: durations beyond chrono's range, from incident data alone, fail the rules that
/// read them (fail safe) instead of panicking.
#[test]
fn durations_beyond_chronos_range_fail_safe() {
    let policy = Policy::parse(TIME_POLICY).unwrap();
    for d in ["PT10000000000000000S", "9300000000000000 seconds", "15250284452471 weeks", "PT9223372036854775807S"] {
        let facts = json!({"o": {"d": d, "placed": "2026-11-20T10:00:00Z", "day": "2026-11-20"}});
        let decision = decide(&policy, &facts);
        assert_eq!(up_to(&decision, "comp"), None, "{d}");
        assert!(decision.recommended.is_empty(), "{d}");
        assert!(decision.offers.iter().flat_map(|o| &o.one_of).any(|g| g.gesture == "note"), "{d}");
        let messages = messages(&decision);
        assert_eq!(messages.len(), 5, "{d}: {messages:?}");
        assert!(
            messages.iter().all(|m| m.contains("out of range")),
            "{d}: every failure says the time is out of range: {messages:?}"
        );
    }
}

/// Item 1 (a sibling): the trace writes any duration, the most negative included.
#[test]
fn the_most_negative_duration_is_traced() {
    let source = "currency USD\nroles a\nfacts\n  o.d: duration, default -9223372036854775807 seconds - 1 second\ngestures\n  note\nrule r\n  when o.d < 0 seconds\n  a may note\n";
    let policy = Policy::parse(source).unwrap();
    let decision = policy.evaluate(&json!({}), &request().with_trace(true)).unwrap();
    let json = decision.to_json().unwrap();
    assert!(json.contains("\"-9223372036854775808 seconds\""), "{json}");
}

/// Item 1: constant folding of time arithmetic past chrono's range is `E0120` at load.
#[test]
fn constant_time_arithmetic_out_of_range_is_refused_at_load() {
    for expr in [
        "2026-01-01T00:00:00Z + 99999999999 weeks",
        "2026-01-01T00:00:00Z - 99999999999 weeks",
        "2026-01-01 + 99999999999 weeks",
        "2026-01-01 - 99999999999 weeks",
        "99999999999 weeks + 2026-01-01",
        "2026-01-01T00:00:00Z + 15250284452471 weeks",
    ] {
        let source = format!(
            "currency USD\nroles a\ngestures\n  comp: amount\nrule r\n  when {expr} > now\n  a may comp up to $5\n"
        );
        let diagnostics = Policy::check("p", &source);
        let codes: Vec<&str> = diagnostics.items().iter().map(|d| d.code).collect();
        assert!(codes.contains(&"E0120"), "{expr}: {codes:?}");
        let rendered = diagnostics.render(false);
        assert!(rendered.contains("out of range"), "{expr}: {rendered}");
    }
}

/// Item 17: a due time past the year 9999 (or before the year 0) cannot be written in
/// RFC 3339: the recommendation is dropped with an error, never printed otherwise.
#[test]
fn due_times_outside_rfc_3339_years_fail_safe() {
    let policy = Policy::parse(TIME_POLICY).unwrap();
    for (d, year) in [("420000 weeks", "10076"), ("P400000W", "9693")] {
        let facts = json!({"o": {"d": d, "placed": "2026-11-20T10:00:00Z", "day": "2026-11-20"}});
        let decision = policy.evaluate(&facts, &request()).unwrap();
        if year.len() > 4 {
            assert!(decision.recommended.is_empty(), "{d}");
            assert!(
                messages(&decision)
                    .iter()
                    .any(|m| m == &format!("the due time is out of range: year {year} cannot be written in RFC 3339")),
                "{d}: {:?}",
                messages(&decision)
            );
        } else {
            let due = decision.recommended[0].due.as_deref().unwrap().to_string();
            assert!(due.starts_with(year), "{due}");
        }
    }
}

fn money_policy(amount: &str) -> Policy {
    let source = format!(
        "currency USD\nroles a\nfacts\n  o.p: money\n  o.q: money, default $1\ngestures\n  comp: amount\n  credit: amount\n  note\nrule r\n  a may comp up to {amount}\n  owe credit of {amount}\nrule other\n  a may note\n"
    );
    Policy::parse(&source).unwrap()
}

/// Items 17 and 19: a money result that cannot be held exactly with the currency's minor
/// digits is an overflow error (fail safe), never an amount that lost its cents, whichever
/// operation makes it.
#[test]
fn money_too_large_for_its_cents_is_an_overflow() {
    let large = "792281625142643375935439503.35";
    for amount in [
        "o.p * 10",
        "10 * o.p",
        "o.p + o.p * 9",
        "o.p / 0.1",
        "1000% of o.p",
        "min(o.p * 10, o.p * 11)",
        "max(o.p, o.p * 10)",
        "round(o.p * 10)",
        "o.p * 10 - o.q",
        "o.p - o.p * 10",
    ] {
        let decision = decide(&money_policy(amount), &json!({"o": {"p": large}}));
        assert_eq!(up_to(&decision, "comp"), None, "{amount}");
        assert!(decision.owed.is_empty(), "{amount}: {:?}", decision.owed);
        assert!(messages(&decision).iter().all(|m| m == "arithmetic overflow"), "{amount}: {:?}", messages(&decision));
        assert_eq!(messages(&decision).len(), 2, "{amount}");
    }
    // Within the range, every amount keeps its cents.
    let decision = decide(&money_policy("o.p * 10"), &json!({"o": {"p": "7922816251426433759354395.35"}}));
    assert_eq!(up_to(&decision, "comp").as_deref(), Some("79228162514264337593543953.50"));
    assert_eq!(decision.owed[0].amount.map(|d| d.to_string()).as_deref(), Some("79228162514264337593543953.50"));
}

/// Item 17: a money literal too large to be held with the minor digits is refused at load.
#[test]
fn money_literals_too_large_for_their_cents_are_refused() {
    let source =
        "currency USD\nroles a\ngestures\n  comp: amount\nrule r\n  owe comp of $9999999999999999999999999999\n";
    let diagnostics = Policy::check("p", source);
    let messages: Vec<String> = diagnostics.items().iter().map(|d| format!("{}: {}", d.code, d.message)).collect();
    assert_eq!(
        messages,
        ["E0117: `9999999999999999999999999999` is too large to be held exactly with 2 decimals in USD"]
    );
}

/// The errors of a decision on `facts`, each once (the grant and the `owe` both read `o.p`).
fn fact_error(policy: &Policy, facts: &Json) -> Vec<(Option<String>, String)> {
    let decision = decide(policy, facts);
    let mut errors: Vec<(Option<String>, String)> =
        decision.errors.iter().map(|p| (p.fact.clone(), p.message.clone())).collect();
    errors.dedup();
    errors
}

/// Items 15 and 20: money texts are read by their documented forms only, exactly; anything
/// else is an error of the fact, naming its path.
#[test]
fn money_texts_are_read_by_their_grammar_only() {
    let policy = money_policy("o.p");
    let expected = "money (a number such as 12.50, or a string such as \"12.50 USD\")";
    for text in [
        "1_000",
        "1e5",
        "+12",
        ".5",
        "12.",
        "",
        " 12.50",
        "12.50 ",
        "$ 12.50",
        "12.50  USD",
        "12.50 usd",
        "- 5",
        "--5",
        "1,000.00",
        "0x10",
        "12.50USD",
        "USD12.50",
        "$$1",
        "12.5.0",
        "٣",
        "Infinity",
        "NaN",
    ] {
        let errors = fact_error(&policy, &json!({"o": {"p": text}}));
        let message = format!("fact `o.p` is \"{text}\": expected {expected}");
        assert_eq!(errors, vec![(Some("o.p".to_string()), message)], "{text:?}");
    }
    for object in [json!({"amount": "1e5"}), json!({"amount": "+1"}), json!({"amount": "1 USD"})] {
        let errors = fact_error(&policy, &json!({"o": {"p": object}}));
        assert_eq!(errors.len(), 1, "{object}");
        assert_eq!(errors[0].1, format!("fact `o.p` is an object: expected {expected}"));
    }
    let errors = fact_error(&policy, &json!({"o": {"p": "1.00000000000000000000000000001"}}));
    assert_eq!(
        errors,
        vec![(
            Some("o.p".to_string()),
            "fact `o.p` is \"1.00000000000000000000000000001\": more digits than an exact amount holds (28 significant digits)".to_string()
        )]
    );
    let errors = fact_error(&policy, &json!({"o": {"p": "79228162514264337593543950335"}}));
    assert_eq!(
        errors,
        vec![(
            Some("o.p".to_string()),
            "fact `o.p` is 79228162514264337593543950335, too large to be held exactly with the 2 decimals of USD"
                .to_string()
        )]
    );
    // The documented forms still read.
    for (given, amount) in [
        (json!("12.50"), "12.50"),
        (json!("-12.5"), "-12.50"),
        (json!("12.50 USD"), "12.50"),
        (json!("USD 12.50"), "12.50"),
        (json!("$12.50"), "12.50"),
        (json!("007"), "7.00"),
        (json!("12.500"), "12.50"),
        (json!({"amount": "12.50", "currency": "USD"}), "12.50"),
        (json!({"amount": 12.5}), "12.50"),
        (json!(12.5), "12.50"),
    ] {
        let decision = decide(&policy, &json!({"o": {"p": given}}));
        if amount.starts_with('-') {
            // Read exactly, and refused as an amount owed (a negative one is an error).
            let message = format!("an amount owed cannot be negative, found {amount}");
            assert_eq!(decision.errors.iter().map(|e| &e.message).collect::<Vec<_>>(), [&message], "{given}");
            continue;
        }
        assert!(decision.errors.is_empty(), "{given}: {:?}", decision.errors);
        assert_eq!(decision.owed[0].amount.map(|d| d.to_string()).as_deref(), Some(amount), "{given}");
    }
}

/// Item 20: duration texts are read by their documented grammar only.
#[test]
fn duration_texts_are_read_by_their_grammar_only() {
    let policy = Policy::parse(TIME_POLICY).unwrap();
    for text in ["P", "PT", "-1 hours", "1 hour 1 hour", "30 minutes 2 hours", "P1DT", "1.5 hours", " 1 hour", "P-1D"] {
        let facts = json!({"o": {"d": text, "placed": "2026-11-20T10:00:00Z", "day": "2026-11-20"}});
        let decision = decide(&policy, &facts);
        let message =
            format!("fact `o.d` is \"{text}\": expected a duration such as \"3 days\", \"90 minutes\" or \"PT2H\"");
        assert!(!decision.errors.is_empty(), "{text}");
        for problem in &decision.errors {
            assert_eq!((problem.fact.as_deref(), problem.message.as_str()), (Some("o.d"), message.as_str()), "{text}");
        }
    }
}

/// Item 21: durations round to whole seconds half away from zero, as money rounds.
#[test]
fn durations_round_half_away_from_zero() {
    let source = "currency USD\nroles a\nfacts\n  o.d: duration\ngestures\n  comp: amount\nrule r\n  when o.d * 0.5 is 3 seconds and o.d / 2 is 3 seconds and -o.d * 0.5 is -3 seconds\n  a may comp up to $5\n";
    let policy = Policy::parse(source).unwrap();
    let decision = decide(&policy, &json!({"o": {"d": "5 seconds"}}));
    assert_eq!(up_to(&decision, "comp").as_deref(), Some("5.00"), "{:?}", decision.errors);
    // Folded at load alike: `2.5 seconds` is not a literal, but `5 seconds / 2` folds.
    let source = "currency USD\nroles a\ngestures\n  comp: amount\nrule r\n  when 5 seconds / 2 is 3 seconds and 7 seconds * 0.5 is 4 seconds\n  a may comp up to $5\n";
    let decision = decide(&Policy::parse(source).unwrap(), &json!({}));
    assert_eq!(up_to(&decision, "comp").as_deref(), Some("5.00"));
}

/// Item 22: a cap, a limit's room and an `up to` bound round toward zero, whether computed
/// from facts or folded at load; other amounts (owed, recommended) round half away.
#[test]
fn caps_and_bounds_round_toward_zero() {
    let source = r#"currency USD
roles a
facts
  order.total: money
  order.used: money, default $0
gestures
  comp: amount
  gift: amount
  credit: amount
  extra: amount
rule r
  a may comp up to $100
  a may gift up to 12.5% of order.total
  a may extra up to 12.5% of $0.20
  owe credit of 12.5% of order.total
limit comp to 12.5% of order.total
"#;
    let policy = Policy::parse(source).unwrap();
    let decision = decide(&policy, &json!({"order": {"total": "0.20"}}));
    assert_eq!(up_to(&decision, "comp").as_deref(), Some("0.02"));
    assert_eq!(up_to(&decision, "gift").as_deref(), Some("0.02"));
    assert_eq!(up_to(&decision, "extra").as_deref(), Some("0.02"));
    assert_eq!(decision.owed[0].amount.map(|d| d.to_string()).as_deref(), Some("0.03"));
    // Negative amounts round toward zero as well: -0.025 is -0.02 (nothing is offered).
    let decision = decide(&policy, &json!({"order": {"total": "-0.20"}}));
    assert_eq!(up_to(&decision, "gift"), None);
    // A room below one cent is no room.
    let source = "currency USD\nroles a\nfacts\n  t: money\ngestures\n  comp: amount\nrule r\n  a may comp up to $100\nlimit comp to 12.5% of t, already used $0.01\n";
    let decision = decide(&Policy::parse(source).unwrap(), &json!({"t": "0.12"}));
    assert_eq!(up_to(&decision, "comp"), None);
    assert!(decision.forbidden.iter().any(|f| f.gesture == "comp"), "{:?}", decision.forbidden);
}

/// Items 19 and 22: inside a bound, an intermediate amount that `Decimal` cannot hold
/// close enough to exact is an overflow: `800000000000000000000000.01 × 0.99999` is
/// `...000.0099999`, which `Decimal` can only hold as `...000.01000` (rounded up, past the
/// cent), so the bound would have been a cent above its exact value.
#[test]
fn bounds_refuse_intermediates_that_lost_their_cents() {
    let source = "currency USD\nroles a\nfacts\n  o.p: money\ngestures\n  comp: amount\nrule r\n  a may comp up to o.p * 0.99999\nlimit comp to o.p * 0.99999\n";
    let policy = Policy::parse(source).unwrap();
    let decision = decide(&policy, &json!({"o": {"p": "800000000000000000000000.01"}}));
    assert_eq!(up_to(&decision, "comp"), None);
    assert_eq!(messages(&decision), ["arithmetic overflow", "arithmetic overflow"]);
    // Quotients keep enough decimals: an ordinary bound with a division is computed.
    let source = "currency USD\nroles a\nfacts\n  o.p: money\ngestures\n  comp: amount\nrule r\n  a may comp up to o.p / 7 + $1000 - o.p / 7 * 3\n";
    let decision = decide(&Policy::parse(source).unwrap(), &json!({"o": {"p": "99.00"}}));
    // 99/7 + 1000 - 297/7 = 1000 - 198/7 = 971.714285...
    assert_eq!(up_to(&decision, "comp").as_deref(), Some("971.71"));
}

/// Item 22: a recommended amount above a limit on the same gesture warns at load.
#[test]
fn a_recommended_amount_above_a_limit_warns() {
    let source =
        "currency USD\nroles a\ngestures\n  gift: amount\nrule r\n  recommend gift of $150\nlimit gift to $100\n";
    let policy = Policy::parse(source).unwrap();
    let warnings: Vec<String> =
        policy.warnings().items().iter().map(|d| format!("{}: {}", d.code, d.message)).collect();
    assert_eq!(warnings, ["W0205: `gift` is recommended at 150.00 USD, more than its limit of 100.00 USD allows"]);
    let source =
        "currency USD\nroles a\ngestures\n  gift: amount\nrule r\n  recommend gift of $100\nlimit gift to $100\n";
    assert!(Policy::parse(source).unwrap().warnings().items().is_empty());
}

// ---- Property: a bound never exceeds the exact rational value of its text ----------------

/// An exact rational `num / den`, `den > 0`.
#[derive(Debug, Clone, Copy)]
struct Ratio {
    num: i128,
    den: i128,
}

impl Ratio {
    fn new(num: i128, den: i128) -> Ratio {
        let (num, den) = if den < 0 { (-num, -den) } else { (num, den) };
        let g = gcd(num.abs(), den).max(1);
        Ratio { num: num / g, den: den / g }
    }
    fn add(self, o: Ratio) -> Ratio {
        Ratio::new(self.num * o.den + o.num * self.den, self.den * o.den)
    }
    fn sub(self, o: Ratio) -> Ratio {
        Ratio::new(self.num * o.den - o.num * self.den, self.den * o.den)
    }
    fn mul(self, o: Ratio) -> Ratio {
        Ratio::new(self.num * o.num, self.den * o.den)
    }
    fn div(self, o: Ratio) -> Ratio {
        Ratio::new(self.num * o.den, self.den * o.num)
    }
    fn lt(self, o: Ratio) -> bool {
        self.num * o.den < o.num * self.den
    }
}

fn gcd(a: i128, b: i128) -> i128 {
    if b == 0 {
        a
    } else {
        gcd(b, a % b)
    }
}

fn ratio_of(d: Decimal) -> Ratio {
    Ratio::new(d.mantissa(), 10_i128.pow(d.scale()))
}

/// A money expression over the fact `t`, as policy text and as its exact value.
fn money_expr(total: Ratio) -> impl Strategy<Value = (String, Ratio)> {
    let leaf = prop_oneof![
        (-2_000_i64..5_000).prop_map(|c| (format!("${}", Decimal::new(c, 2)), Ratio::new(i128::from(c), 100))),
        Just(("t".to_string(), total)),
        (1_i64..2_000).prop_map(move |p| {
            let percent = Decimal::new(p, 1);
            (format!("{percent}% of t"), Ratio::new(i128::from(p), 1_000).mul(total))
        }),
    ];
    let number = prop_oneof![
        (1_i64..50).prop_map(|n| (n.to_string(), Ratio::new(i128::from(n), 1))),
        (1_i64..1_000).prop_map(|n| (Decimal::new(n, 2).to_string(), Ratio::new(i128::from(n), 100))),
    ];
    leaf.prop_recursive(3, 12, 2, move |inner| {
        prop_oneof![
            (inner.clone(), inner.clone()).prop_map(|((a, x), (b, y))| (format!("({a} + {b})"), x.add(y))),
            (inner.clone(), inner.clone()).prop_map(|((a, x), (b, y))| (format!("({a} - {b})"), x.sub(y))),
            (inner.clone(), number.clone()).prop_map(|((a, x), (n, y))| (format!("({a} * {n})"), x.mul(y))),
            (inner.clone(), number.clone()).prop_map(|((a, x), (n, y))| (format!("({a} / {n})"), x.div(y))),
            (inner.clone(), (1_i64..2_000)).prop_map(|((a, x), p)| (
                format!("{}% of ({a})", Decimal::new(p, 1)),
                Ratio::new(i128::from(p), 1_000).mul(x)
            )),
            (inner.clone(), inner.clone())
                .prop_map(|((a, x), (b, y))| (format!("min({a}, {b})"), if x.lt(y) { x } else { y })),
            (inner.clone(), inner).prop_map(|((a, x), (b, y))| (format!("max({a}, {b})"), if x.lt(y) { y } else { x })),
        ]
    })
}

fn bound_case() -> impl Strategy<Value = (i64, String, Ratio)> {
    (0_i64..100_000).prop_flat_map(|cents| {
        money_expr(Ratio::new(i128::from(cents), 100)).prop_map(move |(text, exact)| (cents, text, exact))
    })
}

/// Checks that `offered` (what a bound of exact value `exact` came to) never exceeds it and
/// falls short of it by less than a cent (a little more where `Decimal`'s 28 digits round a
/// quotient).
fn check_bound(offered: Option<Decimal>, exact: Ratio) -> Result<(), TestCaseError> {
    let cent = Ratio::new(1, 100);
    match offered {
        Some(amount) => {
            let amount = ratio_of(amount);
            prop_assert!(!exact.lt(amount), "{amount:?} exceeds the exact {exact:?}");
            prop_assert!(!amount.add(cent).lt(exact), "{amount:?} is a cent or more below {exact:?}");
        }
        None => prop_assert!(!cent.lt(exact), "nothing offered for {exact:?}"),
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// An `up to` bound and a limit's room never exceed the exact rational value of what
    /// their text computes, and fall short of it by less than a cent.
    #[test]
    fn bounds_never_exceed_their_exact_value((cents, text, exact) in bound_case(), used in 0_i64..500) {
        let facts = json!({"t": Decimal::new(cents, 2).to_string()});
        let grant = format!("currency USD\nroles a\nfacts\n  t: money\ngestures\n  comp: amount\nrule r\n  a may comp up to {text}\n");
        let Ok(policy) = Policy::parse(&grant) else { return Ok(()) };
        let decision = decide(&policy, &facts);
        prop_assume!(decision.errors.is_empty());
        let offered = decision.offers.iter().flat_map(|o| &o.one_of).find(|g| g.gesture == "comp").and_then(|g| g.up_to);
        check_bound(offered, exact)?;

        // The limit caps a grant of $1,000,000: a room above that is not the offer's bound.
        if !exact.lt(Ratio::new(1_000_000, 1)) {
            return Ok(());
        }
        let used_amount = Decimal::new(used, 2);
        let limit = format!("currency USD\nroles a\nfacts\n  t: money\ngestures\n  comp: amount\nrule r\n  a may comp up to $1000000\nlimit comp to {text}, already used ${used_amount}\n");
        let Ok(policy) = Policy::parse(&limit) else { return Ok(()) };
        let decision = decide(&policy, &facts);
        prop_assume!(decision.errors.is_empty());
        let offered = decision.offers.iter().flat_map(|o| &o.one_of).find(|g| g.gesture == "comp").and_then(|g| g.up_to);
        check_bound(offered, exact.sub(ratio_of(used_amount)))?;
    }
}

const NUMBER_POLICY: &str = "currency USD\nroles a\nfacts\n  o.total: money\n  o.n: number\ngestures\n  comp: amount\n  gift: amount\nrule r\n  a may comp up to o.total\nrule s\n  a may gift up to $1 * o.n\n";

/// The JSON text `text` for `{"o": {"total": TOTAL, "n": N}}`, read by every reader of
/// facts (the JSON text reader, the tree of the parsed text, and `Facts::set` with it):
/// the `comp` and `gift` bounds and the errors, which all must agree.
fn read_numbers(total: &str, n: &str) -> (Option<String>, Option<String>, Vec<String>) {
    let policy = Policy::parse(NUMBER_POLICY).unwrap();
    let text = format!(r#"{{"o": {{"total": {total}, "n": {n}}}}}"#);
    let streamed = policy.evaluate_str(&text, &request()).unwrap();
    let tree: Json = serde_json::from_str(&text).unwrap();
    let read = policy.evaluate(&tree, &request()).unwrap();
    assert_eq!(streamed.to_json().unwrap(), read.to_json().unwrap(), "{text}");
    let mut facts = policy.facts(&json!({})).unwrap();
    facts.set("o.total", &tree["o"]["total"]).unwrap();
    facts.set("o.n", &tree["o"]["n"]).unwrap();
    let set = policy.evaluate_facts(&facts, &request()).unwrap();
    assert_eq!(set.to_json().unwrap(), read.to_json().unwrap(), "{text}");
    (up_to(&read, "comp"), up_to(&read, "gift"), messages(&read))
}

/// Issue 19 (attack sweep) item 1: a JSON number is read only when the double certainly is
/// the number written (below 2^53, at most 15 significant digits); any other is refused
/// naming its path, never read as a nearby amount, by every reader alike.
#[test]
fn json_numbers_a_double_may_not_hold_are_refused() {
    let money = "fact `o.total` is a JSON number with more digits than a double holds exactly: send it as a string such as \"123456789012345.67\"";
    let number = "fact `o.n` is a JSON number with more digits than a double holds exactly (at most 15 significant digits, below 2^53)";
    for (total, n) in [
        ("123456789012345.67", "99999999999999999999"),
        ("9007199254740.993", "0.30000000000000004"),
        ("4000000000000000.5", "9007199254740993.0"),
    ] {
        let (comp, gift, errors) = read_numbers(total, n);
        assert_eq!((comp, gift), (None, None), "{total} {n}");
        assert_eq!(errors, [money, number], "{total} {n}");
    }
    // Out of range for an exact decimal: said so, not "expected a number".
    let (_, gift, errors) = read_numbers("1", "1e300");
    assert_eq!(gift, None);
    assert_eq!(
        errors,
        ["fact `o.n` is 1e+300: out of range for an exact number (below 7.9e28 in magnitude, at most 28 decimals)"]
    );
    // What a double holds exactly is read exactly, whatever its form.
    for (total, n, comp, gift) in [
        ("12.5", "3", "12.50", "3.00"),
        ("99999999999999.9", "123456789012345", "99999999999999.90", "123456789012345.00"),
        ("1234567890123.45", "0.5e1", "1234567890123.45", "5.00"),
        ("1e3", "9007199254740993", "1000.00", "9007199254740993.00"),
    ] {
        assert_eq!(read_numbers(total, n), (Some(comp.to_string()), Some(gift.to_string()), vec![]), "{total} {n}");
    }
}

/// The date `day + SIGN duration` gives, as the policy's `g` bound: the day of the year
/// of the result in the `up_to`, so one evaluation checks `d - x`, `d + (-x)` and
/// `(d + x) - x` alike. `None` when the rule is not offered (an evaluation error).
fn date_of(day: &str, expression: &str, seconds: i64) -> Option<String> {
    let source = format!(
        "currency USD\nroles a\nfacts\n  o.d: date\n  o.x: duration\ngestures\n  g: amount\nrule r\n  a may g up to $1 * ((({expression}) - 1000-01-01) / 1 day)\n"
    );
    let policy = Policy::parse(&source).unwrap();
    let decision = decide(&policy, &json!({"o": {"d": day, "x": format!("{} seconds", seconds.unsigned_abs())}}));
    up_to(&decision, "g")
}

/// Issue 19 (attack sweep) item 2: a date plus or minus a duration moves by the duration's
/// whole days truncated toward zero, so `d - x` and `d + (-x)` agree.
#[test]
fn a_date_minus_a_duration_is_the_date_plus_its_negation() {
    let source = "currency USD\nroles a\nfacts\n  o.d: date\ngestures\n  g1: amount\n  g2: amount\n  g3: amount\n  g4: amount\nrule minus\n  when o.d - 36 hours is 2026-04-30\n  a may g1 up to $1\nrule plus_negative\n  when o.d + -(36 hours) is 2026-04-30\n  a may g2 up to $1\nrule an_hour\n  when o.d - 1 hour is o.d\n  a may g3 up to $1\nrule a_negative_hour\n  when o.d + -(1 hour) is o.d\n  a may g4 up to $1\n";
    let decision = decide(&Policy::parse(source).unwrap(), &json!({"o": {"d": "2026-05-01"}}));
    let offered: Vec<&str> = decision.offers.iter().flat_map(|o| &o.one_of).map(|g| g.gesture.as_str()).collect();
    assert_eq!(offered, ["g1", "g2", "g3", "g4"], "{:?}", decision.errors);
}

proptest! {
    /// `d - x` is `d + (-x)`, and `(d + x) - x` is `d`, for any date and duration whose
    /// results stay in range.
    #[test]
    fn date_minus_duration_is_plus_its_negation(days in -100_000_i64..100_000, seconds in -10_000_000_000_i64..10_000_000_000) {
        let day = chrono::NaiveDate::from_ymd_opt(2000, 1, 1).unwrap() + chrono::TimeDelta::days(days);
        let day = day.format("%Y-%m-%d").to_string();
        prop_assume!(day.len() == 10);
        let positive = seconds >= 0;
        let (minus, plus_negative, there_and_back) = if positive {
            ("o.d - o.x", "o.d + -(o.x)", "(o.d + o.x) - o.x")
        } else {
            ("o.d + o.x", "o.d - -(o.x)", "(o.d - o.x) + o.x")
        };
        let a = date_of(&day, minus, seconds);
        prop_assert!(a.is_some(), "{} {}", day, seconds);
        prop_assert_eq!(&a, &date_of(&day, plus_negative, seconds));
        prop_assert_eq!(date_of(&day, there_and_back, seconds), date_of(&day, "o.d", seconds));
    }
}

/// Issue 19 (attack sweep) item 3: a date fact is exactly `YYYY-MM-DD`, a time fact RFC
/// 3339 with seconds and an offset, as documented; anything else is an error of the fact.
#[test]
fn date_and_time_facts_are_read_by_their_documented_forms_only() {
    let policy = Policy::parse(
        "currency USD\nroles a\nfacts\n  o.d: date\n  o.t: time\ngestures\n  g: amount\nrule r\n  when o.d is o.d and o.t is o.t\n  a may g up to $1\n",
    )
    .unwrap();
    let read = |d: &str, t: &str| messages(&decide(&policy, &json!({"o": {"d": d, "t": t}})));
    let t = "2026-05-01T10:00:00Z";
    for d in ["2026-05-01", "0000-01-01", "9999-12-31", "2024-02-29"] {
        assert_eq!(read(d, t), Vec::<String>::new(), "{d}");
    }
    for d in [
        "2026-5-1",
        "2026-05-1",
        "+12345-01-01",
        "+2026-05-01",
        "-2026-05-01",
        "12026-05-01",
        " 2026-05-01",
        "2026-05-01 ",
        "2026-02-30",
        "2026/05/01",
        "2026-05-01T00:00:00Z",
        "٢٠٢٦-05-01",
    ] {
        assert_eq!(read(d, t), [format!("fact `o.d` is \"{d}\": expected a date such as \"2026-05-01\"")], "{d}");
    }
    for time in
        ["2026-05-01T10:00:00.5+05:30", "2026-05-01T10:00:00-00:00", "2026-05-01t10:00:00z", "2026-05-01 10:00:00Z"]
    {
        assert_eq!(read("2026-05-01", time), Vec::<String>::new(), "{time}");
    }
    for time in [
        "2026-05-01T10:00Z",
        "2026-05-01T10:00:00",
        "+12026-05-01T10:00:00Z",
        "2026-5-01T10:00:00Z",
        "2026-05-01T10:00:00+0000",
    ] {
        assert_eq!(
            read("2026-05-01", time),
            [format!("fact `o.t` is \"{time}\": expected a time such as \"2026-05-01T10:00:00Z\"")],
            "{time}"
        );
    }
}

proptest! {
    /// Every day of years 0 to 9999, written `YYYY-MM-DD`, reads as itself.
    #[test]
    fn every_written_date_reads_as_itself(days in 0_i64..3_652_059) {
        let day = chrono::NaiveDate::from_ymd_opt(0, 1, 1).unwrap() + chrono::TimeDelta::days(days);
        prop_assert_eq!(extramile::value::parse_date(&day.format("%Y-%m-%d").to_string()), Some(day));
    }
}

/// Issue 19 (attack sweep) item 4: a constant bound whose rounding to the minor unit
/// overflows is `E0120` at load, not an error at every evaluation; a bound whose constant
/// part alone could not be held, but whose whole can, loads and is offered.
#[test]
fn a_constant_bound_that_cannot_be_held_in_cents_is_refused_at_load() {
    for bound in ["$99999999999999999999999999 / 0.1", "$99999999999999999999999999 / 0.1 + $1"] {
        for line in [format!("  a may comp up to {bound}"), format!("limit comp to {bound}")] {
            let source =
                format!("currency USD\nroles a\ngestures\n  comp: amount\nrule r\n  a may comp up to $5\n{line}\n");
            let codes: Vec<String> =
                Policy::check("p", &source).items().iter().map(|d| format!("{}: {}", d.code, d.message)).collect();
            assert_eq!(codes, ["E0120: this is always an error: arithmetic overflow"], "{line}");
        }
    }
    for (bound, offered) in [
        ("$99999999999999999999999999 / 0.1 / 100", "9999999999999999999999999.90"),
        ("min($99999999999999999999999999 / 0.1, $5)", "5.00"),
    ] {
        let source = format!("currency USD\nroles a\ngestures\n  comp: amount\nrule r\n  a may comp up to {bound}\n");
        let decision = decide(&Policy::parse(&source).unwrap(), &json!({}));
        assert_eq!(up_to(&decision, "comp").as_deref(), Some(offered), "{bound}");
    }
}
