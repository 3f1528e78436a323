//! Threats written by hand, as use cases: one edit (add, change, remove) applied to a model with
//! its author and time, and the same edit saved as a workspace service's next revision. The
//! rules themselves (a title, a target that exists, a moved threat keeping its decision) are the
//! model's (`ServiceModel::add_threat` and its siblings); the command-line tool (`stridewise
//! threat`) and the desktop app both come through here, so they stamp and save alike.

use serde::{Deserialize, Serialize};

use crate::catalog::Catalog;
use crate::model::{ManualThreat, ModelId, ServiceModel, ThreatEditError, ThreatId, ThreatKey};
use crate::store::{self, SaveOutcome, Workspace};

use super::error::{AppError, ErrorCode};

/// One change to a model's hand-written threats.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "action", content = "threat", rename_all = "snake_case")]
pub enum ThreatEdit {
    /// A new threat (its id chosen by the caller, fresh).
    Add(ManualThreat),
    /// The threat with this id, replaced by this one.
    Update(ManualThreat),
    /// The threat with this id goes, with the decision on it.
    Remove(ThreatId),
}

impl From<ThreatEditError> for AppError {
    fn from(err: ThreatEditError) -> Self {
        let code = match err {
            ThreatEditError::UnknownThreat(_) => ErrorCode::NotFound,
            ThreatEditError::Ambiguous { .. } => ErrorCode::Ambiguous,
            // What the threat is about is part of the request: a name that matches nothing is
            // wrong input, like an empty title.
            ThreatEditError::EmptyTitle
            | ThreatEditError::NoSuchObject { .. }
            | ThreatEditError::UnknownTarget(_)
            | ThreatEditError::DuplicateId(_) => ErrorCode::InvalidInput,
        };
        AppError::new(code, err.to_string())
    }
}

/// Applies `edit` to `model`. The threat written or changed records `author` (when not empty)
/// as who wrote it last; a new threat gets the time it was written, a changed one keeps it.
/// Returns the threat's key (for a removal, the key it had).
pub fn apply(
    model: &mut ServiceModel,
    edit: ThreatEdit,
    author: &str,
) -> Result<ThreatKey, AppError> {
    let stamp = |t: &mut ManualThreat| {
        if !author.trim().is_empty() {
            t.author = author.trim().to_string();
        }
    };
    Ok(match edit {
        ThreatEdit::Add(mut t) => {
            stamp(&mut t);
            if t.created_at.is_empty() {
                t.created_at = store::now();
            }
            model.add_threat(t)?
        }
        ThreatEdit::Update(mut t) => {
            stamp(&mut t);
            if t.created_at.is_empty()
                && let Some(old) = model.threat(t.id)
            {
                t.created_at = old.created_at.clone();
            }
            model.update_threat(t)?
        }
        ThreatEdit::Remove(id) => model.remove_threat(id)?.key(),
    })
}

/// What [`edit_service`] did.
#[derive(Clone, Debug, PartialEq)]
pub struct ServiceEdit<R> {
    /// What the edit returned.
    pub value: R,
    pub outcome: SaveOutcome,
}

/// Changes a workspace service's head revision with `edit` and saves the result as its next
/// revision, checked against that head like every save (another writer in between makes it a
/// conflict, nothing written). The head is read with the service's triage, so a threat moved to
/// another object takes its decision along (the store takes the document's decisions for keys
/// it has none for); the threats that fire are recorded, so the decision of a removed threat
/// turns obsolete.
pub fn edit_service<R>(
    ws: &Workspace,
    service: ModelId,
    catalog: &Catalog,
    author: &str,
    message: &str,
    edit: impl FnOnce(&mut ServiceModel) -> Result<R, AppError>,
) -> Result<ServiceEdit<R>, AppError> {
    let summary = ws
        .models()?
        .into_iter()
        .find(|m| m.id == service)
        .ok_or(store::StoreError::UnknownModel(service))?;
    let (head, mut model) = ws.export(service)?;
    let value = edit(&mut model)?;
    model.lineage = None;
    let outcome = ws.save(store::Save {
        application: &summary.application,
        model: &model,
        expected_head: Some(head.id),
        merge_parent: None,
        author,
        message,
    })?;
    super::workspace::record_threats(ws, &model, catalog, author)?;
    Ok(ServiceEdit { value, outcome })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Element, ElementKind, Stride, ThreatTarget};

    #[test]
    fn edits_stamp_the_author_and_keep_the_time_written() {
        let mut m = ServiceModel::new("m");
        let api = Element::new(ElementKind::Process, "API");
        let target = ThreatTarget::Element(api.id);
        m.elements.push(api);
        let t = ManualThreat::new("Token replay", Stride::Spoofing, target);
        let key = apply(&mut m, ThreatEdit::Add(t.clone()), "ana").unwrap();
        assert_eq!(key, t.key());
        let written = m.threat(t.id).unwrap().clone();
        assert_eq!(written.author, "ana");
        assert!(!written.created_at.is_empty());

        let mut changed = t.clone();
        changed.title = "Stolen token replay".into();
        apply(&mut m, ThreatEdit::Update(changed), "ben").unwrap();
        let now = m.threat(t.id).unwrap();
        assert_eq!(
            (now.title.as_str(), now.author.as_str()),
            ("Stolen token replay", "ben")
        );
        assert_eq!(now.created_at, written.created_at);

        let mut empty = t.clone();
        empty.title = " ".into();
        let err = apply(&mut m, ThreatEdit::Update(empty), "ben").unwrap_err();
        assert_eq!(err.code, ErrorCode::InvalidInput);
        assert_eq!(apply(&mut m, ThreatEdit::Remove(t.id), "ben").unwrap(), key);
        let err = apply(&mut m, ThreatEdit::Remove(t.id), "ben").unwrap_err();
        assert_eq!(err.code, ErrorCode::NotFound);
    }

    #[test]
    fn an_edit_travels_as_its_action_and_threat() {
        let t = ManualThreat::new("x", Stride::Tampering, ThreatTarget::Model);
        let json = serde_json::to_value(ThreatEdit::Remove(t.id)).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"action": "remove", "threat": t.id.to_string()})
        );
        let add: ThreatEdit =
            serde_json::from_value(serde_json::json!({"action": "add", "threat": t})).unwrap();
        assert_eq!(add, ThreatEdit::Add(t));
    }
}
