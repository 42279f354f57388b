//! The `extramile` command-line tool: thin glue over the `extramile` crate.

mod commands;
mod fmt;
mod render;

use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;
use std::process::ExitCode;

const AFTER_HELP: &str = "\
Exit codes:
  0  success
  1  the policy has errors (or warnings with --deny-warnings), a scenario failed,
     or `fmt --check` found a file to reformat
  2  usage, I/O or input error (missing file, invalid JSON, unknown role)

Examples:
  extramile check examples/store/store.policy
  extramile eval examples/store/store.policy --incident examples/store/incidents/broken_vase.json \\
      --role associate --now 2026-11-22T10:00:00-05:00
  extramile explain examples/store/store.policy --incident examples/store/incidents/broken_vase.json --role associate
  extramile test examples
  extramile fmt --check examples/store/store.policy
  extramile new my-policy";

/// Write, check, evaluate and test service-recovery policies.
#[derive(Debug, Parser)]
#[command(name = "extramile", version, about, after_help = AFTER_HELP)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    /// Readable text (colour on a terminal unless NO_COLOR is set).
    Human,
    /// JSON, as documented in docs/json.md.
    Json,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Parse and check policies; print diagnostics rustc-style.
    #[command(after_help = "Example:\n  extramile check examples/store/store.policy --deny-warnings")]
    Check {
        /// Policy files.
        #[arg(required = true)]
        policies: Vec<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value = "human")]
        format: Format,
        /// Treat warnings as errors.
        #[arg(long)]
        deny_warnings: bool,
    },
    /// Decide an incident (or a JSON Lines file of incidents, one decision a line).
    #[command(
        after_help = "Example:\n  extramile eval examples/store/store.policy --incident examples/store/incidents/broken_vase.json --role associate --now 2026-11-22T10:00:00-05:00"
    )]
    Eval(EvalArgs),
    /// Like `eval --explain`: every rule, matched or not, and why.
    #[command(
        after_help = "Example:\n  extramile explain examples/store/store.policy --incident examples/store/incidents/broken_vase.json --role associate"
    )]
    Explain(EvalArgs),
    /// Run scenario files (scenarios*.toml / scenarios*.json), by default under the current folder.
    #[command(after_help = "Example:\n  extramile test examples --coverage")]
    Test {
        /// Scenario files or folders to search.
        paths: Vec<PathBuf>,
        /// List each rule with the number of scenarios that matched it.
        #[arg(long)]
        coverage: bool,
    },
    /// Format policies in the canonical layout (comments kept, meaning unchanged).
    #[command(
        after_help = "Without --check or --write, prints the formatted policy (`-` reads standard input).\n\nExamples:\n  extramile fmt examples/store/store.policy\n  extramile fmt --check examples/*/*.policy\n  extramile fmt --write my.policy"
    )]
    Fmt {
        /// Policy files, or `-` for standard input.
        #[arg(required = true)]
        policies: Vec<PathBuf>,
        /// Change nothing; list files that are not formatted with a diff, and exit 1 if any.
        #[arg(long, conflicts_with = "write")]
        check: bool,
        /// Rewrite files that are not formatted.
        #[arg(long)]
        write: bool,
    },
    /// Create a starter policy with two incidents and a passing scenario file.
    #[command(after_help = "Example:\n  extramile new my-policy && extramile test my-policy")]
    New {
        /// The folder to create.
        dir: PathBuf,
    },
}

/// Arguments of `eval` and `explain`.
#[derive(Debug, clap::Args)]
struct EvalArgs {
    /// The policy file.
    policy: PathBuf,
    /// The incident JSON file, a JSON Lines file, or `-` for standard input.
    #[arg(long, short)]
    incident: PathBuf,
    /// The acting employee's role.
    #[arg(long, short)]
    role: String,
    /// The current time, RFC 3339 (default: the current time, which is printed).
    #[arg(long)]
    now: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    format: Format,
    /// Include the rule-by-rule trace.
    #[arg(long)]
    explain: bool,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Check { policies, format, deny_warnings } => commands::check(&policies, format, deny_warnings),
        Command::Eval(args) => commands::eval(&args, args.explain),
        Command::Explain(args) => commands::eval(&args, true),
        Command::Test { paths, coverage } => commands::test(&paths, coverage),
        Command::Fmt { policies, check, write } => {
            let mode = match (check, write) {
                (true, _) => fmt::Mode::Check,
                (_, true) => fmt::Mode::Write,
                _ => fmt::Mode::Print,
            };
            fmt::fmt(&policies, mode)
        }
        Command::New { dir } => commands::new(&dir),
    };
    match result {
        Ok(code) => code,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
    }
}
