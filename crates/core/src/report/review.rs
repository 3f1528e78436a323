//! The review report: what changed since the last review, the decisions taken, the open
//! actions by owner and due sprint, and the trend of open threats by severity across reviews
//! (an inline SVG chart, no script). It shares the main report's stylesheet.

use std::collections::BTreeMap;

use askama::Template;

use crate::model::{Severity, TriageStatus};
use crate::review::{AgendaReason, ReviewReport, ReviewState, StoredItem, natural_cmp};

use super::escape_xml;

struct Row {
    key: String,
    service: String,
    title: String,
    severity: &'static str,
    reasons: String,
    status: String,
    status_class: &'static str,
    owner: String,
    due: String,
    ticket: String,
    justification: String,
}

struct OwnerGroup {
    owner: String,
    rows: Vec<Row>,
}

#[derive(Template)]
#[template(path = "review.html")]
struct Page<'a> {
    title: String,
    r: &'a ReviewReport,
    participants: String,
    models: String,
    previous: String,
    changed: Vec<Row>,
    decided: Vec<Row>,
    actions: Vec<OwnerGroup>,
    undecided: usize,
    trend_chart: String,
    trend_rows: Vec<(String, [usize; 4], usize)>,
    state: &'static str,
}

fn status_class(s: Option<TriageStatus>) -> &'static str {
    match s {
        None => "st-na",
        Some(TriageStatus::Open) => "st-open",
        Some(TriageStatus::NeedsInvestigation) => "st-investigate",
        Some(TriageStatus::Mitigated) => "st-mitigated",
        Some(TriageStatus::Accepted) => "st-accepted",
        Some(TriageStatus::NotApplicable) => "st-na",
        Some(TriageStatus::Transferred) => "st-transferred",
    }
}

const SEVERITIES: [Severity; 4] = [
    Severity::Critical,
    Severity::High,
    Severity::Medium,
    Severity::Low,
];

/// A stacked bar per review: open threats by severity.
fn trend_chart(points: &[(String, [usize; 4], usize)]) -> String {
    let max = points.iter().map(|p| p.2).max().unwrap_or(0).max(1);
    let (bar, gap, height, top, left) = (56.0, 28.0, 180.0, 20.0, 40.0);
    let width = left + points.len() as f64 * (bar + gap) + gap;
    let mut svg = format!(
        r#"<svg class="chart" role="img" aria-label="open threats by severity per review" viewBox="0 0 {width} {}" width="{width}" height="{}">"#,
        height + top + 40.0,
        height + top + 40.0
    );
    svg.push_str(&format!(
        r#"<line x1="{left}" y1="{y}" x2="{width}" y2="{y}" stroke="currentColor" stroke-opacity="0.3"/>"#,
        y = top + height
    ));
    svg.push_str(&format!(
        r#"<text class="chart-label" x="{}" y="{}" text-anchor="end">{max}</text><text class="chart-label" x="{}" y="{}" text-anchor="end">0</text>"#,
        left - 6.0,
        top + 4.0,
        left - 6.0,
        top + height
    ));
    for (i, (label, counts, total)) in points.iter().enumerate() {
        let x = left + gap + i as f64 * (bar + gap);
        let mut y = top + height;
        // Lowest severity at the bottom, critical on top.
        for (s, n) in SEVERITIES.iter().zip(counts.iter()).rev() {
            if *n == 0 {
                continue;
            }
            let h = height * *n as f64 / max as f64;
            y -= h;
            svg.push_str(&format!(
                r#"<rect class="bar sev-{s}" x="{x}" y="{y:.1}" width="{bar}" height="{h:.1}"><title>{s}: {n}</title></rect>"#,
                s = s.as_str()
            ));
        }
        svg.push_str(&format!(
            r#"<text class="chart-value" x="{:.1}" y="{:.1}" text-anchor="middle">{total}</text>"#,
            x + bar / 2.0,
            y - 4.0
        ));
        svg.push_str(&format!(
            r#"<text class="chart-label" x="{:.1}" y="{:.1}" text-anchor="middle">{}</text>"#,
            x + bar / 2.0,
            top + height + 16.0,
            escape_xml(label)
        ));
    }
    svg.push_str("</svg>");
    svg
}

