//! The Terraform import on the mission-critical reference implementation's infrastructure
//! (`terraform/mission-critical-online` in the corpus), compared with the hand-drawn
//! `models/mc-global` and `models/mc-stamp`, which describe the same system.
//!
//! The pipeline of the reference implementation passes the variables that have no default;
//! `tests/fixtures/terraform/corpus/*.tfvars` hold those values for a deployment in two regions.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use stridewise_core::analysis::analyze;
use stridewise_core::app::terraform::{DriftKind, drift_dir};
use stridewise_core::catalog::{self, Catalog};
use stridewise_core::interop::terraform::{self, Options, ServiceSummary};
use stridewise_core::model::{self, Element, PropertyValue, ServiceModel};

fn workload(corpus: &Path) -> PathBuf {
    corpus.join("terraform/mission-critical-online/workload")
}

fn vars(root: &Path, service: &str) -> Vec<PathBuf> {
    vec![
        root.join("variables-prod.tfvars"),
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/terraform/corpus")
            .join(format!("{service}.tfvars")),
    ]
}

fn import(root: &Path, service: &str) -> (ServiceModel, ServiceSummary) {
    let options = Options {
        var_files: vars(root, service),
        ..Options::default()
    };
    let mut out =
        terraform::import_dir(root, &options).unwrap_or_else(|e| panic!("{}: {e}", root.display()));
    (out.models.remove(0), out.services.remove(0))
}

fn by_name<'m>(m: &'m ServiceModel, name: &str) -> &'m Element {
    m.elements
        .iter()
        .find(|e| e.name == name)
        .unwrap_or_else(|| panic!("no element '{name}' in {}", m.name))
}

fn prop(e: &Element, name: &str) -> Option<PropertyValue> {
    catalog::builtin_stencils()
        .effective(&e.stencil, &e.properties, name)
        .cloned()
}

fn flows(m: &ServiceModel) -> BTreeSet<String> {
    let n = |id| m.element(id).map(|e| e.name.clone()).unwrap_or_default();
    m.flows
        .iter()
        .map(|f| format!("{} -> {}: {}", n(f.source), n(f.target), f.name))
        .collect()
}

fn assert_valid_with_threats(m: &ServiceModel) {
    let errors: Vec<_> = model::validate(m, catalog::builtin_stencils())
        .into_iter()
        .filter(|d| d.is_error())
        .collect();
    assert!(errors.is_empty(), "{}: {errors:#?}", m.name);
    assert!(
        analyze(m, Catalog::builtin()).threats.len() > 20,
        "{}: too few threats",
        m.name
    );
}

fn stencils(m: &ServiceModel) -> BTreeSet<String> {
    m.elements.iter().map(|e| e.stencil.to_string()).collect()
}

fn reference(name: &str) -> ServiceModel {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("models")
        .join(name);
    model::load(&path).unwrap()
}

