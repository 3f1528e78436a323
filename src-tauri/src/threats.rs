//! Threats written by hand in the editor: the core's `app::threat::apply` on the model being
//! edited, with the app's author. The UI commits the model that comes back as one undoable edit
//! and saves it like every other (autosave); nothing is written here.

use stridewise_core::app::threat::{self, ThreatEdit};
use stridewise_core::model::ServiceModel;

use crate::error::ApiError;
use crate::workspace::AppCore;

impl AppCore {
    /// `model` with `edit` applied, or why not (an empty title, a target the model lacks, a
    /// threat it does not have).
    pub fn edit_threat(
        &self,
        mut model: ServiceModel,
        edit: ThreatEdit,
    ) -> Result<ServiceModel, ApiError> {
        threat::apply(&mut model, edit, &self.author)?;
        Ok(model)
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use stridewise_core::model::{ManualThreat, Stride, ThreatTarget};

    use super::*;
    use crate::api::embedded_samples;
    use crate::workspace::Dirs;

    fn core(dir: &Path) -> AppCore {
        let mut c = AppCore::new(
            Dirs {
                config: dir.join("config"),
                data: dir.join("data"),
            },
            None,
        );
        c.author = "ana".into();
        c
    }

    #[test]
    fn a_threat_is_added_changed_and_removed_with_the_apps_author() {
        let dir = tempfile::tempdir().unwrap();
        let c = core(dir.path());
        let (name, text) = embedded_samples()[0];
        let model = stridewise_core::model::from_json(text.as_bytes(), Path::new(name)).unwrap();
        let before = model.threats.len();
        let on = ThreatTarget::Element(model.elements[0].id);
        let t = ManualThreat::new("Token replay", Stride::Spoofing, on);

        let added = c
            .edit_threat(model.clone(), ThreatEdit::Add(t.clone()))
            .unwrap();
        assert_eq!(added.threats.len(), before + 1);
        assert_eq!(added.threat(t.id).unwrap().author, "ana");
        let analysis = stridewise_core::analysis::analyze(
            &added,
            stridewise_core::catalog::Catalog::builtin(),
        );
        assert!(analysis.threats.iter().any(|x| x.key == t.key()));

        let mut changed = t.clone();
        changed.target = ThreatTarget::Model;
        let moved = c
            .edit_threat(added.clone(), ThreatEdit::Update(changed.clone()))
            .unwrap();
        assert_eq!(moved.threat(t.id).unwrap().target, ThreatTarget::Model);

        let mut untitled = changed.clone();
        untitled.title.clear();
        let err = c
            .edit_threat(moved.clone(), ThreatEdit::Update(untitled))
            .unwrap_err();
        assert_eq!(err.code, crate::ApiErrorCode::InvalidInput);

        let removed = c.edit_threat(moved, ThreatEdit::Remove(t.id)).unwrap();
        assert_eq!(removed.threats.len(), before);
    }
}
