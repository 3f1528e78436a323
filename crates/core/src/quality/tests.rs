//! The scorer on tiny synthetic benchmarks: a rule pack of four rules whose severities are
//! known, one API model, and expectations that each metric meets or misses.

use std::path::Path;

use super::score::repeat_groups;
use super::*;
use crate::analysis;
use crate::model::Severity;

/// Two stencils, three mitigations, four rules. Without boundaries nothing adjusts the ratings,
/// so on a public API: FLOOD and FLOOD-AGAIN are critical (high x high), FLOOD-OTHER is high
/// (high x medium), NO-LOG is medium (medium x medium).
const PACK: &str = r#"
[flow.properties.encrypted]
type = "bool"
default = false
description = "Encrypted."

[[stencil]]
id = "test.process"
kind = "process"
title = "Process"
description = "A process."
[stencil.properties.public_endpoint]
type = "bool"
default = false
description = "Public."
[stencil.properties.audit_logging]
type = "bool"
default = false
description = "Logs."

[[stencil]]
id = "test.user"
kind = "external_entity"
title = "User"
description = "A user."

[[mitigation]]
id = "MIT-SHIELD"
title = "Shield"
action = "Put a shield in front."
layer = "platform"
source = { section = "Test / Design recommendations", quote = "Use a shield to stop   the flood at the edge." }

[[mitigation]]
id = "MIT-SCALE"
title = "Scale"
action = "Scale out."
layer = "platform"
source = { section = "Test / Design recommendations", quote = "Scale out under load." }

[[mitigation]]
id = "MIT-LOG"
title = "Log"
action = "Log every action."
layer = "operations"
source = { section = "Test / Design recommendations", quote = "Log every action to the workspace." }

[[threat]]
id = "T-FLOOD"
stride = "denial_of_service"
applies_to = "process"
when = "element.public_endpoint"
title = "{element} is flooded"
description = "A botnet floods {element}."
likelihood = "high"
impact = "high"
mitigations = ["MIT-SHIELD"]
cwe = [400]
source = { section = "Test / Design considerations", quote = "floods" }

[[threat]]
id = "T-FLOOD-AGAIN"
stride = "denial_of_service"
applies_to = "process"
when = "element.public_endpoint"
title = "{element} is flooded by a slow attack"
description = "Slow requests hold {element}'s connections."
likelihood = "high"
impact = "high"
mitigations = ["MIT-SHIELD", "MIT-SCALE"]
source = { section = "Test / Design considerations", quote = "floods" }

[[threat]]
id = "T-FLOOD-OTHER"
stride = "denial_of_service"
applies_to = "process"
when = "element.public_endpoint"
title = "{element} runs out of instances"
description = "Load exhausts {element}."
likelihood = "high"
impact = "medium"
mitigations = ["MIT-LOG"]
source = { section = "Test / Design considerations", quote = "floods" }

[[threat]]
id = "T-NO-LOG"
stride = "repudiation"
applies_to = "process"
attacker = "operators"
when = "not element.audit_logging"
title = "{element} keeps no audit log"
description = "Nobody can tell who did what on {element}; SQL injection would go unseen."
likelihood = "medium"
impact = "medium"
mitigations = ["MIT-LOG"]
source = { section = "Test / Design considerations", quote = "logs" }
"#;

fn catalog() -> Catalog {
    Catalog::from_texts(&[("test-pack.toml", PACK)], false).unwrap_or_else(|e| panic!("{e}"))
}

const USER: &str = "00000000-0000-4000-8000-000000000001";
const API: &str = "00000000-0000-4000-8000-000000000002";
const FLOW: &str = "00000000-0000-4000-8000-000000000003";

/// A user calling an API; `api_props` are the API's properties as JSON.
fn model(name: &str, api_props: &str) -> ServiceModel {
    let text = format!(
        r#"{{
  "schema_version": 1,
  "id": "00000000-0000-4000-8000-0000000000aa",
  "name": "{name}",
  "elements": [
    {{ "id": "{USER}", "kind": "external_entity", "name": "User", "stencil": "test.user" }},
    {{ "id": "{API}", "kind": "process", "name": "API", "stencil": "test.process", "properties": {api_props} }}
  ],
  "flows": [ {{ "id": "{FLOW}", "name": "Call", "source": "{USER}", "target": "{API}" }} ]
}}"#
    );
    model::from_json(text.as_bytes(), Path::new(name)).unwrap_or_else(|e| panic!("{e}"))
}

