//! Human-readable output: decisions, explanations and coverage.

use extramile::decision::{Decision, Outcome};
use extramile::testing::FileResults;
use extramile::Diagnostics;
use std::fmt::Write as _;

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
    let mut text = gesture.to_string();
    if let Some(item) = item {
        let _ = write!(text, " ({item})");
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
        style.heading(&decision.role),
        decision.now,
        decision.policy,
        decision.currency
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
                format!("{text}  {}", style.dim(&format!("[{}]", offer.rule)))
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
                    a.approver,
                    style.dim(&format!("[{}]", a.rule))
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
                let item = o.item.as_ref().map_or(String::new(), |i| format!(" ({i})"));
                format!("{}{item}{amount}  {}", o.gesture, style.dim(&format!("[{}]", o.rule)))
            })
            .collect(),
    );
    section(
        "Recommended:",
        decision
            .recommended
            .iter()
            .map(|r| {
                let mut text = r.gesture.to_string();
                if let Some(item) = &r.item {
                    let _ = write!(text, " ({item})");
                }
                if let Some(amount) = r.amount {
                    let _ = write!(text, " of {amount} {currency}");
                }
                if let Some(due) = &r.due {
                    let _ = write!(text, " due {due}");
                }
                format!("{text}  {}", style.dim(&format!("[{}]", r.rule)))
            })
            .collect(),
    );
    section(
        "Forbidden:",
        decision
            .forbidden
            .iter()
            .map(|f| format!("{}: {}  {}", style.bad(&f.gesture), f.reason, style.dim(&format!("[{}]", f.rule))))
            .collect(),
    );
    section(
        "Escalate to:",
        decision
            .escalations
            .iter()
            .map(|e| {
                let reason = e.reason.as_ref().map_or(String::new(), |r| format!(": {r}"));
                format!("{}{reason}  {}", e.to, style.dim(&format!("[{}]", e.rule)))
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
        let header = lines.get(trace.line().saturating_sub(1) as usize).map_or("", |line| line.trim());
        let (mark, verdict) = match trace.outcome() {
            Outcome::Matched => (style.good("✓"), "applies: every condition held".to_string()),
            Outcome::NotMatched => {
                (style.dim("✗"), format!("does not apply: `{}` is false", trace.clause().unwrap_or("a condition")))
            }
            Outcome::Error => (
                style.bad("!"),
                format!(
                    "could not be checked, so it grants nothing: `{}`: {}",
                    trace.clause().unwrap_or("a condition"),
                    trace.error().unwrap_or("error")
                ),
            ),
        };
        let _ = writeln!(out, "  {mark} {} (line {}): {verdict}", trace.rule(), trace.line());
        let _ = writeln!(out, "      {}", style.dim(&format!("{:>4} | {header}", trace.line())));
        for read in trace.reads() {
            let value = if read.value.is_null() { "missing".to_string() } else { read.value.to_string() };
            let _ = writeln!(out, "      read {} = {value}", read.fact);
        }
    }
    for f in &decision.forbidden {
        let _ = writeln!(out, "  {} {} is forbidden by {}: {}", style.bad("⊘"), f.gesture, f.rule, f.reason);
    }
    for o in decision.offers.iter().flat_map(|o| o.one_of.iter()) {
        if let (Some(amount), Some(by)) = (o.up_to, &o.limited_by) {
            let _ = writeln!(
                out,
                "  $ {} is limited to {amount} by {by} (the most generous grant, capped by limits)",
                o.gesture
            );
        }
    }
    out
}

/// Coverage of one scenario file: each rule with the number of scenarios that matched it.
pub(crate) fn coverage(results: &FileResults) -> String {
    let mut out = format!("coverage of {} by {}:\n", results.policy_path.display(), results.path.display());
    for rule in &results.rules {
        let count = results.results.iter().filter(|r| r.matched_rules.iter().any(|m| m == rule)).count();
        let flag = if count == 0 { "  <- no scenario exercises this rule" } else { "" };
        let _ = writeln!(out, "  {rule:<32} {count:>3} scenarios{flag}");
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
        return format!("incident: {}", problem.message);
    }
    format!("{} (line {}): {}", problem.rule, problem.line, problem.message)
}
