//! The executable model: a small, slow, direct evaluator of the documented semantics
//! (docs/language.md "How a decision is made", "Money: exactness and rounding", "How facts
//! are read from JSON"), run on the generated structure, never on the policy text.

use super::spec::*;
use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, SecondsFormat};
use rust_decimal::{Decimal, RoundingStrategy};
use std::cell::Cell;
use std::collections::BTreeSet;

/// Why a value could not be computed: the fact concerned, if a fact was unreadable.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Fail {
    pub fact: Option<&'static str>,
}

const ARITHMETIC: Fail = Fail { fact: None };

/// Where a money expression stands: caps (`up to`, a limit's `to`) round toward zero
/// (issue 19 item 22: nobody gets more than the text says); everything else rounds half
/// away from zero.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Ctx {
    Plain,
    Cap,
}

/// An `up to` bound as the model sees it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Bound {
    /// A gesture without amount.
    Given,
    UpTo(Decimal),
    Unbounded,
}

impl Bound {
    fn more_generous_than(self, other: Bound) -> bool {
        match (self, other) {
            (Bound::Unbounded, Bound::Unbounded) => false,
            (Bound::Unbounded, _) => true,
            (Bound::UpTo(a), Bound::UpTo(b)) => a > b,
            (Bound::UpTo(_), Bound::Given) => true,
            _ => false,
        }
    }

    fn amount(self) -> Option<Decimal> {
        match self {
            Bound::UpTo(a) => Some(a),
            _ => None,
        }
    }
}

/// One gesture of an offer: gesture, item, `up_to`, `limited_by`.
pub type Offered = (String, Option<String>, Option<Decimal>, Option<String>);

#[derive(Debug, Clone, PartialEq)]
pub struct Offer {
    pub one_of: Vec<Offered>,
    pub rule: String,
    pub priority: i64,
}

/// gesture, item, approver, up_to, rule.
pub type Approval = (String, Option<String>, String, Option<Decimal>, String);
/// gesture, item, amount, rule.
pub type Owed = (String, Option<String>, Option<Decimal>, String);
/// gesture, item, amount, due, rule, priority.
pub type Recommended = (String, Option<String>, Option<Decimal>, Option<String>, String, i64);

/// What the documents say the decision holds.
#[derive(Debug, Default)]
pub struct Expected {
    /// One per grant statement that offers something, before identical offers merge,
    /// ordered by priority then source order.
    pub offers: Vec<Offer>,
    pub needs_approval: Vec<Approval>,
    pub owed: Vec<Owed>,
    pub recommended: Vec<Recommended>,
    /// (gesture, rule / `never@LINE` / `limit@LINE`, reason), the reason as in docs/json.md:
    /// the `because` text, `forbidden by policy`, `limit reached`, or `blocked` for every
    /// `blocked because ...` (fail safe).
    pub forbidden: BTreeSet<(String, String, String)>,
    /// (rule, gesture) of each entitlement that is also forbidden: kept, with a warning.
    pub owed_and_forbidden: Vec<(String, String)>,
    /// (to, rule).
    pub escalations: Vec<(String, String)>,
    /// (rule / forbid / limit, fact, line of the statement).
    pub errors: BTreeSet<(String, Option<String>, u32)>,
    /// A cap's rounding toward zero gave less than half away from zero would (item 22).
    pub cap_rounded: bool,
    /// A money result could not be held exactly in cents (item 19).
    pub inexact_overflow: bool,
}

struct Model<'a> {
    facts: Vec<Result<Val, Fail>>,
    today: NaiveDate,
    now: DateTime<FixedOffset>,
    cap_rounded: Cell<bool>,
    inexact_overflow: Cell<bool>,
    /// The currency's minor digits.
    digits: u32,
    spec: &'a Spec,
}

