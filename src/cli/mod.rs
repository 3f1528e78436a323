//! Argument parsing and dispatch. Each subcommand lives in its own file and only parses,
//! calls `stridewise-core` and prints.

/// `writeln!` into a `String` that a command prints at once with [`print`] (through
/// [`terminal_safe`]), so that a closed pipe (`| head`) ends the command quietly instead of
/// panicking as `println!` does.
macro_rules! bufln {
    ($out:expr, $($arg:tt)*) => {{
        use std::fmt::Write as _;
        let _ = writeln!($out, $($arg)*);
    }};
}

/// `println!` for text that may hold names from a model: see [`terminal_safe`].
macro_rules! outln {
    () => {
        println!()
    };
    ($($arg:tt)*) => {
        println!("{}", $crate::cli::terminal_safe(&format!($($arg)*)))
    };
}

/// `print!` through [`terminal_safe`].
macro_rules! out {
    ($($arg:tt)*) => {
        print!("{}", $crate::cli::terminal_safe(&format!($($arg)*)))
    };
}

/// `eprintln!` through [`terminal_safe`].
macro_rules! errln {
    ($($arg:tt)*) => {
        eprintln!("{}", $crate::cli::terminal_safe(&format!($($arg)*)))
    };
}

mod analyze;
mod catalog;
mod check;
mod consolidate;
mod diff;
mod drift;
mod export;
mod export_findings;
mod import;
mod import_terraform;
mod merge;
mod report;
mod resolve;
mod review;
mod score;
mod threat;
mod triage;
mod validate;
mod workspace;

use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

