//! Analysis tests. Graph facts are checked the way rule authors check rules: a small pack of
//! rules whose examples state where a fact holds and where it does not.

use std::collections::BTreeMap;

use super::examples;
use super::*;
use crate::catalog::Catalog;
use crate::model::{DataFlow, Element, ElementKind, TriageDecision};

/// Loads `pack` on top of the built-in catalog and runs every example of the pack's rules.
fn check_pack(pack: &str) {
    let catalog = Catalog::from_texts(&[("pack.toml", pack)], true)
        .unwrap_or_else(|e| panic!("pack does not load: {e}"));
    let failures: Vec<_> = examples::run_examples(&catalog)
        .into_iter()
        .filter(|f| f.file == "pack.toml")
        .collect();
    assert!(failures.is_empty(), "{failures:#?}");
}

/// One rule with `when` on `applies_to` and two examples: `yes` fires, `no` does not.
fn fact_rule(id: &str, applies_to: &str, when: &str, yes: &str, no: &str) -> String {
    format!(
        r#"
[[threat]]
id = "{id}"
stride = "tampering"
applies_to = "{applies_to}"
when = "{when}"
title = "t"
mitigations = ["MIT-ENCRYPTION"]
source = {{ section = "s", quote = "q" }}

[[threat.example]]
fires = true
{yes}

[[threat.example]]
fires = false
{no}
"#
    )
}

const WEB: &str = r#"boundaries = [{ id = "net", kind = "internet" }, { id = "vnet", kind = "virtual_network" }, { id = "sub", kind = "subnet", parent = "vnet" }]"#;

#[test]
fn behind_waf_needs_every_path_to_pass_a_waf() {
    let through = format!(
        r#"{WEB}
elements = [
  {{ id = "user", kind = "external_entity", boundary = "net" }},
  {{ id = "waf", stencil = "azure.web_application_firewall" }},
  {{ id = "api", kind = "process", name = "api", boundary = "sub" }},
]
flows = [{{ from = "user", to = "waf" }}, {{ from = "waf", to = "api" }}]"#
    );
    let bypass = format!(
        r#"{WEB}
elements = [
  {{ id = "user", kind = "external_entity", boundary = "net" }},
  {{ id = "waf", stencil = "azure.web_application_firewall" }},
  {{ id = "api", kind = "process", name = "api", boundary = "sub" }},
]
flows = [{{ from = "user", to = "waf" }}, {{ from = "waf", to = "api" }}, {{ from = "user", to = "api" }}]"#
    );
    let fd_waf = format!(
        r#"{WEB}
elements = [
  {{ id = "user", kind = "external_entity", boundary = "net" }},
  {{ id = "fd", stencil = "azure.front_door", properties = {{ waf_enabled = true }} }},
  {{ id = "api", kind = "process", name = "api" }},
]
flows = [{{ from = "user", to = "fd" }}, {{ from = "fd", to = "api" }}]"#
    );
    let fd_no_waf = fd_waf.replace("waf_enabled = true", "waf_enabled = false");
    let pack = [
        fact_rule(
            "T-WAF-01",
            "process",
            "element.name == 'api' and element.behind_waf",
            &through,
            &bypass,
        ),
        fact_rule(
            "T-WAF-02",
            "process",
            "element.name == 'api' and element.behind_waf",
            &fd_waf,
            &fd_no_waf,
        ),
        fact_rule(
            "T-GW-01",
            "process",
            "element.name == 'api' and element.behind_gateway and element.behind_ddos_protection",
            &fd_no_waf,
            &bypass,
        ),
        // The subnet sits inside the virtual network: nesting counts.
        fact_rule(
            "T-NEST-01",
            "process",
            "element.name == 'api' and element.in_boundary('virtual_network')",
            &through,
            &fd_waf,
        ),
        fact_rule(
            "T-VIA-01",
            "process",
            "element.name == 'api' and element.reachable_from_internet_via('waf')",
            &through,
            &fd_waf,
        ),
        fact_rule(
            "T-FACING-01",
            "process",
            "element.name == 'api' and element.internet_facing",
            &bypass,
            &through,
        ),
    ]
    .concat();
    check_pack(&pack);
}