fn read_facts(spec: &Spec, incident: &Incident) -> Vec<Result<Val, Fail>> {
    FACTS
        .iter()
        .zip(&incident.slots)
        .zip(&spec.defaults)
        .map(|(((path, _), slot), default)| {
            let unreadable = Fail { fact: Some(path) };
            match slot {
                Slot::Missing | Slot::Null => default.clone().ok_or(unreadable),
                // More significant digits than an exact decimal holds: an error, never rounded.
                Slot::Value(Val::Money(units), _)
                    if *units == DIGITS_29_UNITS && !crate::ENGINE_READS_MONEY_OF_29_DIGITS =>
                {
                    Err(unreadable)
                }
                Slot::Value(v, _) => Ok(v.clone()),
                // A list with a wrong element names it: `customer.flags[1]` (language.md,
                // "Element errors name the index").
                Slot::Wrong(serde_json::Value::Array(elements)) if *path == FACTS[FLAGS].0 => {
                    match elements.iter().position(|e| !e.is_string()) {
                        Some(0) => Err(Fail { fact: Some("customer.flags[0]") }),
                        Some(1) => Err(Fail { fact: Some("customer.flags[1]") }),
                        _ => unreachable!("the generator's wrong lists go wrong at 0 or 1"),
                    }
                }
                Slot::Wrong(_) => Err(unreadable),
            }
        })
        .collect()
}

/// `TENTHS/10 %` as a number: the percentage as written, divided by 100 (the scale of the
/// quotient decides which products `Decimal` holds to the digit).
fn rate(tenths: u32) -> Decimal {
    Decimal::new(i64::from(tenths), 1).normalize() / Decimal::ONE_HUNDRED
}

fn compare<T: PartialOrd>(a: T, op: CmpOp, b: T) -> bool {
    match op {
        CmpOp::Lt => a < b,
        CmpOp::Le => a <= b,
        CmpOp::Gt => a > b,
        CmpOp::Ge => a >= b,
        CmpOp::Eq => a == b,
        CmpOp::Ne => a != b,
    }
}

