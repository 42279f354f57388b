//! Exact money: currencies, their minor units, and the one documented rounding rule.
//!
//! Amounts are `rust_decimal::Decimal` in the policy's single currency. Every money value an
//! operation produces is rounded to the currency's minor unit, half away from zero
//! (`$0.125` becomes `$0.13`). Overflow is an error, never a wrap.

use rust_decimal::{Decimal, RoundingStrategy};

/// 10^0 to 10^18, every power of ten a `u64` (and an `i64`) holds.
pub(crate) const POWERS_OF_TEN: [u64; 19] = [
    1,
    10,
    100,
    1_000,
    10_000,
    100_000,
    1_000_000,
    10_000_000,
    100_000_000,
    1_000_000_000,
    10_000_000_000,
    100_000_000_000,
    1_000_000_000_000,
    10_000_000_000_000,
    100_000_000_000_000,
    1_000_000_000_000_000,
    10_000_000_000_000_000,
    100_000_000_000_000_000,
    1_000_000_000_000_000_000,
];

/// A currency the engine knows: its ISO code, minor unit digits and symbol.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Currency {
    /// The ISO 4217 code, such as `USD`.
    pub code: &'static str,
    /// Digits after the decimal point (2 for USD, 0 for JPY).
    pub minor_units: u32,
    /// The symbol a policy may write instead of the code, if any.
    pub symbol: Option<char>,
}

const CURRENCIES: &[Currency] = &[
    Currency { code: "USD", minor_units: 2, symbol: Some('$') },
    Currency { code: "CAD", minor_units: 2, symbol: Some('$') },
    Currency { code: "AUD", minor_units: 2, symbol: Some('$') },
    Currency { code: "NZD", minor_units: 2, symbol: Some('$') },
    Currency { code: "SGD", minor_units: 2, symbol: Some('$') },
    Currency { code: "HKD", minor_units: 2, symbol: Some('$') },
    Currency { code: "MXN", minor_units: 2, symbol: Some('$') },
    Currency { code: "EUR", minor_units: 2, symbol: Some('€') },
    Currency { code: "GBP", minor_units: 2, symbol: Some('£') },
    Currency { code: "JPY", minor_units: 0, symbol: Some('¥') },
    Currency { code: "CHF", minor_units: 2, symbol: None },
    Currency { code: "SEK", minor_units: 2, symbol: None },
    Currency { code: "NOK", minor_units: 2, symbol: None },
    Currency { code: "DKK", minor_units: 2, symbol: None },
    Currency { code: "PLN", minor_units: 2, symbol: None },
    Currency { code: "CZK", minor_units: 2, symbol: None },
    Currency { code: "INR", minor_units: 2, symbol: None },
    Currency { code: "BRL", minor_units: 2, symbol: None },
    Currency { code: "ZAR", minor_units: 2, symbol: None },
    Currency { code: "KRW", minor_units: 0, symbol: None },
    Currency { code: "CNY", minor_units: 2, symbol: None },
    Currency { code: "KWD", minor_units: 3, symbol: None },
    Currency { code: "BHD", minor_units: 3, symbol: None },
];

/// Why a text is not an amount ([`parse_amount`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AmountError {
    /// Not of the form `[-]DIGITS[.DIGITS]`.
    Form,
    /// More digits than a `Decimal` holds exactly (28 significant digits): reading it would
    /// round it.
    TooManyDigits,
}

/// Reads an amount written `[-]DIGITS[.DIGITS]`, exactly: nothing else (no `+`, exponent,
/// separator, leading or trailing `.` or space), and never rounded.
pub fn parse_amount(text: &str) -> Result<Decimal, AmountError> {
    let unsigned = text.strip_prefix('-').unwrap_or(text);
    let (whole, fraction) = match unsigned.split_once('.') {
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (unsigned, None),
    };
    let digits = |part: &str| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit());
    if !digits(whole) || !fraction.is_none_or(digits) {
        return Err(AmountError::Form);
    }
    Decimal::from_str_exact(text).map_err(|_| AmountError::TooManyDigits)
}

/// How an amount is brought to the currency's minor unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rounding {
    /// Half away from zero (`$0.125` is `$0.13`): every money operation.
    HalfAwayFromZero,
    /// Toward zero (`$0.025` is `$0.02`): a cap, a limit's room and an `up to` bound.
    TowardZero,
}

impl Rounding {
    fn strategy(self) -> RoundingStrategy {
        match self {
            Rounding::HalfAwayFromZero => RoundingStrategy::MidpointAwayFromZero,
            Rounding::TowardZero => RoundingStrategy::ToZero,
        }
    }
}

