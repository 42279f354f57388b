//! The seeded incident corpus: a deterministic generator (xorshift, no `rand`) that covers
//! every rule of the reference decision and sits on each of its boundaries.

use rust_decimal::Decimal;
use serde_json::json;

/// The incident kinds of the reference policy, in declaration order.
pub const KINDS: [&str; 6] = ["broken_item", "late_delivery", "wrong_item", "missing_item", "defective", "complaint"];
/// The customer tiers of the reference policy, in declaration order.
pub const TIERS: [&str; 4] = ["basic", "silver", "gold", "platinum"];

/// Item values (in cents) on the boundaries of the reference rules: thresholds, the points
/// where a percentage meets its cap, and values whose percentage ends in half a cent.
const VALUE_BOUNDARIES: [i64; 24] = [
    100, 101, 404, 1_005, 1_010, 2_499, 2_500, 2_501, 9_999, 10_000, 10_002, 15_000, 15_005, 19_999, 20_000, 20_025,
    24_000, 39_999, 40_000, 50_000, 50_001, 50_050, 100_000, 100_001,
];
/// Days since purchase on the boundaries of the reference rules.
const DAY_BOUNDARIES: [i64; 16] = [0, 7, 8, 14, 15, 30, 31, 60, 61, 90, 91, 180, 181, 365, 366, 400];
/// Prior incident counts on the boundaries of the reference rules.
const PRIOR_BOUNDARIES: [i64; 7] = [0, 1, 2, 3, 4, 5, 9];

/// One incident, typed: what hand-written Rust works on.
#[derive(Debug, Clone, PartialEq)]
pub struct Incident {
    /// Index into [`KINDS`] (or into a generated policy's kinds).
    pub kind: usize,
    /// The item's value in dollars, exact to the cent.
    pub item_value: Decimal,
    /// Index into [`TIERS`].
    pub tier: usize,
    /// Whole days since purchase.
    pub days_since_purchase: i64,
    /// Earlier incidents of this customer.
    pub prior_incidents: i64,
}

impl Incident {
    /// The incident's facts as the JSON every engine reads, with `kinds` naming the kind.
    pub fn to_json_with(&self, kinds: &dyn Fn(usize) -> String) -> serde_json::Value {
        // A JSON number, as a client would send it: 123.45, or 100 for whole dollars.
        let value: serde_json::Value =
            serde_json::from_str(&self.item_value.normalize().to_string()).unwrap_or(serde_json::Value::Null);
        json!({
            "incident": {"kind": kinds(self.kind)},
            "item": {"value": value},
            "customer": {"tier": TIERS[self.tier % TIERS.len()], "prior_incidents": self.prior_incidents},
            "order": {"days_since_purchase": self.days_since_purchase},
        })
    }

    /// The facts of a reference incident as JSON.
    pub fn to_json(&self) -> serde_json::Value {
        self.to_json_with(&|k| KINDS[k % KINDS.len()].to_string())
    }
}

/// A small xorshift64 generator: deterministic for a seed, good enough for test data.
#[derive(Debug, Clone)]
pub struct XorShift(u64);

impl XorShift {
    /// A generator for `seed` (zero is replaced, xorshift cannot leave it).
    pub fn new(seed: u64) -> XorShift {
        XorShift(if seed == 0 { 0x9E37_79B9_7F4A_7C15 } else { seed })
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    /// A number below `n` (`n > 0`).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }

    /// One of `items`.
    pub fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len() as u64) as usize]
    }
}

/// The default seed of the corpus.
pub const SEED: u64 = 0x5EED_2026_1122;

/// `n` incidents over `n_kinds` kinds: half of each field on a boundary, half random.
pub fn incidents(seed: u64, n: usize, n_kinds: usize) -> Vec<Incident> {
    let mut rng = XorShift::new(seed);
    (0..n)
        .map(|i| {
            // The first incidents walk every kind x tier pair so that small corpora still
            // reach every rule.
            let (kind, tier) = if i < n_kinds * TIERS.len() {
                (i % n_kinds, (i / n_kinds) % TIERS.len())
            } else {
                (rng.below(n_kinds as u64) as usize, rng.below(TIERS.len() as u64) as usize)
            };
            let cents = if rng.below(2) == 0 { rng.pick(&VALUE_BOUNDARIES) } else { 100 + rng.below(150_000) as i64 };
            let days = if rng.below(2) == 0 { rng.pick(&DAY_BOUNDARIES) } else { rng.below(420) as i64 };
            let prior = if rng.below(2) == 0 { rng.pick(&PRIOR_BOUNDARIES) } else { rng.below(8) as i64 };
            Incident {
                kind,
                item_value: Decimal::new(cents, 2),
                tier,
                days_since_purchase: days,
                prior_incidents: prior,
            }
        })
        .collect()
}

/// The reference corpus: 10,000 incidents from [`SEED`].
pub fn reference() -> Vec<Incident> {
    incidents(SEED, 10_000, KINDS.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_corpus_is_deterministic() {
        assert_eq!(incidents(7, 50, 6), incidents(7, 50, 6));
        assert_ne!(incidents(7, 50, 6), incidents(8, 50, 6));
    }
}