impl Model<'_> {
    fn fact(&self, f: usize) -> Result<&Val, Fail> {
        self.facts[f].as_ref().map_err(|e| *e)
    }

    fn money_fact(&self, f: usize) -> Result<Decimal, Fail> {
        match self.fact(f)? {
            Val::Money(units) => Ok(Decimal::from_i128_with_scale(*units, self.digits)),
            other => panic!("generator bug: {other:?} for money"),
        }
    }

    /// Rounds an exact money result to the minor unit; `Err` if that cannot hold it (item 19).
    fn round(&self, exact: Decimal, ctx: Ctx) -> Result<Decimal, Fail> {
        debug_assert!(ctx == Ctx::Plain, "bounds round once, in `money`");
        self.hold(exact.round_dp_with_strategy(self.digits, RoundingStrategy::MidpointAwayFromZero))
    }

    fn money(&self, m: &Money, ctx: Ctx) -> Result<Decimal, Fail> {
        if ctx == Ctx::Cap {
            // A bound is computed exactly and rounded once, toward zero (language.md, "Bounds
            // round toward zero").
            let exact = self.exact(m)?;
            let plain = exact.round_dp_with_strategy(self.digits, RoundingStrategy::MidpointAwayFromZero);
            let rounded = self.hold(exact.round_dp_with_strategy(self.digits, RoundingStrategy::ToZero))?;
            if rounded != plain {
                self.cap_rounded.set(true);
            }
            return Ok(rounded);
        }
        let exact = match m {
            Money::Lit(c) => return Ok(Decimal::new(*c, self.digits)),
            Money::Fact(f) => return self.money_fact(*f),
            Money::Min(a, b) => return Ok(self.money(a, ctx)?.min(self.money(b, ctx)?)),
            Money::Max(a, b) => return Ok(self.money(a, ctx)?.max(self.money(b, ctx)?)),
            Money::Abs(m) => return Ok(self.money(m, ctx)?.abs()),
            // `round` is the policy's own rounding: half away from zero, in any context; to
            // at most the currency's minor digits.
            Money::Round(m, one) => {
                let digits = if *one { 1.min(self.digits) } else { 0 };
                let rounded =
                    self.money(m, ctx)?.round_dp_with_strategy(digits, RoundingStrategy::MidpointAwayFromZero);
                return self.round(rounded, Ctx::Plain);
            }
            Money::Percent(p, m) => self.plain_mul(rate(*p), self.money(m, ctx)?),
            Money::Add(a, b) => self.money(a, ctx)?.checked_add(self.money(b, ctx)?),
            Money::Sub(a, b) => self.money(a, ctx)?.checked_sub(self.money(b, ctx)?),
            Money::MulLit(m, t) => self.plain_mul(self.money(m, ctx)?, Decimal::new(i64::from(*t), 1).normalize()),
            Money::DivLit(m, n) => self.money(m, ctx)?.checked_div(Decimal::from(*n)),
            Money::DivCount(m) => {
                let m = self.money(m, ctx)?;
                let n = self.count()?;
                if n.is_zero() {
                    return Err(ARITHMETIC);
                }
                m.checked_div(n)
            }
        };
        self.round(exact.ok_or(ARITHMETIC)?, ctx)
    }

    /// `a × b` before rounding to the minor unit. The documents round the exact product; the
    /// engine refuses a product `Decimal` cannot hold to the digit (see
    /// `ENGINE_OVERFLOWS_ON_UNROUNDED_PRODUCT`).
    fn plain_mul(&self, a: Decimal, b: Decimal) -> Option<Decimal> {
        let product = a.checked_mul(b)?;
        let whole = product.scale() >= (a.scale() + b.scale()).min(28) || product.is_zero();
        (whole || !crate::ENGINE_OVERFLOWS_ON_UNROUNDED_PRODUCT).then_some(product)
    }

    fn count(&self) -> Result<Decimal, Fail> {
        match self.fact(COUNT)? {
            Val::Number(n) => Ok(*n),
            _ => unreachable!(),
        }
    }

    /// `amount`, already at most the minor unit's decimals, with exactly them; `Err` if the
    /// minor unit cannot hold it (an overflow, item 19).
    fn hold(&self, amount: Decimal) -> Result<Decimal, Fail> {
        let mut held = amount;
        held.rescale(self.digits);
        if held.scale() != self.digits || held != amount {
            self.inexact_overflow.set(true);
            return Err(ARITHMETIC);
        }
        Ok(held)
    }

    /// Whether an intermediate amount of a bound that should have `scale` decimals is held
    /// close enough to exact: all of them, or the minor unit's and 10 more (language.md:
    /// "an intermediate amount that cannot be held with at least 10 decimals more than the
    /// currency's is an overflow error"; a quotient to 28 significant digits).
    fn keeps(&self, result: Option<Decimal>, scale: u32) -> Result<Decimal, Fail> {
        let result = result.ok_or(ARITHMETIC)?;
        if result.scale() >= scale.min(28) || result.scale() >= self.digits + 10 || result.is_zero() {
            Ok(result)
        } else {
            self.inexact_overflow.set(true);
            Err(ARITHMETIC)
        }
    }

    /// A bound's amount, exact (not rounded to the minor unit), as the documents describe it.
    fn exact(&self, m: &Money) -> Result<Decimal, Fail> {
        let mul = |a: Decimal, b: Decimal| self.keeps(a.checked_mul(b), a.scale() + b.scale());
        let div = |a: Decimal, b: Decimal| {
            let quotient = a.checked_div(b).ok_or(ARITHMETIC)?;
            if quotient.checked_mul(b) == Some(a) {
                Ok(quotient)
            } else {
                self.keeps(Some(quotient), u32::MAX)
            }
        };
        match m {
            Money::Lit(c) => Ok(Decimal::new(*c, self.digits)),
            Money::Fact(f) => self.money_fact(*f),
            Money::Min(a, b) => Ok(self.exact(a)?.min(self.exact(b)?)),
            Money::Max(a, b) => Ok(self.exact(a)?.max(self.exact(b)?)),
            Money::Abs(m) => Ok(self.exact(m)?.abs()),
            Money::Round(m, one) => {
                let digits = if *one { 1.min(self.digits) } else { 0 };
                let rounded = self.exact(m)?.round_dp_with_strategy(digits, RoundingStrategy::MidpointAwayFromZero);
                self.round(rounded, Ctx::Plain)
            }
            Money::Percent(p, m) => mul(rate(*p), self.exact(m)?),
            Money::Add(a, b) => {
                let (a, b) = (self.exact(a)?, self.exact(b)?);
                self.keeps(a.checked_add(b), a.scale().max(b.scale()))
            }
            Money::Sub(a, b) => {
                let (a, b) = (self.exact(a)?, self.exact(b)?);
                self.keeps(a.checked_sub(b), a.scale().max(b.scale()))
            }
            Money::MulLit(m, t) => mul(self.exact(m)?, Decimal::new(i64::from(*t), 1).normalize()),
            Money::DivLit(m, n) => div(self.exact(m)?, Decimal::from(*n)),
            Money::DivCount(m) => {
                let m = self.exact(m)?;
                let n = self.count()?;
                if n.is_zero() {
                    return Err(ARITHMETIC);
                }
                div(m, n)
            }
        }
    }

    fn number(&self, n: &Number) -> Result<Decimal, Fail> {
        Ok(match n {
            Number::Count => match self.fact(COUNT)? {
                Val::Number(n) => *n,
                _ => unreachable!(),
            },
            Number::Lit(t) => Decimal::new(*t, 1),
            Number::DaysSince => Decimal::from((self.today - self.date()?).num_days()),
            // Whole units, toward zero (Rust's integer division).
            Number::HoursSince => Decimal::from((self.now - self.placed()?).num_seconds() / 3600),
            Number::MinutesUntil => Decimal::from((self.placed()? - self.now).num_seconds() / 60),
            Number::DaysUntilNext => {
                let day = self.date()?;
                // The next yearly recurrence on or after today; 29 February is 28 February
                // in common years.
                let on = |year: i32| {
                    NaiveDate::from_ymd_opt(year, day.month(), day.day())
                        .or_else(|| NaiveDate::from_ymd_opt(year, 2, 28))
                        .unwrap()
                };
                let this_year = on(self.today.year());
                let next = if this_year >= self.today { this_year } else { on(self.today.year() + 1) };
                Decimal::from((next - self.today).num_days())
            }
        })
    }

    fn duration(&self, d: &Duration) -> Result<i64, Fail> {
        match d {
            Duration::Lit(n, u) => Ok(n * UNITS[*u].1),
            Duration::Late => match self.fact(LATE)? {
                Val::Duration(s) => Ok(*s),
                _ => unreachable!(),
            },
            Duration::SincePlaced => Ok((self.now - self.placed()?).num_seconds()),
        }
    }

    fn date(&self) -> Result<NaiveDate, Fail> {
        match self.fact(DAY)? {
            Val::Date(d) => Ok(*d),
            _ => unreachable!(),
        }
    }

    fn placed(&self) -> Result<DateTime<FixedOffset>, Fail> {
        match self.fact(PLACED)? {
            Val::Time(t) => Ok(*t),
            _ => unreachable!(),
        }
    }

    fn text(&self) -> Result<usize, Fail> {
        match self.fact(KIND)? {
            Val::Text(k) => Ok(*k),
            _ => unreachable!(),
        }
    }

    fn cond(&self, c: &Cond) -> Result<bool, Fail> {
        Ok(match c {
            Cond::Lit(b) => *b,
            Cond::Vip => match self.fact(VIP)? {
                Val::Bool(b) => *b,
                _ => unreachable!(),
            },
            Cond::Money(a, op, b) => {
                let a = self.money(a, Ctx::Plain)?;
                compare(a, *op, self.money(b, Ctx::Plain)?)
            }
            Cond::Number(a, op, b) => {
                let a = self.number(a)?;
                compare(a, *op, self.number(b)?)
            }
            Cond::Duration(a, op, b) => {
                let a = self.duration(a)?;
                compare(a, *op, self.duration(b)?)
            }
            Cond::Date(op, d) => {
                let Val::Date(day) = self.fact(DAY)? else { unreachable!() };
                let other = match d {
                    Date::Lit(d) => *d,
                    Date::TodayMinus(n) => self.today - chrono::Duration::days(*n),
                };
                compare(*day, *op, other)
            }
            Cond::Time(op, d) => {
                let placed = self.placed()?;
                compare(placed, *op, self.now - chrono::Duration::seconds(self.duration(d)?))
            }
            Cond::Between(not, lo, hi) => {
                let total = self.money_fact(TOTAL)?;
                (total >= Decimal::new(*lo, self.digits) && total <= Decimal::new(*hi, self.digits)) != *not
            }
            Cond::Is(not, k) => (self.text()? == *k) != *not,
            Cond::In(not, ks) => ks.contains(&self.text()?) != *not,
            Cond::Flagged(not, t, _) => match self.fact(FLAGS)? {
                Val::Texts(ts) => ts.contains(t) != *not,
                _ => unreachable!(),
            },
            Cond::Not(c) => !self.cond(c)?,
            Cond::And(a, b) => self.cond(a)? && self.cond(b)?,
            Cond::Or(a, b) => self.cond(a)? || self.cond(b)?,
        })
    }
}

