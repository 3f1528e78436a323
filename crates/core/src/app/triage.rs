//! Triage decisions, with the rules both shells share: a decision is about a threat that the
//! analysis of its model produces (or one already decided), and accepting a risk, calling a
//! threat not applicable or transferring it needs a justification. Who decides defaults to a
//! person's name, not "unknown".

use crate::analysis;
use crate::catalog::Catalog;
use crate::model::{ModelKind, ServiceModel, ThreatKey, TriageDecision, TriageStatus};
use crate::store::{ModelSummary, Scope, TriageEntry, TriageUpdate, Workspace};

use super::error::{AppError, ErrorCode};

/// The sentence of a `justification_required` refusal.
pub fn justification_message(key: &ThreatKey, status: TriageStatus) -> String {
    format!(
        "marking '{key}' '{}' needs a justification: say why (--justification)",
        status.as_str()
    )
}

/// Refuses `update` when it sets a status that needs a justification without one, and neither
/// does `current`, the decision it changes.
pub fn check_justification(
    key: &ThreatKey,
    update: &TriageUpdate,
    current: Option<&TriageDecision>,
) -> Result<(), AppError> {
    match update.missing_justification(current) {
        Some(status) => Err(AppError::new(
            ErrorCode::JustificationRequired,
            justification_message(key, status),
        )),
        None => Ok(()),
    }
}

/// Whether `model` has an element or flow with this id.
fn mentions(model: &ServiceModel, id: uuid::Uuid) -> bool {
    model.elements.iter().any(|e| e.id.0 == id) || model.flows.iter().any(|f| f.id.0 == id)
}

/// The service a threat key is about, found from the element and flow ids after its rule in
/// the services' head models (of `application`, when given). A key without ids, or whose ids
/// no service has, is `not_found`; one that several services draw is `ambiguous`: the caller
/// names the service instead.
pub fn service_of_key(
    ws: &Workspace,
    key: &ThreatKey,
    application: Option<&str>,
) -> Result<ModelSummary, AppError> {
    let ids: Vec<uuid::Uuid> = key.ids().collect();
    let Some(first) = ids.first() else {
        return Err(AppError::new(
            ErrorCode::NotFound,
            format!(
                "threat key '{key}' names no element or flow id; say which service with --service"
            ),
        ));
    };
    let found: Vec<ModelSummary> = ws
        .services_mentioning(&first.to_string())?
        .into_iter()
        .filter(|(summary, doc)| {
            application.is_none_or(|a| summary.application == a)
                && ids.iter().all(|id| mentions(doc, *id))
        })
        .map(|(summary, _)| summary)
        .collect();
    match found.len() {
        0 => Err(AppError::new(
            ErrorCode::NotFound,
            format!(
                "no service's head model has every element and flow of threat key '{key}'; say which service with --service"
            ),
        )),
        1 => Ok(found.into_iter().next().expect("one")),
        _ => Err(AppError::new(
            ErrorCode::Ambiguous,
            format!(
                "threat key '{key}' matches several services ({}); say which with --service and --app",
                found
                    .iter()
                    .map(|s| format!("{}/{}", s.application, s.name))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )),
    }
}

/// The head model of a triage scope (a service's model, or an application's consolidated
/// model) and how to name it in a message.
fn scope_model(ws: &Workspace, scope: Scope) -> Result<(String, ServiceModel), AppError> {
    let summaries = ws.models()?;
    let summary = summaries.iter().find(|m| match scope {
        Scope::Service(id) => m.id == id && m.kind == ModelKind::Service,
        Scope::Application(id) => m.application_id == id && m.kind == ModelKind::Application,
    });
    let what = match (scope, summary) {
        (Scope::Service(_), Some(m)) => format!("service '{}'", m.name),
        (Scope::Application(_), Some(m)) => {
            format!("the consolidated model of application '{}'", m.application)
        }
        (Scope::Service(id), None) => return Err(AppError::not_found(format!("no service {id}"))),
        (Scope::Application(id), None) => {
            return Err(AppError::not_found(format!(
                "application {id} has no consolidated model yet; consolidate it first"
            )));
        }
    };
    let summary = summary.expect("found above");
    match ws.load_head(summary.id)? {
        Some((_, model)) => Ok((what, model)),
        None => Err(AppError::not_found(format!("{what} has no saved revision"))),
    }
}

/// Records a change to the decision about `key` in `scope`.
///
/// Refused with `not_found` when the key is neither a threat of the scope's head model (as
/// `catalog` analyses it) nor already decided there (a decision whose threat went away can
/// still be changed), and with `justification_required` when the update needs a
/// justification it does not give.
pub fn decide(
    ws: &Workspace,
    scope: Scope,
    key: &ThreatKey,
    update: &TriageUpdate,
    author: &str,
    catalog: &Catalog,
) -> Result<TriageEntry, AppError> {
    let decisions = ws.triage(scope)?;
    let current = decisions.get(key);
    if current.is_none() {
        let (what, model) = scope_model(ws, scope)?;
        let found = analysis::analyze(&model, catalog);
        if !found.threats.iter().any(|t| &t.key == key) {
            return Err(AppError::not_found(format!(
                "'{key}' is not a threat of {what}: no threat of its head revision has this key (`stridewise analyze` prints the keys)"
            )));
        }
    }
    check_justification(key, update, current)?;
    Ok(ws.decide(scope, key, update, author, None)?)
}

/// Who is deciding or saving when nobody said: `$STRIDEWISE_AUTHOR`, git's `user.name`, then
/// the operating system account (`$USER`, `$USERNAME`); "unknown" only when none is set.
pub fn default_author() -> String {
    let env = |name: &str| std::env::var(name).ok();
    let git = || {
        std::process::Command::new("git")
            .args(["config", "--get", "user.name"])
            .stderr(std::process::Stdio::null())
            .output()
            .ok()
            .filter(|o| o.status.success())
            .and_then(|o| String::from_utf8(o.stdout).ok())
    };
    let given = |a: Option<String>| a.map(|a| a.trim().to_string()).filter(|a| !a.is_empty());
    given(env("STRIDEWISE_AUTHOR"))
        .or_else(|| given(git()))
        .or_else(|| given(env("USER")))
        .or_else(|| given(env("USERNAME")))
        .unwrap_or_else(|| "unknown".into())
}
