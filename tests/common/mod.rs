//! Helpers shared by the CLI tests that run the real `stridewise` binary.

#![allow(dead_code)]

use std::path::Path;
use std::process::{Command, Output};

use stridewise_core::model::{DataFlow, Element, ElementKind, ServiceModel};

/// Runs the binary with a fixed author, so recorded revisions and decisions are predictable.
pub fn stridewise(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_stridewise"))
        .args(args)
        .env("STRIDEWISE_AUTHOR", "tester")
        .output()
        .expect("the binary runs")
}

/// Runs the binary, asserts success (showing stderr otherwise) and returns stdout.
pub fn ok(args: &[&str]) -> String {
    let out = stridewise(args);
    assert!(
        out.status.success(),
        "{args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

pub fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// A small valid service: a customer sending a request to an API.
pub fn sample(name: &str) -> ServiceModel {
    let mut m = ServiceModel::new(name);
    let user = Element::new(ElementKind::ExternalEntity, "Customer");
    let api = Element::new(ElementKind::Process, "API");
    let flow = DataFlow::new("Request", user.id, api.id);
    m.elements = vec![user, api];
    m.flows = vec![flow];
    m
}
