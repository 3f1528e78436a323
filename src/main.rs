//! The `stridewise` command-line tool: argument parsing and printing over `stridewise-core`.
//!
//! Exit codes: 0 clean, 1 when a check found what was asked about, 2 for wrong input, 3 when
//! something named does not exist, 4 when the workspace's state refused the action, 5 when the
//! system failed (the table is `app::ErrorCode::exit_status`, shown by `stridewise --help`).

mod cli;

use std::process::ExitCode;

fn main() -> ExitCode {
    cli::run()
}
