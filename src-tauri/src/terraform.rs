//! Terraform in the desktop: "Import from Terraform folder" and "Check drift", the core's
//! `app::services::import_terraform` and `terraform_drift` (the same use cases as
//! `stridewise import DIR --format terraform --workspace W` and `stridewise drift`). The folder
//! and variable files come from the native dialogs, as for the other imports.

use std::path::PathBuf;

use stridewise_core::app::services as svc;
use stridewise_core::interop::terraform::Options;

use crate::chosen::{ChosenPaths, PathPurpose};
use crate::error::ApiError;
use crate::types::{DriftReport, TerraformService};
use crate::workspace::AppCore;

/// The folder and variable files, each accepted only if the user chose it in the dialog for
/// it (`chosen.rs`): the webview cannot make the backend read a folder of its own naming.
fn chosen_inputs(
    chosen: &mut ChosenPaths,
    dir: &str,
    vars: &[String],
) -> Result<(PathBuf, Options), ApiError> {
    let dir = chosen.take(PathPurpose::TerraformFolder, dir)?;
    let var_files = vars
        .iter()
        .map(|f| chosen.take(PathPurpose::TerraformVars, f));
    let options = Options {
        var_files: var_files.collect::<Result<_, _>>()?,
        ..Options::default()
    };
    Ok((dir, options))
}

impl AppCore {
    /// Imports the Terraform folder into `application`, one service per root module.
    pub fn import_terraform(
        &mut self,
        application: &str,
        dir: &str,
        vars: &[String],
    ) -> Result<Vec<TerraformService>, ApiError> {
        let (dir, options) = chosen_inputs(&mut self.chosen, dir, vars)?;
        svc::import_terraform(self.ws()?, application, &dir, &options, &self.author)
    }

    /// The service's head revision against the Terraform folder.
    pub fn terraform_drift(
        &mut self,
        service: &str,
        dir: &str,
        vars: &[String],
    ) -> Result<DriftReport, ApiError> {
        let (dir, options) = chosen_inputs(&mut self.chosen, dir, vars)?;
        svc::terraform_drift(self.ws()?, service, &dir, &options)
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
        let loaded = svc::load(c.ws().unwrap(), &id).unwrap();
        let head = loaded.service.head.clone().unwrap().id;
        let mut model = loaded.model;
        let partner = stridewise_core::model::Element::new(
            stridewise_core::model::ElementKind::ExternalEntity,
            "Card processor",
        );
        let partner_id = partner.id;
        model.elements.push(partner);
        svc::save(
            c.ws().unwrap(),
            "infra",
            &model,
            Some(&head),
            "the card processor",
            &c.author,
        )
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
        let merged = svc::load(c.ws().unwrap(), &id).unwrap().model;
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
