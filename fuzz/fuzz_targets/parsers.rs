//! Arbitrary text through both parsers: where the hand-written parser gives an AST, pest
//! gives the same one, spans included (as `parser::parse` runs them: after the depth
//! pre-scan).
#![no_main]

use extramile::syntax::{depth, fast, parser};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    if depth::check_depth(text, depth::DEFAULT_MAX_EXPRESSION_DEPTH).is_err() {
        return;
    }
    if let Some(fast) = fast::parse(text) {
        match parser::parse_with_pest(text) {
            Ok(pest) => assert_eq!(fast, pest, "the parsers disagree"),
            Err(err) => panic!("the fast parser read what pest refuses: {}", err.message),
        }
    }
});
