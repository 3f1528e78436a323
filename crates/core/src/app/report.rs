//! Report input read from a workspace: the head revision of each service with its triage, the
//! consolidated application with its own triage, and the review history ([`from_workspace`]).
//! `stridewise report`, `export` and `check` with `--workspace` and the desktop's report all
//! assemble it here.

use crate::catalog::Catalog;
use crate::model::ModelKind;
use crate::report::{ModelSection, ReportInput, ReportOptions, ReviewEntry};
use crate::store::{Result, Scope, StoreError, Workspace};

use super::error::{AppError, ErrorCode};
use super::types::ReportWritten;

/// What a report of a workspace covers: see [`from_workspace`].
#[derive(Debug)]
pub struct WorkspaceReport {
    /// The selected services' head revisions with their triage, analysed.
    pub models: Vec<ModelSection>,
    /// The consolidated application with its own triage, when several services are covered.
    pub application: Option<ModelSection>,
    /// The review history (of the application, when one is named), oldest first.
    pub reviews: Vec<ReviewEntry>,
}

/// The report input of a workspace: its services (of `application`, and only those named in
/// `services` when it is not empty: [`service_sections`]), the consolidated application named
/// `application` (or "application" when none is named: [`application_section`]) and the
/// reviews ([`review_entries`]).
pub fn from_workspace(
    ws: &Workspace,
    application: Option<&str>,
    services: &[String],
    catalog: &Catalog,
) -> Result<WorkspaceReport, AppError> {
    let models = service_sections(ws, application, services, catalog)?;
    let name = application.unwrap_or("application");
    Ok(WorkspaceReport {
        application: application_section(ws, name, &models, catalog)?,
        reviews: review_entries(ws, application)?,
        models,
    })
}

/// Now, or `SOURCE_DATE_EPOCH` when set (reproducible builds), as a report shows it.
pub fn generated_at() -> String {
    let secs = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.trim().parse::<i64>().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs() as i64)
        });
    crate::report::format_utc(secs)
}

/// Writes the HTML report of an application of the workspace to `path`: its services' head
/// revisions with their triage, the consolidated application when it has several services,
/// and its reviews; `author` on the cover. The count returned is the report's own (a threat
/// on a resource several services share once).
pub fn write_application(
    ws: &Workspace,
    application: &str,
    path: &std::path::Path,
    author: &str,
) -> Result<ReportWritten, AppError> {
    let parts = from_workspace(ws, Some(application), &[], Catalog::builtin())?;
    let input = ReportInput {
        title: format!("Threat model: {application}"),
        generated_at: generated_at(),
        authors: vec![author.to_string()],
        reviewers: Vec::new(),
        models: parts.models,
        application: parts.application,
        reviews: parts.reviews,
        options: ReportOptions::default(),
    };
    let html = crate::report::render_html(&input);
    write_html(path, html, "report", input.counted().len())
}

/// Writes a rendered HTML report (`what` names it in a failure) atomically to `path`.
pub fn write_html<E: std::fmt::Display>(
    path: &std::path::Path,
    html: std::result::Result<String, E>,
    what: &str,
    threats: usize,
) -> Result<ReportWritten, AppError> {
    let html = html.map_err(|e| {
        AppError::new(
            ErrorCode::Internal,
            format!("cannot render the {what}: {e}"),
        )
    })?;
    crate::file::write_atomic(path, html.as_bytes())
        .map_err(|e| AppError::io(path, "write", &e))?;
    let count = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
    Ok(ReportWritten {
        path: path.display().to_string(),
        bytes: count(html.len()),
        threats: count(threats),
    })
}

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::{TriageUpdate, workspace::add_document};
    use crate::model::TriageStatus;

    /// Both shells' reports come from here: the application section carries the
    /// application's own decision with its justification.
    #[test]
    fn a_workspace_report_has_the_applications_own_triage_and_is_written_whole() {
        let models = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../models");
        let dir = tempfile::tempdir().unwrap();
        let ws = Workspace::create(&dir.path().join("w.stridewise")).unwrap();
        for name in ["mc-global", "mc-stamp", "mc-operations"] {
            let path = models.join(format!("{name}.stride.json"));
            let m = crate::model::load(&path).unwrap();
            add_document(&ws, "mc", &m, "a file", "me", "added").unwrap();
        }
        let done =
            super::super::workspace::consolidate_application(&ws, "mc", Catalog::builtin(), "me")
                .unwrap();
        // A threat only the application model shows: the report lists it in its section.
        let key = done
            .analysis
            .threats
            .iter()
            .find(|t| t.app_level)
            .unwrap()
            .key
            .clone();
        let app = ws.block_on(ws.store().application("mc")).unwrap();
        let update = TriageUpdate {
            status: Some(TriageStatus::Accepted),
            justification: Some("the platform team owns it".into()),
            ..Default::default()
        };
        ws.decide(Scope::Application(app.id), &key, &update, "me", None)
            .unwrap();
        let parts = from_workspace(&ws, Some("mc"), &[], Catalog::builtin()).unwrap();
        assert_eq!(parts.models.len(), 3);
        let section = parts
            .application
            .expect("two services give an application section");
        let decision = &section.model.triage[&key];
        assert_eq!(decision.status, TriageStatus::Accepted);
        let out = dir.path().join("r.html");
        let written = write_application(&ws, "mc", &out, "me").unwrap();
        let html = std::fs::read_to_string(&out).unwrap();
        assert_eq!(written.bytes as usize, html.len());
        assert!(html.contains("the platform team owns it"));
    }
}
