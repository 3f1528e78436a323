//! Terraform in the desktop: "Import from Terraform folder" and "Check drift". Both are the
//! core's use cases (`app::terraform::import_folder`, `app::terraform::drift_dir`), the same as
//! `stridewise import DIR --format terraform --workspace W` and `stridewise drift`; this file
//! turns their results into what crosses IPC. The folder and variable files come from the
//! native dialogs, as for the other imports.

use std::path::PathBuf;

use serde::Serialize;
use stridewise_core::app::terraform::{self, DriftKind};
use stridewise_core::catalog::Catalog;
use stridewise_core::interop::terraform::Options;
use stridewise_core::store::StoreError;

use crate::chosen::{ChosenPaths, PathPurpose};
use crate::error::ApiError;
use crate::types::ServiceEntry;
use crate::workspace::{AppCore, parse_model_id, store_error};

/// One service a Terraform import saved.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct TerraformService {
    pub service: ServiceEntry,
    /// The root module it came from, relative to the folder.
    pub root: String,
    /// `import`'s summary: counts by type, what is not mapped or not known statically.
    pub summary: Vec<String>,
    pub elements: u32,
    pub flows: u32,
    pub boundaries: u32,
    /// Merged into a service the workspace had (a re-import).
    pub merged: bool,
    /// Conflicts the merge left in the model.
    pub conflicts: Vec<String>,
}

/// One difference between a service and its Terraform.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct DriftLine {
    /// `missing_from_model`, `no_longer_in_code` or `property_differs`.
    pub kind: String,
    /// The kind in words: "in the code, not in the model", ...
    pub label: String,
    /// The difference in a sentence, with both values for a property.
    pub message: String,
    pub address: String,
    /// The model's element or flow it is about; none for what the model lacks.
    pub object: Option<String>,
    /// The property that differs (`property_differs` only).
    pub property: Option<String>,
    /// The threats the code's value would open and close: "RULE [severity] title".
    pub opens: Vec<String>,
    pub closes: Vec<String>,
}

/// A service checked against its Terraform.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct DriftReport {
    pub service: String,
    /// Objects matched by Terraform address.
    pub matched: u32,
    pub items: Vec<DriftLine>,
}

