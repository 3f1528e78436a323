//! The `stridewise` command-line tool: argument parsing and printing over `stridewise-core`.
//!
//! Exit codes: 0 clean, 1 when a check found what was asked about, 2 on error.

mod cli;

use std::process::ExitCode;

fn main() -> ExitCode {
    cli::run()
}
