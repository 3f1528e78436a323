//! The application layer: the use cases of Stridewise, each combining the modules below it
//! (the store with merge, analysis, consolidation and reviews). The command-line tool and the
//! desktop shell call these rather than assembling the use cases themselves, so the two give
//! the same results.

pub mod catalog;
pub mod chosen;
pub mod code;
pub mod copy;
pub mod error;
pub mod gate;
pub mod import;
pub mod live;
pub mod models;
pub mod recent;
pub mod report;
pub mod review;
pub mod review_view;
pub mod services;
pub mod terraform;
pub mod threat;
pub mod triage;
pub mod types;
pub mod workspace;

pub use error::{AppError, ErrorCode};

// The vocabulary of the use cases: the types the shells name in their arguments and results,
// re-exported so that a shell names `app` (and `model`, `catalog`, `interop`) and never the
// modules below it (`crates/core/tests/layering.rs` checks the shells' sources).
pub use crate::analysis::{Analysis, FlowEnds, MitigationRef, Summary, Target, TargetKind, Threat};
pub use crate::consolidate::paths::ThreatPaths;
pub use crate::consolidate::{Consolidation, ConsolidationDiagnostic};
pub use crate::review::{
    AgendaReason, ItemDecision, ReviewId, ReviewInfo, ReviewState, StoredItem,
};
pub use crate::store::{
    Application, CopyReport, Location, ModelSummary, RevisionInfo, Save, SaveOutcome, Scope,
    StoreError, TriageUpdate, Workspace,
};