const EXAMPLES: &str = "\
Examples:
  stridewise validate models/*.stride.json
  stridewise validate --format json payments.stride.json
  stridewise fmt models/*.stride.json
  stridewise analyze --format json models/*.stride.json
  stridewise catalog check --source guidance.txt
  stridewise report models/*.stride.json -o threat-model.html
  stridewise export models/*.stride.json --format sarif -o stridewise.sarif
  stridewise check models/*.stride.json --fail-on high
  stridewise diff old.stride.json new.stride.json
  stridewise merge base.stride.json ours.stride.json theirs.stride.json -o merged.stride.json
  stridewise schema > stride-model.schema.json

Exit status:
  0  done, nothing to report
  1  a check found what it was asked about (a threat at --fail-on, drift, damage)
  2  the input is wrong: unreadable, invalid, ambiguous, a missing justification,
     a workspace server's login refused
  3  something named does not exist: a file, workspace, service, review, threat key
  4  the workspace's state refused it: someone saved in between, a review is open or
     closed, a name is taken; reload or decide, then try again
  5  the system failed: a read or write error, a damaged workspace, a workspace
     server that cannot be reached, a bug";

/// STRIDE threat modeling for service teams: data-flow diagrams, threats and mitigations from a
/// catalog derived from Azure's mission-critical security guidance.
#[derive(Parser)]
#[command(name = "stridewise", version, after_help = EXAMPLES, max_term_width = 100)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    Validate(validate::Args),
    Schema(validate::SchemaArgs),
    Fmt(validate::FmtArgs),
    Consolidate(consolidate::Args),
    Workspace(workspace::Args),
    Triage(triage::Args),
    Analyze(analyze::Args),
    Catalog(catalog::Args),
    Report(report::Args),
    Export(export::Args),
    Check(check::Args),
    Review(review::Args),
    Diff(diff::Args),
    Merge(merge::Args),
    Resolve(resolve::Args),
    MergeDriver(merge::DriverArgs),
    Import(import::Args),
    Threat(threat::Args),
    Drift(drift::Args),
}

/// How results are printed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Readable text.
    #[default]
    Text,
    /// One JSON document, for machines.
    Json,
}

/// Exit code: the command did what was asked and found nothing to report.
pub const CLEAN: u8 = 0;
/// Exit code: a check found what it was asked about (an error-level diagnostic, a threat).
pub const FOUND: u8 = 1;
/// Exit code: the input could not be processed.
pub const ERROR: u8 = 2;

/// Text for a terminal. Names come from model files anyone can write, and a terminal obeys
/// control characters: an escape sequence in an element's name could set the window title,
/// clear the screen or move the cursor to write "merge ok" over the conflict lines, and
/// bidirectional overrides reorder what is shown. Every control character but newline, tab
/// and a carriage return ending a line, and every bidirectional control, is shown as its `\uXXXX` escape instead, which is
/// also what it means inside a JSON string, so JSON output keeps its meaning.
pub fn terminal_safe(text: &str) -> std::borrow::Cow<'_, str> {
    // A carriage return ending a line (CSV's CRLF) only ends the line; alone, it moves the
    // cursor back over what was written.
    let unsafe_at = |c: char, next: Option<char>| {
        c != '\n'
            && c != '\t'
            && !(c == '\r' && next == Some('\n'))
            && stridewise_core::model::is_hidden_character(c)
    };
    // Printable ASCII is safe: skip it bytewise (most output is nothing else), then look at
    // characters from the first byte that may not be.
    let mut at = plain_prefix(text.as_bytes());
    let mut chars = text[at..].chars().peekable();
    let mut first_unsafe = None;
    while let Some(c) = chars.next() {
        if unsafe_at(c, chars.peek().copied()) {
            first_unsafe = Some(at);
            break;
        }
        at += c.len_utf8();
    }
    let Some(start) = first_unsafe else {
        return std::borrow::Cow::Borrowed(text);
    };
    let mut out = String::with_capacity(text.len() + 16);
    out.push_str(&text[..start]);
    let mut chars = text[start..].chars().peekable();
    while let Some(c) = chars.next() {
        if unsafe_at(c, chars.peek().copied()) {
            out.push_str(&format!("\\u{:04x}", c as u32));
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// The length of the prefix of printable ASCII, newlines and tabs, tested 64 bytes at a time
/// without branching inside a block.
fn plain_prefix(bytes: &[u8]) -> usize {
    let plain = |b: u8| (0x20..0x7f).contains(&b) | (b == b'\n') | (b == b'\t');
    let mut at = 0;
    for block in bytes.chunks(64) {
        if !block.iter().fold(true, |ok, &b| ok & plain(b)) {
            break;
        }
        at += block.len();
    }
    at + bytes[at..].iter().take_while(|&&b| plain(b)).count()
}

/// Writes to stdout through [`terminal_safe`]; a closed pipe (`| head`) is not an error.
pub fn print(text: &str) -> anyhow::Result<()> {
    use std::io::Write;
    let text = terminal_safe(text);
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.into()),
        _ => Ok(()),
    }
}

/// A writer that passes UTF-8 text on through [`terminal_safe`], keeping a character split
/// between two writes, and a carriage return that may end a line, until what follows arrives.
/// Put a buffer in front of it: each write is scanned as a whole.
struct TerminalSafe<W: std::io::Write> {
    inner: W,
    pending: Vec<u8>,
}

impl<W: std::io::Write> TerminalSafe<W> {
    fn pass(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        let text = match std::str::from_utf8(bytes) {
            Ok(text) => text,
            Err(e) if e.error_len().is_none() => {
                std::str::from_utf8(&bytes[..e.valid_up_to()]).expect("checked above")
            }
            Err(e) => return Err(std::io::Error::new(std::io::ErrorKind::InvalidData, e)),
        };
        let text = text.strip_suffix('\r').unwrap_or(text);
        self.inner.write_all(terminal_safe(text).as_bytes())?;
        self.pending.extend_from_slice(&bytes[text.len()..]);
        Ok(())
    }
}

impl<W: std::io::Write> std::io::Write for TerminalSafe<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.pending.is_empty() {
            self.pass(buf)?;
        } else {
            let mut joined = std::mem::take(&mut self.pending);
            joined.extend_from_slice(buf);
            self.pass(&joined)?;
        }
        Ok(buf.len())
    }

    /// Writes what was kept back as it stands: a carriage return with nothing after it.
    fn flush(&mut self) -> std::io::Result<()> {
        if !self.pending.is_empty() {
            let rest = std::mem::take(&mut self.pending);
            let text = std::str::from_utf8(&rest)
                .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))?;
            self.inner.write_all(terminal_safe(text).as_bytes())?;
        }
        self.inner.flush()
    }
}

/// Writes pretty JSON and a newline to stdout, streamed, through [`terminal_safe`]; a closed
/// pipe is not an error.
pub fn write_json(value: &impl serde::Serialize) -> anyhow::Result<()> {
    use std::io::Write;
    // serde_json writes token by token: the buffer comes first, so that the scan for
    // control characters sees 64 KiB at a time rather than each token alone.
    let mut out = std::io::BufWriter::with_capacity(
        1 << 16,
        TerminalSafe {
            inner: std::io::stdout().lock(),
            pending: Vec::new(),
        },
    );
    let result = serde_json::to_writer_pretty(&mut out, value)
        .map_err(std::io::Error::from)
        .and_then(|()| out.write_all(b"\n"))
        .and_then(|()| out.flush());
    match result {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.into()),
        _ => Ok(()),
    }
}

pub fn run() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Validate(args) => validate::run(args),
        Command::Schema(args) => validate::schema(args),
        Command::Fmt(args) => validate::fmt(args),
        Command::Consolidate(args) => consolidate::run(args),
        Command::Workspace(args) => workspace::run(args),
        Command::Triage(args) => triage::run(args),
        Command::Analyze(args) => analyze::run(args),
        Command::Catalog(args) => catalog::run(args),
        Command::Report(args) => report::run(args),
        Command::Export(args) => export::run(args),
        Command::Check(args) => check::run(args),
        Command::Review(args) => review::run(args),
        Command::Diff(args) => diff::run(args),
        Command::Merge(args) => merge::run(args),
        Command::Resolve(args) => resolve::run(args),
        Command::MergeDriver(args) => merge::driver(args),
        Command::Import(args) => import::run(args),
        Command::Threat(args) => threat::run(args),
        Command::Drift(args) => drift::run(args),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(err) => {
            // The core's stable code, as the desktop app receives it for the same refusal.
            match err.chain().find_map(stridewise_core::app::code::code_of) {
                Some(code) => {
                    errln!("error[{code}]: {}", error_text(&err));
                    ExitCode::from(code.exit_status())
                }
                None => {
                    errln!("error: {}", error_text(&err));
                    ExitCode::from(ERROR)
                }
            }
        }
    }
}

/// The error and its causes joined by ": ", leaving out a cause whose text the message already
/// holds (many errors name their cause in their own message as well as in `source()`).
fn error_text(err: &anyhow::Error) -> String {
    let mut text = String::new();
    for cause in err.chain() {
        let cause = cause.to_string();
        if text.contains(&cause) {
            continue;
        }
        if !text.is_empty() {
            text.push_str(": ");
        }
        text.push_str(&cause);
    }
    text
}

#[cfg(test)]
mod tests {
    use super::{TerminalSafe, terminal_safe};
    use std::io::Write;

    /// Writes `parts` one write each, as a buffer in front of the writer would.
    fn through_writer(parts: &[&[u8]]) -> String {
        let mut w = TerminalSafe {
            inner: Vec::new(),
            pending: Vec::new(),
        };
        for p in parts {
            w.write_all(p).unwrap();
        }
        w.flush().unwrap();
        String::from_utf8(w.inner).unwrap()
    }

    #[test]
    fn the_writer_escapes_like_terminal_safe_whatever_the_writes() {
        let text = "plain\r\nnext \u{202e}é\u{1b}[2J\r";
        let whole = terminal_safe(text).into_owned();
        assert_eq!(through_writer(&[text.as_bytes()]), whole);
        // Split at every byte: a character or a CRLF cut in two still comes out the same.
        for cut in 1..text.len() {
            let (a, b) = text.as_bytes().split_at(cut);
            assert_eq!(through_writer(&[a, b]), whole, "cut at {cut}");
        }
    }

    #[test]
    fn long_plain_text_passes_unchanged_and_a_late_control_is_found() {
        let mut text = "x".repeat(200);
        assert!(matches!(
            terminal_safe(&text),
            std::borrow::Cow::Borrowed(_)
        ));
        text.push('\u{7}');
        assert!(terminal_safe(&text).ends_with("x\\u0007"));
    }

    #[test]
    fn issue_20_terminal_text_shows_controls_as_escapes_but_keeps_line_ends() {
        assert_eq!(terminal_safe("a\r\nb\tc\n"), "a\r\nb\tc\n");
        assert_eq!(
            terminal_safe("x\u{1b}[2J\rmerge ok\u{202e}"),
            "x\\u001b[2J\\u000dmerge ok\\u202e"
        );
    }
}
