//! The roles of a server workspace (migrations-postgres/0006_roles.sql), checked by connecting
//! as each to the test server: what a reader, a service team, a security reviewer and an
//! administrator may and may not do, and that the recorded author is the role whatever the
//! client names.

use sqlx::Connection;

use super::test_server::{admin_url, fresh_database};
use super::{Location, Save, Scope, StoreError, TriageUpdate, Workspace};
use crate::model::{
    DataFlow, Element, ElementKind, ModelId, ServiceModel, ThreatKey, TriageStatus,
};

fn sample(name: &str) -> ServiceModel {
    let mut m = ServiceModel::new(name);
    let user = Element::new(ElementKind::ExternalEntity, "Customer");
    let api = Element::new(ElementKind::Process, "API");
    m.flows = vec![DataFlow::new("Request", user.id, api.id)];
    m.elements = vec![user, api];
    m
}

/// `url` logging in as `role` with `password`.
fn as_role(url: &str, role: &str, password: &str) -> Location {
    let (scheme, rest) = url.split_once("://").unwrap();
    let host = rest.rsplit_once('@').map_or(rest, |(_, h)| h);
    Location::Server(format!("{scheme}://{role}:{password}@{host}"))
}

fn run_sql(url: &str, statements: &[String]) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let mut conn = sqlx::PgConnection::connect(url).await.unwrap();
        for sql in statements {
            sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                .execute(&mut conn)
                .await
                .unwrap_or_else(|e| panic!("{sql}: {e}"));
        }
        let _ = conn.close().await;
    });
}

fn save_as(ws: &Workspace, app: &str, m: &ServiceModel, author: &str) -> Result<(), StoreError> {
    let head = match ws.head(m.id) {
        Ok(head) => head.map(|h| h.id),
        Err(StoreError::UnknownModel(_)) => None,
        Err(e) => return Err(e),
    };
    ws.save(Save {
        application: app,
        model: m,
        expected_head: head,
        merge_parent: None,
        author,
        message: "edit",
    })
    .map(|_| ())
}

fn triage(ws: &Workspace, model: ModelId, author: &str) -> Result<String, StoreError> {
    ws.decide(
        Scope::Service(model),
        &ThreatKey("NET-DOS-01@x".into()),
        &TriageUpdate {
            status: Some(TriageStatus::Mitigated),
            ..Default::default()
        },
        author,
        None,
    )
    .map(|e| e.decision.decided_by)
}

/// The refusal is `access_denied` and names the table.
fn assert_denied(result: Result<impl std::fmt::Debug, StoreError>, table: &str) {
    match result {
        Err(e @ StoreError::AccessDenied { .. }) => {
            assert!(e.to_string().contains(table), "{e}");
            assert_eq!(
                crate::app::error::store_code(&e),
                crate::app::ErrorCode::AccessDenied
            );
        }
        other => panic!("expected access denied on {table}, got {other:?}"),
    }
}