const WEAK: &str = r#"{ "public_endpoint": true, "audit_logging": false }"#;
const HARDENED: &str = r#"{ "public_endpoint": false, "audit_logging": false }"#;
const HIDE_API: &str = r#"[{ "id": "hide", "title": "Hide the API",
  "edits": [{ "set_property": { "element": "API", "property": "public_endpoint", "value": false } }] }]"#;

/// A one-pair benchmark; `expected` holds the `threats` and `must_not` members as JSON.
fn bench(expected: &str, weak: &str, hardened: &str, steps: &str) -> Bench {
    let text = format!(r#"{{ "title": "Test pair", {expected}, "hardening": {steps} }}"#);
    let expected: Expected = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    Bench {
        dir: "test".into(),
        pairs: vec![Pair {
            name: "pair".into(),
            dir: "test/pair".into(),
            expected,
            weak: vec![model("api", weak)],
            hardened: vec![model("api", hardened)],
        }],
        always: Vec::new(),
    }
}

fn score_of(expected: &str) -> Scorecard {
    score(&bench(expected, WEAK, HARDENED, HIDE_API), &catalog())
}

fn threat(target: &str, stride: &str, min: &str, quote: &str) -> String {
    format!(
        r#"{{ "id": "e", "target": "{target}", "stride": "{stride}", "min_severity": "{min}", "quote": "{quote}", "why": "test" }}"#
    )
}

#[test]
fn the_synthetic_analysis_is_what_the_tests_assume() {
    let a = analysis::analyze(&model("api", WEAK), &catalog());
    let got: Vec<(String, Severity)> = (a.threats.iter())
        .map(|t| (t.rule.to_string(), t.severity))
        .collect();
    let want = [
        ("T-FLOOD", Severity::Critical),
        ("T-FLOOD-AGAIN", Severity::Critical),
        ("T-FLOOD-OTHER", Severity::High),
        ("T-NO-LOG", Severity::Medium),
    ];
    for (rule, severity) in want {
        assert!(got.contains(&(rule.to_string(), severity)), "{got:?}");
    }
    assert_eq!(got.len(), 4, "{got:?}");
}

#[test]
fn recall_is_met_by_target_category_severity_and_a_quoting_mitigation() {
    // Whitespace in the mitigation's quote ("stop   the flood") is normalized.
    let s = score_of(&format!(
        r#""threats": [{}]"#,
        threat("API", "denial_of_service", "critical", "stop the flood")
    ));
    assert!(s.problems.is_empty(), "{:?}", s.problems);
    assert_eq!((s.total.met, s.total.expectations), (1, 1));
    assert!(s.total.targets.full_recall);
    assert!(s.pairs[0].expectations[0].detail.contains("T-FLOOD"));
}

#[test]
fn recall_misses_a_threat_below_its_minimum_severity() {
    let s = score_of(&format!(
        r#""threats": [{}]"#,
        threat("API", "repudiation", "high", "Log every action")
    ));
    assert_eq!(s.total.met, 0);
    assert!(!s.total.targets.full_recall);
    let detail = &s.pairs[0].expectations[0].detail;
    assert!(
        detail.starts_with("found at medium, below high"),
        "{detail}"
    );
}

#[test]
fn recall_misses_a_threat_whose_mitigations_do_not_quote_the_fragment() {
    let s = score_of(&format!(
        r#""threats": [{}]"#,
        threat("API", "repudiation", "low", "Use a shield")
    ));
    assert_eq!(s.total.met, 0);
    let detail = &s.pairs[0].expectations[0].detail;
    assert!(
        detail.contains("no mitigation quotes") && detail.contains("MIT-LOG"),
        "{detail}"
    );
}

#[test]
fn recall_misses_a_category_with_no_threat_and_lists_accept_either() {
    let s = score_of(&format!(
        r#""threats": [{}, {}]"#,
        threat("API", "spoofing", "low", "Use a shield"),
        r#"{ "id": "f", "target": ["Call", "API"], "stride": ["spoofing", "denial_of_service"],
             "min_severity": "high", "quote": "Use a shield", "why": "either" }"#
    ));
    assert_eq!((s.total.met, s.total.expectations), (1, 2));
    let detail = &s.pairs[0].expectations[0].detail;
    assert!(detail.starts_with("no threat on"), "{detail}");
    assert_eq!(s.total.recall, 0.5);
}

