//! Importers and exporters of other tools' formats.

pub mod pytm;
