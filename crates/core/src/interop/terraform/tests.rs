//! The Terraform import on the project's own fixtures (`tests/fixtures/terraform/app`) and on
//! small configurations written into temporary folders: evaluation, the mapping, symbolic
//! values, limits, drift and re-import.

use std::path::{Path, PathBuf};

use super::*;
use crate::app::terraform::{DriftKind, drift, reimport};
use crate::catalog::Catalog;
use crate::model::{Element, ElementKind, PropertyValue, ThreatKey, TriageDecision, TriageStatus};

fn app() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/terraform/app")
}

fn options(var_files: &[PathBuf]) -> Options {
    Options {
        var_files: var_files.to_vec(),
        ..Options::default()
    }
}

fn import_app() -> (ServiceModel, ServiceSummary) {
    import_from(&app(), &[app().join("prod.tfvars")])
}

fn import_from(dir: &Path, vars: &[PathBuf]) -> (ServiceModel, ServiceSummary) {
    let mut out = import_dir(dir, &options(vars)).unwrap();
    assert_eq!(out.models.len(), 1);
    (out.models.remove(0), out.services.remove(0))
}

fn element<'m>(m: &'m ServiceModel, address: &str) -> &'m Element {
    m.elements
        .iter()
        .find(|e| e.iac_address.as_deref() == Some(address))
        .unwrap_or_else(|| {
            let all: Vec<_> = m
                .elements
                .iter()
                .filter_map(|e| e.iac_address.clone())
                .collect();
            panic!("no element from {address}; have {all:#?}")
        })
}

fn prop<'m>(e: &'m Element, name: &str) -> Option<&'m PropertyValue> {
    e.properties.get(name)
}

/// `source name -> target name: flow name` for every flow.
fn flows(m: &ServiceModel) -> Vec<String> {
    let name = |id| m.element(id).map(|e| e.name.clone()).unwrap_or_default();
    let mut v: Vec<String> = m
        .flows
        .iter()
        .map(|f| format!("{} -> {}: {}", name(f.source), name(f.target), f.name))
        .collect();
    v.sort();
    v
}

