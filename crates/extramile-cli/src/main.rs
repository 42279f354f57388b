//! The `extramile` command-line tool: thin glue over the `extramile` crate.

mod batch;
mod commands;
mod eval;
mod files;
mod fmt;
mod output;
mod render;
mod starter;

use clap::{Parser, Subcommand, ValueEnum};
use output::{ColorChoice, Failure, Output};
use std::path::PathBuf;
use std::process::ExitCode;

const AFTER_HELP: &str = "\
Exit codes:
  0  success
  1  the policy has errors (or warnings with --deny-warnings), a scenario failed,
     or `fmt --check` found a file to reformat
  2  usage, I/O or input error (missing file, invalid JSON, unknown role); with
     `eval --keep-going`, some incident could not be decided
  3  `eval --deny-errors`: a decision has evaluation errors
A closed standard output (`| head -1`) stops a command quietly, with exit code 0.

Examples:
  extramile check examples/store/store.policy
  extramile eval examples/store/store.policy --incident examples/store/incidents/broken_vase.json \\
      --role associate --now 2026-11-22T10:00:00-05:00
  extramile explain examples/store/store.policy --incident examples/store/incidents/broken_vase.json --role associate
  extramile test examples
  extramile fmt --check examples/store/store.policy
  extramile schema examples/store/store.policy
  extramile new my-policy";

/// Write, check, evaluate and test service-recovery policies.
#[derive(Debug, Parser)]
#[command(name = "extramile", version, about, after_help = AFTER_HELP)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// When to colour the output: auto (on a terminal, unless NO_COLOR is set), always, never.
    #[arg(long, value_enum, default_value = "auto", global = true)]
    color: ColorChoice,
}

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    /// Readable text (colour as `--color` says).
    Human,
    /// JSON, as documented in docs/json.md.
    Json,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Parse and check policies; print diagnostics rustc-style.
    #[command(after_help = "Example:\n  extramile check examples/store/store.policy --deny-warnings")]
    Check {
        /// Policy files, folders (searched for *.policy), or `-` for standard input.
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
        after_help = "Without --check or --write, prints the formatted policy (`-` reads standard input; --write cannot rewrite it).\n\nExamples:\n  extramile fmt examples/store/store.policy\n  extramile fmt --check examples/*/*.policy\n  extramile fmt --write my.policy"
    )]
    Fmt {
        /// Policy files, folders (searched for *.policy), or `-` for standard input.
        #[arg(required = true)]
        policies: Vec<PathBuf>,
        /// Change nothing; list files that are not formatted with a diff, and exit 1 if any.
        #[arg(long, conflicts_with = "write")]
        check: bool,
        /// Rewrite files that are not formatted.
        #[arg(long)]
        write: bool,
    },
    /// Print the JSON Schema (draft 2020-12) of the incidents a policy reads, from its facts.
    #[command(after_help = "Example:\n  extramile schema examples/store/store.policy > incident.schema.json")]
    Schema {
        /// The policy file, or `-` for standard input.
        policy: PathBuf,
    },
    /// Create DIR/DIR.policy, a starter policy, with incidents and a passing scenario file.
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
    /// Decide every incident of a batch: one output line each, in input order, its decision
    /// or an error record with its line; exit 2 at the end if any could not be decided.
    #[arg(long)]
    keep_going: bool,
    /// With --keep-going: echo this field of each incident (a dotted path such as
    /// `incident.id`) as `"id"` in its output line.
    #[arg(long, value_name = "PATH", requires = "keep_going")]
    id_field: Option<String>,
    /// Exit 3 if any decision has evaluation errors (`errors` not empty).
    #[arg(long)]
    deny_errors: bool,
    /// Refuse an incident with a key that leads to no declared fact (a misspelt `custmer`),
    /// instead of deciding it with a warning. With --id-field, declare the id as a fact.
    #[arg(long)]
    strict: bool,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let mut out = Output::new(cli.color);
    let result = match cli.command {
        Command::Check { policies, format, deny_warnings } => {
            commands::check(&mut out, &policies, format, deny_warnings)
        }
        Command::Eval(args) => eval::eval(&mut out, &args, args.explain),
        Command::Explain(args) => eval::eval(&mut out, &args, true),
        Command::Test { paths, coverage } => commands::test(&mut out, &paths, coverage),
        Command::Fmt { policies, check, write } => {
            let mode = match (check, write) {
                (true, _) => fmt::Mode::Check,
                (_, true) => fmt::Mode::Write,
                _ => fmt::Mode::Print,
            };
            fmt::fmt(&mut out, &policies, mode)
        }
        Command::Schema { policy } => commands::schema(&mut out, &policy),
        Command::New { dir } => commands::new(&mut out, &dir),
    };
    match result.and_then(|code| out.flush().map(|()| code)) {
        Ok(code) => code,
        Err(Failure::Closed) => ExitCode::SUCCESS,
        Err(Failure::Message(message)) => {
            out.error_line(&format!("error: {message}"));
            ExitCode::from(2)
        }
    }
}
