//! `extramile eval` and `explain`: decide one incident, or a batch of them (JSON Lines),
//! writing each decision as soon as it is made, in input order.

use crate::batch::{Record, Records};
use crate::commands::load_policy;
use crate::files;
use crate::output::{CommandResult, Failure, Output};
use crate::render;
use crate::{EvalArgs, Format};
use extramile::{Decision, Policy, Request};
use std::io::{BufReader, IsTerminal, Read};
use std::process::ExitCode;

/// What is known of one input record once it has been decided, or has failed.
struct Outcome {
    /// The input line the record starts on.
    line: u64,
    /// The `--id-field` value of the incident (`null` when it has none or did not parse).
    id: Option<serde_json::Value>,
    decision: Result<Decision, String>,
}

/// What one run has decided so far.
#[derive(Default)]
struct Tally {
    records: usize,
    failed: usize,
    with_errors: usize,
}

pub(crate) fn eval(out: &mut Output, args: &EvalArgs, explain: bool) -> CommandResult {
    let policy = match load_policy(out, &args.policy) {
        Ok(policy) => policy,
        Err(result) => return result,
    };
    let now = match &args.now {
        Some(text) => chrono::DateTime::parse_from_rfc3339(text)
            .map_err(|err| format!("`--now {text}` is not an RFC 3339 time such as 2026-11-22T10:00:00Z: {err}"))?,
        None => {
            let now = chrono::Local::now().fixed_offset();
            out.error_line(&format!("note: --now not given; using the current time {}", now.to_rfc3339()));
            now
        }
    };
    if !policy.roles().iter().any(|role| *role == args.role) {
        return Err(format!("unknown role `{}`: the roles are {}", args.role, policy.roles().join(" < ")).into());
    }
    let request = Request::new(args.role.clone(), now).with_trace(explain).with_strict(args.strict);
    let name = files::display_name(&args.incident);
    let (reader, progress) = open(args)?;
    let printer = Printer { progress, format: args.format, explain, source: policy.source() };
    let mut tally = Tally::default();
    // Without --keep-going, one incident prints pretty and several print one decision a
    // line (JSON Lines): the first is held until the second shows which.
    let mut pending: Option<Decision> = None;
    for record in Records::new(BufReader::new(reader)) {
        let record = record.map_err(|err| format!("cannot read `{name}`: {err}"))?;
        tally.records = tally.records.saturating_add(1);
        let outcome = decide(&policy, &request, &record, tally.records, &name, args.id_field.as_deref());
        match &outcome.decision {
            Ok(decision) if !decision.errors.is_empty() => tally.with_errors = tally.with_errors.saturating_add(1),
            Ok(_) => {}
            Err(_) => tally.failed = tally.failed.saturating_add(1),
        }
        if args.keep_going {
            printer.record(out, &outcome, args.id_field.is_some())?;
            continue;
        }
        if let Some(previous) = pending.take() {
            printer.decision(out, &previous, true)?;
        }
        match outcome.decision {
            Err(message) => return Err(message.into()),
            Ok(decision) if tally.records > 1 => printer.decision(out, &decision, true)?,
            Ok(decision) => pending = Some(decision),
        }
    }
    if let Some(only) = pending {
        printer.decision(out, &only, false)?;
    }
    if let Some(bar) = &printer.progress {
        bar.finish_and_clear();
        out.error_line(&format!("decided {} incidents", tally.records));
    }
    if tally.records == 0 {
        return Err(format!("`{name}` holds no incident").into());
    }
    if tally.failed > 0 {
        return Err(format!("{} of {} incidents could not be decided", tally.failed, tally.records).into());
    }
    if args.deny_errors && tally.with_errors > 0 {
        out.error_line(&format!(
            "error: {} of {} decisions have evaluation errors (--deny-errors)",
            tally.with_errors, tally.records
        ));
        return Ok(ExitCode::from(3));
    }
    Ok(ExitCode::SUCCESS)
}

/// The incident input, with a progress bar for a large file when stderr is a terminal.
fn open(args: &EvalArgs) -> Result<(Box<dyn Read>, Option<indicatif::ProgressBar>), Failure> {
    if files::is_stdin(&args.incident) {
        return Ok((Box::new(std::io::stdin().lock()), None));
    }
    let file = std::fs::File::open(&args.incident)
        .map_err(|err| format!("cannot read `{}`: {err}", args.incident.display()))?;
    Ok(match progress_bar(&file) {
        Some(bar) => (Box::new(bar.wrap_read(file)), Some(bar)),
        None => (Box::new(file), None),
    })
}