#[test]
fn reachability_follows_bidirectional_flows_both_ways() {
    let one_way = r#"boundaries = [{ id = "net", kind = "internet" }]
elements = [
  { id = "user", kind = "external_entity", boundary = "net" },
  { id = "api", kind = "process" },
  { id = "db", kind = "data_store" },
]
flows = [{ from = "user", to = "api" }, { from = "db", to = "api" }]"#;
    let both = one_way.replace(
        r#"{ from = "db", to = "api" }"#,
        r#"{ from = "db", to = "api", bidirectional = true }"#,
    );
    let pack = [
        fact_rule(
            "T-REACH-01",
            "data_store",
            "element.reachable_from_internet and element.inbound == 1 and element.outbound == 1",
            &both,
            one_way,
        ),
        fact_rule(
            "T-TAG-01",
            "data_store",
            "element.reachable_from_tag('waf') or element.reads_from_tag('waf')",
            r#"elements = [{ id = "w", stencil = "azure.web_application_firewall" }, { id = "db", kind = "data_store" }]
flows = [{ from = "w", to = "db" }]"#,
            r#"elements = [{ id = "w", stencil = "azure.web_application_firewall" }, { id = "db", kind = "data_store" }]
flows = [{ from = "db", to = "w" }]"#,
        ),
        fact_rule(
            "T-TAG-02",
            "data_store",
            "element.writes_to_tag('waf')",
            r#"elements = [{ id = "w", stencil = "azure.web_application_firewall" }, { id = "db", kind = "data_store" }]
flows = [{ from = "db", to = "w" }]"#,
            r#"elements = [{ id = "w", stencil = "azure.web_application_firewall" }, { id = "db", kind = "data_store" }]
flows = [{ from = "w", to = "db" }]"#,
        ),
        fact_rule(
            "T-SENS-01",
            "data_store",
            "element.sensitive",
            r#"elements = [{ id = "db", kind = "data_store", properties = { data_classification = "restricted" } }]"#,
            r#"elements = [{ id = "db", kind = "data_store" }]"#,
        ),
        fact_rule(
            "T-SECRETS-01",
            "data_store",
            "element.holds_secrets",
            r#"elements = [{ id = "kv", stencil = "azure.key_vault" }]"#,
            r#"elements = [{ id = "db", kind = "data_store" }]"#,
        ),
    ]
    .concat();
    check_pack(&pack);
}

#[test]
fn flow_facts_and_reverse_direction() {
    let net = r#"boundaries = [{ id = "net", kind = "internet" }, { id = "v", kind = "virtual_network" }]"#;
    let pack = [
        fact_rule(
            "T-CROSS-01",
            "flow",
            "flow.crosses('internet') and flow.from_internet and source.kind == 'external_entity'",
            &format!(
                "{net}\nelements = [{{ id = \"u\", kind = \"external_entity\", boundary = \"net\" }}, {{ id = \"a\", kind = \"process\", boundary = \"v\" }}]\nflows = [{{ from = \"u\", to = \"a\" }}]"
            ),
            &format!(
                "{net}\nelements = [{{ id = \"u\", kind = \"external_entity\", boundary = \"net\" }}, {{ id = \"a\", kind = \"process\", boundary = \"v\" }}]\nflows = [{{ from = \"a\", to = \"u\" }}]"
            ),
        ),
        // A bidirectional flow drawn from the process still counts as coming from the internet.
        fact_rule(
            "T-CROSS-02",
            "flow",
            "flow.from_internet and flow.bidirectional",
            &format!(
                "{net}\nelements = [{{ id = \"u\", kind = \"external_entity\", boundary = \"net\" }}, {{ id = \"a\", kind = \"process\" }}]\nflows = [{{ from = \"a\", to = \"u\", bidirectional = true }}]"
            ),
            &format!(
                "{net}\nelements = [{{ id = \"u\", kind = \"external_entity\", boundary = \"net\" }}, {{ id = \"a\", kind = \"process\" }}]\nflows = [{{ from = \"a\", to = \"u\" }}]"
            ),
        ),
        fact_rule(
            "T-PROTO-01",
            "flow",
            "flow.protocol in ['SSH', 'RDP'] and flow.crosses_boundary",
            &format!(
                "{net}\nelements = [{{ id = \"u\", kind = \"external_entity\", boundary = \"net\" }}, {{ id = \"a\", kind = \"process\" }}]\nflows = [{{ from = \"u\", to = \"a\", protocol = \"SSH\" }}]"
            ),
            &format!(
                "{net}\nelements = [{{ id = \"u\", kind = \"external_entity\", boundary = \"net\" }}, {{ id = \"a\", kind = \"process\" }}]\nflows = [{{ from = \"u\", to = \"a\", protocol = \"HTTPS\" }}]"
            ),
        ),
    ]
    .concat();
    check_pack(&pack);
}

fn small_model() -> ServiceModel {
    let mut m = ServiceModel::new("m");
    let user = Element::new(ElementKind::ExternalEntity, "user");
    let api = Element::new(ElementKind::Process, "api");
    let mut old = Element::new(ElementKind::DataStore, "legacy");
    old.out_of_scope = true;
    old.out_of_scope_reason = "owned by another team".into();
    m.flows
        .push(crate::model::DataFlow::new("call", user.id, api.id));
    m.flows
        .push(crate::model::DataFlow::new("write", api.id, old.id));
    m.elements = vec![user, api, old];
    m
}

#[test]
fn out_of_scope_elements_and_their_flows_get_no_threats() {
    let m = small_model();
    let a = analyze(&m, Catalog::builtin());
    let legacy = m.elements[2].id.0;
    let write = m.flows[1].id.0;
    assert!(
        a.threats
            .iter()
            .all(|t| t.target.id != legacy && t.target.id != write)
    );
    assert!(a.threats.iter().any(|t| &*t.target.name == "api"));
}

