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
    /// it prints with exactly the minor-unit digits.
    pub fn round(self, amount: Decimal) -> Decimal {
        // Already at the minor unit's scale (money read from facts or already rounded).
        if amount.scale() == self.minor_units {
            return amount;
        }
        // Fewer decimals (a whole amount): nothing to round, only digits to add.
        if amount.scale() < self.minor_units {
            let mut widened = amount;
            widened.rescale(self.minor_units);
            return widened;
        }
        if let Some(rounded) = self.round_small(amount) {
            return rounded;
        }
        let mut rounded = amount.round_dp_with_strategy(self.minor_units, RoundingStrategy::MidpointAwayFromZero);
        rounded.rescale(self.minor_units);
        rounded
    }

    /// [`Currency::round`] in 64-bit integers, for amounts whose mantissa fits (a
    /// percentage of a price has a few more decimals than the currency): the mantissa
    /// divided by a power of ten, the remainder rounding half away from zero.
    fn round_small(self, amount: Decimal) -> Option<Decimal> {
        let extra = amount.scale().checked_sub(self.minor_units)?;
        self.round_mantissa(i64::try_from(amount.mantissa()).ok()?, extra)
    }

    /// The amount `mantissa` × 10^-(minor units + `extra`) rounded to the minor unit, half
    /// away from zero; `None` if 10^`extra` is beyond 64 bits.
    fn round_mantissa(self, mantissa: i64, extra: u32) -> Option<Decimal> {
        let divisor = i64::try_from(*POWERS_OF_TEN.get(usize::try_from(extra).ok()?)?).ok()?;
        let (quotient, remainder) = (mantissa / divisor, mantissa % divisor);
        // `remainder` is below `divisor` in magnitude, which is at most 10^18: doubling fits.
        let away = remainder.unsigned_abs() * 2 >= divisor.unsigned_abs();
        let rounded = if away { quotient + mantissa.signum() } else { quotient };
        Some(Decimal::new(rounded, self.minor_units))
    }

    /// `amount` times `factor`, rounded as [`Currency::round`] rounds; `None` if the product
    /// overflows. A percentage of a price, the usual case, is multiplied and rounded in
    /// 64-bit integers (both above zero, so that no sign of zero is at stake, and their
    /// mantissas' product within 64 bits, so that `Decimal` would hold it exactly: its
    /// scale is at most 28 since each is); anything else multiplies as `Decimal` does.
    pub fn scaled(self, amount: Decimal, factor: Decimal) -> Option<Decimal> {
        let small = |mantissa: i128| i64::try_from(mantissa).ok().filter(|m| *m > 0);
        let product = match (small(amount.mantissa()), small(factor.mantissa())) {
            (Some(a), Some(b)) => a.checked_mul(b),
            _ => None,
        };
        let extra = (amount.scale() + factor.scale()).checked_sub(self.minor_units);
        let fast = product.zip(extra).and_then(|(product, extra)| self.round_mantissa(product, extra));
        fast.or_else(|| amount.checked_mul(factor).map(|product| self.round(product)))
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
        assert_eq!(usd.round(dec("0.125")).to_string(), "0.13");
        assert_eq!(usd.round(dec("-0.125")).to_string(), "-0.13");
        assert_eq!(usd.round(dec("0.124")).to_string(), "0.12");
        assert_eq!(usd.round(dec("50")).to_string(), "50.00");
        assert_eq!(usd.round(dec("12.50")).to_string(), "12.50");
        assert_eq!(usd.round(dec("-3.05")).to_string(), "-3.05");
        let jpy = Currency::from_code("JPY").unwrap_or(CURRENCIES[0]);
        assert_eq!(jpy.round(dec("12.5")).to_string(), "13");
        for (amount, cents) in
            [("-0.001", "0.00"), ("-0.005", "-0.01"), ("0.005", "0.01"), ("-0.0049", "0.00"), ("30.8625", "30.86")]
        {
            let mut general = dec(amount).round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
            general.rescale(2);
            assert_eq!(
                (usd.round(dec(amount)).to_string(), general.to_string()),
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
                    let expected = amount.checked_mul(factor).map(|product| currency.round(product));
                    assert_eq!(currency.scaled(amount, factor), expected, "{amount} × {factor} in {}", currency.code);
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
                let expected = amount.checked_mul(factor).map(|product| currency.round(product));
                let scaled = currency.scaled(amount, factor);
                proptest::prop_assert_eq!(scaled.map(|d| d.to_string()), expected.map(|d| d.to_string()));
            }
        }

        /// The shortcuts for amounts already at or below the minor unit's scale give what
        /// rounding and rescaling give, to the printed digit.
        #[test]
        fn rounding_shortcuts_agree_with_rounding(mantissa in proptest::prelude::any::<i64>(), scale in 0_u32..24, huge in proptest::prelude::any::<bool>()) {
            let amount = if huge { Decimal::from_i128_with_scale(i128::from(mantissa) << 30, scale) } else { Decimal::new(mantissa, scale) };
            for currency in Currency::all() {
                let mut general = amount.round_dp_with_strategy(currency.minor_units, RoundingStrategy::MidpointAwayFromZero);
                general.rescale(currency.minor_units);
                let rounded = currency.round(amount);
                proptest::prop_assert_eq!(rounded.to_string(), general.to_string());
                proptest::prop_assert_eq!(currency.is_exact(amount), amount.normalize().scale() <= currency.minor_units);
            }
        }
    }
}
