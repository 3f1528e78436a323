//! Shared fixtures for the report tests: the checkout model with a hand-made set of findings,
//! each with its triage, so that report, CSV, SARIF and gate tests do not depend on how the
//! catalog's rules evolve. (The end-to-end test over the real analysis is in
//! `report_analysis.rs`.)

#![allow(dead_code)]

use std::path::Path;

use stridewise_core::model::{
    self, ElementId, FlowId, MitigationStatus, ServiceModel, Severity, Stride, ThreatKey,
    TriageDecision, TriageStatus,
};
use stridewise_core::report::{
    Finding, FindingMitigation, ModelSection, ReportInput, ReportOptions, RuleInfo, SourceQuote,
    element_subject, flow_subject,
};

pub const CHECKOUT: &str = "tests/fixtures/report-checkout.stride.json";

pub fn load(path: &str) -> ServiceModel {
    model::load(Path::new(env!("CARGO_MANIFEST_DIR")).join(path).as_path())
        .unwrap_or_else(|e| panic!("fixture {path}: {e}"))
}

fn element(m: &ServiceModel, name: &str) -> ElementId {
    m.elements
        .iter()
        .find(|e| e.name == name)
        .unwrap_or_else(|| panic!("no element {name}"))
        .id
}

fn flow(m: &ServiceModel, name: &str) -> FlowId {
    m.flows
        .iter()
        .find(|f| f.name == name)
        .unwrap_or_else(|| panic!("no flow {name}"))
        .id
}

fn mitigation(
    id: &str,
    title: &str,
    action: &str,
    section: &str,
    quote: &str,
) -> FindingMitigation {
    FindingMitigation {
        id: id.into(),
        title: title.into(),
        action: action.into(),
        status: MitigationStatus::Proposed,
        source: Some(std::sync::Arc::new(SourceQuote {
            section: section.into(),
            quote: quote.into(),
        })),
    }
}

fn waf() -> FindingMitigation {
    mitigation(
        "MIT-FRONT-DOOR-WAF",
        "Put Azure Front Door with WAF policies in front of public HTTP endpoints",
        "Route all public HTTP/S traffic through Azure Front Door with a web application firewall policy in prevention mode.",
        "Network intrusion protection / Design recommendations",
        "Use Azure Front Door with web application firewall policies to deliver and help protect global HTTP/S applications that span multiple Azure regions.",
    )
}

fn ddos() -> FindingMitigation {
    mitigation(
        "MIT-DDOS-PROTECTION",
        "Protect every public IP address with a DDoS protection plan",
        "Enable a DDoS standard protection plan on the virtual networks that hold public IP addresses.",
        "Network intrusion protection / Design recommendations",
        "Use a DDoS standard protection plan to secure all public IP addresses within the application.",
    )
}

fn private_link() -> FindingMitigation {
    mitigation(
        "MIT-PRIVATE-ENDPOINTS",
        "Reach PaaS services through private endpoints",
        "Disable public network access on the data services and reach them through Azure Private Link.",
        "Network intrusion protection / Design recommendations",
        "Use Azure Private Link/Private Endpoints, where available, to secure access to Azure PaaS services within the application design.",
    )
}

fn policy() -> FindingMitigation {
    mitigation(
        "MIT-POLICY-GUARDRAILS",
        "Enforce configurations with Azure Policy",
        "Assign deny and deploy-if-not-exists policies for the security baseline.",
        "Alignment with the Zero Trust model / Design recommendations",
        "Use Azure Policy to enforce security and reliability configurations for all service, ensuring that any deviation is either remediated or prohibited by the control plane at configuration-time, helping to mitigate threats associated with 'malicious admin' scenarios.",
    )
}

struct Spec<'a> {
    rule: &'a str,
    stride: Stride,
    on_element: Option<&'a str>,
    on_flow: Option<&'a str>,
    title: &'a str,
    description: &'a str,
    severity: Severity,
    mitigations: Vec<FindingMitigation>,
    cwe: Vec<u32>,
}