/// A progress bar on stderr for large incident files, when stderr is a terminal.
fn progress_bar(file: &std::fs::File) -> Option<indicatif::ProgressBar> {
    const LARGE: u64 = 1 << 20;
    let size = file.metadata().ok()?.len();
    if size < LARGE || !std::io::stderr().is_terminal() {
        return None;
    }
    let style = indicatif::ProgressStyle::with_template(
        "{spinner} [{elapsed_precise}] {wide_bar} {bytes}/{total_bytes} ({bytes_per_sec}, {eta} left)",
    )
    .ok()?;
    Some(indicatif::ProgressBar::new(size).with_style(style))
}

/// Reads and decides one record; `number` counts records from 1.
fn decide(
    policy: &Policy,
    request: &Request,
    record: &Record,
    number: usize,
    name: &str,
    id_field: Option<&str>,
) -> Outcome {
    let line = record.line;
    let facts = match serde_json::from_slice::<extramile::json::StrictFacts>(&record.text) {
        Ok(facts) => facts.0,
        Err(err) => {
            let message = format!("incident {number} in `{name}` is not valid JSON: {}", json_error(&err, line));
            return Outcome { line, id: id_field.map(|_| serde_json::Value::Null), decision: Err(message) };
        }
    };
    let id = id_field.map(|path| field(&facts, path).cloned().unwrap_or_default());
    let decision = if facts.is_array() {
        Err(format!(
            "incident {number} in `{name}` (line {line}) is a JSON array: to decide several incidents, give one \
             incident a line (JSON Lines)"
        ))
    } else {
        policy.evaluate(&facts, request).map_err(|err| format!("incident {number} in `{name}` (line {line}): {err}"))
    };
    Outcome { line, id, decision }
}

/// A JSON error of a record with the input's line, not the record's.
fn json_error(err: &serde_json::Error, record_line: u64) -> String {
    let text = err.to_string();
    let position = format!(" at line {} column {}", err.line(), err.column());
    let message = text.strip_suffix(&position).unwrap_or(&text);
    let offset = u64::try_from(err.line()).unwrap_or(0).saturating_sub(1);
    format!("{message} at line {} column {}", record_line.saturating_add(offset), err.column())
}

/// The value at the dotted `path` of `facts`.
fn field<'v>(facts: &'v serde_json::Value, path: &str) -> Option<&'v serde_json::Value> {
    path.split('.').try_fold(facts, |value, key| value.get(key))
}

/// How decisions are written.
struct Printer<'p> {
    progress: Option<indicatif::ProgressBar>,
    format: Format,
    explain: bool,
    source: &'p str,
}

impl Printer<'_> {
    /// Writes `text`; on a terminal, above the progress bar.
    fn write(&self, out: &mut Output, text: &str) -> Result<(), Failure> {
        match &self.progress {
            Some(bar) if std::io::stdout().is_terminal() => bar.suspend(|| {
                out.text(text)?;
                out.flush()
            }),
            _ => out.text(text),
        }
    }

    fn decision_text(&self, out: &Output, decision: &Decision, compact: bool) -> Result<String, Failure> {
        Ok(match (self.format, compact) {
            (Format::Json, true) => decision.to_json().map_err(|e| e.to_string())?,
            (Format::Json, false) => serde_json::to_string_pretty(decision).map_err(|e| e.to_string())?,
            (Format::Human, _) => render::decision(decision, self.explain, self.source, out.color_stdout()),
        })
    }

    /// Writes a decision, alone (pretty) or as one of a batch (`compact`: one JSON line).
    fn decision(&self, out: &mut Output, decision: &Decision, compact: bool) -> Result<(), Failure> {
        let text = self.decision_text(out, decision, compact)?;
        self.write(out, &format!("{text}\n"))
    }

    /// Writes one record of `--keep-going`: its line, its id (`with_id`), and its decision
    /// or its error.
    fn record(&self, out: &mut Output, outcome: &Outcome, with_id: bool) -> Result<(), Failure> {
        let id = outcome.id.clone().unwrap_or_default();
        let text = match self.format {
            Format::Json => {
                let mut text = format!("{{\"line\":{}", outcome.line);
                if with_id {
                    text.push_str(&format!(",\"id\":{id}"));
                }
                match &outcome.decision {
                    Ok(decision) => {
                        text.push_str(&format!(",\"decision\":{}}}\n", self.decision_text(out, decision, true)?))
                    }
                    Err(message) => text.push_str(&format!(",\"error\":{}}}\n", serde_json::Value::from(&**message))),
                }
                text
            }
            Format::Human => {
                let id = if with_id { format!(", id {id}") } else { String::new() };
                let body = match &outcome.decision {
                    Ok(decision) => self.decision_text(out, decision, true)?,
                    Err(message) => format!("error: {message}\n"),
                };
                format!("== line {}{id} ==\n{body}\n", outcome.line)
            }
        };
        self.write(out, &text)
    }
}