#[test]
fn an_unknown_name_is_a_problem_of_the_benchmark() {
    let s = score_of(&format!(
        r#""threats": [{}]"#,
        threat("Gateway", "spoofing", "low", "x")
    ));
    assert!(
        s.problems
            .iter()
            .any(|p| p.contains("'e'") && p.contains("Gateway")),
        "{:?}",
        s.problems
    );
}

#[test]
fn a_threat_above_a_must_not_ceiling_is_a_precision_violation() {
    let s = score_of(
        r#""must_not": [
          { "id": "flood-at-most-high", "target": "API", "stride": "denial_of_service", "at_most": "high", "why": "t" },
          { "id": "no-dos-cwe-400", "target": "API", "cwe": 400, "at_most": "absent", "why": "t" },
          { "id": "no-cwe-89", "cwe": 89, "at_most": "absent", "why": "t" },
          { "id": "no-injection", "words": ["SQL INJECTION"], "at_most": "absent", "why": "t" },
          { "id": "no-shield", "quote": "Use a shield", "stride": "repudiation", "at_most": "absent", "why": "t" },
          { "id": "logs-at-most-medium", "stride": "repudiation", "at_most": "medium", "why": "t" }
        ]"#,
    );
    let ids: Vec<(&str, &str, Variant)> = (s.pairs[0].violations.iter())
        .map(|v| {
            (
                v.expectation.as_str(),
                v.threat.key.split('@').next().unwrap(),
                v.variant,
            )
        })
        .collect();
    assert_eq!(
        ids,
        [
            ("flood-at-most-high", "T-FLOOD-AGAIN", Variant::Weak),
            ("flood-at-most-high", "T-FLOOD", Variant::Weak),
            ("no-dos-cwe-400", "T-FLOOD", Variant::Weak),
            ("no-injection", "T-NO-LOG", Variant::Weak),
            ("no-injection", "T-NO-LOG", Variant::Hardened),
        ]
    );
    // T-NO-LOG breaks one expectation in each model; the two floods break two in the weak one:
    // four distinct threats.
    assert_eq!(s.total.precision_violations, 4);
    assert_eq!(
        (
            s.pairs[0].precision_violations_weak,
            s.pairs[0].precision_violations_hardened
        ),
        (3, 1)
    );
    assert!(!s.total.targets.no_precision_violation);
}

#[test]
fn always_expectations_apply_to_every_model_and_variants_narrow_must_nots() {
    let mut b = bench(
        r#""must_not": [{ "id": "weak-logs", "stride": "repudiation", "at_most": "low", "variant": "hardened", "why": "t" }]"#,
        WEAK,
        HARDENED,
        HIDE_API,
    );
    b.always = serde_json::from_str::<Always>(
        r#"{ "must_not": [{ "id": "no-flood", "stride": "denial_of_service", "at_most": "absent", "why": "t" }] }"#,
    )
    .unwrap()
    .must_not;
    let s = score(&b, &catalog());
    let ids: Vec<(&str, Variant)> = (s.pairs[0].violations.iter())
        .map(|v| (v.expectation.as_str(), v.variant))
        .collect();
    assert_eq!(
        ids,
        [
            ("weak-logs", Variant::Hardened),
            ("always/no-flood", Variant::Weak),
            ("always/no-flood", Variant::Weak),
            ("always/no-flood", Variant::Weak),
        ]
    );
}

#[test]
fn the_hardening_must_remove_or_lower_the_same_threat() {
    let expected = r#""threats": [
      { "id": "flood", "target": "API", "stride": "denial_of_service", "min_severity": "high",
        "quote": "Use a shield", "hardened_at_most": "absent", "why": "t" },
      { "id": "logs", "target": "API", "stride": "repudiation", "min_severity": "medium",
        "quote": "Log every action", "hardened_at_most": "low", "why": "t" }
    ]"#;
    let s = score_of(expected);
    let results: Vec<(&str, bool)> = (s.pairs[0].hardening.iter())
        .map(|h| (h.id.as_str(), h.ok))
        .collect();
    // Hiding the API removes the floods; nothing added an audit log.
    assert_eq!(results, [("flood", true), ("logs", false)]);
    assert_eq!(s.pairs[0].hardening[1].above[0].severity, Severity::Medium);
    assert_eq!(
        (s.total.hardening_checks, s.total.hardening_violations),
        (2, 1)
    );
    assert!(!s.total.targets.hardening_lowers);
}