/// `a + b`, or `None` if it overflows or is not exact. `Decimal` does not fail when a
/// result's mantissa overflows at the operands' scale: it drops decimals, rounding. Such a
/// result is refused here, so that no amount silently loses its cents.
pub fn exact_add(a: Decimal, b: Decimal) -> Option<Decimal> {
    a.checked_add(b).filter(|sum| sum.scale() >= a.scale().max(b.scale()))
}

/// `a - b`, or `None` if it overflows or is not exact (see [`exact_add`]).
pub fn exact_sub(a: Decimal, b: Decimal) -> Option<Decimal> {
    a.checked_sub(b).filter(|difference| difference.scale() >= a.scale().max(b.scale()))
}

/// `a × b`, or `None` if it overflows or drops decimals it could have kept (see
/// [`exact_add`]); a product of more than 28 decimals keeps 28, as `Decimal` must.
pub fn exact_mul(a: Decimal, b: Decimal) -> Option<Decimal> {
    let scale = (a.scale() + b.scale()).min(28);
    a.checked_mul(b).filter(|product| product.scale() >= scale || product.is_zero())
}

/// Decimals beyond the minor unit that a bound's intermediate amount keeps at the least
/// where `Decimal` cannot keep them all (a quotient, or a sum with one).
const BOUND_GUARD_DIGITS: u32 = 10;

impl Currency {
    /// Whether `result`, an intermediate amount of a bound that should have `scale`
    /// decimals, is close enough to exact: it has them all, or at least the minor unit's
    /// and [`BOUND_GUARD_DIGITS`] more (then the digits `Decimal` dropped cannot carry into
    /// the minor unit unless the exact amount lies within 10^-(minor + 10) of it).
    fn bound_keeps(self, result: Decimal, scale: u32) -> bool {
        result.scale() >= scale.min(28) || result.scale() >= self.minor_units + BOUND_GUARD_DIGITS || result.is_zero()
    }

    /// `a + b` inside a bound: not rounded to the minor unit; `None` if it overflows or
    /// lost digits that could reach the minor unit (see [`Currency::bound_keeps`]).
    pub(crate) fn bound_add(self, a: Decimal, b: Decimal) -> Option<Decimal> {
        a.checked_add(b).filter(|sum| self.bound_keeps(*sum, a.scale().max(b.scale())))
    }

    /// `a - b` inside a bound, as [`Currency::bound_add`].
    pub(crate) fn bound_sub(self, a: Decimal, b: Decimal) -> Option<Decimal> {
        a.checked_sub(b).filter(|difference| self.bound_keeps(*difference, a.scale().max(b.scale())))
    }

    /// `a × b` inside a bound, as [`Currency::bound_add`].
    pub(crate) fn bound_mul(self, a: Decimal, b: Decimal) -> Option<Decimal> {
        a.checked_mul(b).filter(|product| self.bound_keeps(*product, a.scale().saturating_add(b.scale())))
    }

    /// `a / b` (`b` not zero) inside a bound: exact, or with enough decimals (see
    /// [`Currency::bound_keeps`]); `None` otherwise.
    pub(crate) fn bound_div(self, a: Decimal, b: Decimal) -> Option<Decimal> {
        let quotient = a.checked_div(b)?;
        let exact = quotient.checked_mul(b) == Some(a);
        (exact || self.bound_keeps(quotient, u32::MAX)).then_some(quotient)
    }
}

impl Currency {
    /// The currency with ISO code `code`, if the engine knows it.
    pub fn from_code(code: &str) -> Option<Currency> {
        CURRENCIES.iter().copied().find(|c| c.code == code)
    }