/// A surviving alternative of a grant of a matched rule.
#[derive(Debug, Clone)]
struct Granted {
    rule: usize,
    grant: usize,
    role: usize,
    gesture: usize,
    item: Option<usize>,
    bound: Bound,
}

#[derive(Clone, Copy, PartialEq)]
enum Outcome {
    Matched,
    NotMatched,
    Failed,
}

fn item_name(item: Option<usize>) -> Option<String> {
    item.map(|i| ITEMS[i].to_string())
}

/// The decision the documents describe for `spec` on `incident`.
pub fn expected(spec: &Spec, incident: &Incident, layout: &Layout) -> Expected {
    let now = DateTime::parse_from_rfc3339(NOWS[incident.now]).unwrap();
    let model = Model {
        facts: read_facts(spec, incident),
        today: now.date_naive(),
        now,
        cap_rounded: Cell::new(false),
        inexact_overflow: Cell::new(false),
        digits: CURRENCIES[spec.currency].digits,
        spec,
    };
    let mut out = Expected::default();
    let fail = |out: &mut Expected, who: &str, line: u32, f: Fail| {
        out.errors.insert((who.to_string(), f.fact.map(String::from), line));
    };

    // 1-2. Rule conditions, in order, stopping at the first false or failing one.
    let mut outcomes = Vec::new();
    for (i, rule) in model.spec.rules.iter().enumerate() {
        let mut outcome = Outcome::Matched;
        for (when, line) in rule.whens.iter().zip(&layout.rules[i].whens) {
            match model.cond(when) {
                Ok(true) => {}
                Ok(false) => {
                    outcome = Outcome::NotMatched;
                    break;
                }
                Err(f) => {
                    fail(&mut out, &rule_name(i), *line, f);
                    outcome = Outcome::Failed;
                    break;
                }
            }
        }
        outcomes.push(outcome);
    }

    // 3. Forbids: a condition that holds or cannot be evaluated blocks.
    let mut blocked = [false; GESTURES.len()];
    let mut block = |out: &mut Expected, gesture: usize, who: &str, why: &str| {
        blocked[gesture] = true;
        out.forbidden.insert((GESTURES[gesture].to_string(), who.to_string(), why.to_string()));
    };
    for (forbid, (name, line)) in spec.forbids.iter().zip(&layout.forbids) {
        let why = match model.cond(&forbid.cond) {
            Ok(false) => continue,
            Ok(true) if forbid.because => "no",
            Ok(true) => "forbidden by policy",
            Err(f) => {
                fail(&mut out, name, *line, f);
                "blocked"
            }
        };
        forbid.gestures.iter().for_each(|g| block(&mut out, *g, name, why));
    }
    for (i, rule) in spec.rules.iter().enumerate() {
        let why = if outcomes[i] == Outcome::Failed { "blocked" } else { "forbidden by policy" };
        if outcomes[i] != Outcome::NotMatched {
            rule.nevers.iter().flatten().for_each(|g| block(&mut out, *g, &rule_name(i), why));
        }
    }

    // 4. Limits: room = cap - used; blocks at zero or less, or when not computable; else caps.
    let mut caps: [Option<(Decimal, String)>; GESTURES.len()] = Default::default();
    for (limit, (name, line)) in spec.limits.iter().zip(&layout.limits) {
        // The cap and the amount used are exact; the room rounds once, toward zero.
        let room = model.exact(&limit.cap).and_then(|cap| {
            let used = match &limit.used {
                Some(used) => model.exact(used)?,
                None => Decimal::ZERO,
            };
            if used < Decimal::ZERO {
                return Err(ARITHMETIC);
            }
            let room = cap.checked_sub(used).ok_or(ARITHMETIC)?;
            let plain = room.round_dp_with_strategy(model.digits, RoundingStrategy::MidpointAwayFromZero);
            let rounded = model.hold(room.round_dp_with_strategy(model.digits, RoundingStrategy::ToZero))?;
            if rounded != plain {
                model.cap_rounded.set(true);
            }
            Ok(rounded)
        });
        match room {
            Err(f) => {
                fail(&mut out, name, *line, f);
                limit.gestures.iter().for_each(|g| block(&mut out, *g, name, "blocked"));
            }
            Ok(room) if room <= Decimal::ZERO => {
                limit.gestures.iter().for_each(|g| block(&mut out, *g, name, "limit reached"))
            }
            Ok(room) => {
                for g in &limit.gestures {
                    if caps[*g].as_ref().is_none_or(|(cap, _)| room < *cap) {
                        caps[*g] = Some((room, name.clone()));
                    }
                }
            }
        }
    }

    // 5. Grants of matched rules: a failing `up to` withdraws the whole grant.
    let mut granted: Vec<Granted> = Vec::new();
    for (i, rule) in spec.rules.iter().enumerate() {
        if outcomes[i] != Outcome::Matched {
            continue;
        }
        for (g, (grant, line)) in rule.grants.iter().zip(&layout.rules[i].grants).enumerate() {
            let mut alts = Vec::new();
            let mut failed = false;
            for alt in &grant.alts {
                let bound = match &alt.up_to {
                    None if is_amount(alt.gesture) => Bound::Unbounded,
                    None => Bound::Given,
                    Some(m) => match model.money(m, Ctx::Cap) {
                        Ok(a) if a > Decimal::ZERO => Bound::UpTo(a),
                        Ok(_) => continue,
                        Err(f) => {
                            fail(&mut out, &rule_name(i), *line, f);
                            failed = true;
                            continue;
                        }
                    },
                };
                alts.push(Granted { rule: i, grant: g, role: grant.role, gesture: alt.gesture, item: alt.item, bound });
            }
            if !failed {
                granted.extend(alts);
            }
        }
    }

    // The most generous grant up to `role`, capped by limits, and who set it.
    let best = |gesture: usize, item: Option<usize>, role: usize| -> Option<(Bound, String)> {
        if blocked[gesture] {
            return None;
        }
        let mut best: Option<&Granted> = None;
        for g in granted.iter().filter(|g| g.gesture == gesture && g.item == item && g.role <= role) {
            if best.is_none_or(|b| g.bound.more_generous_than(b.bound)) {
                best = Some(g);
            }
        }
        let best = best?;
        let by_rule = (best.bound, rule_name(best.rule));
        Some(match (&caps[gesture], best.bound) {
            (Some((room, limit)), Bound::Unbounded) => (Bound::UpTo(*room), limit.clone()),
            (Some((room, limit)), Bound::UpTo(a)) if *room < a => (Bound::UpTo(*room), limit.clone()),
            _ => by_rule,
        })
    };

    // 6. Offers: one per grant statement to the acting role or below.
    let role = incident.role;
    let mut offers = Vec::new();
    let mut seen_grant = BTreeSet::new();
    for first in &granted {
        if first.role > role || !seen_grant.insert((first.rule, first.grant)) {
            continue;
        }
        let mut one_of: Vec<Offered> = Vec::new();
        let mut keys = Vec::new();
        for g in granted.iter().filter(|g| (g.rule, g.grant) == (first.rule, first.grant)) {
            if keys.contains(&(g.gesture, g.item)) {
                continue;
            }
            keys.push((g.gesture, g.item));
            let Some((bound, set_by)) = best(g.gesture, g.item, role) else { continue };
            let limited_by = (bound != Bound::Given).then_some(set_by);
            one_of.push((GESTURES[g.gesture].to_string(), item_name(g.item), bound.amount(), limited_by));
        }
        if !one_of.is_empty() {
            let rule = &spec.rules[first.rule];
            offers.push(Offer { one_of, rule: rule_name(first.rule), priority: rule.priority.unwrap_or(0) });
        }
    }
    offers.sort_by_key(|o| std::cmp::Reverse(o.priority));
    out.offers = offers;

    // 7. Approvals: up the ladder, each role that may give more than the roles below.
    let mut keys: Vec<(usize, Option<usize>)> = Vec::new();
    for g in granted.iter().filter(|g| g.role > role) {
        if !keys.contains(&(g.gesture, g.item)) {
            keys.push((g.gesture, g.item));
        }
    }
    for (gesture, item) in keys {
        let mut previous = best(gesture, item, role).map(|(b, _)| b);
        for higher in role + 1..ROLES.len() {
            let Some((bound, set_by)) = best(gesture, item, higher) else { continue };
            if previous.is_none_or(|p| bound.more_generous_than(p)) {
                out.needs_approval.push((
                    GESTURES[gesture].to_string(),
                    item_name(item),
                    ROLES[higher].to_string(),
                    bound.amount(),
                    set_by,
                ));
                previous = Some(bound);
            }
        }
    }

    // 8. Owed, recommended, escalations of matched rules. An amount that comes out negative
    // is an error of the rule (language.md, `owe`).
    let received = |a: Decimal| if a < Decimal::ZERO { Err(ARITHMETIC) } else { Ok(a) };
    let mut recommended = Vec::new();
    for (i, rule) in spec.rules.iter().enumerate() {
        if outcomes[i] != Outcome::Matched {
            continue;
        }
        let name = rule_name(i);
        for (owe, line) in rule.owes.iter().zip(&layout.rules[i].owes) {
            let amount = match owe.amount.as_ref().map(|m| model.money(m, Ctx::Plain).and_then(received)).transpose() {
                Ok(amount) => amount,
                Err(f) => {
                    fail(&mut out, &name, *line, f);
                    continue;
                }
            };
            if blocked[owe.gesture] {
                out.owed_and_forbidden.push((name.clone(), GESTURES[owe.gesture].to_string()));
            }
            out.owed.push((GESTURES[owe.gesture].to_string(), item_name(owe.item), amount, name.clone()));
        }
        for (rec, line) in rule.recommends.iter().zip(&layout.rules[i].recommends) {
            if blocked[rec.gesture] {
                continue;
            }
            let amount = match rec.amount.as_ref().map(|m| model.money(m, Ctx::Plain).and_then(received)).transpose() {
                Ok(amount) => amount,
                Err(f) => {
                    fail(&mut out, &name, *line, f);
                    continue;
                }
            };
            let due = match rec.due.as_ref().map(|d| model.duration(d)).transpose() {
                Ok(due) => {
                    due.map(|s| (model.now + chrono::Duration::seconds(s)).to_rfc3339_opts(SecondsFormat::AutoSi, true))
                }
                Err(f) => {
                    fail(&mut out, &name, *line, f);
                    continue;
                }
            };
            let priority = rule.priority.unwrap_or(0);
            recommended.push((
                GESTURES[rec.gesture].to_string(),
                item_name(rec.item),
                amount,
                due,
                name.clone(),
                priority,
            ));
        }
        if let Some(to) = rule.escalate {
            out.escalations.push((ROLES[to].to_string(), name.clone()));
        }
    }
    recommended.sort_by_key(|r| std::cmp::Reverse(r.5));
    out.recommended = recommended;
    out.cap_rounded = model.cap_rounded.get();
    out.inexact_overflow = model.inexact_overflow.get();
    out
}