#[test]
fn repeats_share_target_category_and_a_mitigation() {
    let a = analysis::analyze(&model("api", WEAK), &catalog());
    let groups = repeat_groups(&a.threats);
    assert_eq!(groups.len(), 1, "{groups:?}");
    let rules: Vec<&str> = (groups[0].threats.iter())
        .map(|t| t.key.split('@').next().unwrap())
        .collect();
    // T-FLOOD-OTHER is on the same target and category but has its own fix: not a repeat.
    assert_eq!(rules, ["T-FLOOD-AGAIN", "T-FLOOD"]);
    assert_eq!(groups[0].shared_mitigations, ["MIT-SHIELD"]);

    let s = score_of(r#""threats": []"#);
    assert_eq!((s.pairs[0].weak.repeats, s.pairs[0].weak.threats), (2, 4));
    assert_eq!(
        (s.pairs[0].hardened.repeats, s.pairs[0].hardened.threats),
        (0, 1)
    );
    assert_eq!(s.total.repeat_share, 2.0 / 5.0);
    assert!(!s.total.targets.few_repeats);
}

#[test]
fn criticals_and_threats_per_flow_are_counted_per_model() {
    let s = score_of(r#""threats": []"#);
    let (w, h) = (&s.pairs[0].weak, &s.pairs[0].hardened);
    assert_eq!((w.critical, w.high, w.threats_per_flow), (2, 1, Some(4.0)));
    assert_eq!((h.critical, h.high, h.threats_per_flow), (0, 0, Some(1.0)));
    assert!(s.total.targets.no_critical_when_hardened);
    assert_eq!((s.total.criticals_weak, s.total.criticals_hardened), (2, 0));

    let b = bench(r#""threats": []"#, WEAK, WEAK, "[]");
    let s = score(&b, &catalog());
    assert_eq!(s.total.criticals_hardened, 2);
    assert!(!s.total.targets.no_critical_when_hardened);
    assert!(!s.total.targets.all_met());
}

#[test]
fn steps_that_do_not_give_the_hardened_model_are_a_problem() {
    let b = bench(r#""threats": []"#, WEAK, HARDENED, "[]");
    let problems = check(&b, &catalog());
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0].contains("do not give the hardened model 'api'"),
        "{}",
        problems[0]
    );
    assert!(problems[0].contains("public_endpoint"), "{}", problems[0]);
    assert!(
        check(
            &bench(r#""threats": []"#, WEAK, HARDENED, HIDE_API),
            &catalog()
        )
        .is_empty()
    );
}

#[test]
fn every_edit_applies_by_name() {
    let steps: Vec<Step> = serde_json::from_str(
        r#"[{ "id": "all", "title": "every kind of edit", "edits": [
          { "add_boundary": { "id": "00000000-0000-4000-8000-0000000000b1", "name": "Net", "kind": "virtual_network" } },
          { "add_boundary": { "id": "00000000-0000-4000-8000-0000000000b2", "name": "Sub", "kind": "subnet", "parent": "Net" } },
          { "add_element": { "id": "00000000-0000-4000-8000-0000000000e1", "kind": "process", "name": "Edge",
                             "stencil": "test.process", "boundary": "Net" } },
          { "remove_flow": "Call" },
          { "add_flow": { "id": "00000000-0000-4000-8000-0000000000f1", "name": "Call edge", "source": "User", "target": "Edge" } },
          { "add_flow": { "id": "00000000-0000-4000-8000-0000000000f2", "name": "Forward", "source": "Edge", "target": "API",
                          "protocol": "HTTP" } },
          { "set_protocol": { "flow": "Forward", "protocol": "HTTPS" } },
          { "set_property": { "flow": "Forward", "property": "encrypted", "value": true } },
          { "set_property": { "element": "API", "property": "public_endpoint", "value": null } },
          { "move_element": { "element": "API", "boundary": "Sub" } },
          { "move_element": { "element": "Edge", "boundary": null } }
        ] }]"#,
    )
    .unwrap();
    let weak = model("api", WEAK);
    let out = apply_steps(
        std::slice::from_ref(&weak),
        &steps.iter().collect::<Vec<_>>(),
    )
    .unwrap();
    let m = &out[0];
    let names =
        |m: &ServiceModel| -> Vec<String> { m.flows.iter().map(|f| f.name.clone()).collect() };
    assert_eq!(names(m), ["Call edge", "Forward"]);
    let forward = m.flows.iter().find(|f| f.name == "Forward").unwrap();
    assert_eq!(forward.protocol, "HTTPS");
    assert_eq!(forward.properties["encrypted"].as_bool(), Some(true));
    let api = m.elements.iter().find(|e| e.name == "API").unwrap();
    assert!(!api.properties.contains_key("public_endpoint"));
    let sub = m.boundaries.iter().find(|b| b.name == "Sub").unwrap();
    assert_eq!(api.boundary, Some(sub.id));
    assert_eq!(
        sub.parent,
        m.boundaries.iter().find(|b| b.name == "Net").map(|b| b.id)
    );
    assert_eq!(
        m.elements
            .iter()
            .find(|e| e.name == "Edge")
            .unwrap()
            .boundary,
        None
    );
    let diagnostics = model::validate(m, &catalog().stencils);
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    // The input is not changed.
    assert_eq!(weak, model("api", WEAK));
}

