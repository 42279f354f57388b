//! A cheap pre-scan that bounds how deeply expressions nest, before pest sees the text.
//!
//! The grammar, the Pratt parser, the checker and the evaluator all recurse on
//! expressions, so a policy of 100,000 nested parentheses, `not`s or `+ 1`s would
//! exhaust the stack. This scan runs in one linear pass over the bytes and bounds, per
//! expression, the number of open brackets plus the number of operators: every level of
//! the syntax tree needs a bracket or an operator, so this number bounds the tree's depth
//! (it over-counts, never under-counts). Texts, comments and script bodies are skipped.
//!
//! An expression ends at a line break, unless the next line starts with `and` or `or`
//! (which continue a condition). A comma starts a fresh count inside its brackets: list
//! elements and call arguments are separate subtrees.

use crate::syntax::diagnostic::Diagnostic;
use crate::syntax::scan;
use crate::syntax::span::Span;

/// The default of [`crate::LoadOptions::max_expression_depth`].
pub const DEFAULT_MAX_EXPRESSION_DEPTH: usize = 100;

/// Whether a word is an operator: each may add a level to the syntax tree.
fn is_operator_word(word: &[u8]) -> bool {
    matches!(word, b"and" | b"or" | b"not" | b"is" | b"in" | b"of" | b"contains" | b"since" | b"until" | b"between")
}

/// Checks that no expression of `source` is deeper than `max_depth`; otherwise returns
/// an `E0007` diagnostic at the bracket or operator that went over.
pub fn check_depth(source: &str, max_depth: usize) -> Result<(), Diagnostic> {
    let bytes = source.as_bytes();
    // Script bodies, which the scan skips across lines, send the whole policy to the scan.
    if memchr::memmem::find(bytes, b"\"\"\"").is_some() {
        return scan(bytes, 0, max_depth);
    }
    for chain in long_chains(bytes, max_depth) {
        scan(bytes.get(chain.clone()).unwrap_or_default(), chain.start, max_depth)?;
    }
    Ok(())
}

/// The chains of lines of `bytes` (a policy without script bodies) that may hold an
/// expression deeper than `max_depth`, in order; the scan need look at these alone.
///
/// A chain is a line and the lines that continue it: those starting with `and` or `or`,
/// and, to stay on the safe side, blank and comment lines. The scan's count starts afresh
/// where a chain starts, and only grows by brackets and operators, each at least one byte,
/// so a chain no longer than `max_depth` bytes cannot go over. Finding the line breaks
/// takes `memchr`, far less than the byte-by-byte scan.
fn long_chains(bytes: &[u8], max_depth: usize) -> Vec<std::ops::Range<usize>> {
    let mut long = Vec::new();
    // The chain so far: from its first line's start to its last line's end, plus one (a
    // line break counts as a byte of the chain, even where the last line has none).
    let (mut chain_start, mut chain_end) = (0usize, 0usize);
    let mut line_start = 0usize;
    for line_end in memchr::memchr_iter(b'\n', bytes).chain(std::iter::once(bytes.len())) {
        let line = bytes.get(line_start..line_end).unwrap_or_default();
        // The scan skips these at a line's start (`\r` is a line break to it).
        let words = line.iter().position(|b| !matches!(b, b' ' | b'\t' | b'\r')).and_then(|start| line.get(start..));
        let continues = words.is_none_or(|words| {
            let word_len = words.iter().position(|&b| !scan::is_word_byte(b)).unwrap_or(words.len());
            words.first() == Some(&b'#') || matches!(words.get(..word_len), Some(b"and" | b"or"))
        });
        if !continues {
            if chain_end.saturating_sub(chain_start) > max_depth {
                long.push(chain_start..chain_end.min(bytes.len()));
            }
            chain_start = line_start;
        }
        chain_end = line_end.saturating_add(1);
        line_start = line_end.saturating_add(1);
    }
    if chain_end.saturating_sub(chain_start) > max_depth {
        long.push(chain_start..chain_end.min(bytes.len()));
    }
    long
}

/// The scan itself (see the module's documentation), over `bytes`, found at `offset` in
/// the policy: they start where a count starts afresh.
fn scan(bytes: &[u8], offset: usize, max_depth: usize) -> Result<(), Diagnostic> {
    // Operators counted in each open bracket (the first entry is outside any bracket).
    let mut frames: Vec<usize> = vec![0];
    let mut total = 0usize;
    let mut at_line_start = true;
    let mut skip_line = false;
    let mut i = 0usize;
    while let Some(&byte) = bytes.get(i) {
        let start = i;
        i += 1;
        match byte {
            b'\n' | b'\r' => {
                at_line_start = true;
                skip_line = false;
                continue;
            }
            b' ' | b'\t' => continue,
            b'#' => {
                i = scan::line_end(bytes, start);
                continue;
            }
            _ => {}
        }
        let word_end = if scan::is_word_byte(byte) {
            let rest = bytes.get(i..).unwrap_or_default();
            Some(i + rest.iter().position(|&b| !scan::is_word_byte(b)).unwrap_or(rest.len()))
        } else {
            None
        };
        if at_line_start {
            at_line_start = false;
            let word = word_end.and_then(|end| bytes.get(start..end)).unwrap_or(&[]);
            if word != b"and" && word != b"or" {
                frames.clear();
                frames.push(0);
                total = 0;
            }
            // `roles a < b < c` uses `<` as a separator, not an operator.
            skip_line = word == b"roles";
        }
        let mut operator = false;
        match byte {
            b'"' if scan::opens_script(bytes, start) => i = scan::script_end(bytes, start),
            b'"' => i = scan::text_end(bytes, start).0,
            b'(' | b'[' => {
                frames.push(0);
                total += 1;
                if total > max_depth {
                    return Err(too_deep(offset + start, max_depth, "open brackets and operators number"));
                }
            }
            b')' | b']' => {
                if frames.len() > 1 {
                    let ops = frames.pop().unwrap_or(0);
                    total = total.saturating_sub(ops + 1);
                }
            }
            b',' => {
                if let Some(ops) = frames.last_mut() {
                    total = total.saturating_sub(*ops);
                    *ops = 0;
                }
            }
            b'<' | b'>' | b'=' | b'!' => {
                if bytes.get(i) == Some(&b'=') {
                    i += 1;
                }
                operator = !skip_line;
            }
            b'+' | b'-' | b'*' | b'/' => operator = !skip_line,
            _ => {
                if let Some(end) = word_end {
                    operator = !skip_line && bytes.get(start..end).is_some_and(is_operator_word);
                    i = end;
                }
            }
        }
        if operator {
            if let Some(ops) = frames.last_mut() {
                *ops += 1;
            }
            total += 1;
            if total > max_depth {
                return Err(too_deep(offset + start, max_depth, "operators and open brackets number"));
            }
        }
    }
    Ok(())
}

