//! The Terraform use cases that combine the import (`interop::terraform`) with the rest of the
//! core: drift (a model against a fresh import, with the threats each difference opens or
//! closes, from the analysis), re-import (a three-way merge with the previous import as the
//! common ancestor), and importing into a workspace as a service's next revision.

pub mod drift;

use std::path::Path;

use crate::catalog::Catalog;
use crate::interop::terraform::{
    Options, ServiceSummary, TerraformError, build, import_dir, root_modules,
};
use crate::model::{self, MergeConflict, ModelId, ServiceModel};
use crate::store::{self, SaveOutcome, StoreError, Workspace};

use super::error::{AppError, ErrorCode};

impl From<TerraformError> for AppError {
    fn from(err: TerraformError) -> Self {
        let code = match &err {
            TerraformError::Io { source, .. } if source.kind() == std::io::ErrorKind::NotFound => {
                ErrorCode::NotFound
            }
            TerraformError::Io { .. } => ErrorCode::Io,
            TerraformError::NotAFolder(_) | TerraformError::NoSuchService { .. } => {
                ErrorCode::InvalidInput
            }
            TerraformError::Mapping(_) => ErrorCode::InvalidCatalog,
            _ => ErrorCode::ImportFailed,
        };
        AppError::new(code, err.to_string())
    }
}

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

/// What [`import_into_workspace`] did.
#[derive(Clone, Debug, PartialEq)]
pub struct WorkspaceImport {
    pub outcome: SaveOutcome,
    /// Whether the import was merged into an existing service (a re-import).
    pub merged: bool,
    /// Conflicts the merge left for a decision; they are also in the saved model.
    pub conflicts: Vec<MergeConflict>,
}

/// Saves a fresh import (from Terraform root module `root`) as its service's next revision in
/// `application`, and keeps it in the workspace as the service's last import.
///
/// A service new to the workspace is saved as it is. A service the workspace already has is a
/// re-import: the fresh import is merged three-way into the head revision with the previous
/// import as the common ancestor, so hand-drawn elements, notes and layout stay and what
/// changed in the infrastructure comes in. The ancestor is `previous` when given (a file the
/// caller kept), else the import the workspace kept last time. Triage stays too: it lives in
/// the workspace under threat keys made of ids that derive from the service name and the
/// Terraform addresses, so the same resource has the same threats. The threats that fire are
/// recorded, so decisions of threats the infrastructure no longer has turn obsolete.
/// Re-importing a service without any previous import (one saved before the workspace kept
/// imports, or added by hand) is refused: without the ancestor the merge cannot tell a
/// hand-drawn element from a resource the code has dropped.
#[allow(clippy::too_many_arguments)]
pub fn import_into_workspace(
    ws: &Workspace,
    application: &str,
    fresh: &ServiceModel,
    root: &str,
    previous: Option<&ServiceModel>,
    catalog: &Catalog,
    author: &str,
    message: &str,
) -> Result<WorkspaceImport, super::AppError> {
    let head = match ws.head(fresh.id) {
        Ok(head) => head,
        Err(StoreError::UnknownModel(_)) => None,
        Err(err) => return Err(err.into()),
    };
    let kept = match (head.as_ref(), previous) {
        (Some(_), None) => ws.last_terraform_import(fresh.id)?,
        _ => None,
    };
    let (model, merged, conflicts) = match (head.as_ref(), previous.or(kept.as_ref())) {
        (None, _) => (fresh.clone(), false, Vec::new()),
        (Some(h), Some(previous)) => {
            let (_, current) = ws.load_revision(h.id)?;
            let (mut m, mut c) = reimport(previous, &current, fresh);
            crate::merge::name_sides(
                &mut m,
                &mut c,
                &format!("revision #{} by {}", h.seq, h.author),
                &format!("the Terraform import of {root}"),
            );
            (m, true, c)
        }
        (Some(h), None) => {
            return Err(super::AppError::invalid(format!(
                "the workspace already has service '{}' (revision #{}) but no Terraform import \
                 of it to merge against; re-importing it needs the previous import as the common \
                 ancestor (`--base FILE`)",
                fresh.name, h.seq
            )));
        }
    };
    let outcome = ws.save(store::Save {
        application,
        model: &model,
        expected_head: head.map(|h| h.id),
        merge_parent: None,
        author,
        message,
    })?;
    ws.keep_terraform_import(fresh, outcome.revision().id, root)?;
    super::workspace::record_threats(ws, &model, catalog, author)?;
    Ok(WorkspaceImport {
        outcome,
        merged,
        conflicts,
    })
}

/// One root module of a Terraform folder, imported into a workspace by [`import_folder`].
#[derive(Clone, Debug)]
pub struct FolderService {
    pub id: ModelId,
    pub name: String,
    /// What went in and what did not ([`ServiceSummary::lines`]).
    pub summary: ServiceSummary,
    pub import: WorkspaceImport,
}

/// Imports every root module under `dir` (or the one `options.service` names) into
/// `application` as services, as `stridewise import DIR --format terraform --workspace W --app A`
/// does: a service new to the workspace is saved as imported, one it has already is re-imported
/// with `previous` or else the workspace's last import of it as the common ancestor
/// ([`import_into_workspace`]). Nothing is saved unless
/// every imported model validates.
pub fn import_folder(
    ws: &Workspace,
    application: &str,
    dir: &Path,
    options: &Options,
    previous: Option<&ServiceModel>,
    catalog: &Catalog,
    author: &str,
) -> Result<Vec<FolderService>, AppError> {
    let import = import_dir(dir, options)?;
    for m in &import.models {
        let errors: Vec<String> = model::validate(m, &catalog.stencils)
            .iter()
            .filter(|d| d.is_error())
            .map(|d| d.to_string())
            .collect();
        if !errors.is_empty() {
            return Err(AppError::invalid(format!(
                "the import of '{}' does not validate, so nothing was saved: {}",
                m.name,
                errors.join("; ")
            )));
        }
    }
    let mut out = Vec::new();
    for (m, summary) in import.models.iter().zip(import.services) {
        let message = format!("Terraform import of {}", summary.root);
        let done = import_into_workspace(
            ws,
            application,
            m,
            &summary.root,
            previous,
            catalog,
            author,
            &message,
        )?;
        out.push(FolderService {
            id: m.id,
            name: m.name.clone(),
            summary,
            import: done,
        });
    }
    Ok(out)
}