#[test]
fn edits_that_cannot_apply_say_which_step_edit_and_object() {
    let cases = [
        (
            r#"{ "remove_flow": "Nope" }"#,
            "edit 1: no flow named 'Nope' in 'api'",
        ),
        (
            r#"{ "remove_element": "API" }"#,
            "element 'API' still has flows (Call); remove them first",
        ),
        (
            r#"{ "set_property": { "element": "API", "flow": "Call", "property": "x", "value": 1 } }"#,
            "give exactly one of 'element' and 'flow'",
        ),
        (
            r#"{ "service": "other", "remove_flow": "Call" }"#,
            "no service model named 'other'",
        ),
        (
            r#"{ "add_flow": { "id": "00000000-0000-4000-8000-0000000000f9", "name": "Call", "source": "User", "target": "API" } }"#,
            "already has a flow 'Call'",
        ),
        (
            r#"{ "move_element": { "element": "API", "boundary": "Nowhere" } }"#,
            "no boundary named 'Nowhere'",
        ),
    ];
    for (edit, message) in cases {
        let step: Step = serde_json::from_str(&format!(
            r#"{{ "id": "s", "title": "t", "edits": [{edit}] }}"#
        ))
        .unwrap();
        let err = apply_steps(&[model("api", WEAK)], &[&step]).unwrap_err();
        assert!(err.to_string().starts_with("step 's', edit 1: "), "{err}");
        assert!(err.to_string().contains(message), "{err} lacks {message}");
    }
}

#[test]
fn quotes_not_in_the_document_are_reported() {
    let b = bench(
        &format!(
            r#""threats": [{}]"#,
            threat("API", "repudiation", "low", "Log every   action")
        ),
        WEAK,
        HARDENED,
        HIDE_API,
    );
    assert!(check_quotes(&b, "Log every action to the workspace.").is_empty());
    let problems = check_quotes(&b, "Something else entirely.");
    assert_eq!(problems.len(), 1);
    assert!(problems[0].starts_with("pair/e:"), "{}", problems[0]);
}

#[test]
fn a_pair_of_services_is_consolidated_before_analysis() {
    // Two services that each draw the same shared API: the application model has one API.
    let mut a = model("svc-a", WEAK);
    let mut b = model("svc-b", WEAK);
    b.id = crate::model::ModelId::new();
    for m in [&mut a, &mut b] {
        m.elements[1].shared_key = Some("the-api".into());
    }
    let (app, problems) = score::variant_model(&[a, b], "app", &catalog());
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(app.kind, crate::model::ModelKind::Application);
    assert_eq!(app.elements.iter().filter(|e| e.name == "API").count(), 1);
}

#[test]
fn the_schemas_describe_the_expectation_files() {
    let schema: serde_json::Value = serde_json::from_str(&expect::expected_schema()).unwrap();
    let required: Vec<&str> = (schema["required"].as_array().unwrap().iter())
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(required, ["title"]);
    for field in ["threats", "must_not", "hardening", "application"] {
        assert!(schema["properties"].get(field).is_some(), "no '{field}'");
    }
    let always: serde_json::Value = serde_json::from_str(&expect::always_schema()).unwrap();
    assert!(always["properties"].get("must_not").is_some());
}

#[test]
fn committed_schemas_are_current() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../bench/quality");
    for (file, current) in [
        ("expected.schema.json", expect::expected_schema()),
        ("always.schema.json", expect::always_schema()),
    ] {
        let path = dir.join(file);
        if std::env::var_os("UPDATE_EXPECT").is_some() {
            std::fs::write(&path, &current).unwrap();
            continue;
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == current,
            "bench/quality/{file} is stale: run `UPDATE_EXPECT=1 cargo test -p stridewise-core --lib quality::tests::committed_schemas` and commit it"
        );
    }
}
