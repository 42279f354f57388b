//! "Did you mean": the closest word by edit distance, for the checker's unknown names, and
//! the keyword a syntax error's misspelt, miscased or foreign word stands for.

use crate::syntax::diagnostic::Diagnostic;
use crate::syntax::span::Span;

/// Words longer than this get no suggestion.
const MAX_SUGGESTED_WORD: usize = 64;

/// The closest of `candidates` to `word` by edit distance, if close enough to suggest.
pub(crate) fn closest<'c>(word: &str, candidates: impl Iterator<Item = &'c str>) -> Option<&'c str> {
    let length = word.chars().count();
    if length > MAX_SUGGESTED_WORD {
        return None;
    }
    let limit = (length / 3).max(2);
    candidates
        .filter(|c| c.len().abs_diff(word.len()) <= limit * 4)
        .take(1_000)
        .map(|c| (edit_distance(word, c), c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, c)| (*d, *c))
        .map(|(_, c)| c)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = Vec::with_capacity(b.len() + 1);
        current.push(i + 1);
        for ((cb, diagonal), above) in b.iter().zip(&previous).zip(previous.iter().skip(1)) {
            let left = current.last().copied().unwrap_or(i + 1);
            current.push((diagonal + usize::from(ca != *cb)).min(above + 1).min(left + 1));
        }
        previous = current;
    }
    previous.last().copied().unwrap_or(0)
}

/// Words that other policy languages use where ours has a keyword.
const KEYWORD_SYNONYMS: &[(&str, &str)] = &[
    ("forbid", "never"),
    ("deny", "never"),
    ("disallow", "never"),
    ("prohibit", "never"),
    ("if", "when"),
    ("where", "when"),
    ("unless", "when not"),
    ("allow", "may"),
    ("can", "may"),
    ("permit", "may"),
    ("cap", "limit"),
    ("max", "limit"),
    ("actions", "gestures"),
    ("gesture", "gestures"),
    ("fact", "facts"),
    ("role", "roles"),
    ("rules", "rule"),
    ("rul", "rule"),
    ("wen", "when"),
    ("whn", "when"),
    ("nevr", "never"),
    ("limt", "limit"),
    ("owes", "owe"),
    ("recomend", "recommend"),
    ("suggest", "recommend"),
    ("escalte", "escalate"),
];

/// Keywords that start an item or a statement.
const STATEMENT_KEYWORDS: &[&str] = &[
    "policy",
    "currency",
    "roles",
    "facts",
    "gestures",
    "rule",
    "never",
    "limit",
    "script",
    "when",
    "priority",
    "owe",
    "recommend",
    "escalate",
];

/// The keyword that `word` stands for among `keywords`: a synonym or a misspelling of one
/// (`forbid`, `sugest`), a misspelt keyword (`whne`) or a capitalised one (`Rule`). The
/// message and the help that say so.
fn keyword_for(word: &str, keywords: &[&str]) -> Option<(String, String)> {
    if keywords.contains(&word) {
        return None;
    }
    let lower = word.to_ascii_lowercase();
    if keywords.contains(&lower.as_str()) {
        return Some((format!("keywords are lowercase: `{word}`"), format!("write `{lower}`")));
    }
    let stands_for = |keyword: &&str| keywords.contains(&keyword.split(' ').next().unwrap_or(keyword));
    let keyword = match KEYWORD_SYNONYMS.iter().find(|(synonym, keyword)| *synonym == lower && stands_for(keyword)) {
        Some((_, keyword)) => *keyword,
        // A misspelling of a keyword, or of `suggest`, which `recommend` means.
        None => match closest(&lower, keywords.iter().copied().chain(stands_for(&"recommend").then_some("suggest")))? {
            "suggest" => "recommend",
            keyword => keyword,
        },
    };
    Some((format!("unknown keyword `{word}`"), format!("did you mean `{keyword}`?")))
}

/// The roles declared on the `roles` line, which are not misspelt keywords.
fn declared_roles(source: &str) -> Vec<&str> {
    let Some(line) = source.lines().find(|line| line.starts_with("roles ")) else { return Vec::new() };
    line.split(|c: char| c.is_whitespace() || c == '<').filter(|w| !w.is_empty()).skip(1).collect()
}

/// A syntax error on the line starting at `start`, at `offset`, that a wrong keyword
/// explains: `forbid comp when ...`, `sugest thank_you_note`, `Rule late_delivery`
/// (the statement's first word), or `clerk allow comp`, `associate mya comp` (where `may`
/// belongs). Names the word and suggests the keyword.
pub(crate) fn unknown_keyword(source: &str, start: usize, offset: usize) -> Option<Diagnostic> {
    let line = source.get(start..)?;
    let indent = line.len().saturating_sub(line.trim_start().len());
    let mut words = line
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .scan(0usize, |pos, word| {
            let at = *pos;
            *pos = pos.saturating_add(word.len()).saturating_add(1);
            Some((start.saturating_add(at), word))
        })
        .filter(|(_, w)| !w.is_empty());
    let (first_at, first) = words.next()?;
    // Not at the start of the statement, or a fact path such as `order.total`.
    let path = source.as_bytes().get(first_at.saturating_add(first.len())) == Some(&b'.');
    if first_at != start.saturating_add(indent) || path {
        return None;
    }
    let second = words.next();
    let found = |at: usize, word: &str, (message, help): (String, String)| {
        Diagnostic::error("E0001", message, Span::new(at, at.saturating_add(word.len()))).with_help(help)
    };
    // Where `may` belongs, after a role: the error is at the word that stands there.
    if let Some((at, word)) = second.filter(|(at, _)| *at == offset) {
        if let Some(wrong) = keyword_for(word, &["may"]) {
            return Some(found(at, word, wrong));
        }
    }
    // The statement's first word, unless it is a role that starts a grant.
    let grant = second.is_some_and(|(_, word)| word == "may") || declared_roles(source).contains(&first);
    if first_at <= offset && !grant {
        if let Some(wrong) = keyword_for(first, STATEMENT_KEYWORDS) {
            return Some(found(first_at, first, wrong));
        }
    }
    None
}