#[test]
fn analysis_is_deterministic_and_sorted_by_key() {
    let m = small_model();
    let a = analyze(&m, Catalog::builtin());
    let b = analyze(&m, Catalog::builtin());
    assert_eq!(a, b);
    assert!(a.threats.windows(2).all(|w| w[0].key < w[1].key));
    assert_eq!(a.summary.total, a.threats.len());
    assert_eq!(a.summary.by_stride.values().sum::<usize>(), a.threats.len());
    let flow_threat = a.threats.iter().find(|t| t.flow.is_some()).unwrap();
    assert_eq!(
        flow_threat.key.as_str(),
        format!(
            "{}@{}@{}@{}",
            flow_threat.rule, m.elements[0].id, m.flows[0].id, m.elements[1].id
        )
    );
}

#[test]
fn triage_sets_status_and_overrides_severity() {
    let m = small_model();
    let mut a = analyze(&m, Catalog::builtin());
    let key = a.threats[0].key.clone();
    let mut triage = BTreeMap::new();
    triage.insert(
        key.clone(),
        TriageDecision {
            status: TriageStatus::Accepted,
            severity_override: Some(Severity::Low),
            ..TriageDecision::default()
        },
    );
    apply_triage(&mut a, &triage);
    assert_eq!(a.threats[0].status, Some(TriageStatus::Accepted));
    assert_eq!(a.threats[0].severity, Severity::Low);
    assert!(
        a.threats[1..]
            .iter()
            .all(|t| t.status == Some(TriageStatus::Open))
    );
    assert_eq!(a.summary, Summary::of(&a.threats));
}

#[test]
fn plain_generic_model_gets_every_stride_category() {
    let m = small_model();
    let a = analyze(&m, Catalog::builtin());
    for s in Stride::ALL {
        assert!(a.summary.by_stride[&s] > 0, "no {s} threat");
    }
}

#[test]
fn threat_json_has_the_contract_fields() {
    let a = analyze(&small_model(), Catalog::builtin());
    let v = serde_json::to_value(&a).unwrap();
    let t = &v["threats"][0];
    for field in [
        "key",
        "rule",
        "stride",
        "title",
        "severity",
        "target",
        "mitigations",
        "source",
    ] {
        assert!(!t[field].is_null(), "missing {field}");
    }
    assert!(t["target"]["kind"].is_string() && t["target"]["id"].is_string());
    assert!(t["mitigations"][0]["id"].is_string() && t["mitigations"][0]["title"].is_string());
    assert!(t["source"]["section"].is_string() && t["source"]["quote"].is_string());
    assert!(v["summary"]["by_stride"]["spoofing"].is_number());
}

#[test]
fn application_rules_run_only_on_application_models_and_keep_origins() {
    let pack = r#"
[[threat]]
id = "APP-X-01"
stride = "elevation_of_privilege"
applies_to = "process"
scope = "application"
title = "{element} is shared"
mitigations = ["MIT-ENTRA-RBAC"]
source = { section = "s", quote = "q" }
"#;
    let catalog = Catalog::from_texts(&[("pack.toml", pack)], true).unwrap();
    let mut m = small_model();
    m.elements[1].origins = vec!["checkout".into(), "payments".into()];
    let on_service = analyze(&m, &catalog);
    assert!(on_service.threats.iter().all(|t| &*t.rule != "APP-X-01"));
    m.kind = ModelKind::Application;
    let on_app = analyze(&m, &catalog);
    let t = on_app
        .threats
        .iter()
        .find(|t| &*t.rule == "APP-X-01")
        .expect("the application rule fires");
    assert!(t.app_level);
    assert_eq!(t.origins, ["checkout", "payments"]);
    assert!(
        !on_app
            .threats
            .iter()
            .any(|t| t.app_level && &*t.rule != "APP-X-01")
    );
}

#[test]
fn a_key_names_its_element_or_flow_while_they_exist() {
    let mut m = ServiceModel::new("keys");
    let user = Element::new(ElementKind::ExternalEntity, "User");
    let api = Element::new(ElementKind::Process, "API");
    let flow = DataFlow::new("Request", user.id, api.id);
    let element_key = ThreatKey(format!("R@{}", api.id));
    let flow_key = ThreatKey(format!("R@{}@{}@{}", user.id, flow.id, api.id));
    m.elements = vec![user, api];
    m.flows = vec![flow.clone()];
    let on_api = Target::of_key(&m, &element_key).unwrap();
    assert_eq!((on_api.kind, &*on_api.name), (TargetKind::Process, "API"));
    let on_flow = Target::of_key(&m, &flow_key).unwrap();
    assert_eq!((on_flow.kind, on_flow.id), (TargetKind::Flow, flow.id.0));
    m.flows.clear();
    // The flow is gone: the key names its source element, still there.
    assert_eq!(
        Target::of_key(&m, &flow_key).unwrap().kind,
        TargetKind::ExternalEntity
    );
    m.elements.clear();
    assert!(Target::of_key(&m, &element_key).is_none());
    assert!(Target::of_key(&m, &ThreatKey("R@not-an-id".into())).is_none());
}
