//! Arbitrary bytes as a policy file: never a panic, never an internal error (`E0000`), and
//! every diagnostic renders with a position inside the text.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let diagnostics = extramile::Policy::check_bytes("fuzz.policy", data);
    for diagnostic in diagnostics.items() {
        assert_ne!(diagnostic.code, "E0000", "internal error: {diagnostic:?}");
    }
    let rendered = diagnostics.render(false);
    if diagnostics.has_errors() {
        assert!(rendered.contains("--> fuzz.policy:"), "an error without a position: {rendered}");
    }
});
