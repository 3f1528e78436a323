//! Diagram geometry, kept apart from semantics: rules never read it.
//!
//! [`generate`] lays out models that have no stored geometry (the report draws them, importers
//! of formats without positions place them); [`geometry`] is the plane geometry that turns a
//! drawing into trust-boundary membership for importers whose sources only store where things
//! are drawn. Both serve the report and the importers, and know nothing of either.

pub mod generate;
pub mod geometry;
pub mod place;

pub use generate::{ELEMENT_H, ELEMENT_W, generated_layout, resolved_layout};

/// An estimate of the width of text in the diagrams' sans-serif font at `size` px. Good enough
/// to size boxes and label backgrounds; the browser does the real layout.
pub fn text_width(s: &str, size: f64) -> f64 {
    s.chars().count() as f64 * size * 0.56
}
