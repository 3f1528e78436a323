//! Where the store's tests put their workspaces: a file in a temporary folder, or a fresh
//! database on the test server that `scripts/pg-test-server.sh` starts and names in
//! `STRIDEWISE_TEST_PG`. The same test body runs on both ([`both!`]); a test for one backend
//! and not the other is a defect.
//!
//! Without `STRIDEWISE_TEST_PG` the PostgreSQL half of each test says so in one line and
//! passes, unless `STRIDEWISE_REQUIRE_PG` is set (scripts/test.sh sets it), where it fails.

use std::sync::atomic::{AtomicBool, Ordering};

use sqlx::Connection;

use super::{Location, Workspace};

/// Runs each named test body (a `fn(&Place)`) as two tests, `NAME::file` and
/// `NAME::postgres`.
macro_rules! both {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[test]
            fn file() {
                super::$name(&$crate::store::test_server::Place::file())
            }
            #[test]
            fn postgres() {
                if let Some(place) = $crate::store::test_server::Place::server() {
                    super::$name(&place)
                }
            }
        }
    )*};
}
pub(crate) use both;

/// Where one test's workspace lives.
pub(crate) enum Place {
    File(tempfile::TempDir),
    /// The URL of a database created for this test (with the password).
    Server(String),
}

static SAID: AtomicBool = AtomicBool::new(false);

/// The test server's superuser URL, if one is named.
pub(crate) fn admin_url() -> Option<String> {
    match std::env::var("STRIDEWISE_TEST_PG") {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            if std::env::var_os("STRIDEWISE_REQUIRE_PG").is_some() {
                panic!(
                    "STRIDEWISE_REQUIRE_PG is set but STRIDEWISE_TEST_PG names no PostgreSQL server; run the tests through scripts/pg-test-server.sh"
                );
            }
            if !SAID.swap(true, Ordering::Relaxed) {
                eprintln!(
                    "PostgreSQL workspace tests skipped: STRIDEWISE_TEST_PG is not set (run them with scripts/pg-test-server.sh cargo test ...)"
                );
            }
            None
        }
    }
}

/// `url` with its database replaced by `database`.
pub(crate) fn with_database(url: &str, database: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, format!("?{q}")),
        None => (url, String::new()),
    };
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let authority_end = base[scheme_end..]
        .find('/')
        .map_or(base.len(), |i| scheme_end + i);
    format!("{}/{database}{query}", &base[..authority_end])
}

/// Creates an empty database on the test server; returns its URL.
pub(crate) fn fresh_database(admin: &str) -> String {
    let name = format!("sw_{}", uuid::Uuid::new_v4().simple());
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let mut conn = sqlx::PgConnection::connect(admin)
            .await
            .expect("the test server (STRIDEWISE_TEST_PG) accepts connections");
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&mut conn)
            .await
            .expect("the test server creates a database");
        let _ = conn.close().await;
    });
    with_database(admin, &name)
}

impl Place {
    pub(crate) fn file() -> Place {
        Place::File(tempfile::tempdir().unwrap())
    }

    /// A fresh database on the test server, or None when there is none (see the module).
    pub(crate) fn server() -> Option<Place> {
        admin_url().map(|admin| Place::Server(fresh_database(&admin)))
    }

    pub(crate) fn location(&self) -> Location {
        match self {
            Place::File(dir) => Location::File(dir.path().join("w.stridewise")),
            Place::Server(url) => Location::Server(url.clone()),
        }
    }

    /// Creates the workspace.
    pub(crate) fn create(&self) -> Workspace {
        Workspace::create_at(&self.location()).unwrap()
    }

    /// Opens the workspace again (another connection pool).
    pub(crate) fn open(&self) -> Workspace {
        Workspace::open_at(&self.location()).unwrap()
    }
}

#[test]
fn a_url_gets_another_database() {
    assert_eq!(
        with_database("postgres://u:p@127.0.0.1:5/postgres", "x"),
        "postgres://u:p@127.0.0.1:5/x"
    );
    assert_eq!(
        with_database("postgres://h/db?sslmode=disable", "x"),
        "postgres://h/x?sslmode=disable"
    );
    assert_eq!(with_database("postgres://h", "x"), "postgres://h/x");
}