pub fn global_resources_import_as_mc_global_draws_them(corpus: &Path) {
    let (m, s) = import(&workload(corpus).join("globalresources"), "globalresources");
    assert_eq!(
        (m.elements.len(), m.flows.len(), m.boundaries.len()),
        (11, 6, 4),
        "{:#?}",
        flows(&m)
    );
    assert_valid_with_threats(&m);
    let fd = by_name(&m, "mcprod-global-fd");
    assert_eq!(fd.stencil.as_str(), "azure.front_door");
    assert_eq!(
        prop(fd, "waf_enabled"),
        Some(true.into()),
        "security policy in Prevention mode"
    );
    let cosmos = by_name(&m, "mcprod-global-cosmos");
    // The public flavour of the reference implementation sets neither: the azurerm defaults.
    assert_eq!(prop(cosmos, "public_network_access"), Some(true.into()));
    assert_eq!(prop(cosmos, "local_auth_enabled"), Some(true.into()));
    let acr = by_name(&m, "mcprodglobalcr");
    assert_eq!(
        prop(acr, "local_auth_enabled"),
        Some(false.into()),
        "admin_enabled = false"
    );
    let st = by_name(&m, "mcprodglobalst");
    assert_eq!(
        prop(st, "audit_logging"),
        Some(true.into()),
        "diagnostic setting"
    );
    by_name(&m, "mcprod-global-log");
    by_name(&m, "mcprod-northeuro-log");
    by_name(&m, "mcprod-eastus2-appi");
    let f = flows(&m);
    for expected in [
        "Internet users -> mcprod-global-fd: Requests from the internet",
        "mcprod-global-fd -> mcprodglobalst: Route requests to the origin",
        "mcprod-global-cosmos -> mcprod-global-log: Diagnostic logs and metrics",
        "mcprod-global-fd -> mcprod-global-log: Diagnostic logs and metrics",
        "mcprodglobalcr -> mcprod-global-log: Diagnostic logs and metrics",
        "mcprodglobalst -> mcprod-global-log: Diagnostic logs and metrics",
    ] {
        assert!(f.contains(expected), "{expected} not in {f:#?}");
    }
    // What mc-global draws and this Terraform does not deploy: Microsoft Entra ID (the
    // platform's) and a global Key Vault (the reference implementation has none).
    let drawn = stencils(&reference("mc-global.stride.json"));
    let imported = stencils(&m);
    let missing: Vec<&String> = drawn.difference(&imported).collect();
    assert_eq!(
        missing,
        ["azure.entra_id", "azure.key_vault"],
        "{missing:?}"
    );
    // Saved searches read their queries from files, which are not read: symbolic, said so.
    assert!(
        s.symbolic
            .iter()
            .any(|l| l.contains("fileset() is not evaluated"))
    );
    assert_eq!(s.supporting["azurerm_resource_group"], 2);
    assert!(s.not_mapped.is_empty(), "{:#?}", s.not_mapped);
}

