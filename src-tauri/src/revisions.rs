//! The revision browser: a service's saved revisions (every save, drag and merge is one), any of
//! them read-only, and what it changes against the head, by the core's semantic diff
//! (`stridewise_core::app::models::diff`, the same text as `stridewise diff`). Restoring one is an
//! edit in the UI: the old model saved as the next revision, so the history only grows.

use serde::Serialize;
use stridewise_core::app::StoreError;
use stridewise_core::app::models::{diff, diff_text};
use stridewise_core::model::{RevisionId, ServiceModel};

use crate::error::ApiError;
use crate::types::RevisionRef;
use crate::workspace::{AppCore, invalid, parse_model_id, store_error};

/// One revision of a service, read-only, and how the head differs from it.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct RevisionView {
    pub revision: RevisionRef,
    pub model: ServiceModel,
    /// The head it was compared with.
    pub head: RevisionRef,
    /// What going from this revision to the head changes (`stridewise diff` text); empty when
    /// they are the same model.
    pub changes: String,
    /// Only positions differ.
    pub layout_only: bool,
}

impl AppCore {
    /// A service's revisions, newest first.
    pub fn revisions(&self, service: &str) -> Result<Vec<RevisionRef>, ApiError> {
        let id = parse_model_id(service)?;
        self.entry(id)?;
        Ok(self
            .ws()?
            .history(id)?
            .iter()
            .map(RevisionRef::from)
            .collect())
    }

    /// One revision of the service, with the changes from it to the head.
    pub fn revision(&self, service: &str, revision: &str) -> Result<RevisionView, ApiError> {
        let id = parse_model_id(service)?;
        let rev = revision
            .parse::<uuid::Uuid>()
            .map(RevisionId)
            .map_err(|_| invalid(format!("'{revision}' is not a revision id")))?;
        let ws = self.ws()?;
        let (info, model) = ws.load_revision(rev)?;
        if info.model != id {
            return Err(invalid(format!(
                "revision {revision} is not a revision of service {service}"
            )));
        }
        let (head, head_model) = ws
            .load_head(id)?
            .ok_or_else(|| store_error(StoreError::UnknownModel(id)))?;
        let d = diff(&model, &head_model);
        Ok(RevisionView {
            revision: RevisionRef::from(&info),
            head: RevisionRef::from(&head),
            changes: if d.is_empty() {
                String::new()
            } else {
                diff_text(&d)
            },
            layout_only: !d.is_empty() && d.is_semantically_empty(),
            model,
        })
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use stridewise_core::model::{Element, ElementKind};

    use crate::error::ApiErrorCode;
    use crate::workspace::{AppCore, Dirs};

    fn core(dir: &Path) -> AppCore {
        let dirs = Dirs {
            config: dir.join("config"),
            data: dir.join("data"),
        };
        let mut c = AppCore::new(dirs, Some(dir.join("w.stridewise")));
        c.start().unwrap();
        c
    }

    #[test]
    fn lists_revisions_newest_first_and_diffs_each_against_the_head() {
        let dir = tempfile::tempdir().unwrap();
        let c = core(dir.path());
        let first = c.create_service("shop", "payments").unwrap();
        let id = first.service.id.to_string();
        let first_id = first.service.head.as_ref().unwrap().id.clone();
        let mut m = first.model.clone();
        m.elements
            .push(Element::new(ElementKind::Process, "Payments API"));
        let saved = c
            .save_service("shop", &m, Some(&first_id), "add the API")
            .unwrap();

        let list = c.revisions(&id).unwrap();
        assert_eq!(list.iter().map(|r| r.seq).collect::<Vec<_>>(), [2, 1]);
        assert_eq!(list[0].message, "add the API");
        assert_eq!(
            Some(&list[0].id),
            saved.service.head.as_ref().map(|h| &h.id)
        );

        let old = c.revision(&id, &first_id).unwrap();
        assert_eq!(old.revision.seq, 1);
        assert_eq!(old.head.seq, 2);
        assert!(old.model.elements.is_empty());
        assert!(old.changes.contains("Payments API"), "{}", old.changes);
        assert!(!old.layout_only);
        let head = c.revision(&id, &list[0].id).unwrap();
        assert_eq!(head.changes, "");

        // Another service's revision, an unknown one and a malformed id are refused by name.
        let other = c.create_service("shop", "orders").unwrap();
        let other_rev = other.service.head.as_ref().unwrap().id.clone();
        let err = c.revision(&id, &other_rev).unwrap_err();
        assert_eq!(err.code, ApiErrorCode::InvalidInput);
        assert!(
            err.message.contains("not a revision of service"),
            "{}",
            err.message
        );
        assert_eq!(
            c.revision(&id, "nope").unwrap_err().code,
            ApiErrorCode::InvalidInput
        );
        assert!(c.revision(&id, &uuid::Uuid::nil().to_string()).is_err());
    }
}
