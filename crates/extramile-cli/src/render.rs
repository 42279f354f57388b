//! Human-readable output: decisions, explanations and coverage.

use extramile::decision::{Decision, Outcome};
use extramile::testing::FileResults;
use extramile::Diagnostics;
use std::fmt::Write as _;

/// Text that came from a policy, an incident or a file name, made safe to show on a
/// terminal: every control character (ESC, CR, line breaks, tabs, C1 codes) and every
/// bidirectional override is written as its escape (`\u{1b}`, `\r`, `\n`), so that no
/// input can colour, move the cursor, overwrite or forge a line of the output. This is the
/// one gate through which the human output shows such text; JSON output escapes by itself.
pub(crate) fn shown(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        escape_into(&mut out, c);
    }
    out
}

/// Whether `c` cannot be shown as itself: a control character or a bidirectional control.
fn unsafe_char(c: char) -> bool {
    c.is_control() || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

fn escape_into(out: &mut String, c: char) {
    if unsafe_char(c) {
        out.extend(c.escape_default());
    } else {
        out.push(c);
    }
}

/// A whole block the core rendered for a terminal (diagnostics, a scenario failure): line
/// breaks stay, every other unsafe character is escaped as by [`shown`] — except, when
/// `color` is on, the colour codes (`ESC [ digits ; ... m`) the renderer itself wrote.
pub(crate) fn shown_block(text: &str, color: bool) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        let colour_code = color && c == '\u{1b}' && sgr_length(rest).is_some();
        let length = if colour_code { sgr_length(rest).unwrap_or(1) } else { c.len_utf8() };
        let (piece, tail) = rest.split_at_checked(length).unwrap_or((rest, ""));
        if colour_code || c == '\n' {
            out.push_str(piece);
        } else {
            escape_into(&mut out, c);
        }
        rest = tail;
    }
    out
}

/// Diagnostics rendered rustc-style for a terminal, through [`shown_block`].
pub(crate) fn diagnostics(diagnostics: &Diagnostics, color: bool) -> String {
    shown_block(&diagnostics.render(color), color)
}

/// The length of the colour code (`ESC [ 0-9;* m`) that `text` starts with, if it starts
/// with one.
fn sgr_length(text: &str) -> Option<usize> {
    let body = text.strip_prefix("\u{1b}[")?;
    let digits = body.bytes().take_while(|b| b.is_ascii_digit() || *b == b';').count();
    (body.as_bytes().get(digits) == Some(&b'm')).then(|| digits.saturating_add(3))
}

struct Style {
    color: bool,
}

impl Style {
    fn paint(&self, code: &str, text: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }
    fn heading(&self, text: &str) -> String {
        self.paint("1", text)
    }
    fn good(&self, text: &str) -> String {
        self.paint("32", text)
    }
    fn bad(&self, text: &str) -> String {
        self.paint("31", text)
    }
    fn dim(&self, text: &str) -> String {
        self.paint("2", text)
    }
}

fn gesture_text(
    gesture: &str,
    item: &Option<extramile::Name>,
    amount: Option<extramile::Decimal>,
    currency: &str,
) -> String {
    let mut text = shown(gesture);
    if let Some(item) = item {
        let _ = write!(text, " ({})", shown(item));
    }
    if let Some(amount) = amount {
        let _ = write!(text, " up to {amount} {currency}");
    }
    text
}