fn too_deep(offset: usize, max_depth: usize, what: &str) -> Diagnostic {
    Diagnostic::error(
        "E0007",
        format!("this expression is too deep: its {what} more than {max_depth} (the parser nests one level for each)"),
        Span::new(offset, offset + 1),
    )
    .with_help(
        "split the condition over several `when` lines, or use `in [...]` instead of a chain of `or`s; \
         the limit is `LoadOptions::max_expression_depth`",
    )
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests fail loudly")]
mod tests {
    use super::*;

    #[test]
    fn counts_brackets_and_operators_per_expression() {
        assert!(check_depth("when (((a)))", 3).is_ok());
        assert!(check_depth("when ((((a))))", 3).is_err());
        assert!(check_depth("when not not not a", 3).is_ok());
        assert!(check_depth("when not not not not a", 3).is_err());
        assert!(check_depth("when 1 + 1 + 1 > 2", 3).is_ok());
        assert!(check_depth("when 1 + 1 + 1 + 1 > 2", 3).is_err());
        // A new statement starts a new count; `and`/`or` lines continue it.
        assert!(check_depth("when a + b\nwhen c + d\n", 1).is_ok());
        assert!(check_depth("when a + b\n  and c\n", 1).is_err());
        // List elements are counted separately.
        assert!(check_depth("when x in [1 + 1, 2 + 2, 3 + 3]", 3).is_ok());
        // Texts, comments, scripts and role ladders do not count.
        assert!(check_depth("when \"((((((\" # ((((((\nscript \"\"\"(((((((\"\"\"\nroles a < b < c < d\n", 1).is_ok());
        let err = check_depth("when ((((a))))", 3).err().map(|d| d.span.start);
        assert_eq!(err, Some(8));
    }

    /// The scan of the whole policy, which `check_depth` must agree with.
    fn whole_scan(source: &str, max_depth: usize) -> Result<(), Span> {
        scan(source.as_bytes(), 0, max_depth).map_err(|d| d.span)
    }

    proptest::proptest! {
        /// Scanning only the long chains gives what scanning the whole policy gives, the
        /// place of the error included: on generated sources of brackets, operators,
        /// words, texts, comments, script bodies, blank lines and continuation lines.
        #[test]
        fn scanning_the_long_chains_is_scanning_everything(
            tokens in proptest::collection::vec(proptest::sample::select(&[
                "when", "a", "and", "or", "not", "is", "in", "of", "(", "(", "(", ")", "[", "]", ",", "+", "-", "<=",
                ">", " ", "\n", "\n", "\nand", "\nor", "\n  and", "\n#c\n", "\n#\n", "\n\n", "\"((\"",
                "\"\"\"((\n(\"\"\"", "\r", "roles", "\t", "\r\n", "\n\r  and", "x\"((", "#((", "\n  #(\n",
            ][..]), 0..80),
            max_depth in 0_usize..16,
        ) {
            let source: String = tokens.concat();
            let chains = check_depth(&source, max_depth).map_err(|d| d.span);
            proptest::prop_assert_eq!(chains, whole_scan(&source, max_depth), "{:?} at {}", source, max_depth);
        }
    }

    #[test]
    fn short_chains_skip_the_scan() {
        let policy = "rule r\n  when a + (b * c) > 2\n    and d is \"x\"\n  agent may refund\n";
        assert!(long_chains(policy.as_bytes(), 100).is_empty());
        // The `and` line continues the `when` line: both are scanned, and only they.
        let when = policy.find("  when").unwrap();
        let agent = policy.find("  agent").unwrap();
        let chains = long_chains(policy.as_bytes(), 20);
        assert_eq!((chains.len(), chains.first()), (1, Some(&(when..agent))));
        // Lines each short enough whose chain is too deep: an `and` line continues the
        // count, and blank and comment lines do not end it.
        for source in ["(((((\nand((", "(((((((\n#\nand(", "(((((((\n\nand(", "(((((((\n  \nor("] {
            let max_depth = if source.starts_with("(((((((") { 8 } else { 6 };
            assert!(whole_scan(source, max_depth).is_err(), "{source:?}");
            assert!(check_depth(source, max_depth).is_err(), "{source:?}");
        }
    }
}
