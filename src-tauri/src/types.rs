//! The values the commands take and return: the core's `app::types`, generated into
//! `ui/src/bindings/` (see `tests/bindings.rs`).

pub use stridewise_core::app::types::*;