#[test]
fn each_role_does_what_it_may_and_is_refused_the_rest_by_the_server() {
    let Some(admin) = admin_url() else { return };
    let url = fresh_database(&admin);
    let owner = Workspace::create_at(&Location::Server(url.clone())).unwrap();
    let mut orders = sample("orders");
    let mut billing = sample("billing");
    save_as(&owner, "shop", &orders, "owner").unwrap();
    save_as(&owner, "shop", &billing, "owner").unwrap();

    // Roles are the server's (cluster-wide): names unique to this run.
    let tag = uuid::Uuid::new_v4().simple().to_string()[..8].to_string();
    let [reader, team, ana, reviewer, admin2] =
        ["reader", "team_payments", "ana", "reviewer", "admin"].map(|r| format!("sw_{r}_{tag}"));
    let pw = "pw-for-tests";
    run_sql(
        &url,
        &[
            format!("CREATE ROLE {reader} LOGIN PASSWORD '{pw}'"),
            format!("CREATE ROLE {team} NOLOGIN"),
            format!("CREATE ROLE {ana} LOGIN PASSWORD '{pw}' IN ROLE {team}"),
            format!("CREATE ROLE {reviewer} LOGIN PASSWORD '{pw}'"),
            format!("CREATE ROLE {admin2} LOGIN PASSWORD '{pw}'"),
            format!("SELECT stridewise_grant('{reader}', 'reader')"),
            format!("SELECT stridewise_grant('{team}', 'team', ARRAY['shop/orders'])"),
            format!("SELECT stridewise_grant('{reviewer}', 'reviewer')"),
            format!("SELECT stridewise_grant('{admin2}', 'admin')"),
        ],
    );

    // A reader reads everything and writes nothing.
    let ws = Workspace::open_at(&as_role(&url, &reader, pw)).unwrap();
    assert_eq!(ws.store().role(), Some(reader.as_str()));
    assert_eq!(ws.models().unwrap().len(), 2);
    assert_eq!(ws.history(orders.id).unwrap().len(), 1);
    orders.description = "by a reader".into();
    assert_denied(save_as(&ws, "shop", &orders, "reader"), "revisions");
    assert_denied(triage(&ws, orders.id, "reader"), "triage");
    drop(ws);

    // A member of a service team writes its service, as itself whatever it claims, and
    // triages it; not another team's service, not a review.
    let ws = Workspace::open_at(&as_role(&url, &ana, pw)).unwrap();
    orders.description = "by the team".into();
    save_as(&ws, "shop", &orders, "mallory").unwrap();
    assert_eq!(ws.history(orders.id).unwrap()[0].author, ana);
    assert_eq!(triage(&ws, orders.id, "mallory").unwrap(), ana);
    let history = ws.triage_history(Scope::Service(orders.id), None).unwrap();
    assert_eq!(history.last().unwrap().changed_by, ana);
    billing.description = "not ours".into();
    assert_denied(save_as(&ws, "shop", &billing, "ana"), "revisions");
    assert_denied(triage(&ws, billing.id, "ana"), "triage");
    let stranger = sample("payments");
    assert_denied(save_as(&ws, "shop", &stranger, "ana"), "models");
    // Rewriting history by hand is refused too.
    let rewrite = ws.block_on(
        super::db::query("UPDATE revisions SET author = 'mallory'").execute(&ws.store().pool),
    );
    assert!(
        rewrite.as_ref().is_err_and(|e| e
            .to_string()
            .contains("permission denied for table revisions")),
        "{rewrite:?}"
    );
    let start = ws.block_on(crate::app::review::start(
        ws.store(),
        crate::catalog::Catalog::builtin(),
        &crate::app::review::StartRequest {
            application: Some("shop"),
            sprint: "1",
            author: "ana",
            ..Default::default()
        },
    ));
    let err = start
        .expect_err("a team may not start a review")
        .to_string();
    assert!(err.contains("reviews"), "{err}");
    drop(ws);

    // A security reviewer triages any service and runs reviews; saves no service.
    let ws = Workspace::open_at(&as_role(&url, &reviewer, pw)).unwrap();
    assert_eq!(triage(&ws, billing.id, "someone").unwrap(), reviewer);
    let review = ws
        .block_on(crate::app::review::start(
            ws.store(),
            crate::catalog::Catalog::builtin(),
            &crate::app::review::StartRequest {
                application: Some("shop"),
                sprint: "1",
                author: "someone",
                ..Default::default()
            },
        ))
        .unwrap();
    ws.block_on(crate::app::review::close(
        ws.store(),
        review,
        "ok",
        "someone",
    ))
    .unwrap();
    let info = ws.block_on(ws.store().review(review)).unwrap();
    assert_eq!(
        (info.opened_by.as_str(), info.closed_by.as_deref()),
        (reviewer.as_str(), Some(reviewer.as_str()))
    );
    billing.description = "by a reviewer".into();
    assert_denied(save_as(&ws, "shop", &billing, "rev"), "revisions");
    // ...but saves the application's consolidated model.
    let done = crate::app::workspace::consolidate_application(
        &ws,
        "shop",
        crate::catalog::Catalog::builtin(),
        "someone",
    )
    .unwrap();
    assert_eq!(done.revision.author, reviewer);
    drop(ws);

    // A reader analyses the workspace; recording which threats fire is left to a writer
    // (a decision about no threat of the model is pending to turn obsolete).
    owner
        .decide(
            Scope::Service(orders.id),
            &ThreatKey("NO-SUCH-RULE@x".into()),
            &TriageUpdate {
                status: Some(TriageStatus::Mitigated),
                ..Default::default()
            },
            "owner",
            None,
        )
        .unwrap();
    let ws = Workspace::open_at(&as_role(&url, &reader, pw)).unwrap();
    let analysed = crate::app::workspace::analyze_services(
        &ws,
        Some("shop"),
        crate::catalog::Catalog::builtin(),
        "reader",
    )
    .unwrap();
    assert_eq!(analysed.len(), 2);
    let pending = ws.triage_entries(Scope::Service(orders.id)).unwrap();
    assert!(
        pending
            .iter()
            .any(|e| e.key.as_str() == "NO-SUCH-RULE@x" && !e.obsolete)
    );
    drop(ws);

    // An administrator writes any service.
    let ws = Workspace::open_at(&as_role(&url, &admin2, pw)).unwrap();
    billing.description = "by the administrator".into();
    save_as(&ws, "shop", &billing, "x").unwrap();
    assert_eq!(ws.history(billing.id).unwrap()[0].author, admin2);
    drop(ws);
    drop(owner);

    run_sql(
        &admin,
        &[
            format!("DROP DATABASE {}", url.rsplit('/').next().unwrap()),
            format!("DROP ROLE {ana}, {team}, {reader}, {reviewer}, {admin2}"),
        ],
    );
}
