//! `stridewise review start|agenda|decide|close|report|list`: sprint threat reviews in a
//! workspace. The agenda, the decisions and the freezing of closed reviews are in
//! `stridewise_core::app::review` and the workspace; this file parses and prints.

use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use stridewise_core::app::review::{self as session, StartRequest};
use stridewise_core::app::{ReviewId, ReviewInfo, ReviewState, TriageUpdate, Workspace};
use stridewise_core::catalog::Catalog;
use stridewise_core::file::write_atomic;
use stridewise_core::model::TriageStatus;

use super::workspace::{author, open};
use super::{CLEAN, Format};

/// Sprint threat reviews: walk through what changed since the last review and decide.
#[derive(clap::Args)]
#[command(after_help = "\
Examples:
  stridewise review start --workspace shop.stridewise --sprint 2026.24 --participant ana
  stridewise review agenda --workspace shop.stridewise
  stridewise review decide --workspace shop.stridewise 'NET-DOS-01@<ids>' --status accepted \\
      --justification 'rate limited at Front Door' --owner ana --due 2026.26 --ticket PAY-12
  stridewise review decide --workspace shop.stridewise BASE-DS-I-02 --status mitigated \\
      --justification 'private endpoints' --except 'BASE-DS-I-02@<ids>'
  stridewise review close --workspace shop.stridewise --notes 'all high items decided'
  stridewise review report --workspace shop.stridewise -o review.html
  stridewise review list --workspace shop.stridewise")]