fn write(dir: &Path, name: &str, text: &str) {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn copy_dir(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

#[test]
fn evaluation_gives_one_instance_per_key_named_from_variables_locals_and_templates() {
    let (m, s) = import_app();
    // for_each over var.regions from prod.tfvars; names built from a lower()ed local.
    let kv = element(&m, r#"module.stamp["northeurope"].azurerm_key_vault.main"#);
    assert_eq!(kv.name, "pay-northe-kv");
    element(&m, r#"module.stamp["westeurope"].azurerm_key_vault.main"#);
    // count = var.with_events ? 1 : 0, with contains() over var.events_in.
    element(
        &m,
        r#"module.stamp["northeurope"].azurerm_eventhub_namespace.events[0]"#,
    );
    assert!(!m.elements.iter().any(|e| {
        e.iac_address
            .as_deref()
            .is_some_and(|a| a.contains(r#"["westeurope"].azurerm_eventhub"#))
    }));
    // format() in a local.
    assert_eq!(
        element(&m, "azurerm_cdn_frontdoor_profile.main").name,
        "pay-fd"
    );
    // for_each over a map variable: parts of the storage account, counted not drawn.
    assert_eq!(s.parts["azurerm_storage_queue"], 4);
    assert_eq!(s.supporting["random_password"], 1);
    assert_eq!(s.supporting["azurerm_dns_cname_record"], 1);
    assert!(s.symbolic.is_empty(), "{:#?}", s.symbolic);
    assert!(s.problems.is_empty(), "{:#?}", s.problems);
    assert!(s.not_mapped.is_empty(), "{:#?}", s.not_mapped);
}

#[test]
fn the_mapping_sets_properties_from_arguments_and_provider_defaults() {
    let (m, _) = import_app();
    let cosmos = element(&m, "azurerm_cosmosdb_account.main");
    assert_eq!(cosmos.stencil.as_str(), "azure.cosmos_db");
    assert_eq!(prop(cosmos, "public_network_access"), Some(&false.into()));
    assert_eq!(prop(cosmos, "local_auth_enabled"), Some(&false.into()));
    // A Cosmos DB SQL role assignment means Entra ID authorizes its data plane.
    assert_eq!(prop(cosmos, "rbac_data_plane"), Some(&true.into()));
    let kv = element(&m, r#"module.stamp["westeurope"].azurerm_key_vault.main"#);
    assert_eq!(prop(kv, "purge_protection"), Some(&true.into()));
    assert_eq!(prop(kv, "public_network_access"), Some(&false.into()));
    assert_eq!(prop(kv, "private_endpoint"), Some(&true.into()));
    assert_eq!(prop(kv, "audit_logging"), Some(&true.into()));
    let st = element(
        &m,
        r#"module.stamp["westeurope"].azurerm_storage_account.web"#,
    );
    // Not set in the code: the azurerm defaults.
    assert_eq!(prop(st, "public_network_access"), Some(&true.into()));
    assert_eq!(prop(st, "allow_blob_public_access"), Some(&true.into()));
    let fd = element(&m, "azurerm_cdn_frontdoor_profile.main");
    assert_eq!(prop(fd, "waf_enabled"), Some(&true.into()));
    let aks = element(
        &m,
        r#"module.stamp["westeurope"].azurerm_kubernetes_cluster.stamp"#,
    );
    assert_eq!(prop(aks, "network_policy"), Some(&true.into()));
    assert_eq!(prop(aks, "credentials"), Some(&"managed_identity".into()));
    // Opened to the internet by the NSG rule on its subnet.
    assert_eq!(prop(aks, "public_endpoint"), Some(&true.into()));
    let workload = element(
        &m,
        r#"module.stamp["westeurope"].azurerm_user_assigned_identity.api"#,
    );
    assert_eq!(workload.name, "api on pay-westeu-aks");
    // Storage accepts TLS 1.0: flows into it are not counted as encrypted.
    let to_storage = m
        .flows
        .iter()
        .find(|f| f.target == st.id && f.name.contains("key read from Key Vault"))
        .unwrap();
    assert_eq!(to_storage.properties.get("encrypted"), Some(&false.into()));
    assert_eq!(
        to_storage.properties.get("authentication"),
        Some(&"shared_key".into())
    );
}

#[test]
fn relationships_become_flows_and_networks_become_boundaries() {
    let (m, s) = import_app();
    let f = flows(&m);
    for expected in [
        "Internet users -> pay-fd: Requests from the internet",
        "Internet users -> pay-westeu-aks: Inbound from the internet (ports 443)",
        "pay-fd -> paywesteuweb: Route requests to the origin",
        "api on pay-westeu-aks -> pay-cosmos: Cosmos DB Built-in Data Contributor",
        "paywesteuweb -> api on pay-westeu-aks: Storage Blob Data Reader",
        "pay-westeu-kv -> api on pay-westeu-aks: Key Vault access (get, list)",
        "api on pay-westeu-aks -> paywesteuweb: Call with a key read from Key Vault",
        "pay-westeu-kv -> pay-global-log: Diagnostic logs and metrics",
        "pay-cosmos -> pay-global-log: Diagnostic logs and metrics",
        "pay-westeu-aks -> pay-global-log: Container logs and metrics",
    ] {
        assert!(
            f.contains(&expected.to_string()),
            "{expected} not in {f:#?}"
        );
    }
    // The SSH rule admits one office range, not the internet; the secret holding only a name
    // gives no flow; the deployer's access policy and the resource-group role are not drawn.
    assert!(!f.iter().any(|x| x.contains("ports 22")), "{f:#?}");
    assert_eq!(f.len(), 19, "{f:#?}");
    assert!(
        s.unresolved
            .iter()
            .any(|u| u.contains("identity that runs Terraform"))
    );
    assert!(
        s.unresolved
            .iter()
            .any(|u| u.contains("control-plane access"))
    );
    // Boundaries: global, two stamps, their networks and subnets, the internet.
    let kinds: Vec<String> = m.boundaries.iter().map(|b| b.kind.to_string()).collect();
    assert_eq!(m.boundaries.len(), 10, "{kinds:?}");
    let kv = element(&m, r#"module.stamp["westeurope"].azurerm_key_vault.main"#);
    let subnet = m.boundary(kv.boundary.unwrap()).unwrap();
    assert_eq!(subnet.name, "endpoints");
    let vnet = m.boundary(subnet.parent.unwrap()).unwrap();
    assert_eq!(vnet.name, "pay-westeu-vnet");
    let stamp = m.boundary(vnet.parent.unwrap()).unwrap();
    assert_eq!(stamp.name, "Regional stamp westeurope");
    let cosmos = element(&m, "azurerm_cosmosdb_account.main");
    assert_eq!(
        m.boundary(cosmos.boundary.unwrap()).unwrap().kind,
        crate::model::BoundaryKind::AzureGlobal
    );
    // Every element and boundary is placed, and the model is valid and has threats.
    assert!(
        m.elements
            .iter()
            .all(|e| m.layout.nodes.contains_key(&e.id.0))
    );
    let diags = crate::model::validate(&m, crate::catalog::builtin_stencils());
    assert!(diags.is_empty(), "{diags:#?}");
    assert!(
        !crate::analysis::analyze(&m, Catalog::builtin())
            .threats
            .is_empty()
    );
}

#[test]
fn importing_twice_gives_the_same_model() {
    let (a, _) = import_app();
    let (b, _) = import_app();
    assert_eq!(
        crate::model::to_canonical_json(&a),
        crate::model::to_canonical_json(&b)
    );
}

#[test]
fn what_cannot_be_known_stays_symbolic_and_is_reported() {
    // Without prod.tfvars: var.prefix has no value, so names stay unknown.
    let (m, s) = import_from(&app(), &[]);
    assert!(
        s.symbolic
            .iter()
            .any(|l| l.contains("var.prefix has no value")),
        "{:#?}",
        s.symbolic
    );
    let kv = element(&m, r#"module.stamp["westeurope"].azurerm_key_vault.main"#);
    assert_eq!(kv.name, r#"azurerm_key_vault.main"#);
    // A for_each over a variable nobody gave is imported once, as [*], and said so.
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "main.tf",
        r#"
variable "names" {}
resource "azurerm_key_vault" "kv" {
  for_each                 = toset(var.names)
  name                     = each.value
  purge_protection_enabled = var.names == null
}
resource "azurerm_storage_account" "st" {
  name                          = "st"
  public_network_access_enabled = timestamp()
}
"#,
    );
    let (m, s) = import_from(dir.path(), &[]);
    let kv = element(&m, "azurerm_key_vault.kv[*]");
    assert!(kv.notes.contains("every instance"));
    assert!(!kv.properties.contains_key("purge_protection"));
    assert!(
        s.symbolic
            .iter()
            .any(|l| l.contains("azurerm_key_vault.kv[*]")
                && l.contains("purge_protection_enabled is not known")),
        "{:#?}",
        s.symbolic
    );
    assert!(
        s.symbolic
            .iter()
            .any(|l| l.contains("imported once as azurerm_key_vault.kv[*]"))
    );
    assert!(
        s.symbolic
            .iter()
            .any(|l| l.contains("timestamp() is not evaluated"))
    );
}

#[test]
fn functions_and_expressions_evaluate_as_terraform_does() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "main.tf",
        r#"
locals {
  m     = merge({ a = 1 }, { b = 2 })
  names = [for k, v in local.m : "${k}=${v}" if v > 1]
  odd   = { for n in range(5) : tostring(n) => n * 2 if n % 2 == 1 }
  s     = join("-", concat(["x"], split(",", "y,z")))
  l     = lookup(local.m, "c", 42)
  r     = regex("^(.+)-rg$", "pay-rg")[0]
  t     = try(local.m.missing, "fallback")
  f     = format("%s/%03d", upper("ab"), 7)
  ok    = can(local.m.missing)
  tpl   = "%{ for x in ["p", "q"] }${x}%{ endfor }"
}
resource "azurerm_storage_account" "x" {
  name = join("|", [local.names[0], tostring(length(local.odd)), local.s, tostring(local.l), local.r, local.t, local.f, tostring(local.ok), local.tpl, replace("a.b.c", ".", "-"), trimprefix("www.x", "www."), element(["p", "q"], 3)])
}
"#,
    );
    let (m, s) = import_from(dir.path(), &[]);
    assert!(s.problems.is_empty(), "{:#?}", s.problems);
    assert_eq!(
        element(&m, "azurerm_storage_account.x").name,
        "b=2|2|x-y-z|42|pay|fallback|AB/007|false|pq|a-b-c|x|q"
    );
}

fn import_error(files: &[(&str, &str)], limits: Limits) -> String {
    let dir = tempfile::tempdir().unwrap();
    for (n, t) in files {
        write(dir.path(), n, t);
    }
    let options = Options {
        limits,
        ..Options::default()
    };
    match import_dir(dir.path(), &options) {
        Ok(_) => panic!("the import should fail"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn hostile_input_stops_at_a_limit_with_a_clear_error() {
    // Nesting deeper than the parser allows.
    let deep = format!(
        "locals {{\n  x = {}1{}\n}}\n",
        "[".repeat(200),
        "]".repeat(200)
    );
    let e = import_error(&[("main.tf", &deep)], Limits::default());
    assert!(e.contains("main.tf") && e.contains("nesting depth"), "{e}");
    // for_each over a huge range: refused before the collection is built.
    let huge = r#"resource "azurerm_key_vault" "kv" {
  for_each = toset([for i in range(100000000) : tostring(i)])
  name     = each.key
}"#;
    let e = import_error(&[("main.tf", huge)], Limits::default());
    assert!(e.contains("work limit") && e.contains("range()"), "{e}");
    let many = r#"resource "azurerm_key_vault" "kv" {
  count = 50000
  name  = "kv${count.index}"
}"#;
    let e = import_error(&[("main.tf", many)], Limits::default());
    assert!(
        e.contains("azurerm_key_vault.kv expands to 50000 instances"),
        "{e}"
    );
    // A reference cycle names its chain.
    let cycle = "locals {\n  a = local.b\n  b = local.c\n  c = local.a\n}\nresource \"azurerm_key_vault\" \"kv\" {\n  name = local.a\n}\n";
    let e = import_error(&[("main.tf", cycle)], Limits::default());
    assert!(
        e.contains("reference cycle") && e.contains("local.a -> local.b -> local.c -> local.a"),
        "{e}"
    );
    // A long chain of references stops at the depth limit.
    let mut chain = String::from("locals {\n");
    for i in 0..500 {
        chain.push_str(&format!("  l{i} = local.l{}\n", i + 1));
    }
    chain
        .push_str("  l500 = 1\n}\nresource \"azurerm_key_vault\" \"kv\" {\n  name = local.l0\n}\n");
    let e = import_error(&[("main.tf", &chain)], Limits::default());
    assert!(e.contains("nested deeper than 200"), "{e}");
    // Strings that double until they are huge.
    let mut grow = String::from("locals {\n  s0 = \"xxxxxxxxxxxxxxxx\"\n");
    for i in 1..40 {
        grow.push_str(&format!(
            "  s{i} = \"${{local.s{}}}${{local.s{}}}\"\n",
            i - 1,
            i - 1
        ));
    }
    grow.push_str("}\nresource \"azurerm_key_vault\" \"kv\" {\n  name = local.s39\n}\n");
    let e = import_error(&[("main.tf", &grow)], Limits::default());
    assert!(e.contains("a string grew past"), "{e}");
    // The step budget.
    let busy = "locals {\n  x = [for i in range(1000) : [for j in range(1000) : i * j]]\n}\nresource \"azurerm_key_vault\" \"kv\" {\n  name = tostring(length(local.x))\n}\n";
    let e = import_error(
        &[("main.tf", busy)],
        Limits {
            max_steps: 10_000,
            ..Limits::default()
        },
    );
    assert!(e.contains("more than 10000 steps"), "{e}");
    // Too many bytes.
    let e = import_error(
        &[("main.tf", &"# padding\n".repeat(2000))],
        Limits {
            max_total_bytes: 1000,
            ..Limits::default()
        },
    );
    assert!(e.contains("more than 1000 bytes"), "{e}");
    // A module calling itself.
    let e = import_error(
        &[("main.tf", "module \"me\" {\n  source = \"./\"\n}\n")],
        Limits::default(),
    );
    assert!(e.contains("modules nested deeper than 16"), "{e}");
}

#[test]
fn terraform_syntax_errors_name_the_file_and_line() {
    let e = import_error(
        &[("network.tf", "resource \"a\" \"b\" {\n  x = \n}\n")],
        Limits::default(),
    );
    assert!(
        e.contains("network.tf") && e.contains("line 2, column 7"),
        "{e}"
    );
}

/// A copy of the fixture in a temporary folder, for changing the code.
fn app_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&app(), dir.path());
    dir
}

fn edit(dir: &Path, file: &str, from: &str, to: &str) {
    let path = dir.join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains(from), "{from} not in {file}");
    std::fs::write(path, text.replacen(from, to, 1)).unwrap();
}

#[test]
fn drift_names_missing_removed_and_changed_resources_with_the_threats_they_change() {
    let dir = app_copy();
    let vars = [dir.path().join("prod.tfvars")];
    let (model, _) = import_from(dir.path(), &vars);
    let catalog = Catalog::builtin();
    let (same, _) = import_from(dir.path(), &vars);
    assert!(drift(&model, &same, catalog).is_empty());

    // The code opens Cosmos DB to public networks, drops a Key Vault's diagnostics and adds a
    // Service Bus namespace.
    edit(
        dir.path(),
        "prod.tfvars",
        "cosmos_public = false",
        "cosmos_public = true",
    );
    edit(
        dir.path(),
        "main.tf",
        "resource \"random_password\"",
        "resource \"azurerm_servicebus_namespace\" \"bus\" {\n  name     = \"pay-bus\"\n  location = \"westeurope\"\n  sku      = \"Standard\"\n}\n\nresource \"random_password\"",
    );
    edit(
        dir.path(),
        "modules/stamp/data.tf",
        "resource \"azurerm_monitor_diagnostic_setting\" \"kv\"",
        "resource \"azurerm_monitor_diagnostic_setting\" \"kv_gone\"",
    );
    let (code, _) = import_from(dir.path(), &vars);
    let d = drift(&model, &code, catalog);
    let cosmos = d
        .items
        .iter()
        .find(|i| {
            i.kind == DriftKind::PropertyDiffers
                && i.property.as_deref() == Some("public_network_access")
        })
        .unwrap_or_else(|| panic!("{}", d.to_text()));
    assert_eq!(cosmos.address, "azurerm_cosmosdb_account.main");
    assert_eq!(cosmos.model_value, Some(false.into()));
    assert_eq!(cosmos.code_value, Some(true.into()));
    assert!(
        cosmos
            .threats_opened
            .iter()
            .any(|t| t.title.contains("pay-cosmos")),
        "{}",
        d.to_text()
    );
    assert!(d.items.iter().any(|i| i.kind == DriftKind::MissingFromModel
        && i.object == "element"
        && i.address == "azurerm_servicebus_namespace.bus"));
    // The old diagnostic setting's flows are gone, the renamed one's are new.
    assert!(d.items.iter().any(|i| i.kind == DriftKind::NoLongerInCode
        && i.object == "flow"
        && i.address.ends_with("azurerm_monitor_diagnostic_setting.kv")));
    assert!(d.items.iter().any(|i| {
        i.kind == DriftKind::MissingFromModel
            && i.address
                .ends_with("azurerm_monitor_diagnostic_setting.kv_gone")
    }));
    // An element the code no longer has.
    let mut extra = model.clone();
    let mut gone = Element::new(ElementKind::DataStore, "old vault");
    gone.iac_address = Some("azurerm_key_vault.old".into());
    extra.elements.push(gone);
    let d = drift(&extra, &same, catalog);
    assert_eq!(d.items.len(), 1, "{}", d.to_text());
    assert_eq!(d.items[0].kind, DriftKind::NoLongerInCode);
    // Text and SARIF name the difference and the threat.
    let text = drift(&model, &code, catalog).to_text();
    assert!(
        text.contains("public_network_access is false in the model, true in the code"),
        "{text}"
    );
    assert!(text.contains("opens"), "{text}");
    let sarif: serde_json::Value =
        serde_json::from_str(&drift(&model, &code, catalog).to_sarif("app.stride.json", "0"))
            .unwrap();
    assert!(!sarif["runs"][0]["results"].as_array().unwrap().is_empty());
}

#[test]
fn reimport_brings_infrastructure_changes_and_keeps_what_people_added() {
    let dir = app_copy();
    let vars = [dir.path().join("prod.tfvars")];
    let (previous, _) = import_from(dir.path(), &vars);
    // People edit the model: a hand-drawn element with a flow and a triaged threat, a note on
    // an imported element, and a property they decided differently.
    let mut current = previous.clone();
    let mut partner = Element::new(ElementKind::ExternalEntity, "Card processor");
    partner.notes = "Drawn by hand".into();
    let partner_id = partner.id;
    current.elements.push(partner);
    let fd = element(&current, "azurerm_cdn_frontdoor_profile.main").id;
    current
        .flows
        .push(crate::model::DataFlow::new("Callbacks", partner_id, fd));
    let key = ThreatKey(format!("BASE-EE-S-01@{partner_id}"));
    current.triage.insert(
        key.clone(),
        TriageDecision {
            status: TriageStatus::Accepted,
            justification: "Signed callbacks".into(),
            ..TriageDecision::default()
        },
    );
    let cosmos_addr = "azurerm_cosmosdb_account.main";
    let ci = current
        .elements
        .iter()
        .position(|e| e.iac_address.as_deref() == Some(cosmos_addr))
        .unwrap();
    current.elements[ci].notes = "Reviewed with the DBA".into();
    let kvi = current
        .elements
        .iter()
        .position(|e| {
            e.iac_address.as_deref() == Some(r#"module.stamp["westeurope"].azurerm_key_vault.main"#)
        })
        .unwrap();
    current.elements[kvi]
        .properties
        .insert("purge_protection".into(), false.into());

    // The code changes: Cosmos DB opens up, the Key Vault loses purge protection (clash with
    // the hand edit? no: both now say false), and a new resource appears.
    edit(
        dir.path(),
        "prod.tfvars",
        "cosmos_public = false",
        "cosmos_public = true",
    );
    edit(
        dir.path(),
        "modules/stamp/data.tf",
        "purge_protection_enabled = true",
        "purge_protection_enabled = var.location == \"northeurope\"",
    );
    edit(
        dir.path(),
        "main.tf",
        "resource \"random_password\"",
        "resource \"azurerm_servicebus_namespace\" \"bus\" {\n  name     = \"pay-bus\"\n  location = \"westeurope\"\n  sku      = \"Standard\"\n}\n\nresource \"random_password\"",
    );
    let (fresh, _) = import_from(dir.path(), &vars);
    let (merged, conflicts) = reimport(&previous, &current, &fresh);
    assert!(conflicts.is_empty(), "{conflicts:#?}");
    assert!(
        merged.element(partner_id).is_some(),
        "the hand-drawn element stays"
    );
    assert!(merged.flows.iter().any(|f| f.name == "Callbacks"));
    assert_eq!(merged.triage[&key].status, TriageStatus::Accepted);
    let cosmos = element(&merged, cosmos_addr);
    assert_eq!(cosmos.notes, "Reviewed with the DBA");
    assert_eq!(prop(cosmos, "public_network_access"), Some(&true.into()));
    element(&merged, "azurerm_servicebus_namespace.bus");
    assert!(merged.layout.nodes.contains_key(&partner_id.0));
    assert!(
        merged
            .elements
            .iter()
            .all(|e| merged.layout.nodes.contains_key(&e.id.0))
    );

    // A clash: people set Cosmos DB back to private while the code keeps it public.
    let mut current2 = merged.clone();
    let ci = current2
        .elements
        .iter()
        .position(|e| e.iac_address.as_deref() == Some(cosmos_addr))
        .unwrap();
    current2.elements[ci]
        .properties
        .insert("public_network_access".into(), false.into());
    edit(
        dir.path(),
        "prod.tfvars",
        "cosmos_public = true",
        "cosmos_public = \"maybe\"",
    );
    let (fresh2, summary) = import_from(dir.path(), &vars);
    assert!(
        summary
            .unresolved
            .iter()
            .any(|u| u.contains("public_network_access_enabled")),
        "{:#?}",
        summary.unresolved
    );
    let (merged2, conflicts) = reimport(&fresh, &current2, &fresh2);
    assert_eq!(conflicts.len(), 1, "{conflicts:#?}");
    assert!(
        conflicts[0]
            .path
            .ends_with("/properties/public_network_access")
    );
    assert_eq!(merged2.conflicts.len(), 1);
}

#[test]
fn a_folder_of_root_modules_gives_one_model_each() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "global/main.tf",
        "resource \"azurerm_key_vault\" \"g\" {\n  name = \"g-kv\"\n}\n",
    );
    write(
        dir.path(),
        "stamp/main.tf",
        "module \"m\" {\n  source = \"../modules/kv\"\n}\n",
    );
    write(
        dir.path(),
        "modules/kv/main.tf",
        "resource \"azurerm_key_vault\" \"s\" {\n  name = \"s-kv\"\n}\n",
    );
    let out = import_dir(dir.path(), &Options::default()).unwrap();
    let names: Vec<&str> = out.models.iter().map(|m| m.name.as_str()).collect();
    assert_eq!(names, ["global", "stamp"]);
    assert_eq!(
        out.models[1].elements[0].iac_address.as_deref(),
        Some("module.m.azurerm_key_vault.s")
    );
    let one = import_dir(
        dir.path(),
        &Options {
            service: Some("stamp".into()),
            ..Options::default()
        },
    )
    .unwrap();
    assert_eq!(one.models.len(), 1);
    let e = import_dir(
        dir.path(),
        &Options {
            service: Some("nope".into()),
            ..Options::default()
        },
    )
    .unwrap_err();
    assert!(e.to_string().contains("global, stamp"), "{e}");
}

#[test]
fn importing_into_a_workspace_saves_a_service_and_a_reimport_keeps_hand_edits_and_triage() {
    use crate::app::terraform::import_into_workspace;
    use crate::store::{Save, Scope, TriageUpdate, Workspace};

    let dir = app_copy();
    let vars = [dir.path().join("prod.tfvars")];
    let (first, _) = import_from(dir.path(), &vars);
    let ws_dir = tempfile::tempdir().unwrap();
    let ws = Workspace::create(&ws_dir.path().join("shop.stridewise")).unwrap();
    let catalog = Catalog::builtin();
    let import = |fresh: &ServiceModel, previous: Option<&ServiceModel>| {
        import_into_workspace(
            &ws,
            "shop",
            fresh,
            "app",
            previous,
            catalog,
            "ci",
            "terraform import",
        )
    };
    // A service saved without its import (by hand, or before the workspace kept imports):
    // importing it needs the ancestor.
    let other = Workspace::create(&ws_dir.path().join("other.stridewise")).unwrap();
    other
        .save(Save {
            application: "shop",
            model: &first,
            expected_head: None,
            merge_parent: None,
            author: "alice",
            message: "added as a file",
        })
        .unwrap();
    let e = import_into_workspace(&other, "shop", &first, "app", None, catalog, "ci", "again")
        .unwrap_err()
        .to_string();
    assert!(e.contains("needs the previous import"), "{e}");

    let done = import(&first, None).unwrap();
    assert!(!done.merged);
    assert_eq!(done.outcome.revision().seq, 1);
    // The workspace keeps the import: the same import again merges against it, and changes
    // nothing.
    assert_eq!(
        ws.last_terraform_import(first.id).unwrap().as_ref(),
        Some(&first)
    );
    let again = import(&first, None).unwrap();
    assert!(again.merged);
    assert!(matches!(
        again.outcome,
        crate::store::SaveOutcome::Unchanged(_)
    ));

    // People draw a partner by hand and triage a threat of the Cosmos DB account.
    let (head, mut current) = ws.load_head(first.id).unwrap().unwrap();
    let partner = Element::new(ElementKind::ExternalEntity, "Card processor");
    let partner_id = partner.id;
    current.elements.push(partner);
    ws.save(Save {
        application: "shop",
        model: &current,
        expected_head: Some(head.id),
        merge_parent: None,
        author: "alice",
        message: "the card processor",
    })
    .unwrap();
    edit(
        dir.path(),
        "prod.tfvars",
        "cosmos_public = false",
        "cosmos_public = true",
    );
    let (fresh, _) = import_from(dir.path(), &vars);
    // A threat that both imports raise (opening Cosmos DB changes its own threats, so the
    // decision is on one that stays).
    let keys = |m: &ServiceModel| -> Vec<ThreatKey> {
        crate::analysis::analyze(m, catalog)
            .threats
            .into_iter()
            .map(|t| t.key)
            .collect()
    };
    let after = keys(&fresh);
    let key = keys(&current)
        .into_iter()
        .find(|k| after.contains(k))
        .expect("a threat that both imports have");
    let scope = Scope::Service(first.id);
    let accept = TriageUpdate {
        status: Some(TriageStatus::Accepted),
        justification: Some("Private endpoint only".into()),
        ..TriageUpdate::default()
    };
    ws.decide(scope, &key, &accept, "alice", None).unwrap();

    // No ancestor given: the workspace's kept import (`first`) is the one.
    let done = import(&fresh, None).unwrap();
    assert!(
        done.merged && done.conflicts.is_empty(),
        "{:?}",
        done.conflicts
    );
    assert_eq!(done.outcome.revision().seq, 3);
    let (_, head) = ws.load_head(first.id).unwrap().unwrap();
    assert!(
        head.element(partner_id).is_some(),
        "the hand-drawn element stays"
    );
    let cosmos_now = element(&head, "azurerm_cosmosdb_account.main");
    assert_eq!(
        cosmos_now.properties.get("public_network_access"),
        Some(&PropertyValue::from(true)),
        "the infrastructure change comes in"
    );
    let entry = ws
        .triage_entries(scope)
        .unwrap()
        .into_iter()
        .find(|e| e.key == key)
        .unwrap();
    assert_eq!(entry.decision.status, TriageStatus::Accepted);
    assert!(
        !entry.obsolete,
        "the threat is still there, and so is its decision"
    );
    assert_eq!(
        ws.last_terraform_import(first.id).unwrap().as_ref(),
        Some(&fresh),
        "the fresh import is the next one's ancestor"
    );
}
