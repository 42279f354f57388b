//! Every write of the CLI goes through [`Output`]: standard output buffered, a closed pipe
//! (the reader went away, as `| head -1` does) stopping the command quietly instead of a
//! panic or an error, and standard error written in order with what stdout holds so far.

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

/// Why a command stopped before its end.
#[derive(Debug)]
pub(crate) enum Failure {
    /// A usage, I/O or input error: printed as `error: ...` on stderr, exit code 2.
    Message(String),
    /// Standard output was closed by its reader: nothing more to say, exit code 0.
    Closed,
}

impl From<String> for Failure {
    fn from(message: String) -> Failure {
        Failure::Message(message)
    }
}

/// What a command returns: its exit code, or why it stopped.
pub(crate) type CommandResult = Result<ExitCode, Failure>;

/// The exit code of a command over several files: the worst of them, 2 if a file could not
/// be read, 1 if one failed (errors, or not formatted), else 0.
pub(crate) fn worst_exit_code(unreadable: bool, failed: bool) -> ExitCode {
    match (unreadable, failed) {
        (true, _) => ExitCode::from(2),
        (false, true) => ExitCode::from(1),
        (false, false) => ExitCode::SUCCESS,
    }
}

/// When output is coloured (`--color`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum ColorChoice {
    /// On a terminal, unless the `NO_COLOR` environment variable is set (and not empty).
    Auto,
    /// Always, even when piped.
    Always,
    /// Never.
    Never,
}

impl ColorChoice {
    fn applies(self, terminal: bool) -> bool {
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => terminal && std::env::var_os("NO_COLOR").is_none_or(|value| value.is_empty()),
        }
    }
}

/// Standard output and standard error of one run.
pub(crate) struct Output {
    stdout: Box<dyn Write>,
    color_stdout: bool,
    color_stderr: bool,
}

/// A write error on stdout: a closed pipe stops quietly, anything else is reported.
fn stdout_failure(err: &std::io::Error) -> Failure {
    if err.kind() == std::io::ErrorKind::BrokenPipe {
        Failure::Closed
    } else {
        Failure::Message(format!("cannot write to standard output: {err}"))
    }
}

impl Output {
    /// Stdout is line-buffered on a terminal (output shows as it comes) and block-buffered
    /// otherwise (a batch of decisions is written in large blocks).
    pub(crate) fn new(color: ColorChoice) -> Output {
        let stdout = std::io::stdout();
        let terminal = stdout.is_terminal();
        let writer: Box<dyn Write> = if terminal {
            Box::new(stdout.lock())
        } else {
            Box::new(std::io::BufWriter::with_capacity(1 << 16, stdout.lock()))
        };
        Output {
            stdout: writer,
            color_stdout: color.applies(terminal),
            color_stderr: color.applies(std::io::stderr().is_terminal()),
        }
    }

    /// Whether text for stdout is coloured.
    pub(crate) fn color_stdout(&self) -> bool {
        self.color_stdout
    }

    /// Whether text for stderr is coloured.
    pub(crate) fn color_stderr(&self) -> bool {
        self.color_stderr
    }

    /// Writes `text` to stdout.
    pub(crate) fn text(&mut self, text: &str) -> Result<(), Failure> {
        self.stdout.write_all(text.as_bytes()).map_err(|err| stdout_failure(&err))
    }

    /// Writes `text` and a newline to stdout.
    pub(crate) fn line(&mut self, text: &str) -> Result<(), Failure> {
        self.text(text)?;
        self.text("\n")
    }

    /// Sends what stdout holds to its reader.
    pub(crate) fn flush(&mut self) -> Result<(), Failure> {
        self.stdout.flush().map_err(|err| stdout_failure(&err))
    }

    /// Writes `text` to stderr, after what stdout holds so far (so that `2>&1` keeps the
    /// order). A closed stderr is ignored: there is nowhere left to report it.
    pub(crate) fn error_text(&mut self, text: &str) {
        let _ = self.stdout.flush();
        let _ = std::io::stderr().lock().write_all(text.as_bytes());
    }

    /// [`Output::error_text`] with a newline.
    pub(crate) fn error_line(&mut self, text: &str) {
        self.error_text(&format!("{text}\n"));
    }
}
