//! The one error type that crosses IPC is the core's application error, passed through
//! unchanged: the CLI and the desktop give the same code for the same refusal. The UI switches
//! on `code`, never on `message`.

pub use stridewise_core::app::{AppError as ApiError, ErrorCode as ApiErrorCode};
