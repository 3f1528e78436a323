//! CSV and SARIF exports and the CI gate, over the checkout fixture.

mod report_common;

use report_common::{CHECKOUT, checkout_input, checkout_rules};
use stridewise_core::model::{Severity, TriageStatus};
use stridewise_core::report::{ReportOptions, SarifTool, check, to_csv, to_sarif};

/// A small RFC 4180 reader, enough to check what the writer produced.
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut field)),
            (false, '\r') => {
                assert_eq!(chars.next(), Some('\n'), "CR must be followed by LF");
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => field.push(c),
        }
    }
    assert!(
        field.is_empty() && row.is_empty(),
        "the last row ends with CRLF"
    );
    rows
}

#[test]
fn csv_has_one_row_per_threat_with_the_tracker_columns() {
    let input = checkout_input(ReportOptions::default());
    let rows = parse_csv(&to_csv(&input));
    assert_eq!(
        rows[0],
        [
            "title",
            "description",
            "severity",
            "status",
            "owner",
            "element",
            "stride",
            "mitigations",
            "key"
        ]
    );
    let findings = &input.models[0].findings;
    assert_eq!(rows.len(), findings.len() + 1);
    for (row, f) in rows[1..].iter().zip(findings) {
        assert_eq!(row.len(), 9);
        assert_eq!(row[0], f.title);
        assert_eq!(row[2], f.severity.as_str());
        assert_eq!(row[8], f.key.as_str());
    }
    let dos = rows
        .iter()
        .find(|r| r[8].starts_with("NET-DOS-01@"))
        .expect("the DoS threat");
    assert_eq!(dos[3], "mitigated");
    assert_eq!(dos[4], "Platform team");
    assert_eq!(
        dos[5],
        "Place order (Customer browser → Front Door with WAF)"
    );
    assert_eq!(dos[6], "Denial of service");
    assert!(dos[7].starts_with("MIT-FRONT-DOOR-WAF: Put Azure Front Door"));
    assert!(dos[7].contains("; MIT-DDOS-PROTECTION: "));
}

#[test]
fn csv_cells_cannot_become_formulas() {
    let mut input = checkout_input(ReportOptions::default());
    let f = &mut input.models[0].findings[0];
    f.title = "=HYPERLINK(\"http://evil\",\"click\")".into();
    f.owner = "@admin, \"ops\"".into();
    f.description = "-2+3\nsecond line".into();
    let rows = parse_csv(&to_csv(&input));
    assert_eq!(rows[1][0], "'=HYPERLINK(\"http://evil\",\"click\")");
    assert_eq!(rows[1][4], "'@admin, \"ops\"");
    assert_eq!(rows[1][1], "'-2+3\nsecond line");
}

#[test]
fn csv_respects_the_filters() {
    let input = checkout_input(ReportOptions {
        min_severity: Some(Severity::High),
        ..Default::default()
    });
    let expected = input.models[0]
        .findings
        .iter()
        .filter(|f| f.severity >= Severity::High)
        .count();
    assert_eq!(parse_csv(&to_csv(&input)).len(), expected + 1);
}

fn sarif() -> serde_json::Value {
    let input = checkout_input(ReportOptions::default());
    let rules = checkout_rules(&input);
    let text = to_sarif(
        &input,
        &rules,
        &SarifTool {
            name: "Stridewise".into(),
            version: "0.1.0".into(),
        },
    );
    serde_json::from_str(&text).expect("SARIF is JSON")
}

#[test]
fn sarif_is_valid_against_the_official_2_1_0_schema() {
    let schema_text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/sarif-schema-2.1.0.json"),
    )
    .expect("the schema fixture");
    let schema: serde_json::Value = serde_json::from_str(&schema_text).expect("schema is JSON");
    let validator = jsonschema::validator_for(&schema).expect("the schema compiles");
    let log = sarif();
    let errors: Vec<String> = validator
        .iter_errors(&log)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "SARIF schema errors: {errors:#?}");
    // The validator does reject what the schema forbids.
    let mut broken = log.clone();
    broken["runs"][0]["results"][0]["level"] = "fatal".into();
    assert!(!validator.is_valid(&broken));
}

#[test]
fn sarif_maps_rules_results_levels_locations_and_fingerprints() {
    let input = checkout_input(ReportOptions::default());
    let log = sarif();
    assert_eq!(log["version"], "2.1.0");
    let run = &log["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().expect("rules");
    assert_eq!(rules.len(), checkout_rules(&input).len());
    let results = run["results"].as_array().expect("results");
    assert_eq!(results.len(), input.models[0].findings.len());
    for (result, f) in results.iter().zip(&input.models[0].findings) {
        let rule = &rules[result["ruleIndex"].as_u64().expect("index") as usize];
        assert_eq!(rule["id"], result["ruleId"]);
        assert_eq!(result["ruleId"], f.rule.as_str());
        let level = match f.severity {
            Severity::Critical | Severity::High => "error",
            Severity::Medium => "warning",
            Severity::Low => "note",
        };
        assert_eq!(result["level"], level);
        assert_eq!(
            result["partialFingerprints"]["stridewiseThreatKey/v1"],
            f.key.as_str()
        );
        let location = &result["locations"][0];
        assert_eq!(
            location["physicalLocation"]["artifactLocation"]["uri"],
            CHECKOUT
        );
        assert_eq!(
            location["logicalLocations"][0]["name"],
            f.subject.name.as_str()
        );
        // Decided threats are reported, but suppressed with the decision as justification.
        assert_eq!(
            result.get("suppressions").is_some(),
            !f.status.is_unresolved()
        );
    }
    let dos = rules
        .iter()
        .find(|r| r["id"] == "NET-DOS-01")
        .expect("the DoS rule");
    assert_eq!(dos["properties"]["stride"], "denial_of_service");
    assert_eq!(dos["properties"]["cwe"][0], "CWE-400");
    assert_eq!(dos["name"], "NetDos01");
}

#[test]
fn gate_fails_on_unresolved_threats_at_or_above_the_level() {
    let input = checkout_input(ReportOptions::default());
    let findings: Vec<_> = input.kept_findings().map(|(_, f)| f.clone()).collect();
    // Critical: APP-TAMPER-01 is open.
    let critical = check(&findings, Severity::Critical);
    assert!(!critical.passed());
    assert_eq!(critical.blocking.len(), 1);
    // High: also ID-EOP-01 (open) and DATA-EXFIL-01 (needs investigation); NET-DOS-01 is
    // mitigated.
    let high = check(&findings, Severity::High);
    let mut rules: Vec<_> = high.blocking.iter().map(|f| f.rule.as_str()).collect();
    rules.sort();
    assert_eq!(rules, ["APP-TAMPER-01", "DATA-EXFIL-01", "ID-EOP-01"]);
    // Once decided, the gate passes.
    let decided: Vec<_> = findings
        .into_iter()
        .map(|mut f| {
            if f.severity >= Severity::High {
                f.status = TriageStatus::Accepted;
            }
            f
        })
        .collect();
    assert!(check(&decided, Severity::High).passed());
}
