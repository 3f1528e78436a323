//! The application layer: the use cases of Stridewise, each combining the modules below it
//! (the store with merge, analysis, consolidation and reviews). The command-line tool and the
//! desktop shell call these rather than assembling the use cases themselves, so the two give
//! the same results.

pub mod code;
pub mod error;
pub mod gate;
pub mod report;
pub mod review;
pub mod terraform;
pub mod threat;
pub mod triage;
pub mod workspace;

pub use error::{AppError, ErrorCode};
