//! The workspace on a PostgreSQL server from the command line (issue 19): `workspace init
//! postgres://…` and the other commands on a URL, connection settings the way PostgreSQL users
//! give them (URL, `PG*` variables, the password file), and the errors for a server that is not
//! there, a refused login, a missing database and a server that does not answer.
//!
//! Runs against the server `scripts/pg-test-server.sh` starts and names in STRIDEWISE_TEST_PG;
//! without it each test says so in one line and passes, unless STRIDEWISE_REQUIRE_PG is set
//! (scripts/test.sh sets it), where it fails.

mod common;
use common::{ok, pg_admin as admin, pg_fresh_database as fresh_database, s, sample};

use std::process::Command;
use std::time::{Duration, Instant};

use stridewise_core::model;

/// The parts of the admin URL `postgres://USER:PASSWORD@HOST:PORT/DB`.
struct Server {
    user: String,
    password: String,
    host: String,
    port: String,
}

impl Server {
    /// The URL of database `db` as the superuser, password included.
    fn url(&self, db: &str) -> String {
        format!(
            "postgres://{}:{}@{}:{}/{db}",
            self.user, self.password, self.host, self.port
        )
    }
}

fn parts(admin: &str) -> Server {
    let rest = admin.split_once("://").unwrap().1;
    let (userinfo, hostpart) = rest.split_once('@').unwrap();
    let (user, password) = userinfo.split_once(':').unwrap();
    let hostport = hostpart.split('/').next().unwrap();
    let (host, port) = hostport.rsplit_once(':').unwrap();
    Server {
        user: user.into(),
        password: password.into(),
        host: host.into(),
        port: port.into(),
    }
}