/// The decision as a readable summary, with the trace when `explain` is on.
pub(crate) fn decision(decision: &Decision, explain: bool, source: &str, color: bool) -> String {
    let style = Style { color };
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} {} at {} ({}, {})",
        style.heading("Decision for"),
        style.heading(&shown(&decision.role)),
        decision.now,
        shown(&decision.policy),
        shown(&decision.currency)
    );
    let currency = decision.currency.as_str();
    let mut section = |title: &str, lines: Vec<String>| {
        if !lines.is_empty() {
            let _ = writeln!(out, "\n{}", style.heading(title));
            for line in lines {
                let _ = writeln!(out, "  - {line}");
            }
        }
    };
    section(
        "May do now:",
        decision
            .offers
            .iter()
            .map(|offer| {
                let choices: Vec<String> =
                    offer.one_of.iter().map(|g| gesture_text(&g.gesture, &g.item, g.up_to, currency)).collect();
                let text =
                    if choices.len() > 1 { format!("one of: {}", choices.join(" | ")) } else { choices.join("") };
                format!("{text}  {}", style.dim(&format!("[{}]", shown(&offer.rule))))
            })
            .collect(),
    );
    section(
        "Needs approval:",
        decision
            .needs_approval
            .iter()
            .map(|a| {
                format!(
                    "{} by {}  {}",
                    gesture_text(&a.gesture, &a.item, a.up_to, currency),
                    shown(&a.approver),
                    style.dim(&format!("[{}]", shown(&a.rule)))
                )
            })
            .collect(),
    );
    section(
        "Owed:",
        decision
            .owed
            .iter()
            .map(|o| {
                let amount = o.amount.map_or(String::new(), |a| format!(" {a} {currency}"));
                let item = o.item.as_ref().map_or(String::new(), |i| format!(" ({})", shown(i)));
                format!("{}{item}{amount}  {}", shown(&o.gesture), style.dim(&format!("[{}]", shown(&o.rule))))
            })
            .collect(),
    );
    section(
        "Recommended:",
        decision
            .recommended
            .iter()
            .map(|r| {
                let mut text = shown(&r.gesture);
                if let Some(item) = &r.item {
                    let _ = write!(text, " ({})", shown(item));
                }
                if let Some(amount) = r.amount {
                    let _ = write!(text, " of {amount} {currency}");
                }
                if let Some(due) = &r.due {
                    let _ = write!(text, " due {}", shown(due));
                }
                format!("{text}  {}", style.dim(&format!("[{}]", shown(&r.rule))))
            })
            .collect(),
    );
    section(
        "Forbidden:",
        decision
            .forbidden
            .iter()
            .map(|f| {
                format!(
                    "{}: {}  {}",
                    style.bad(&shown(&f.gesture)),
                    shown(&f.reason),
                    style.dim(&format!("[{}]", shown(&f.rule)))
                )
            })
            .collect(),
    );
    section(
        "Escalate to:",
        decision
            .escalations
            .iter()
            .map(|e| {
                let reason = e.reason.as_ref().map_or(String::new(), |r| format!(": {}", shown(r)));
                format!("{}{reason}  {}", shown(&e.to), style.dim(&format!("[{}]", shown(&e.rule))))
            })
            .collect(),
    );
    section(
        "Errors (fail safe: a grant that failed gives nothing, a forbid or limit that failed blocks):",
        decision.errors.iter().map(problem).collect(),
    );
    section("Warnings:", decision.warnings.iter().map(problem).collect());
    let empty = decision.offers.is_empty()
        && decision.needs_approval.is_empty()
        && decision.owed.is_empty()
        && decision.recommended.is_empty()
        && decision.forbidden.is_empty()
        && decision.escalations.is_empty()
        && decision.errors.is_empty();
    if empty {
        let _ = writeln!(out, "\nNo rule applies to this incident.");
    }
    if explain {
        out.push_str(&explanation(decision, source, &style));
    }
    out
}