fn finding(m: &ServiceModel, s: Spec) -> Finding {
    let (key, subject) = if let Some(name) = s.on_element {
        let id = element(m, name);
        (
            ThreatKey(format!("{}@{}", s.rule, id)),
            element_subject(m, id).expect("element exists"),
        )
    } else {
        let id = flow(m, s.on_flow.expect("a flow"));
        let f = m.flow(id).expect("flow exists");
        (
            ThreatKey(format!("{}@{}@{}@{}", s.rule, f.source, id, f.target)),
            flow_subject(m, id).expect("flow exists"),
        )
    };
    let mut finding = Finding::new(key, s.stride, s.title, s.severity, subject);
    finding.description = s.description.into();
    finding.mitigations = s.mitigations;
    finding.cwe = s.cwe;
    finding.source = finding.mitigations.first().and_then(|m| m.source.clone());
    finding
}

/// The checkout model with triage decisions and its findings.
pub fn checkout_section() -> ModelSection {
    let mut m = load(CHECKOUT);
    let specs = vec![
        Spec {
            rule: "NET-DOS-01",
            stride: Stride::DenialOfService,
            on_element: None,
            on_flow: Some("Place order"),
            title: "Front Door with WAF can be flooded from the internet through Place order",
            description: "An attacker floods the endpoint with requests from the internet (a DDoS botnet, or a slow attack such as Slowloris that holds connections open).",
            severity: Severity::High,
            mitigations: vec![waf(), ddos()],
            cwe: vec![400],
        },
        Spec {
            rule: "APP-TAMPER-01",
            stride: Stride::Tampering,
            on_element: Some("Checkout API"),
            on_flow: None,
            title: "Checkout API accepts input that can inject commands or queries",
            description: "Order fields reach the database query layer; SQL injection or other input tampering changes what the API stores or returns.",
            severity: Severity::Critical,
            mitigations: vec![waf()],
            cwe: vec![89, 20],
        },
        Spec {
            rule: "BASE-SPOOF-EXT",
            stride: Stride::Spoofing,
            on_element: Some("Customer browser"),
            on_flow: None,
            title: "Someone can pretend to be Customer browser",
            description: "Stolen session tokens or credentials let an attacker act as a customer.",
            severity: Severity::Medium,
            mitigations: vec![],
            cwe: vec![287],
        },
        Spec {
            rule: "DATA-EXFIL-01",
            stride: Stride::InformationDisclosure,
            on_element: Some("Order database"),
            on_flow: None,
            title: "Order database can be read or exfiltrated over its public endpoint",
            description: "The database accepts connections from public networks; a leaked key or a malicious admin can copy the orders out.",
            severity: Severity::High,
            mitigations: vec![private_link(), policy()],
            cwe: vec![200],
        },
        Spec {
            rule: "KV-DOS-01",
            stride: Stride::DenialOfService,
            on_element: Some("Key Vault"),
            on_flow: None,
            title: "Key Vault throttling stops Checkout API",
            description: "Key Vault has transaction limits per vault; a burst of secret reads is throttled and the API fails.",
            severity: Severity::Medium,
            mitigations: vec![],
            cwe: vec![],
        },
        Spec {
            rule: "BASE-REPUDIATION-PROC",
            stride: Stride::Repudiation,
            on_element: Some("Checkout API"),
            on_flow: None,
            title: "Actions taken through Checkout API cannot be traced to who took them",
            description: "Without audit logs a customer or an operator can deny placing or changing an order.",
            severity: Severity::Low,
            mitigations: vec![policy()],
            cwe: vec![778],
        },
        Spec {
            rule: "ID-EOP-01",
            stride: Stride::ElevationOfPrivilege,
            on_element: Some("Checkout API"),
            on_flow: None,
            title: "Checkout API runs with more privilege than it needs",
            description: "The API's identity can write to every container of the database and read every secret of the vault.",
            severity: Severity::High,
            mitigations: vec![policy()],
            cwe: vec![250],
        },
        Spec {
            rule: "FLOW-TAMPER-01",
            stride: Stride::Tampering,
            on_element: None,
            on_flow: Some("Authorize payment"),
            title: "Authorize payment can be altered on its way to Card payment gateway",
            description: "A man-in-the-middle changes the amount or the card token of a payment request.",
            severity: Severity::Medium,
            mitigations: vec![],
            cwe: vec![319],
        },
    ];
    let findings: Vec<Finding> = specs.into_iter().map(|s| finding(&m, s)).collect();
    let decide = |m: &mut ServiceModel, rule: &str, d: TriageDecision| {
        let key = findings
            .iter()
            .find(|f| f.rule == rule)
            .expect("rule")
            .key
            .clone();
        m.triage.insert(key, d);
    };
    decide(
        &mut m,
        "NET-DOS-01",
        TriageDecision {
            status: TriageStatus::Mitigated,
            justification: "Front Door Premium with the managed WAF rule set in prevention mode; DDoS plan on the stamp VNet.".into(),
            owner: "Platform team".into(),
            decided_by: "Dana Reyes".into(),
            mitigations: [
                ("MIT-FRONT-DOOR-WAF".to_string(), MitigationStatus::Implemented),
                ("MIT-DDOS-PROTECTION".to_string(), MitigationStatus::Implemented),
            ]
            .into(),
            ..Default::default()
        },
    );
    decide(
        &mut m,
        "DATA-EXFIL-01",
        TriageDecision {
            status: TriageStatus::NeedsInvestigation,
            justification: "Check whether the reporting job still needs the public endpoint."
                .into(),
            owner: "Alice Chen".into(),
            ticket: "CHK-231".into(),
            due_sprint: "2026.26".into(),
            decided_by: "Dana Reyes".into(),
            mitigations: [(
                "MIT-PRIVATE-ENDPOINTS".to_string(),
                MitigationStatus::InProgress,
            )]
            .into(),
            ..Default::default()
        },
    );
    decide(
        &mut m,
        "KV-DOS-01",
        TriageDecision {
            status: TriageStatus::Accepted,
            justification:
                "Secrets are cached for 10 minutes; the API reads Key Vault a few times an hour."
                    .into(),
            owner: "Team Checkout".into(),
            decided_by: "Sam Okafor".into(),
            ..Default::default()
        },
    );
    decide(
        &mut m,
        "FLOW-TAMPER-01",
        TriageDecision {
            status: TriageStatus::Transferred,
            justification: "The gateway's mutual TLS and request signing are the provider's responsibility under the contract.".into(),
            ..Default::default()
        },
    );
    let findings = findings
        .into_iter()
        .map(|mut f| {
            f.apply_model_triage(&m);
            f
        })
        .collect();
    ModelSection {
        model: m,
        revision: "report-checkout.stride.json".into(),
        file: Some(CHECKOUT.into()),
        findings,
    }
}

pub fn checkout_input(options: ReportOptions) -> ReportInput {
    ReportInput {
        title: "Web shop: checkout threat model".into(),
        generated_at: "2026-11-29 06:00 UTC".into(),
        authors: vec!["Team Checkout".into()],
        reviewers: vec![],
        models: vec![checkout_section()],
        application: None,
        reviews: vec![],
        options,
    }
}

/// The rules behind the fixture's findings, as a catalog would describe them.
pub fn checkout_rules(input: &ReportInput) -> Vec<RuleInfo> {
    let mut rules: Vec<RuleInfo> = input
        .sections()
        .flat_map(|s| s.findings.iter())
        .map(|f| RuleInfo {
            id: f.rule.clone(),
            title: f.title.clone(),
            description: f.description.clone(),
            stride: f.stride,
            cwe: f.cwe.clone(),
            capec: vec![],
            source: f.source.as_deref().cloned(),
        })
        .collect();
    rules.sort_by(|a, b| a.id.cmp(&b.id));
    rules.dedup_by(|a, b| a.id == b.id);
    rules
}
