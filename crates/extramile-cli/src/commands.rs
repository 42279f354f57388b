//! The commands: each reads its inputs, calls the core, prints, and returns an exit code.

use crate::render;
use crate::{EvalArgs, Format};
use extramile::{Policy, Request};
use std::io::{BufRead, BufReader, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

type CommandResult = Result<ExitCode, String>;

pub(crate) fn color_stdout() -> bool {
    std::env::var_os("NO_COLOR").is_none() && std::io::stdout().is_terminal()
}

pub(crate) fn color_stderr() -> bool {
    std::env::var_os("NO_COLOR").is_none() && std::io::stderr().is_terminal()
}

fn read_bytes(path: &Path) -> Result<Vec<u8>, String> {
    std::fs::read(path).map_err(|err| format!("cannot read `{}`: {err}", path.display()))
}

pub(crate) fn check(policies: &[PathBuf], format: Format, deny_warnings: bool) -> CommandResult {
    let mut failed = false;
    let mut json_files = Vec::new();
    for path in policies {
        let source = read_bytes(path)?;
        let diagnostics = Policy::check_bytes(&path.display().to_string(), &source);
        failed |= diagnostics.has_errors() || (deny_warnings && diagnostics.warning_count() > 0);
        match format {
            Format::Json => json_files.push(render::diagnostics_json(path, &diagnostics)),
            Format::Human => {
                if diagnostics.items().is_empty() {
                    println!("{}: ok", path.display());
                } else {
                    print!("{}", diagnostics.render(color_stdout()));
                }
            }
        }
    }
    if format == Format::Json {
        println!("{}", serde_json::to_string_pretty(&json_files).map_err(|e| e.to_string())?);
    }
    Ok(if failed { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

fn load_policy(path: &Path) -> Result<Policy, ExitCode> {
    let source = read_bytes(path).map_err(|message| {
        eprintln!("error: {message}");
        ExitCode::from(2)
    })?;
    Policy::parse_bytes(&path.display().to_string(), &source, extramile::LoadOptions::default()).map_err(
        |diagnostics| {
            eprint!("{}", diagnostics.render(color_stderr()));
            ExitCode::from(1)
        },
    )
}

pub(crate) fn eval(args: &EvalArgs, explain: bool) -> CommandResult {
    let policy = match load_policy(&args.policy) {
        Ok(policy) => policy,
        Err(code) => return Ok(code),
    };
    let now = match &args.now {
        Some(text) => chrono::DateTime::parse_from_rfc3339(text)
            .map_err(|err| format!("`--now {text}` is not an RFC 3339 time such as 2026-11-22T10:00:00Z: {err}"))?,
        None => {
            let now = chrono::Local::now().fixed_offset();
            eprintln!("note: --now not given; using the current time {}", now.to_rfc3339());
            now
        }
    };
    if !policy.roles().iter().any(|role| *role == args.role) {
        return Err(format!("unknown role `{}`: the roles are {}", args.role, policy.roles().join(" < ")));
    }
    let request = Request::new(args.role.clone(), now).with_trace(explain);
    let mut progress = None;
    let reader: Box<dyn Read> = if args.incident.as_os_str() == "-" {
        Box::new(std::io::stdin().lock())
    } else {
        let file = std::fs::File::open(&args.incident)
            .map_err(|err| format!("cannot read `{}`: {err}", args.incident.display()))?;
        match progress_bar(&file) {
            Some(bar) => {
                let reader = bar.wrap_read(file);
                progress = Some(bar);
                Box::new(reader)
            }
            None => Box::new(file),
        }
    };
    let source = policy.source();
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut count = 0usize;
    let mut buffered = BufReader::new(reader);
    let stream = serde_json::Deserializer::from_reader(&mut buffered).into_iter::<extramile::json::StrictFacts>();
    let mut pending: Option<extramile::Decision> = None;
    for item in stream {
        let facts = item
            .map_err(|err| format!("incident {} in `{}` is not valid JSON: {err}", count + 1, args.incident.display()))?
            .0;
        let decision = policy.evaluate(&facts, &request).map_err(|err| format!("incident {}: {err}", count + 1))?;
        count += 1;
        // One incident prints pretty; several print one decision a line (JSON Lines).
        if let Some(previous) = pending.take() {
            emit_above(progress.as_ref(), &mut out, &previous, args.format, explain, source)?;
        }
        if count > 1 {
            emit_above(progress.as_ref(), &mut out, &decision, args.format, explain, source)?;
        } else {
            pending = Some(decision);
        }
    }
    if let Some(only) = pending {
        emit(&mut out, &only, args.format, explain, source, false)?;
    }
    out.flush().map_err(|e| e.to_string())?;
    if let Some(bar) = progress {
        bar.finish_and_clear();
        eprintln!("decided {count} incidents");
    }
    let _ = buffered.fill_buf();
    if count == 0 {
        return Err(format!("`{}` holds no incident", args.incident.display()));
    }
    Ok(ExitCode::SUCCESS)
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

/// Emits one decision of a stream; on a terminal, above the progress bar.
fn emit_above(
    progress: Option<&indicatif::ProgressBar>,
    out: &mut impl Write,
    decision: &extramile::Decision,
    format: Format,
    explain: bool,
    source: &str,
) -> Result<(), String> {
    match progress {
        Some(bar) if std::io::stdout().is_terminal() => bar.suspend(|| {
            emit(out, decision, format, explain, source, true)?;
            out.flush().map_err(|e| e.to_string())
        }),
        _ => emit(out, decision, format, explain, source, true),
    }
}

fn emit(
    out: &mut impl Write,
    decision: &extramile::Decision,
    format: Format,
    explain: bool,
    source: &str,
    compact: bool,
) -> Result<(), String> {
    let text = match (format, compact) {
        (Format::Json, true) => decision.to_json().map_err(|e| e.to_string())?,
        (Format::Json, false) => serde_json::to_string_pretty(decision).map_err(|e| e.to_string())?,
        (Format::Human, _) => render::decision(decision, explain, source, color_stdout()),
    };
    writeln!(out, "{text}").map_err(|e| e.to_string())
}

fn find_scenarios(path: &Path, out: &mut Vec<PathBuf>) -> Result<(), String> {
    if path.is_file() {
        out.push(path.to_path_buf());
        return Ok(());
    }
    let entries = std::fs::read_dir(path).map_err(|err| format!("cannot read `{}`: {err}", path.display()))?;
    let mut entries: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for entry in entries {
        let name = entry.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if entry.is_dir() {
            if !name.starts_with('.') && name != "target" && name != "node_modules" {
                find_scenarios(&entry, out)?;
            }
        } else if name.starts_with("scenarios") && (name.ends_with(".toml") || name.ends_with(".json")) {
            out.push(entry);
        }
    }
    Ok(())
}

pub(crate) fn test(paths: &[PathBuf], coverage: bool) -> CommandResult {
    let roots = if paths.is_empty() { vec![PathBuf::from(".")] } else { paths.to_vec() };
    let mut files = Vec::new();
    for root in &roots {
        find_scenarios(root, &mut files)?;
    }
    if files.is_empty() {
        return Err("no scenario files (scenarios*.toml or scenarios*.json) found".to_string());
    }
    let (mut passed, mut failed) = (0usize, 0usize);
    let mut failures = Vec::new();
    let mut coverage_report = Vec::new();
    for file in &files {
        match extramile::testing::run_file(file) {
            Err(err) => {
                failed += 1;
                println!("test {} ... FAILED", file.display());
                failures.push((file.display().to_string(), vec![err.to_string()]));
            }
            Ok(results) => {
                println!("\nrunning {} scenarios from {}", results.results.len(), file.display());
                for result in &results.results {
                    if result.passed() {
                        passed += 1;
                        println!("test {} ... ok", result.name);
                    } else {
                        failed += 1;
                        println!("test {} ... FAILED", result.name);
                        failures.push((result.name.clone(), result.failures.clone()));
                    }
                }
                if coverage {
                    coverage_report.push(render::coverage(&results));
                }
            }
        }
    }
    if !failures.is_empty() {
        println!("\nfailures:");
        for (name, messages) in &failures {
            println!("\n---- {name} ----");
            for message in messages {
                println!("  {message}");
            }
        }
    }
    for report in coverage_report {
        print!("\n{report}");
    }
    println!("\n{passed} passed, {failed} failed");
    Ok(if failed > 0 { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

pub(crate) fn new(dir: &Path) -> CommandResult {
    if dir.exists() && std::fs::read_dir(dir).map(|mut d| d.next().is_some()).unwrap_or(true) {
        return Err(format!("`{}` already exists and is not empty", dir.display()));
    }
    let incidents = dir.join("incidents");
    std::fs::create_dir_all(&incidents).map_err(|err| format!("cannot create `{}`: {err}", incidents.display()))?;
    let files = [
        (dir.join("policy.policy"), crate::render::STARTER_POLICY),
        (incidents.join("broken_item.json"), crate::render::STARTER_BROKEN),
        (incidents.join("late_delivery.json"), crate::render::STARTER_LATE),
        (dir.join("scenarios.toml"), crate::render::STARTER_SCENARIOS),
    ];
    for (path, text) in files {
        std::fs::write(&path, text).map_err(|err| format!("cannot write `{}`: {err}", path.display()))?;
        println!("created {}", path.display());
    }
    println!("\nnext: extramile test {}", dir.display());
    Ok(ExitCode::SUCCESS)
}
