//! Tests of threats written by hand in the editor, the `edit_threat` command: the core's
//! `app::services::edit_threat` on the model being edited, with the app's author. The UI commits the model that comes back as one undoable
//! edit and saves it like every other (autosave); nothing is written here.

#[cfg(test)]
mod tests {
    use std::path::Path;

    use stridewise_core::model::{ManualThreat, Stride, ThreatTarget};

    use stridewise_core::app::services as svc;
    use stridewise_core::app::threat::ThreatEdit;

    use crate::api::embedded_samples;
    use crate::workspace::AppCore;
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

        let added = svc::edit_threat(
            c.ws().ok(),
            model.clone(),
            ThreatEdit::Add(t.clone()),
            &c.author,
        )
        .unwrap();
        assert_eq!(added.threats.len(), before + 1);
        assert_eq!(added.threat(t.id).unwrap().author, "ana");
        let analysis = stridewise_core::app::models::threats(
            &added,
            stridewise_core::catalog::Catalog::builtin(),
        );
        assert!(analysis.threats.iter().any(|x| x.key == t.key()));

        let mut changed = t.clone();
        changed.target = ThreatTarget::Model;
        let moved = svc::edit_threat(
            c.ws().ok(),
            added.clone(),
            ThreatEdit::Update(changed.clone()),
            &c.author,
        )
        .unwrap();
        assert_eq!(moved.threat(t.id).unwrap().target, ThreatTarget::Model);

        let mut untitled = changed.clone();
        untitled.title.clear();
        let err = svc::edit_threat(
            c.ws().ok(),
            moved.clone(),
            ThreatEdit::Update(untitled),
            &c.author,
        )
        .unwrap_err();
        assert_eq!(err.code, crate::ApiErrorCode::InvalidInput);

        let removed =
            svc::edit_threat(c.ws().ok(), moved, ThreatEdit::Remove(t.id), &c.author).unwrap();
        assert_eq!(removed.threats.len(), before);
    }

    /// Issue 16: a hand-written threat moved to another object in the desktop keeps its
    /// decision, as the CLI's workspace form does.
    #[test]
    fn a_moved_threat_keeps_its_decision_in_the_workspace() {
        use crate::types::{TriageChange, TriageScope};
        use stridewise_core::model::TriageStatus;

        let dir = tempfile::tempdir().unwrap();
        let mut c = core(dir.path());
        let info = c.start().unwrap();
        let service = info.applications[0].services[0].clone();
        let id = service.id.to_string();
        let loaded = svc::load(c.ws().unwrap(), &id).unwrap();
        let app = info.applications[0].name.clone();
        let t = ManualThreat::new(
            "Token replay",
            Stride::Spoofing,
            ThreatTarget::Element(loaded.model.elements[0].id),
        );
        let added = svc::edit_threat(
            c.ws().ok(),
            loaded.model.clone(),
            ThreatEdit::Add(t.clone()),
            &c.author,
        )
        .unwrap();
        let head = service.head.as_ref().map(|h| h.id.clone());
        svc::save(
            c.ws().unwrap(),
            &app,
            &added,
            head.as_deref(),
            "",
            &c.author,
        )
        .unwrap();
        let change = TriageChange {
            status: Some(TriageStatus::Mitigated),
            justification: Some("tokens are bound to the client".into()),
            ..TriageChange::default()
        };
        svc::decide(
            c.ws().unwrap(),
            &TriageScope::Service { id: service.id },
            &t.key().0,
            &change,
            &c.author,
        )
        .unwrap();

        let mut moved = t.clone();
        moved.target = ThreatTarget::Element(loaded.model.elements[1].id);
        let reloaded = svc::load(c.ws().unwrap(), &id).unwrap();
        let next = svc::edit_threat(
            c.ws().ok(),
            reloaded.model.clone(),
            ThreatEdit::Update(moved.clone()),
            &c.author,
        )
        .unwrap();
        assert_eq!(
            next.triage.get(&moved.key()).map(|d| d.status),
            Some(TriageStatus::Mitigated),
            "the decision moved to the new key in the edited model"
        );
        let head = reloaded.service.head.as_ref().map(|h| h.id.clone());
        svc::save(c.ws().unwrap(), &app, &next, head.as_deref(), "", &c.author).unwrap();
        let analysis = svc::analyze(c.ws().unwrap(), &next, Some(&id)).unwrap();
        assert_eq!(
            analysis.decisions.get(&moved.key()).map(|d| d.status),
            Some(TriageStatus::Mitigated),
            "the workspace has the decision under the moved threat's key"
        );
    }
}