fn explanation(decision: &Decision, source: &str, style: &Style) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "\n{}", style.heading("Why, rule by rule:"));
    // The source's lines, split once: looking each rule's line up from the start made the
    // explanation quadratic in the rules.
    let lines: Vec<&str> = source.lines().collect();
    for trace in decision.trace.iter().flatten() {
        let header = shown(lines.get(trace.line().saturating_sub(1) as usize).map_or("", |line| line.trim()));
        let (mark, verdict) = match trace.outcome() {
            Outcome::Matched => (style.good("✓"), "applies: every condition held".to_string()),
            Outcome::NotMatched => (
                style.dim("✗"),
                format!("does not apply: `{}` is false", shown(trace.clause().unwrap_or("a condition"))),
            ),
            Outcome::Error => (
                style.bad("!"),
                format!(
                    "could not be checked, so it grants nothing: `{}`: {}",
                    shown(trace.clause().unwrap_or("a condition")),
                    shown(trace.error().unwrap_or("error"))
                ),
            ),
        };
        let _ = writeln!(out, "  {mark} {} (line {}): {verdict}", shown(trace.rule()), trace.line());
        let _ = writeln!(out, "      {}", style.dim(&format!("{:>4} | {header}", trace.line())));
        for read in trace.reads() {
            let value = if read.value.is_null() { "missing".to_string() } else { read.value.to_string() };
            let _ = writeln!(out, "      read {} = {}", shown(&read.fact), shown(&value));
        }
    }
    for f in &decision.forbidden {
        let _ = writeln!(
            out,
            "  {} {} is forbidden by {}: {}",
            style.bad("⊘"),
            shown(&f.gesture),
            shown(&f.rule),
            shown(&f.reason)
        );
    }
    for o in decision.offers.iter().flat_map(|o| o.one_of.iter()) {
        if let (Some(amount), Some(by)) = (o.up_to, &o.limited_by) {
            let _ = writeln!(
                out,
                "  $ {} is limited to {amount} by {} (the most generous grant, capped by limits)",
                shown(&o.gesture),
                shown(by)
            );
        }
    }
    out
}

/// Coverage of one scenario file: each rule with the number of scenarios that matched it.
pub(crate) fn coverage(results: &FileResults) -> String {
    let mut out = format!(
        "coverage of {} by {}:\n",
        shown(&results.policy_path.display().to_string()),
        shown(&results.path.display().to_string())
    );
    for rule in &results.rules {
        let count = results.results.iter().filter(|r| r.matched_rules.iter().any(|m| m == rule)).count();
        let flag = if count == 0 { "  <- no scenario exercises this rule" } else { "" };
        let _ = writeln!(out, "  {:<32} {count:>3} scenarios{flag}", shown(rule));
    }
    out
}

/// Diagnostics of one file as JSON, with line and column added to every span.
pub(crate) fn diagnostics_json(name: &str, diagnostics: &Diagnostics) -> serde_json::Value {
    let items: Vec<serde_json::Value> = diagnostics
        .items()
        .iter()
        .map(|d| {
            let position = diagnostics.line_column(d.span);
            let mut value = serde_json::to_value(d).unwrap_or_default();
            if let Some(map) = value.as_object_mut() {
                map.insert("line".into(), position.line.into());
                map.insert("column".into(), position.column.into());
            }
            value
        })
        .collect();
    serde_json::json!({
        "file": name,
        "errors": diagnostics.error_count(),
        "warnings": diagnostics.warning_count(),
        "diagnostics": items,
    })
}

/// One error or warning of a decision: the rule and line it concerns, or the incident when it
/// concerns no line of the policy (an unknown key).
fn problem(problem: &extramile::decision::Problem) -> String {
    if problem.line == 0 {
        return format!("incident: {}", shown(&problem.message));
    }
    format!("{} (line {}): {}", shown(&problem.rule), problem.line, shown(&problem.message))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn untrusted_text_shows_every_control_character_escaped() {
        assert_eq!(shown("a\u{1b}[31mb\r\nc\td\u{7f}\u{9b}e\u{202e}f"), r"a\u{1b}[31mb\r\nc\td\u{7f}\u{9b}e\u{202e}f");
        assert_eq!(shown("plain € text"), "plain € text");
    }

    #[test]
    fn rendered_blocks_keep_line_breaks_and_only_their_own_colour_codes() {
        let block = "\u{1b}[1;31merror\u{1b}[0m: x\u{1b}]0;t\u{7}\r\n  y\u{1b}[2J";
        assert_eq!(shown_block(block, true), "\u{1b}[1;31merror\u{1b}[0m: x\\u{1b}]0;t\\u{7}\\r\n  y\\u{1b}[2J");
        assert_eq!(shown_block(block, false), "\\u{1b}[1;31merror\\u{1b}[0m: x\\u{1b}]0;t\\u{7}\\r\n  y\\u{1b}[2J");
    }
}
