//! `stridewise-core`: every domain decision of Stridewise.
//!
//! The command-line tool and the desktop shell are thin layers over this crate. Module map:
//! [`model`] is the data-flow diagram and its file format; [`catalog`] loads stencils,
//! mitigations and threat rules. See `ARCHITECTURE.md` for the whole picture.

pub mod analysis;
pub mod app;
pub mod catalog;
pub mod condition;
pub mod consolidate;
pub mod file;
pub mod interop;
pub mod layout;
pub mod merge;
pub mod model;
pub mod report;
pub mod review;
pub mod store;
