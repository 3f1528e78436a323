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

/// The PostgreSQL test server's superuser URL (`STRIDEWISE_TEST_PG`, set by
/// scripts/pg-test-server.sh), or None, after one line, when there is none. With
/// STRIDEWISE_REQUIRE_PG set (scripts/test.sh sets it) a missing server fails the test.
pub fn pg_admin() -> Option<String> {
    match std::env::var("STRIDEWISE_TEST_PG") {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            assert!(
                std::env::var_os("STRIDEWISE_REQUIRE_PG").is_none(),
                "STRIDEWISE_REQUIRE_PG is set but STRIDEWISE_TEST_PG names no server; run through scripts/pg-test-server.sh"
            );
            eprintln!("skipped: STRIDEWISE_TEST_PG is not set (scripts/pg-test-server.sh)");
            None
        }
    }
}

/// Creates an empty database on the test server with psql; returns its name.
pub fn pg_fresh_database(admin: &str) -> String {
    let name = format!("sw_cli_{}", uuid::Uuid::new_v4().simple());
    psql(admin, &format!("CREATE DATABASE {name}"));
    name
}

/// Runs one SQL command with psql as the test server's superuser; returns its output.
pub fn psql(admin: &str, sql: &str) -> String {
    let out = Command::new("psql")
        .arg(admin)
        .args(["-v", "ON_ERROR_STOP=1", "-qAtc"])
        .arg(sql)
        .output()
        .expect("psql runs (Debian's postgresql-client)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// `admin` (a `postgres://` URL) naming the database `database` instead.
pub fn pg_url(admin: &str, database: &str) -> String {
    let (base, query) = match admin.split_once('?') {
        Some((b, q)) => (b, format!("?{q}")),
        None => (admin, String::new()),
    };
    let authority = base.rsplit_once('/').map_or(base, |(a, _)| a);
    format!("{authority}/{database}{query}")
}
