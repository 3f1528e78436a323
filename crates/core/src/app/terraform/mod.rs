//! The Terraform use cases that combine the import (`interop::terraform`) with the rest of the
//! core: drift (a model against a fresh import, with the threats each difference opens or
//! closes, from the analysis) and re-import (a three-way merge with the previous import as the
//! common ancestor).

pub mod drift;

use std::path::Path;

use crate::catalog::Catalog;
use crate::interop::terraform::{Options, TerraformError, build, import_dir, root_modules};
use crate::model::{MergeConflict, ServiceModel};

pub use drift::{Drift, DriftItem, DriftKind, ThreatChange, drift};

/// Brings a fresh import into a model people have edited since the previous import: a
/// three-way merge with the previous import as the common ancestor. Hand-drawn elements,
/// notes, layout and triage stay; what changed in the infrastructure comes in; clashes become
/// conflicts in the model. Elements the fresh import adds get a place in the layout.
pub fn reimport(
    previous: &ServiceModel,
    current: &ServiceModel,
    fresh: &ServiceModel,
) -> (ServiceModel, Vec<MergeConflict>) {
    let (mut merged, conflicts) = crate::merge::merge(previous, current, fresh);
    build::complete_layout(&mut merged);
    (merged, conflicts)
}

/// Drift of `model` against the Terraform under `dir`: the root module named by
/// `options.service`, or the only one, or the one named like the model.
pub fn drift_dir(
    model: &ServiceModel,
    dir: &Path,
    options: &Options,
    catalog: &Catalog,
) -> Result<Drift, TerraformError> {
    let mut options = options.clone();
    if options.service.is_none() && root_modules(dir)?.len() > 1 {
        options.service = Some(model.name.clone());
    }
    let import = import_dir(dir, &options)?;
    let code = import
        .models
        .first()
        .ok_or_else(|| TerraformError::NoRootModule(dir.to_path_buf()))?;
    Ok(drift(model, code, catalog))
}
