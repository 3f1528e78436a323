//! The revision browser: a service's saved revisions and any of them read-only with what it
//! changes against the head (`app::services::revisions`, `app::services::revision`). Restoring
//! one is an edit in the UI: the old model saved as the next revision, so the history only grows.

use stridewise_core::app::services as svc;

use crate::error::ApiError;
use crate::types::{RevisionRef, RevisionView};
use crate::workspace::AppCore;

impl AppCore {
    /// A service's revisions, newest first.
    pub fn revisions(&self, service: &str) -> Result<Vec<RevisionRef>, ApiError> {
        svc::revisions(self.ws()?, service)
    }

    /// One revision of the service, with the changes from it to the head.
    pub fn revision(&self, service: &str, revision: &str) -> Result<RevisionView, ApiError> {
        svc::revision(self.ws()?, service, revision)
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