pub fn release_unit_imports_as_mc_stamp_draws_it_once_per_region(corpus: &Path) {
    let (m, s) = import(&workload(corpus).join("releaseunit"), "releaseunit");
    assert_eq!(
        (m.elements.len(), m.flows.len(), m.boundaries.len()),
        (24, 48, 8),
        "{:#?}",
        flows(&m)
    );
    assert_valid_with_threats(&m);
    for region in ["northeuro", "eastus2"] {
        let aks = by_name(&m, &format!("mcprod-{region}-aks"));
        assert_eq!(prop(aks, "azure_policy_addon"), Some(true.into()));
        assert_eq!(prop(aks, "network_policy"), Some(true.into()), "calico");
        assert_eq!(prop(aks, "private_cluster"), Some(false.into()));
        assert_eq!(
            prop(aks, "public_endpoint"),
            Some(true.into()),
            "NSG rule from *"
        );
        let kv = by_name(&m, &format!("mcprod-{region}-kv"));
        assert_eq!(prop(kv, "purge_protection"), Some(false.into()));
        assert_eq!(
            prop(kv, "rbac_data_plane"),
            Some(false.into()),
            "access policies"
        );
        let eh = by_name(&m, &format!("mcprod-{region}-evhns"));
        assert_eq!(prop(eh, "local_auth_enabled"), Some(true.into()));
        for w in ["catalogservice", "healthservice", "backgroundprocessor"] {
            by_name(&m, &format!("{w} on mcprod-{region}-aks"));
        }
        // In the stamp's boundary, inside its network's subnet.
        let subnet = m.boundary(aks.boundary.unwrap()).unwrap();
        assert_eq!(subnet.name, "kubernetes-snet");
        let vnet = m.boundary(subnet.parent.unwrap()).unwrap();
        let stamp = m.boundary(vnet.parent.unwrap()).unwrap();
        assert!(stamp.name.starts_with("Regional stamp"), "{}", stamp.name);
    }
    // Resources of the global service, read with data sources, once each.
    let cosmos = by_name(&m, "mcprod-global-cosmos");
    assert_eq!(
        prop(cosmos, "rbac_data_plane"),
        Some(true.into()),
        "SQL role assignments"
    );
    by_name(&m, "mcprodglobalcr");
    let f = flows(&m);
    for expected in [
        "mcprodglobalcr -> mcprod-northeuro-aks: AcrPull",
        "catalogservice on mcprod-northeuro-aks -> mcprod-global-cosmos: Cosmos DB Built-in Data Contributor",
        "backgroundprocessor on mcprod-northeuro-aks -> mcprod-global-cosmos: Cosmos DB Built-in Data Contributor",
        "catalogservice on mcprod-northeuro-aks -> mcprod-northeuro-evhns: Azure Event Hubs Data Sender",
        "mcprod-northeuro-evhns -> backgroundprocessor on mcprod-northeuro-aks: Azure Event Hubs Data Receiver",
        "healthservice on mcprod-northeuro-aks -> mcprodnortheuroprist: Storage Blob Data Contributor",
        "mcprod-northeuro-kv -> catalogservice on mcprod-northeuro-aks: Key Vault access (get, list)",
        "catalogservice on mcprod-northeuro-aks -> mcprod-northeuro-appi: Call with a key read from Key Vault",
        "mcprod-northeuro-aks -> mcprod-northeuro-log: Container logs and metrics",
        "mcprod-northeuro-kv -> mcprod-northeuro-log: Diagnostic logs and metrics",
        "Internet users -> mcprod-northeuro-aks: Inbound from the internet (ports 443, 80)",
    ] {
        assert!(f.contains(expected), "{expected} not in {f:#?}");
    }
    // Everything mc-stamp draws has a counterpart, except what Helm and the platform deploy:
    // the ingress controller is an AKS workload like the others, Front Door and Entra ID live
    // elsewhere.
    let drawn = stencils(&reference("mc-stamp.stride.json"));
    let imported = stencils(&m);
    let missing: Vec<&String> = drawn.difference(&imported).collect();
    assert_eq!(missing, ["azure.front_door"], "{missing:?}");
    assert!(
        !m.elements
            .iter()
            .any(|e| e.name.to_lowercase().contains("ingress"))
    );
    // The deployer's access policy and the network role on the resource group are not flows.
    assert_eq!(s.unresolved.len(), 6, "{:#?}", s.unresolved);
    assert!(
        s.not_read
            .iter()
            .any(|l| l.contains("hashicorp/subnets/cidr"))
    );
    assert!(s.not_mapped.is_empty(), "{:#?}", s.not_mapped);
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

pub fn opening_cosmos_db_to_public_networks_is_drift_with_the_threat_it_opens(corpus: &Path) {
    // A temporary copy whose Cosmos DB is private, imported as the team's model.
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("globalresources");
    copy_dir(&workload(corpus).join("globalresources"), &root);
    let tf = root.join("cosmosdb.tf");
    let text = std::fs::read_to_string(&tf).unwrap();
    let private = text.replacen(
        "offer_type          = \"Standard\"",
        "offer_type          = \"Standard\"\n  public_network_access_enabled = false",
        1,
    );
    assert_ne!(private, text);
    std::fs::write(&tf, &private).unwrap();
    let options = Options {
        var_files: vars(&workload(corpus).join("globalresources"), "globalresources"),
        ..Options::default()
    };
    let model = terraform::import_dir(&root, &options)
        .unwrap()
        .models
        .remove(0);
    assert!(
        drift_dir(&model, &root, &options, Catalog::builtin())
            .unwrap()
            .is_empty()
    );
    // Someone opens it.
    std::fs::write(
        &tf,
        private.replace(
            "public_network_access_enabled = false",
            "public_network_access_enabled = true",
        ),
    )
    .unwrap();
    let d = drift_dir(&model, &root, &options, Catalog::builtin()).unwrap();
    assert_eq!(d.items.len(), 1, "{}", d.to_text());
    let item = &d.items[0];
    assert_eq!(item.kind, DriftKind::PropertyDiffers);
    assert_eq!(item.address, "azurerm_cosmosdb_account.main");
    assert_eq!(
        (item.model_value.clone(), item.code_value.clone()),
        (Some(false.into()), Some(true.into()))
    );
    assert!(!item.threats_opened.is_empty(), "{}", d.to_text());
    assert!(
        item.threats_opened
            .iter()
            .all(|t| t.title.contains("mcprod-global-cosmos")),
        "{}",
        d.to_text()
    );
}