/// Renders the review report as one self-contained HTML page.
pub fn render(report: &ReviewReport) -> Result<String, askama::Error> {
    let row = |i: &StoredItem| {
        let d = i.decision.as_ref();
        let status = d.map(|d| d.status).or(i.item.status);
        Row {
            key: i.item.key.to_string(),
            service: i.service.clone(),
            title: i.item.title.clone(),
            severity: i.item.severity.as_str(),
            reasons: i
                .item
                .reasons
                .iter()
                .map(|r| r.label())
                .collect::<Vec<_>>()
                .join("; "),
            status: status
                .map(|s| s.as_str())
                .unwrap_or("gone")
                .replace('_', " "),
            status_class: status_class(status),
            owner: d.map(|d| d.owner.clone()).unwrap_or_default(),
            due: d.map(|d| d.due_sprint.clone()).unwrap_or_default(),
            ticket: d.map(|d| d.ticket.clone()).unwrap_or_default(),
            justification: d.map(|d| d.justification.clone()).unwrap_or_default(),
        }
    };
    let changed = report
        .items
        .iter()
        .filter(|i| {
            i.item.reasons.iter().any(|r| {
                matches!(
                    r,
                    AgendaReason::New | AgendaReason::Changed | AgendaReason::Obsolete
                )
            })
        })
        .map(row)
        .collect();
    let decided = report
        .items
        .iter()
        .filter(|i| i.decision.is_some())
        .map(row)
        .collect();
    let mut by_owner: BTreeMap<String, Vec<Row>> = BTreeMap::new();
    for i in &report.items {
        if let Some(d) = &i.decision
            && d.status.is_unresolved()
        {
            let owner = if d.owner.is_empty() {
                "(no owner)".to_string()
            } else {
                d.owner.clone()
            };
            by_owner.entry(owner).or_default().push(row(i));
        }
    }
    let actions = by_owner
        .into_iter()
        .map(|(owner, mut rows)| {
            rows.sort_by(|a, b| {
                let due = |r: &Row| (r.due.is_empty(), r.due.clone());
                let (da, db) = (due(a), due(b));
                da.0.cmp(&db.0).then_with(|| natural_cmp(&da.1, &db.1))
            });
            OwnerGroup { owner, rows }
        })
        .collect();
    let trend_rows: Vec<(String, [usize; 4], usize)> = report
        .trend
        .iter()
        .map(|t| {
            let counts = SEVERITIES.map(|s| t.open.get(&s).copied().unwrap_or(0));
            (
                format!(
                    "#{} {}{}",
                    t.seq,
                    t.sprint,
                    if t.state == ReviewState::Open {
                        " (open)"
                    } else {
                        ""
                    }
                ),
                counts,
                counts.iter().sum(),
            )
        })
        .collect();
    let r = &report.review;
    Page {
        title: format!(
            "Threat review {} of {}, sprint {}",
            r.seq, r.application, r.sprint
        ),
        participants: r.participants.join(", "),
        models: r
            .models
            .iter()
            .map(|m| format!("{} (revision {})", m.name, m.seq))
            .collect::<Vec<_>>()
            .join(", "),
        previous: report
            .previous
            .as_ref()
            .map(|p| format!("review {}, sprint {}", p.seq, p.sprint))
            .unwrap_or_else(|| "none: this is the first review, so every threat is new".into()),
        changed,
        decided,
        actions,
        undecided: report.progress.total - report.progress.decided,
        trend_chart: trend_chart(&trend_rows),
        trend_rows,
        state: r.state.as_str(),
        r: report,
    }
    .render()
}
