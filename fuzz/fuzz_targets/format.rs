//! The formatter on arbitrary text: whatever parses formats to text that parses to the same
//! tree (spans aside) and is a fixed point; whatever does not parse is refused, not mangled.
#![no_main]

use extramile::syntax::format::{fingerprint, format};
use extramile::syntax::parser::parse;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let Ok(tree) = parse(text) else {
        assert!(format(text).is_err());
        return;
    };
    let once = match format(text) {
        Ok(once) => once,
        Err(err) => panic!("parses but does not format: {err:?}"),
    };
    let reparsed = match parse(&once) {
        Ok(reparsed) => reparsed,
        Err(err) => panic!("formatted text does not parse: {err:?}\n{once}"),
    };
    assert_eq!(fingerprint(&tree), fingerprint(&reparsed), "meaning changed:\n{once}");
    assert_eq!(format(&once).ok().as_deref(), Some(once.as_str()), "not a fixed point:\n{once}");
});
