//! The functions of Rhai's standard library that a policy script may not reach as they are:
//! replaced, in the engine's own namespace (searched before its packages), by versions that
//! cannot panic and whose cost the sandbox's limits bound.

use rhai::{Engine, EvalAltResult, ImmutableString, NativeCallContext, Position};
use rust_decimal::Decimal;

/// Decimal functions whose rust_decimal implementation panics on some arguments (`tan` of
/// pi/2 overflows, `sin` and `cos` of large values, `sqrt` asserts on its iteration count)
/// or is inexact by nature. Money is exact: scripts compute with `+ - * / %`, integer powers
/// and rounding.
const TRANSCENDENTAL: &[&str] = &["sin", "cos", "tan", "sqrt", "exp", "ln", "log"];

/// Replaces the unsafe functions of the packages registered on `engine`.
pub(super) fn replace_unsafe_functions(engine: &mut Engine) {
    for &name in TRANSCENDENTAL {
        engine.register_fn(name, move |_: Decimal| -> Result<Decimal, Box<EvalAltResult>> {
            Err(format!("`{name}` is not available in policy scripts, whose numbers are exact decimals").into())
        });
    }
    engine.register_fn("replace", |ctx: NativeCallContext, text: &mut ImmutableString, find: &str, with: &str| {
        replace(&ctx, text, find, with)
    });
    engine.register_fn("replace", |ctx: NativeCallContext, text: &mut ImmutableString, find: &str, with: char| {
        replace(&ctx, text, find, with.encode_utf8(&mut [0; 4]))
    });
    engine.register_fn("replace", |ctx: NativeCallContext, text: &mut ImmutableString, find: char, with: &str| {
        replace(&ctx, text, find.encode_utf8(&mut [0; 4]), with)
    });
    engine.register_fn("replace", |ctx: NativeCallContext, text: &mut ImmutableString, find: char, with: char| {
        replace(&ctx, text, find.encode_utf8(&mut [0; 4]), with.encode_utf8(&mut [0; 4]))
    });
}

/// `text.replace(find, with)`, refused before it is built when the result would exceed the
/// engine's string size: Rhai's own builds the whole string first (10,000 characters
/// replaced by 10,000 characters each is 100 million), and only then finds it too large.
fn replace(
    ctx: &NativeCallContext,
    text: &mut ImmutableString,
    find: &str,
    with: &str,
) -> Result<(), Box<EvalAltResult>> {
    if text.is_empty() {
        return Ok(());
    }
    let max = ctx.engine().max_string_size();
    let count = if find.is_empty() { text.chars().count().saturating_add(1) } else { text.matches(find).count() };
    let removed = count.saturating_mul(find.chars().count());
    let added = count.saturating_mul(with.chars().count());
    let size = text.chars().count().saturating_sub(removed).saturating_add(added);
    if max > 0 && size > max {
        return Err(Box::new(EvalAltResult::ErrorDataTooLarge(
            "Length of string built by `replace`".to_string(),
            Position::NONE,
        )));
    }
    *text = text.replace(find, with).into();
    Ok(())
}

/// Runs `f`; on native targets a panic inside it (a bug of Rhai or rust_decimal that the
/// replacements above missed) becomes an error naming it instead of unwinding through the
/// engine. On targets that abort on panic (wasm32) there is nothing to catch: the functions
/// known to panic are replaced above, and `no_sandbox_function_panics` sweeps the rest.
pub(super) fn contain_panic<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    #[cfg(panic = "unwind")]
    {
        // The closure only borrows the engine and the compiled scripts, which a call does
        // not change, and a fresh scope: nothing half-updated outlives the panic.
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).map_err(|payload| {
            let why = payload
                .downcast_ref::<&str>()
                .map(|s| (*s).to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown cause".to_string());
            format!("script stopped by an internal error of the script engine: {why}")
        })
    }
    #[cfg(not(panic = "unwind"))]
    {
        Ok(f())
    }
}