pub struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Subcommand)]
enum Command {
    /// Start a review: build the agenda from what changed since the last closed review.
    Start {
        #[arg(long)]
        workspace: PathBuf,
        /// The sprint label, e.g. 2026.24 (due sprints are compared with it in natural order).
        #[arg(long)]
        sprint: String,
        /// The application (default: the workspace's only one).
        #[arg(long)]
        app: Option<String>,
        /// Review only this service; repeat for several (default: every service).
        #[arg(long = "service")]
        services: Vec<String>,
        /// Who takes part; repeat for several.
        #[arg(long = "participant")]
        participants: Vec<String>,
        /// Who starts it (default: $STRIDEWISE_AUTHOR, git's user.name, then $USER).
        #[arg(long)]
        author: Option<String>,
    },
    /// Show a review's agenda: items by severity (threats of one rule are one item, a shared
    /// resource one threat of it), each with its reasons and threats, and progress.
    Agenda {
        #[arg(long)]
        workspace: PathBuf,
        /// The review (default: the open one, else the latest).
        #[arg(long)]
        review: Option<String>,
        #[arg(long)]
        app: Option<String>,
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// Record the decision about one agenda item; it also updates the threats' triage.
    Decide {
        #[arg(long)]
        workspace: PathBuf,
        /// The item as the agenda prints it: a group's rule id (decides all its threats) or a
        /// threat's key (decides that threat alone, in every service that shares it).
        key: String,
        /// A threat of the group to leave out of its decision (its key, as the agenda prints
        /// it); repeat for several. Threats decided on their own earlier are left out anyway.
        #[arg(long = "except")]
        except: Vec<String>,
        /// open, needs_investigation, mitigated, accepted, not_applicable or transferred.
        #[arg(long, value_parser = parse_status)]
        status: TriageStatus,
        #[arg(long)]
        justification: Option<String>,
        #[arg(long)]
        owner: Option<String>,
        /// The sprint by which the owner acts, e.g. 2026.26.
        #[arg(long)]
        due: Option<String>,
        #[arg(long)]
        ticket: Option<String>,
        /// Only this service's threats (needed when one key is on the agenda for several).
        #[arg(long)]
        service: Option<String>,
        #[arg(long)]
        review: Option<String>,
        #[arg(long)]
        app: Option<String>,
        #[arg(long)]
        author: Option<String>,
    },
    /// Close the open review; its record is frozen from then on.
    Close {
        #[arg(long)]
        workspace: PathBuf,
        #[arg(long, default_value = "")]
        notes: String,
        #[arg(long)]
        review: Option<String>,
        #[arg(long)]
        app: Option<String>,
        #[arg(long)]
        author: Option<String>,
    },
    /// Write the review report (HTML).
    Report {
        #[arg(long)]
        workspace: PathBuf,
        #[arg(long)]
        review: Option<String>,
        #[arg(long)]
        app: Option<String>,
        #[arg(short = 'o', long = "output")]
        output: PathBuf,
    },
    /// List the reviews of the workspace.
    List {
        #[arg(long)]
        workspace: PathBuf,
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
}

fn parse_status(s: &str) -> Result<TriageStatus, String> {
    TriageStatus::parse(s).ok_or_else(|| {
        let all: Vec<&str> = TriageStatus::ALL.iter().map(|t| t.as_str()).collect();
        format!("unknown status '{s}'; expected one of {}", all.join(", "))
    })
}

/// The review named by `--review`, else the open one (`latest`: else the latest one).
fn pick(
    ws: &Workspace,
    review: Option<&str>,
    app: Option<&str>,
    latest: bool,
) -> Result<ReviewInfo> {
    if let Some(id) = review {
        let id: ReviewId = id.parse().map_err(|_| {
            anyhow::anyhow!("'{id}' is not a review id (a UUID, as `review list` prints)")
        })?;
        return Ok(ws.block_on(ws.store().review(id))?);
    }
    if latest {
        Ok(ws.block_on(session::latest_review(ws.store(), app))?)
    } else {
        Ok(ws.block_on(session::open_review(ws.store(), app))?)
    }
}

fn title(r: &ReviewInfo) -> String {
    format!(
        "review {} of '{}', sprint {} ({})",
        r.seq,
        r.application,
        r.sprint,
        r.state.as_str()
    )
}

pub fn run(args: Args) -> Result<u8> {
    match args.command {
        Command::Start {
            workspace,
            sprint,
            app,
            services,
            participants,
            author: who,
        } => {
            if sprint.trim().is_empty() {
                bail!("--sprint must not be empty");
            }
            let ws = open(&workspace)?;
            let who = author(who);
            let id = ws.block_on(session::start(
                ws.store(),
                Catalog::builtin(),
                &StartRequest {
                    application: app.as_deref(),
                    services: &services,
                    sprint: &sprint,
                    participants: &participants,
                    author: &who,
                },
            ))?;
            let agenda = ws.block_on(session::agenda(ws.store(), id))?;
            outln!("started {}: {}", title(&agenda.review), id);
            outln!("{} item(s) on the agenda", agenda.progress.total);
            Ok(CLEAN)
        }
        Command::Agenda {
            workspace,
            review,
            app,
            format,
        } => {
            let ws = open(&workspace)?;
            let info = pick(&ws, review.as_deref(), app.as_deref(), true)?;
            let agenda = ws.block_on(session::agenda(ws.store(), info.id))?;
            match format {
                Format::Json => outln!("{}", serde_json::to_string_pretty(&agenda)?),
                Format::Text => {
                    outln!("{}: {}", title(&agenda.review), agenda.review.id);
                    outln!(
                        "progress: {} of {} decided",
                        agenda.progress.decided,
                        agenda.progress.total
                    );
                    for g in &agenda.groups {
                        let reasons: Vec<&str> = g.reasons.iter().map(|r| r.label()).collect();
                        let mark = if g.decided() { "x" } else { " " };
                        if g.members.len() > 1 {
                            outln!(
                                "[{mark}] {} {} ({} threats): {}",
                                g.severity.as_str(),
                                g.id,
                                g.members.len(),
                                g.title
                            );
                        } else {
                            // One threat: of one service, or of a resource several share.
                            outln!(
                                "[{mark}] {} {} ({}): {}",
                                g.severity.as_str(),
                                g.id,
                                g.members[0].services().join(", "),
                                g.title
                            );
                        }
                        outln!("      why: {}", reasons.join("; "));
                        if g.members.len() > 1 {
                            for m in &g.members {
                                outln!(
                                    "      - [{}] {} {} ({}): {}",
                                    if m.decided() { "x" } else { " " },
                                    m.severity.as_str(),
                                    m.items[0].item.key,
                                    m.services().join(", "),
                                    m.title()
                                );
                            }
                        }
                        for m in g.members.iter().filter(|m| !m.severity_note.is_empty()) {
                            outln!("      shared: {}", m.severity_note);
                        }
                        if let Some(d) = g.decision() {
                            outln!(
                                "      decided: {}{}{}{}",
                                d.status.as_str(),
                                opt(" owner ", &d.owner),
                                opt(" due ", &d.due_sprint),
                                opt(" ticket ", &d.ticket)
                            );
                        }
                    }
                }
            }
            Ok(CLEAN)
        }
        Command::Decide {
            workspace,
            key,
            except,
            status,
            justification,
            owner,
            due,
            ticket,
            service,
            review,
            app,
            author: who,
        } => {
            let ws = open(&workspace)?;
            let info = pick(&ws, review.as_deref(), app.as_deref(), false)?;
            let update = TriageUpdate {
                status: Some(status),
                justification,
                owner,
                ticket,
                due_sprint: due,
                ..TriageUpdate::default()
            };
            let entries = ws.block_on(session::decide(
                ws.store(),
                info.id,
                &session::DecideRequest {
                    item: &key,
                    service: service.as_deref(),
                    except: &except,
                },
                &update,
                &author(who),
            ))?;
            let agenda = ws.block_on(session::agenda(ws.store(), info.id))?;
            outln!(
                "{key}: {} for {} threat(s) (progress {} of {})",
                status.as_str(),
                entries.len(),
                agenda.progress.decided,
                agenda.progress.total
            );
            Ok(CLEAN)
        }
        Command::Close {
            workspace,
            notes,
            review,
            app,
            author: who,
        } => {
            let ws = open(&workspace)?;
            let info = pick(&ws, review.as_deref(), app.as_deref(), false)?;
            let agenda = ws.block_on(session::agenda(ws.store(), info.id))?;
            ws.block_on(session::close(ws.store(), info.id, &notes, &author(who)))?;
            outln!(
                "closed review {} of '{}', sprint {}, with {} of {} items decided",
                info.seq,
                info.application,
                info.sprint,
                agenda.progress.decided,
                agenda.progress.total
            );
            Ok(CLEAN)
        }
        Command::Report {
            workspace,
            review,
            app,
            output,
        } => {
            let ws = open(&workspace)?;
            let info = pick(&ws, review.as_deref(), app.as_deref(), true)?;
            let data = ws.block_on(session::report_data(ws.store(), info.id))?;
            let html = stridewise_core::report::review::render(&data)?;
            write_atomic(&output, html.as_bytes())
                .with_context(|| format!("cannot write '{}'", output.display()))?;
            outln!("{}: report of {}", output.display(), title(&info));
            Ok(CLEAN)
        }
        Command::List { workspace, format } => {
            let ws = open(&workspace)?;
            let reviews = ws.block_on(ws.store().reviews(None))?;
            match format {
                Format::Json => outln!("{}", serde_json::to_string_pretty(&reviews)?),
                Format::Text => {
                    if reviews.is_empty() {
                        outln!("no reviews yet");
                    }
                    for r in &reviews {
                        let items = ws.block_on(ws.store().review_items(r.id))?;
                        let p = session::progress(&items);
                        outln!(
                            "{}  {}  {} of {} decided  opened {} by {}{}",
                            r.id,
                            title(r),
                            p.decided,
                            p.total,
                            r.opened_at,
                            r.opened_by,
                            if r.state == ReviewState::Closed {
                                format!(", closed {}", r.closed_at.as_deref().unwrap_or(""))
                            } else {
                                String::new()
                            }
                        );
                    }
                }
            }
            Ok(CLEAN)
        }
    }
}

fn opt(label: &str, value: &str) -> String {
    if value.is_empty() {
        String::new()
    } else {
        format!("{label}{value}")
    }
}
