//! Tests of the revision browser's commands: a service's saved revisions and any of them
//! read-only with what it changes against the head (`app::services::revisions`,
//! `app::services::revision`). Restoring one is an edit in the UI: the old model saved as the
//! next revision, so the history only grows.

#[cfg(test)]
mod tests {
    use std::path::Path;

    use stridewise_core::model::{Element, ElementKind};

    use crate::error::ApiErrorCode;
    use stridewise_core::app::services as svc;

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
        let first = svc::create(c.ws().unwrap(), "shop", "payments", &c.author).unwrap();
        let id = first.service.id.to_string();
        let first_id = first.service.head.as_ref().unwrap().id.clone();
        let mut m = first.model.clone();
        m.elements
            .push(Element::new(ElementKind::Process, "Payments API"));
        let saved = svc::save(
            c.ws().unwrap(),
            "shop",
            &m,
            Some(&first_id),
            "add the API",
            &c.author,
        )
        .unwrap();

        let list = svc::revisions(c.ws().unwrap(), &id).unwrap();
        assert_eq!(list.iter().map(|r| r.seq).collect::<Vec<_>>(), [2, 1]);
        assert_eq!(list[0].message, "add the API");
        assert_eq!(
            Some(&list[0].id),
            saved.service.head.as_ref().map(|h| &h.id)
        );

        let old = svc::revision(c.ws().unwrap(), &id, &first_id).unwrap();
        assert_eq!(old.revision.seq, 1);
        assert_eq!(old.head.seq, 2);
        assert!(old.model.elements.is_empty());
        assert!(old.changes.contains("Payments API"), "{}", old.changes);
        assert!(!old.layout_only);
        let head = svc::revision(c.ws().unwrap(), &id, &list[0].id).unwrap();
        assert_eq!(head.changes, "");

        // Another service's revision, an unknown one and a malformed id are refused by name.
        let other = svc::create(c.ws().unwrap(), "shop", "orders", &c.author).unwrap();
        let other_rev = other.service.head.as_ref().unwrap().id.clone();
        let err = svc::revision(c.ws().unwrap(), &id, &other_rev).unwrap_err();
        assert_eq!(err.code, ApiErrorCode::InvalidInput);
        assert!(
            err.message.contains("not a revision of service"),
            "{}",
            err.message
        );
        assert_eq!(
            svc::revision(c.ws().unwrap(), &id, "nope")
                .unwrap_err()
                .code,
            ApiErrorCode::InvalidInput
        );
        assert!(svc::revision(c.ws().unwrap(), &id, &uuid::Uuid::nil().to_string()).is_err());
    }
}