/// The command's exit status and standard error.
fn fails(cmd: &mut Command) -> (i32, String) {
    let out = cmd.output().unwrap();
    assert!(!out.status.success(), "expected a failure");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn succeeds(cmd: &mut Command) {
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn cli() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_stridewise"));
    c.env("STRIDEWISE_AUTHOR", "ana");
    for var in [
        "PGHOST",
        "PGPORT",
        "PGUSER",
        "PGPASSWORD",
        "PGDATABASE",
        "PGPASSFILE",
    ] {
        c.env_remove(var);
    }
    c
}

#[test]
fn init_add_list_export_and_verify_a_workspace_on_a_server() {
    let Some(admin) = admin() else { return };
    let srv = parts(&admin);
    let db = fresh_database(&admin);
    let url = srv.url(&db);
    let dir = tempfile::tempdir().unwrap();
    let orders = dir.path().join("orders.stride.json");
    let m = sample("orders");
    model::save(&m, &orders).unwrap();

    let out = ok(&["workspace", "init", &url]);
    assert!(out.contains("new workspace"), "{out}");
    assert!(
        !out.contains(&srv.password),
        "the password is never printed"
    );
    // An existing workspace is never replaced.
    let (code, err) = fails(cli().args(["workspace", "init", &url]));
    assert_eq!(code, 4, "{err}");
    assert!(err.contains("error[already_exists]"), "{err}");
    assert!(!err.contains(&srv.password), "{err}");

    ok(&[
        "workspace",
        "add",
        &url,
        "--app",
        "shop",
        s(&orders),
        "-m",
        "first",
    ]);
    let list = ok(&["workspace", "list", &url]);
    assert!(list.contains("shop") && list.contains("orders"), "{list}");
    let out_file = dir.path().join("back.stride.json");
    ok(&[
        "workspace",
        "export",
        &url,
        "--service",
        "orders",
        "-o",
        s(&out_file),
    ]);
    let back = model::load(&out_file).unwrap();
    assert_eq!(back.id, m.id);
    let verify = ok(&["workspace", "verify", &url]);
    assert!(verify.contains("ok (1 revisions checked)"), "{verify}");
    // The exported file, changed and added back, is the next revision on the server.
    let mut changed = back.clone();
    changed.description = "takes orders".into();
    model::save(&changed, &out_file).unwrap();
    ok(&["workspace", "add", &url, "--app", "shop", s(&out_file)]);
    // On a server the author is the database role, not the author the client names.
    let history = ok(&["workspace", "history", &url, "--service", "orders"]);
    let by_role = format!(" {} ", srv.user);
    assert_eq!(
        history.lines().filter(|l| l.contains(&by_role)).count(),
        2,
        "{history}"
    );
    assert!(!history.contains("tester"), "{history}");
}

/// Runs psql as the test server's superuser on `db`.
fn psql(admin: &str, db: &str, sql: &str) {
    let url = parts(admin).url(db);
    let out = Command::new("psql")
        .arg(&url)
        .args(["-v", "ON_ERROR_STOP=1", "-qc", sql])
        .output()
        .expect("psql runs");
    assert!(
        out.status.success(),
        "{sql}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `workspace copy`: a file workspace with history, triage and a review moves to a server
/// and back, and what the commands show of it is the same; a destination holding data is
/// refused. (The core's `store::copy` tests compare every row of every table.)
#[test]
fn workspace_copy_moves_a_file_workspace_to_a_server_and_back() {
    let Some(admin) = admin() else { return };
    let srv = parts(&admin);
    let db = fresh_database(&admin);
    let url = srv.url(&db);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("team.stridewise");
    let file = s(&file);
    let model_path = dir.path().join("orders.stride.json");
    let mut m = sample("orders");
    model::save(&m, &model_path).unwrap();
    ok(&["workspace", "init", file]);
    ok(&[
        "workspace",
        "add",
        file,
        "--app",
        "shop",
        s(&model_path),
        "-m",
        "first",
    ]);
    m.description = "second".into();
    model::save(&m, &model_path).unwrap();
    ok(&[
        "workspace",
        "add",
        file,
        "--app",
        "shop",
        s(&model_path),
        "-m",
        "second",
    ]);
    ok(&["review", "start", "--workspace", file, "--sprint", "1"]);

    let shown = |ws: &str| {
        [
            ok(&[
                "workspace",
                "history",
                ws,
                "--service",
                "orders",
                "--format",
                "json",
            ]),
            ok(&["workspace", "list", ws, "--format", "json"]),
            ok(&["review", "list", "--workspace", ws]),
        ]
    };
    let before = shown(file);

    let out = ok(&["workspace", "copy", file, &url]);
    assert!(
        out.contains("2 revision(s)") && out.contains("1 review(s)"),
        "{out}"
    );
    assert!(!out.contains(&srv.password), "{out}");
    assert_eq!(shown(&url), before);

    let back = dir.path().join("back.stridewise");
    ok(&["workspace", "copy", &url, s(&back)]);
    assert_eq!(shown(s(&back)), before);
    ok(&["workspace", "verify", s(&back)]);

    // Into a workspace that holds data, or over a file: refused, nothing written.
    let (code, err) = fails(cli().args(["workspace", "copy", file, &url]));
    assert_eq!(code, 4, "{err}");
    assert!(
        err.contains("error[already_exists]") && err.contains("applications"),
        "{err}"
    );
    assert!(!err.contains(&srv.password), "{err}");
    let (code, err) = fails(cli().args(["workspace", "copy", &url, s(&back)]));
    assert_eq!(code, 4, "{err}");
    assert!(err.contains("already exists"), "{err}");
    assert_eq!(shown(s(&back)), before);
}

/// A role given only reading rights (`stridewise_grant(role, 'reader')`) reads, and its
/// writes are refused by the server: `access_denied`, naming the table.
#[test]
fn a_reader_role_reads_and_is_refused_writes_naming_the_table() {
    let Some(admin) = admin() else { return };
    let srv = parts(&admin);
    let db = fresh_database(&admin);
    let owner = srv.url(&db);
    let dir = tempfile::tempdir().unwrap();
    let model_path = dir.path().join("orders.stride.json");
    let mut m = sample("orders");
    model::save(&m, &model_path).unwrap();
    ok(&["workspace", "init", &owner]);
    ok(&["workspace", "add", &owner, "--app", "shop", s(&model_path)]);
    let role = format!("sw_cli_reader_{}", &db[7..15]);
    psql(
        &admin,
        &db,
        &format!(
            "CREATE ROLE {role} LOGIN PASSWORD 'reader-pw'; SELECT stridewise_grant('{role}', 'reader')"
        ),
    );
    // The password from PGPASSWORD, not the URL.
    let reader = format!("postgres://{role}@{}:{}/{db}", srv.host, srv.port);
    let list = cli()
        .args(["workspace", "list", &reader])
        .env("PGPASSWORD", "reader-pw")
        .output()
        .unwrap();
    assert!(
        list.status.success(),
        "{}",
        String::from_utf8_lossy(&list.stderr)
    );
    assert!(String::from_utf8_lossy(&list.stdout).contains("orders"));
    m.description = "a reader's edit".into();
    model::save(&m, &model_path).unwrap();
    let (code, err) = fails(
        cli()
            .args(["workspace", "add", &reader, "--app", "shop", s(&model_path)])
            .env("PGPASSWORD", "reader-pw"),
    );
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("error[access_denied]")
            && err.contains("permission denied for table revisions"),
        "{err}"
    );
    psql(&admin, &db, &format!("SELECT stridewise_revoke('{role}')"));
    psql(&admin, "postgres", &format!("DROP DATABASE {db}"));
    psql(&admin, "postgres", &format!("DROP ROLE {role}"));
}

/// Issue 19's known gap: the commands that name a `--workspace` in their output (analyze,
/// report, consolidate, threat, export) show a URL without its password.
#[test]
fn commands_on_a_server_workspace_never_print_its_password() {
    let Some(admin) = admin() else { return };
    let srv = parts(&admin);
    let db = fresh_database(&admin);
    let url = srv.url(&db);
    let dir = tempfile::tempdir().unwrap();
    let model_path = dir.path().join("orders.stride.json");
    model::save(&sample("orders"), &model_path).unwrap();
    ok(&["workspace", "init", &url]);
    ok(&["workspace", "add", &url, "--app", "shop", s(&model_path)]);
    let report = dir.path().join("report.html");
    let runs: Vec<Vec<&str>> = vec![
        vec!["analyze", "--workspace", &url],
        vec!["analyze", "--workspace", &url, "--app", "nope"],
        vec!["consolidate", "--workspace", &url, "--app", "nope"],
        vec!["report", "--workspace", &url, "-o", s(&report)],
        vec!["export", "--format", "sarif", "--workspace", &url],
        vec![
            "threat",
            "add",
            "--workspace",
            &url,
            "--service",
            "orders",
            "--title",
            "Replay",
            "--stride",
            "spoofing",
            "--on",
            "model",
        ],
    ];
    let shown = format!("{}@{}:{}/{db}", srv.user, srv.host, srv.port);
    let mut named = 0;
    for args in runs {
        let out = cli().args(&args).output().unwrap();
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            !text.contains(&srv.password),
            "{args:?} printed the password: {text}"
        );
        named += usize::from(text.contains(&shown));
    }
    let html = std::fs::read_to_string(&report).unwrap();
    assert!(!html.contains(&srv.password));
    // The messages still name the workspace (without the password).
    assert!(named >= 4, "{named}");
}

#[test]
fn settings_come_from_pg_variables_and_the_password_file() {
    let Some(admin) = admin() else { return };
    let srv = parts(&admin);
    let db = fresh_database(&admin);
    let dir = tempfile::tempdir().unwrap();
    let passfile = dir.path().join("pgpass");
    std::fs::write(
        &passfile,
        format!(
            "{}:{}:*:{}:{}\n",
            srv.host, srv.port, srv.user, srv.password
        ),
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&passfile, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    // Host, port, user and database from PG*, the password from the file: no secret in the
    // URL or on the command line.
    succeeds(
        cli()
            .args(["workspace", "init", "postgres://"])
            .env("PGHOST", &srv.host)
            .env("PGPORT", &srv.port)
            .env("PGUSER", &srv.user)
            .env("PGDATABASE", &db)
            .env("PGPASSFILE", &passfile),
    );
    // The same database named in the URL, with sslmode and the password file.
    let url = format!(
        "postgres://{}@{}:{}/{db}?sslmode=disable",
        srv.user, srv.host, srv.port
    );
    succeeds(
        cli()
            .args(["workspace", "list", &url])
            .env("PGPASSFILE", &passfile),
    );
    // sslmode=require against a server without TLS is refused, naming the server.
    let url = format!(
        "postgres://{}:{}@{}:{}/{db}?sslmode=require",
        srv.user, srv.password, srv.host, srv.port
    );
    let (code, err) = fails(cli().args(["workspace", "list", &url]));
    assert_eq!(code, 5, "{err}");
    assert!(err.contains("error[server_unreachable]"), "{err}");
    assert!(err.contains(&format!("{}:{}", srv.host, srv.port)), "{err}");
}

#[test]
fn wrong_credentials_a_missing_database_and_no_server_are_told_apart() {
    let Some(admin) = admin() else { return };
    let srv = parts(&admin);
    let db = fresh_database(&admin);
    let at = format!("{}:{}", srv.host, srv.port);

    let wrong = format!("postgres://{}:not-the-password@{at}/{db}", srv.user);
    let (code, err) = fails(cli().args(["workspace", "list", &wrong]));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("error[access_denied]"), "{err}");
    assert!(
        err.contains(&at) && err.contains("refused the login"),
        "{err}"
    );
    assert!(!err.contains("not-the-password"), "{err}");

    let missing = format!("postgres://{}:{}@{at}/no_such_db", srv.user, srv.password);
    let (code, err) = fails(cli().args(["workspace", "list", &missing]));
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("error[not_found]"), "{err}");
    assert!(
        err.contains("no such database") && err.contains("no_such_db"),
        "{err}"
    );

    // An empty database holds no workspace yet.
    let empty = format!("postgres://{}:{}@{at}/{db}", srv.user, srv.password);
    let (code, err) = fails(cli().args(["workspace", "list", &empty]));
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("workspace init"), "{err}");

    // A port nobody listens on: take a free one and let it go.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let nobody = format!("postgres://ana@127.0.0.1:{port}/x");
    let (code, err) = fails(cli().args(["workspace", "list", &nobody]));
    assert_eq!(code, 5, "{err}");
    assert!(err.contains("error[server_unreachable]"), "{err}");
    assert!(err.contains(&format!("127.0.0.1:{port}")), "{err}");
}

#[test]
fn a_server_that_does_not_answer_times_out_naming_it() {
    // Needs no PostgreSQL: a listener that accepts connections and never says a word.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let _held = std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming().flatten() {
            held.push(stream);
        }
    });
    let url = format!("postgres://ana@127.0.0.1:{port}/threats?connect_timeout=1");
    let start = Instant::now();
    let (code, err) = fails(
        cli()
            .args(["workspace", "list", &url])
            .env("PGPASSWORD", "x"),
    );
    assert!(
        start.elapsed() < Duration::from_secs(8),
        "{:?}",
        start.elapsed()
    );
    assert_eq!(code, 5, "{err}");
    assert!(err.contains("error[server_unreachable]"), "{err}");
    assert!(
        err.contains(&format!("127.0.0.1:{port}/threats")) && err.contains("did not answer"),
        "{err}"
    );
}
