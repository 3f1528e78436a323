//! `stridewise triage FILE [KEY] [--status S ...]`: record, show and list triage decisions in
//! a workspace. The rules (the key names a threat, a justification where one is needed) are in
//! `stridewise_core::app::triage`, partial updates and history in the store; this file finds
//! the service, parses and prints.

use std::collections::BTreeMap;
use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use serde_json::json;
use stridewise_core::app;
use stridewise_core::app::{ModelSummary, Scope, TriageUpdate, Workspace};
use stridewise_core::catalog::Catalog;
use stridewise_core::model::{MitigationStatus, Severity, ThreatKey, TriageDecision, TriageStatus};

use super::workspace::{author, open};
use super::{CLEAN, Format};

/// Record a decision about a threat, or show decisions.
///
/// With KEY and at least one change (`--status`, `--owner`, ...): set those fields of the
/// threat's decision and keep the others. With KEY alone: show the decision and its history.
/// Without KEY: list the decisions of `--service`, or of every service.
///
/// The service is found from the element and flow ids in KEY (`RULE@element` or
/// `RULE@source@flow@target`) in the services' head models; `--service` names it instead.
#[derive(clap::Args)]
#[command(after_help = "\
Examples:
  stridewise triage shop.stridewise 'NET-DOS-01@<flow id>' --status accepted \\
      --justification 'rate limited at Front Door' --owner ana --ticket PAY-12
  stridewise triage shop.stridewise 'NET-DOS-01@<flow id>'
  stridewise triage shop.stridewise --service orders --format json")]
pub struct Args {
    /// The workspace file.
    file: PathBuf,
    /// The threat's stable key, as `analyze` prints it.
    key: Option<String>,
    /// open, needs_investigation, mitigated, accepted, not_applicable or transferred.
    #[arg(long, value_parser = parse_status)]
    status: Option<TriageStatus>,
    /// Why: required for `accepted`, `not_applicable` and `transferred`.
    #[arg(long)]
    justification: Option<String>,
    /// Who acts on it.
    #[arg(long)]
    owner: Option<String>,
    /// A tracker reference, e.g. PAY-1234.
    #[arg(long)]
    ticket: Option<String>,
    /// Replace the computed severity: low, medium, high, critical, or `none` to clear.
    #[arg(long, value_parser = parse_severity)]
    severity: Option<Option<Severity>>,
    /// The sprint by which the owner means to act, e.g. 2026.24.
    #[arg(long)]
    due_sprint: Option<String>,
    /// A mitigation's status, as MITIGATION=STATUS (proposed, in_progress, implemented,
    /// will_not_implement); repeat for several.
    #[arg(long = "mitigation", value_parser = parse_mitigation, value_name = "ID=STATUS")]
    mitigations: Vec<(String, MitigationStatus)>,
    /// The service the threat belongs to (default: found from the key).
    #[arg(long)]
    service: Option<String>,
    /// The application, when several have a service of that name.
    #[arg(long)]
    app: Option<String>,
    /// The threat belongs to `--app`'s consolidated application model (as `consolidate
    /// --workspace` saves it), not to a service.
    #[arg(long, requires = "app", conflicts_with = "service")]
    application_model: bool,
    /// Who decides (default: $STRIDEWISE_AUTHOR, git's user.name, then $USER).
    #[arg(long)]
    author: Option<String>,
    #[arg(long, value_enum, default_value_t)]
    format: Format,
}

fn parse_status(s: &str) -> Result<TriageStatus, String> {
    TriageStatus::parse(s).ok_or_else(|| {
        let all: Vec<&str> = TriageStatus::ALL.iter().map(|t| t.as_str()).collect();
        format!("unknown status '{s}'; expected one of {}", all.join(", "))
    })
}

fn parse_severity(s: &str) -> Result<Option<Severity>, String> {
    if s == "none" {
        return Ok(None);
    }
    Severity::parse(s).map(Some).ok_or_else(|| {
        format!("unknown severity '{s}'; expected low, medium, high, critical or none")
    })
}

fn parse_mitigation(s: &str) -> Result<(String, MitigationStatus), String> {
    let (id, status) = s
        .split_once('=')
        .ok_or_else(|| format!("'{s}' is not MITIGATION=STATUS"))?;
    let status = MitigationStatus::parse(status).ok_or_else(|| {
        format!("unknown mitigation status '{status}'; expected proposed, in_progress, implemented or will_not_implement")
    })?;
    Ok((id.to_string(), status))
}

fn decision_json(key: &ThreatKey, d: &TriageDecision, obsolete: bool) -> serde_json::Value {
    json!({ "key": key, "decision": d, "obsolete": obsolete })
}

fn print_decision(out: &mut String, key: &ThreatKey, d: &TriageDecision, obsolete: bool) {
    let mut line = format!("{key}: {}", d.status);
    if obsolete {
        line.push_str(" (obsolete: the threat did not come up in the last analysis)");
    }
    bufln!(out, "{line}");
    let fields = [
        ("justification", d.justification.as_str()),
        ("owner", d.owner.as_str()),
        ("ticket", d.ticket.as_str()),
        ("due sprint", d.due_sprint.as_str()),
        ("decided by", d.decided_by.as_str()),
        ("decided at", d.decided_at.as_str()),
    ];
    for (name, value) in fields.iter().filter(|(_, v)| !v.is_empty()) {
        bufln!(out, "  {name}: {value}");
    }
    if let Some(s) = d.severity_override {
        bufln!(out, "  severity override: {s}");
    }
    for (m, s) in &d.mitigations {
        bufln!(out, "  mitigation {m}: {}", s.as_str());
    }
}