/// The folder and variable files, each accepted only if the user chose it in the dialog for
/// it (`chosen.rs`): the webview cannot make the backend read a folder of its own naming.
fn chosen_inputs(
    chosen: &mut ChosenPaths,
    dir: &str,
    var_files: &[String],
) -> Result<(PathBuf, Options), ApiError> {
    let dir = chosen.take(PathPurpose::TerraformFolder, dir)?;
    let options = Options {
        var_files: var_files
            .iter()
            .map(|f| chosen.take(PathPurpose::TerraformVars, f))
            .collect::<Result<Vec<PathBuf>, _>>()?,
        ..Options::default()
    };
    Ok((dir, options))
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

impl AppCore {
    /// Imports the Terraform folder into `application`, one service per root module.
    pub fn import_terraform(
        &mut self,
        application: &str,
        dir: &str,
        var_files: &[String],
    ) -> Result<Vec<TerraformService>, ApiError> {
        let (dir, options) = chosen_inputs(&mut self.chosen, dir, var_files)?;
        let done = terraform::import_folder(
            self.ws()?,
            application,
            &dir,
            &options,
            None,
            Catalog::builtin(),
            &self.author,
        )?;
        done.into_iter()
            .map(|s| {
                Ok(TerraformService {
                    service: self.entry(s.id)?,
                    root: s.summary.root.clone(),
                    summary: s.summary.lines(),
                    elements: count(s.summary.elements),
                    flows: count(s.summary.flows),
                    boundaries: count(s.summary.boundaries),
                    merged: s.import.merged,
                    conflicts: s
                        .import
                        .conflicts
                        .iter()
                        .map(|c| c.message.clone())
                        .collect(),
                })
            })
            .collect()
    }

    /// The service's head revision against the Terraform folder.
    pub fn terraform_drift(
        &mut self,
        service: &str,
        dir: &str,
        var_files: &[String],
    ) -> Result<DriftReport, ApiError> {
        let id = parse_model_id(service)?;
        let (dir, options) = chosen_inputs(&mut self.chosen, dir, var_files)?;
        let (_, model) = self
            .ws()?
            .load_head(id)?
            .ok_or_else(|| store_error(StoreError::UnknownModel(id)))?;
        let drift = terraform::drift_dir(&model, &dir, &options, Catalog::builtin())?;
        let threat =
            |t: &terraform::ThreatChange| format!("{} [{}] {}", t.rule, t.severity, t.title);
        Ok(DriftReport {
            service: model.name.clone(),
            matched: count(drift.matched),
            items: drift
                .items
                .iter()
                .map(|i| DriftLine {
                    kind: match i.kind {
                        DriftKind::MissingFromModel => "missing_from_model",
                        DriftKind::NoLongerInCode => "no_longer_in_code",
                        DriftKind::PropertyDiffers => "property_differs",
                    }
                    .into(),
                    label: i.kind.label().into(),
                    message: i.message(),
                    address: i.address.clone(),
                    object: i.id.map(|id| id.to_string()),
                    property: i.property.clone(),
                    opens: i.threats_opened.iter().map(threat).collect(),
                    closes: i.threats_closed.iter().map(threat).collect(),
                })
                .collect(),
        })
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::workspace::Dirs;
    use crate::workspace::tests::chose;

    fn fixture() -> String {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../tests/fixtures/terraform/app")
            .to_string_lossy()
            .into_owned()
    }

    #[test]
    fn a_terraform_folder_is_imported_and_its_drift_found() {
        let dir = tempfile::tempdir().unwrap();
        let mut c = AppCore::new(
            Dirs {
                config: dir.path().join("config"),
                data: dir.path().join("data"),
            },
            None,
        );
        let ws = dir.path().join("w.stridewise");
        let ws = chose(&mut c, PathPurpose::NewWorkspace, &ws);
        c.create_workspace(&ws).unwrap();
        let tfvars = format!("{}/prod.tfvars", fixture());
        // What the person at the folder and variable-file dialogs answers, each time.
        let pick = |c: &mut AppCore, dir: &str, vars: &str| {
            (
                chose(c, PathPurpose::TerraformFolder, Path::new(dir)),
                vec![chose(c, PathPurpose::TerraformVars, Path::new(vars))],
            )
        };

        // A folder the user did not choose is refused before anything is read.
        let refused = c
            .import_terraform("infra", &fixture(), std::slice::from_ref(&tfvars))
            .unwrap_err();
        assert_eq!(
            refused.code,
            crate::ApiErrorCode::PathNotChosen,
            "{refused}"
        );

        let (folder, vars) = pick(&mut c, &fixture(), &tfvars);
        let done = c.import_terraform("infra", &folder, &vars).unwrap();
        assert_eq!(done.len(), 1, "{done:?}");
        let s = &done[0];
        assert!(s.elements > 5 && s.flows > 0 && s.boundaries > 0, "{s:?}");
        assert!(!s.merged);
        assert!(
            s.summary.iter().any(|l| l.starts_with("drawn: ")),
            "{:?}",
            s.summary
        );
        assert_eq!(c.info().unwrap().applications[0].services.len(), 1);

        // Fresh from the code: no drift. A copy of the Terraform whose Cosmos DB is opened to
        // the internet: the difference, with both values, on the model's element.
        let (folder, vars) = pick(&mut c, &fixture(), &tfvars);
        let clean = c
            .terraform_drift(&s.service.id.to_string(), &folder, &vars)
            .unwrap();
        assert!(clean.items.is_empty(), "{:?}", clean.items);
        assert!(clean.matched > 0);

        // Named like the fixture: the service is named after its root module.
        let copy = dir.path().join("copy").join("app");
        copy_dir(Path::new(&fixture()), &copy);
        let vars = copy.join("prod.tfvars");
        let text = std::fs::read_to_string(&vars).unwrap();
        assert!(text.contains("cosmos_public = false"), "{text}");
        std::fs::write(
            &vars,
            text.replace("cosmos_public = false", "cosmos_public = true"),
        )
        .unwrap();
        let (folder, vars) = pick(
            &mut c,
            copy.to_str().unwrap(),
            copy.join("prod.tfvars").to_str().unwrap(),
        );
        let drift = c
            .terraform_drift(&s.service.id.to_string(), &folder, &vars)
            .unwrap();
        let item = drift
            .items
            .iter()
            .find(|i| i.kind == "property_differs")
            .unwrap_or_else(|| panic!("{:?}", drift.items));
        assert!(item.object.is_some(), "{item:?}");
        assert!(item.message.contains("in the model"), "{}", item.message);

        // Re-import of the opened copy: merged with the workspace's kept import as the
        // ancestor, so the infrastructure change comes in and a hand-drawn element stays.
        let id = s.service.id.to_string();
        let loaded = c.load_service(&id).unwrap();
        let head = loaded.service.head.clone().unwrap().id;
        let mut model = loaded.model;
        let partner = stridewise_core::model::Element::new(
            stridewise_core::model::ElementKind::ExternalEntity,
            "Card processor",
        );
        let partner_id = partner.id;
        model.elements.push(partner);
        c.save_service("infra", &model, Some(&head), "the card processor")
            .unwrap();
        let (folder, vars) = pick(
            &mut c,
            copy.to_str().unwrap(),
            copy.join("prod.tfvars").to_str().unwrap(),
        );
        let again = c.import_terraform("infra", &folder, &vars).unwrap();
        assert!(
            again[0].merged && again[0].conflicts.is_empty(),
            "{again:?}"
        );
        let merged = c.load_service(&id).unwrap().model;
        assert!(
            merged.element(partner_id).is_some(),
            "the hand-drawn element stays"
        );
        let (folder, vars) = pick(
            &mut c,
            copy.to_str().unwrap(),
            copy.join("prod.tfvars").to_str().unwrap(),
        );
        let after = c.terraform_drift(&id, &folder, &vars).unwrap();
        assert!(after.items.is_empty(), "{:?}", after.items);
    }

    fn copy_dir(from: &Path, to: &Path) {
        std::fs::create_dir_all(to).unwrap();
        for e in std::fs::read_dir(from).unwrap() {
            let e = e.unwrap();
            let target = to.join(e.file_name());
            if e.path().is_dir() {
                copy_dir(&e.path(), &target);
            } else {
                std::fs::copy(e.path(), target).unwrap();
            }
        }
    }
}
