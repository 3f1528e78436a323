//! `catalog check`'s use of the analysis: every rule's examples are analysed and must fire
//! (or stay quiet) as the rule says. The checks of the catalog alone are `catalog::check`.

pub use crate::analysis::examples::{ExampleFailure, run_examples};