pub fn run(args: Args) -> Result<u8> {
    let ws = open(&args.file)?;
    let update = TriageUpdate {
        status: args.status,
        justification: args.justification,
        owner: args.owner,
        ticket: args.ticket,
        severity_override: args.severity,
        due_sprint: args.due_sprint,
        mitigations: args.mitigations.into_iter().collect(),
    };
    let changes = update != TriageUpdate::default();

    let Some(key) = args.key.map(ThreatKey) else {
        if changes {
            bail!("give the threat key whose decision to change");
        }
        return list(
            &ws,
            args.service.as_deref(),
            args.app.as_deref(),
            args.format,
        );
    };
    let service = if args.application_model {
        let app = args.app.as_deref().unwrap_or_default();
        ws.models()?
            .into_iter()
            .find(|m| m.kind == stridewise_core::model::ModelKind::Application && m.application == app)
            .with_context(|| {
                format!("application '{app}' has no consolidated model yet; run `stridewise consolidate --workspace FILE --app {app}`")
            })?
    } else {
        match &args.service {
            Some(name) => ws.find_service(name, args.app.as_deref())?,
            None => app::triage::service_of_key(&ws, &key, args.app.as_deref())?,
        }
    };
    let scope = if args.application_model {
        Scope::Application(service.application_id)
    } else {
        Scope::Service(service.id)
    };
    if changes {
        let entry = app::triage::decide(
            &ws,
            scope,
            &key,
            &update,
            &author(args.author),
            Catalog::builtin(),
        )?;
        let mut out = String::new();
        match args.format {
            Format::Text => {
                out.push_str(&format!("{}/{}: ", service.application, service.name));
                print_decision(&mut out, &entry.key, &entry.decision, entry.obsolete);
            }
            Format::Json => bufln!(
                out,
                "{}",
                serde_json::to_string_pretty(&decision_json(
                    &entry.key,
                    &entry.decision,
                    entry.obsolete
                ))?
            ),
        }
        super::print(&out)?;
        return Ok(CLEAN);
    }
    let entry = ws
        .triage_entries(scope)?
        .into_iter()
        .find(|e| e.key == key)
        .ok_or_else(|| {
            app::AppError::new(
                app::ErrorCode::NotFound,
                format!(
                    "no decision about '{key}' in service '{}' yet (its status is open)",
                    service.name
                ),
            )
        })?;
    let history = ws.triage_history(scope, Some(&key))?;
    let mut out = String::new();
    match args.format {
        Format::Text => {
            print_decision(&mut out, &entry.key, &entry.decision, entry.obsolete);
            bufln!(out, "  history:");
            for h in &history {
                let old = h
                    .old
                    .as_ref()
                    .map(|(d, _)| d.status.as_str())
                    .unwrap_or("-");
                bufln!(
                    out,
                    "    {}  {}  {:?}: {} -> {}{}",
                    h.changed_at,
                    h.changed_by,
                    h.change,
                    old,
                    h.new.0.status,
                    h.review_id
                        .as_deref()
                        .map(|r| format!(" (review {r})"))
                        .unwrap_or_default()
                );
            }
        }
        Format::Json => {
            let rows: Vec<_> = history
                .iter()
                .map(|h| {
                    json!({
                        "change": h.change,
                        "by": h.changed_by,
                        "at": h.changed_at,
                        "old": h.old.as_ref().map(|(d, o)| json!({"decision": d, "obsolete": o})),
                        "new": json!({"decision": h.new.0, "obsolete": h.new.1}),
                        "review": h.review_id,
                    })
                })
                .collect();
            let mut doc = decision_json(&entry.key, &entry.decision, entry.obsolete);
            doc["history"] = json!(rows);
            bufln!(out, "{}", serde_json::to_string_pretty(&doc)?);
        }
    }
    super::print(&out)?;
    Ok(CLEAN)
}

fn list(ws: &Workspace, service: Option<&str>, app: Option<&str>, format: Format) -> Result<u8> {
    let services: Vec<ModelSummary> = match service {
        Some(name) => vec![ws.find_service(name, app)?],
        None => ws
            .models()?
            .into_iter()
            .filter(|m| m.kind == stridewise_core::model::ModelKind::Service)
            .filter(|m| app.is_none_or(|a| m.application == a))
            .collect(),
    };
    let mut all = BTreeMap::new();
    let mut out = String::new();
    for s in &services {
        let entries = ws.triage_entries(Scope::Service(s.id))?;
        match format {
            Format::Text => {
                bufln!(
                    out,
                    "{}/{}: {} decision(s)",
                    s.application,
                    s.name,
                    entries.len()
                );
                for e in &entries {
                    print_decision(&mut out, &e.key, &e.decision, e.obsolete);
                }
            }
            Format::Json => {
                let rows: Vec<_> = entries
                    .iter()
                    .map(|e| decision_json(&e.key, &e.decision, e.obsolete))
                    .collect();
                all.insert(format!("{}/{}", s.application, s.name), rows);
            }
        }
    }
    if format == Format::Json {
        bufln!(out, "{}", serde_json::to_string_pretty(&all)?);
    }
    super::print(&out)?;
    Ok(CLEAN)
}