    /// Every currency the engine knows.
    pub fn all() -> &'static [Currency] {
        CURRENCIES
    }

    /// Whether a money literal written with `symbol` means this currency.
    pub fn accepts_symbol(self, symbol: char) -> bool {
        self.symbol == Some(symbol)
    }

    /// Rounds `amount` to the minor unit, half away from zero, and fixes its scale so that
    /// it prints with exactly the minor-unit digits; `None` if the amount is too large to be
    /// held with those digits (an overflow: never an amount printed without its cents).
    pub fn round(self, amount: Decimal) -> Option<Decimal> {
        self.round_with(amount, Rounding::HalfAwayFromZero)
    }

    /// Rounds `amount` to the minor unit toward zero (`$0.025` is `$0.02`), as caps and
    /// bounds round, so that no bound exceeds what its text computes; `None` as for
    /// [`Currency::round`].
    pub fn round_toward_zero(self, amount: Decimal) -> Option<Decimal> {
        self.round_with(amount, Rounding::TowardZero)
    }

    /// [`Currency::round`] or [`Currency::round_toward_zero`].
    pub fn round_with(self, amount: Decimal, rounding: Rounding) -> Option<Decimal> {
        // Already at the minor unit's scale (money read from facts or already rounded).
        if amount.scale() == self.minor_units {
            return Some(amount);
        }
        if let Some(rounded) = self.round_small(amount, rounding) {
            return Some(rounded);
        }
        // Fewer decimals (a whole amount) only add digits; more are rounded. `rescale`
        // never fails: where the mantissa cannot hold the digits it keeps fewer, so the
        // scale is checked.
        let mut rounded = if amount.scale() < self.minor_units {
            amount
        } else {
            amount.round_dp_with_strategy(self.minor_units, rounding.strategy())
        };
        rounded.rescale(self.minor_units);
        (rounded.scale() == self.minor_units).then_some(rounded)
    }

    /// [`Currency::round_with`] in 64-bit integers, for amounts whose mantissa fits (a
    /// percentage of a price has a few more decimals than the currency).
    fn round_small(self, amount: Decimal, rounding: Rounding) -> Option<Decimal> {
        let extra = amount.scale().checked_sub(self.minor_units)?;
        self.round_mantissa(i64::try_from(amount.mantissa()).ok()?, extra, rounding)
    }

    /// The amount `mantissa` × 10^-(minor units + `extra`) rounded to the minor unit;
    /// `None` if 10^`extra` is beyond 64 bits.
    fn round_mantissa(self, mantissa: i64, extra: u32, rounding: Rounding) -> Option<Decimal> {
        let divisor = i64::try_from(*POWERS_OF_TEN.get(usize::try_from(extra).ok()?)?).ok()?;
        // Integer division rounds toward zero.
        let (quotient, remainder) = (mantissa.checked_div(divisor)?, mantissa.checked_rem(divisor)?);
        // `remainder` is below `divisor` in magnitude, which is at most 10^18: doubling fits.
        let away = match rounding {
            Rounding::HalfAwayFromZero => remainder.unsigned_abs() * 2 >= divisor.unsigned_abs(),
            Rounding::TowardZero => false,
        };
        let rounded = if away { quotient + mantissa.signum() } else { quotient };
        Some(Decimal::new(rounded, self.minor_units))
    }

    /// `amount` times `factor`, rounded as [`Currency::round_with`] rounds; `None` if the
    /// product overflows. A percentage of a price, the usual case, is multiplied and rounded
    /// in 64-bit integers (both above zero, so that no sign of zero is at stake, and their
    /// mantissas' product within 64 bits, so that `Decimal` would hold it exactly: its
    /// scale is at most 28 since each is); anything else multiplies as [`exact_mul`] does.
    pub fn scaled(self, amount: Decimal, factor: Decimal, rounding: Rounding) -> Option<Decimal> {
        let small = |mantissa: i128| i64::try_from(mantissa).ok().filter(|m| *m > 0);
        let product = match (small(amount.mantissa()), small(factor.mantissa())) {
            (Some(a), Some(b)) => a.checked_mul(b),
            _ => None,
        };
        let extra = (amount.scale() + factor.scale()).checked_sub(self.minor_units);
        let fast = product.zip(extra).and_then(|(product, extra)| self.round_mantissa(product, extra, rounding));
        fast.or_else(|| exact_mul(amount, factor).and_then(|product| self.round_with(product, rounding)))
    }

    /// Whether `amount` has no more decimals than the minor unit allows.
    pub fn is_exact(self, amount: Decimal) -> bool {
        amount.scale() <= self.minor_units || amount.normalize().scale() <= self.minor_units
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn dec(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap_or_default()
    }

    #[test]
    fn rounds_half_away_from_zero_to_the_minor_unit() {
        let usd = Currency::from_code("USD").unwrap_or(CURRENCIES[0]);
        assert_eq!(usd.round(dec("0.125")).unwrap_or_default().to_string(), "0.13");
        assert_eq!(usd.round(dec("-0.125")).unwrap_or_default().to_string(), "-0.13");
        assert_eq!(usd.round(dec("0.124")).unwrap_or_default().to_string(), "0.12");
        assert_eq!(usd.round(dec("50")).unwrap_or_default().to_string(), "50.00");
        assert_eq!(usd.round(dec("12.50")).unwrap_or_default().to_string(), "12.50");
        assert_eq!(usd.round(dec("-3.05")).unwrap_or_default().to_string(), "-3.05");
        let jpy = Currency::from_code("JPY").unwrap_or(CURRENCIES[0]);
        assert_eq!(jpy.round(dec("12.5")).unwrap_or_default().to_string(), "13");
        for (amount, cents) in
            [("-0.001", "0.00"), ("-0.005", "-0.01"), ("0.005", "0.01"), ("-0.0049", "0.00"), ("30.8625", "30.86")]
        {
            let mut general = dec(amount).round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
            general.rescale(2);
            assert_eq!(
                (usd.round(dec(amount)).unwrap_or_default().to_string(), general.to_string()),
                (cents.to_string(), cents.to_string())
            );
        }
    }

    #[test]
    fn exactness_follows_the_minor_unit() {
        let usd = Currency::from_code("USD").unwrap_or(CURRENCIES[0]);
        assert!(usd.is_exact(dec("12.50")));
        assert!(usd.is_exact(dec("12.500")));
        assert!(!usd.is_exact(dec("12.505")));
    }

    #[test]
    fn percentages_of_prices_round_as_their_products_do() {
        // Prices in cents against the usual percentages: many products end in half a cent.
        let factors = ["0.25", "0.125", "0.5", "0.05", "0.1", "0.02", "0.015", "1.5", "3"];
        for currency in Currency::all() {
            for cents in (-5..2_000).chain([99_999_999, i64::MAX / 3]) {
                for factor in factors {
                    let (amount, factor) = (Decimal::new(cents, 2), dec(factor));
                    let expected = exact_mul(amount, factor).and_then(|product| currency.round(product));
                    assert_eq!(
                        currency.scaled(amount, factor, Rounding::HalfAwayFromZero),
                        expected,
                        "{amount} × {factor} in {}",
                        currency.code
                    );
                }
            }
        }
    }

    proptest::proptest! {
        /// A scaled amount is the product rounded, to the printed digit, whatever the sizes
        /// and signs of the amount and the factor.
        #[test]
        fn scaling_agrees_with_multiplying_then_rounding(
            mantissa in proptest::prelude::any::<i64>(),
            scale in 0_u32..24,
            factor in proptest::prelude::any::<i32>(),
            factor_scale in 0_u32..8,
            huge in proptest::prelude::any::<bool>(),
        ) {
            let amount = if huge { Decimal::from_i128_with_scale(i128::from(mantissa) << 30, scale) } else { Decimal::new(mantissa, scale) };
            let factor = Decimal::new(i64::from(factor), factor_scale);
            for currency in Currency::all() {
                for rounding in [Rounding::HalfAwayFromZero, Rounding::TowardZero] {
                    let expected = exact_mul(amount, factor).and_then(|product| currency.round_with(product, rounding));
                    let scaled = currency.scaled(amount, factor, rounding);
                    proptest::prop_assert_eq!(scaled.map(|d| d.to_string()), expected.map(|d| d.to_string()));
                    // Toward zero never gives more in magnitude than the exact product.
                    if let (Some(scaled), Some(product), Rounding::TowardZero) = (scaled, exact_mul(amount, factor), rounding) {
                        proptest::prop_assert!(scaled.abs() <= product.abs());
                    }
                }
            }
        }

        /// The shortcuts for amounts already at or below the minor unit's scale give what
        /// rounding and rescaling give, to the printed digit.
        #[test]
        fn rounding_shortcuts_agree_with_rounding(mantissa in proptest::prelude::any::<i64>(), scale in 0_u32..24, huge in proptest::prelude::any::<bool>()) {
            let amount = if huge { Decimal::from_i128_with_scale(i128::from(mantissa) << 30, scale) } else { Decimal::new(mantissa, scale) };
            for currency in Currency::all() {
                for rounding in [Rounding::HalfAwayFromZero, Rounding::TowardZero] {
                    let mut general = amount.round_dp_with_strategy(currency.minor_units, rounding.strategy());
                    general.rescale(currency.minor_units);
                    let rounded = currency.round_with(amount, rounding);
                    // Either the exact digits, or none (an amount too large for them).
                    let fits = general.scale() == currency.minor_units;
                    proptest::prop_assert_eq!(rounded.map(|d| d.to_string()), fits.then(|| general.to_string()));
                }
                proptest::prop_assert_eq!(currency.is_exact(amount), amount.normalize().scale() <= currency.minor_units);
            }
        }
    }
}
