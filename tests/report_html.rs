//! The HTML report: a snapshot of the checkout fixture, escaping of hostile names, filters,
//! self-containment and the sections that render only when their data exists.

mod report_common;

use report_common::{checkout_input, checkout_section};
use stridewise_core::model::{Element, ElementKind, Severity, TriageStatus};
use stridewise_core::report::{
    ModelSection, ReportOptions, ReviewEntry, element_subject, render_html,
};

fn render(options: ReportOptions) -> String {
    render_html(&checkout_input(options)).expect("the report renders")
}

/// No script, no external resource, no link that leaves the page.
fn assert_self_contained(html: &str) {
    let lower = html.to_lowercase();
    assert!(!lower.contains("<script"), "a <script> tag");
    for needle in [
        "http://", "https://", "url(", "@import", "<link", "<img", "<iframe", "src=",
    ] {
        for (i, _) in lower.match_indices(needle) {
            let context = &lower[i.saturating_sub(40)..(i + 60).min(lower.len())];
            // The SVG namespace is a name, not a request; `url(#id)` points into the page.
            assert!(
                context.contains("xmlns=\"http://www.w3.org/2000/svg\"")
                    || lower[i..].starts_with("url(#"),
                "found {needle:?} in {context:?}"
            );
        }
    }
    for href in lower.split("href=\"").skip(1) {
        assert!(
            href.starts_with('#'),
            "a link that leaves the page: {href:.60}"
        );
    }
}

#[test]
fn checkout_report_snapshot() {
    let html = render(ReportOptions::default());
    assert_self_contained(&html);
    insta::assert_snapshot!("checkout_report", html);
}

#[test]
fn report_has_every_section_and_anchor() {
    let html = render(ReportOptions::default());
    for id in [
        "id=\"summary\"",
        "id=\"scope\"",
        "id=\"model-0\"",
        "id=\"mitigations\"",
        "id=\"reading\"",
    ] {
        assert!(html.contains(id), "missing {id}");
    }
    // Every in-page link has a target.
    for href in html.split("href=\"#").skip(1) {
        let target = &href[..href.find('"').expect("closed attribute")];
        assert!(
            html.contains(&format!("id=\"{target}\"")),
            "link to missing anchor #{target}"
        );
    }
    // No review history and no application section without data.
    assert!(!html.contains("id=\"reviews\""));
    assert!(!html.contains("Application:"));
    // The print stylesheet is there.
    assert!(html.contains("@media print"));
    assert!(html.contains("break-inside: avoid"));
    assert!(html.contains("display: table-header-group"));
}

#[test]
fn hostile_names_are_shown_as_text() {
    let mut input = checkout_input(ReportOptions::default());
    let section = &mut input.models[0];
    let mut evil = Element::new(ElementKind::Process, "<script>alert(1)</script>");
    evil.description = "\"><img src=x onerror=alert(2)>".into();
    section.model.elements.push(evil.clone());
    section.model.name = "Shop <script>alert(3)</script>".into();
    section.model.team = "<b>team</b>".into();
    let subject = element_subject(&section.model, evil.id).expect("added");
    let mut f = stridewise_core::report::Finding::new(
        format!("EVIL-01@{}", evil.id).as_str().into(),
        stridewise_core::model::Stride::Tampering,
        "<script>alert(4)</script> can be tampered with",
        Severity::High,
        subject,
    );
    f.justification = "</td></tr></table><script>alert(5)</script>".into();
    section.findings.push(f);
    input.title = "<script>alert(6)</script>".into();
    input.authors.push("<script>alert(7)</script>".into());

    let html = render_html(&input).expect("renders");
    assert!(!html.to_lowercase().contains("<script"));
    assert!(!html.contains("<img"));
    assert!(!html.contains("<b>team"));
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    // Askama escapes with numeric entities, the SVG writer with named ones.
    assert!(html.contains("&#60;script&#62;alert(6)&#60;/script&#62;"));
    assert!(html.contains("&#60;script&#62;alert(4)&#60;/script&#62; can be tampered with"));
    assert_self_contained(&html);
}

#[test]
fn filters_leave_threats_out() {
    let all = checkout_section().findings;
    let keys = |html: &str| {
        all.iter()
            .filter(|f| html.contains(&format!("id=\"{}\"", f.anchor(0))))
            .map(|f| f.rule.clone())
            .collect::<Vec<_>>()
    };
    let full = render(ReportOptions::default());
    assert_eq!(keys(&full).len(), all.len());

    let no_mitigated = render(ReportOptions {
        exclude_mitigated: true,
        ..Default::default()
    });
    assert!(!keys(&no_mitigated).contains(&"NET-DOS-01".to_string()));
    assert_eq!(keys(&no_mitigated).len(), all.len() - 1);
    assert!(no_mitigated.contains("mitigated threats left out"));

    let high = render(ReportOptions {
        min_severity: Some(Severity::High),
        ..Default::default()
    });
    let expected: Vec<_> = all
        .iter()
        .filter(|f| f.severity >= Severity::High)
        .map(|f| f.rule.clone())
        .collect();
    let mut got = keys(&high);
    got.sort();
    let mut expected = expected;
    expected.sort();
    assert_eq!(got, expected);
}

#[test]
fn out_of_scope_filter_drops_not_applicable_threats() {
    let mut input = checkout_input(ReportOptions {
        exclude_out_of_scope: true,
        ..Default::default()
    });
    let f = &mut input.models[0].findings[0];
    f.status = TriageStatus::NotApplicable;
    let anchor = f.anchor(0);
    let html = render_html(&input).expect("renders");
    assert!(!html.contains(&format!("id=\"{anchor}\"")));
}

#[test]
fn review_history_and_application_render_when_present() {
    let mut input = checkout_input(ReportOptions::default());
    input.reviews.push(ReviewEntry {
        label: "2026.24".into(),
        date: "2026-11-20".into(),
        scope: "Web shop".into(),
        participants: vec!["Dana Reyes".into(), "Sam Okafor".into()],
        decisions: 4,
        state: "closed".into(),
        notes: "First review.".into(),
    });
    let mut app = checkout_section();
    app.model.name = "Web shop".into();
    app.model.kind = stridewise_core::model::ModelKind::Application;
    app.findings.truncate(1);
    app.findings[0].attack_paths = vec![vec![
        "Customer browser".into(),
        "Front Door with WAF".into(),
        "Checkout API".into(),
    ]];
    input.application = Some(ModelSection {
        revision: "consolidated".into(),
        file: None,
        ..app
    });
    let html = render_html(&input).expect("renders");
    assert!(html.contains("id=\"reviews\""));
    assert!(html.contains("2026.24"));
    assert!(html.contains("Application: Web shop"));
    assert!(html.contains("Customer browser → Front Door with WAF → Checkout API"));
}

#[test]
fn huge_models_skip_the_diagram_and_cap_the_detail() {
    let html = render(ReportOptions {
        max_diagram_elements: 3,
        max_detailed_threats: 2,
        ..Default::default()
    });
    assert!(!html.contains("<svg class=\"dfd\""));
    assert!(html.contains("The diagram is left out"));
    assert!(html.contains("2 of 8 threats are described in full"));
    assert_eq!(html.matches("<tr id=\"t0-").count(), 2);
}
