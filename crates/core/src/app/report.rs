//! Report input read from a workspace: the head revision of each service with its triage, and
//! the review history. Shared by `stridewise report --workspace` and the desktop app.

use crate::catalog::Catalog;
use crate::model::ModelKind;
use crate::report::{ModelSection, ReviewEntry};
use crate::store::{Result, Scope, StoreError, Workspace};

use super::error::{AppError, ErrorCode};

/// The head revision of every service of the workspace (of `application`, and only those
/// named in `services` when it is not empty), with its triage, analysed, and the copies of a
/// threat on a resource several services share marked ([`crate::report::mark_shared`]).
/// Naming a service the workspace does not have, or selecting none, is an error.
pub fn service_sections(
    ws: &Workspace,
    application: Option<&str>,
    services: &[String],
    catalog: &Catalog,
) -> Result<Vec<ModelSection>, AppError> {
    let mut sections = Vec::new();
    for summary in ws.models()? {
        if summary.kind != ModelKind::Service
            || application.is_some_and(|a| a != summary.application)
            || (!services.is_empty() && !services.contains(&summary.name))
        {
            continue;
        }
        let Some((revision, mut m)) = ws.load_head(summary.id)? else {
            continue;
        };
        m.triage = ws.triage(Scope::Service(summary.id))?;
        sections.push(ModelSection::analyzed(
            m,
            format!(
                "revision #{} by {} on {} ({})",
                revision.seq, revision.author, revision.created_at, revision.id
            ),
            None,
            catalog,
        ));
    }
    if let Some(missing) = services
        .iter()
        .find(|n| !sections.iter().any(|s| &s.model.name == *n))
    {
        return Err(StoreError::UnknownService {
            name: missing.clone(),
            application: application.map(str::to_string),
        }
        .into());
    }
    // The copies of one threat on a resource several services share count once.
    crate::report::mark_shared(&mut sections, &catalog.stencils);
    if sections.is_empty() {
        return Err(AppError::new(
            ErrorCode::NotFound,
            format!(
                "the workspace has no service models{}",
                application
                    .map(|a| format!(" in application '{a}'"))
                    .unwrap_or_default()
            ),
        ));
    }
    Ok(sections)
}

/// The consolidated application section of a workspace report: there is one when the report
/// covers several services. It carries the application's own triage (the decisions about its
/// consolidated model, as `triage --application-model` and the desktop's application view
/// record them) on top of the services'.
pub fn application_section(
    ws: &Workspace,
    application: &str,
    sections: &[ModelSection],
    catalog: &Catalog,
) -> Result<Option<ModelSection>, AppError> {
    if sections.len() < 2 {
        return Ok(None);
    }
    let decisions = match ws.block_on(ws.store().application(application)) {
        Ok(app) => ws.triage(Scope::Application(app.id))?,
        Err(StoreError::UnknownApplication(_)) => Default::default(),
        Err(err) => return Err(err.into()),
    };
    let services: Vec<_> = sections.iter().map(|s| s.model.clone()).collect();
    Ok(Some(ModelSection::application(
        application,
        &services,
        decisions,
        catalog,
    )))
}

/// The review history of the workspace (of `application`, when given), oldest first.
pub fn review_entries(ws: &Workspace, application: Option<&str>) -> Result<Vec<ReviewEntry>> {
    let store = ws.store();
    let mut entries = Vec::new();
    for r in ws.block_on(store.reviews(None))? {
        if application.is_some_and(|a| a != r.application) {
            continue;
        }
        let items = ws.block_on(store.review_items(r.id))?;
        let scope: Vec<&str> = r.models.iter().map(|m| m.name.as_str()).collect();
        entries.push(ReviewEntry {
            label: r.sprint.clone(),
            date: r.closed_at.clone().unwrap_or_else(|| r.opened_at.clone()),
            scope: format!("{}: {}", r.application, scope.join(", ")),
            participants: r.participants.clone(),
            decisions: items.iter().filter(|i| i.decision.is_some()).count(),
            state: r.state.as_str().to_string(),
            notes: r.notes.clone(),
        });
    }
    Ok(entries)
}
