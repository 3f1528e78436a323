//! Faults (issue 19): the server goes away in the middle of saves. Each save must be committed
//! whole or not at all (the store's `verify`, and the head is either the old revision or the
//! new one with the saved document's hash), the client gets `server_unreachable` with a
//! message saying so, and the model given to the save is still the caller's to save again:
//! saved once the server is back, it lands (or is found already there).
//!
//! The client reaches the test server through a TCP relay in this test, which can cut every
//! connection at once (what a crashed server or a broken network does to the client) and stop
//! accepting new ones (a server that is down), without disturbing the other tests that share
//! the server. Connections are also ended from the server's side, with
//! `pg_terminate_backend`, as an administrator or a restart does.

mod common;

use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use stridewise_core::app::workspace::{content_hash, stored_document};
use stridewise_core::app::{AppError, ErrorCode, Location, Save, SaveOutcome, Workspace};
use stridewise_core::model::{Element, ElementKind, ServiceModel};

/// A TCP relay from a local port to the test server.
struct Relay {
    addr: SocketAddr,
    up: Arc<AtomicBool>,
    open: Arc<Mutex<Vec<TcpStream>>>,
}

impl Relay {
    fn start(server: SocketAddr) -> Relay {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let up = Arc::new(AtomicBool::new(true));
        let open: Arc<Mutex<Vec<TcpStream>>> = Arc::default();
        let (up2, open2) = (Arc::clone(&up), Arc::clone(&open));
        std::thread::spawn(move || {
            for client in listener.incoming() {
                let Ok(client) = client else { continue };
                // Down: the connection is closed before a byte is relayed.
                if !up2.load(Ordering::SeqCst) {
                    let _ = client.shutdown(Shutdown::Both);
                    continue;
                }
                let Ok(upstream) = TcpStream::connect(server) else {
                    continue;
                };
                {
                    let mut open = open2.lock().unwrap();
                    open.push(client.try_clone().unwrap());
                    open.push(upstream.try_clone().unwrap());
                }
                pipe(client.try_clone().unwrap(), upstream.try_clone().unwrap());
                pipe(upstream, client);
            }
        });
        Relay { addr, up, open }
    }

    /// Cuts every relayed connection.
    fn cut(&self) {
        cut_all(&self.open);
    }

    fn set_up(&self, up: bool) {
        self.up.store(up, Ordering::SeqCst);
    }
}

fn cut_all(open: &Mutex<Vec<TcpStream>>) {
    for s in open.lock().unwrap().drain(..) {
        let _ = s.shutdown(Shutdown::Both);
    }
}

fn pipe(mut from: TcpStream, mut to: TcpStream) {
    std::thread::spawn(move || {
        let mut buf = [0u8; 16384];
        while let Ok(n) = from.read(&mut buf) {
            if n == 0 || to.write_all(&buf[..n]).is_err() {
                break;
            }
        }
        let _ = to.shutdown(Shutdown::Both);
        let _ = from.shutdown(Shutdown::Both);
    });
}

/// The server's address in a `postgres://user:pw@host:port/db` URL, and the URL with the
/// relay's address instead.
fn through(url: &str, relay: SocketAddr) -> String {
    let (head, rest) = url.split_once('@').unwrap();
    let tail = rest.split_once('/').unwrap().1;
    format!("{head}@{relay}/{tail}?connect_timeout=2")
}

fn server_addr(url: &str) -> SocketAddr {
    let rest = url.split_once('@').unwrap().1;
    let hostport = rest.split('/').next().unwrap();
    hostport.parse().unwrap()
}

/// A service of `n` elements: its save sends a few hundred kilobytes, so a cut can land
/// inside it.
fn big(n: usize) -> ServiceModel {
    let mut m = ServiceModel::new("orders");
    for i in 0..n {
        m.elements.push(Element::new(
            ElementKind::Process,
            format!("process {i} with a name long enough to take some room"),
        ));
    }
    m
}

fn save(
    ws: &Workspace,
    model: &ServiceModel,
    head: stridewise_core::model::RevisionId,
) -> Result<SaveOutcome, AppError> {
    ws.save(Save {
        application: "shop",
        model,
        expected_head: Some(head),
        merge_parent: None,
        author: "ana",
        message: "edited",
    })
    .map_err(AppError::from)
}

struct Setup {
    admin: String,
    db: String,
    direct: Workspace,
    relay: Relay,
    relayed: Workspace,
    model: ServiceModel,
}

fn setup(elements: usize) -> Option<Setup> {
    let admin = common::pg_admin()?;
    let db = common::pg_fresh_database(&admin);
    let url = common::pg_url(&admin, &db);
    let direct = Workspace::create_at(&Location::Server(url.clone())).unwrap();
    let model = big(elements);
    direct
        .save(Save {
            application: "shop",
            model: &model,
            expected_head: None,
            merge_parent: None,
            author: "setup",
            message: "first",
        })
        .unwrap();
    let relay = Relay::start(server_addr(&admin));
    let relayed = Workspace::open_at(&Location::Server(through(&url, relay.addr))).unwrap();
    Some(Setup {
        admin,
        db,
        direct,
        relay,
        relayed,
        model,
    })
}

/// After a failed save: the head is the old revision or the whole new one, and `verify`
/// passes. Returns whether the save landed.
fn whole_or_absent(
    s: &Setup,
    old: &stridewise_core::app::RevisionInfo,
    edit: &ServiceModel,
) -> bool {
    let report = s.direct.verify().unwrap();
    assert!(report.is_ok(), "{report:?}");
    let (head, stored) = s.direct.load_head(edit.id).unwrap().unwrap();
    if head.id == old.id {
        return false;
    }
    assert_eq!(head.seq, old.seq + 1);
    assert_eq!(head.parents, vec![old.id]);
    assert_eq!(head.content_hash, content_hash(&stored_document(edit)));
    assert_eq!(stored.elements.len(), edit.elements.len());
    true
}

#[test]
fn saves_cut_off_mid_way_are_whole_or_absent_and_the_model_is_saved_once_the_server_is_back() {
    let Some(s) = setup(800) else { return };
    let (mut cut_absent, mut cut_landed, mut clean) = (0, 0, 0);
    // How long a save takes here, so that the cuts fall inside saves.
    let (head, _) = s.direct.load_head(s.model.id).unwrap().unwrap();
    let mut edit = s.model.clone();
    edit.description = "timing".into();
    let t = Instant::now();
    save(&s.relayed, &edit, head.id).unwrap();
    let span = t.elapsed().as_micros().max(2000) as u64;
    let rounds = 16;
    for round in 0..rounds {
        let (old, _) = s.direct.load_head(s.model.id).unwrap().unwrap();
        let mut edit = s.model.clone();
        edit.description = format!("round {round}");
        edit.elements.push(Element::new(
            ElementKind::DataStore,
            format!("store {round}"),
        ));
        // Cut after a delay somewhere inside the save: the relay's connections on even
        // rounds, the server's backends (pg_terminate_backend) on odd ones.
        let delay = Duration::from_micros(span * (round as u64 % 8 + 1) / 9);
        let cutter = {
            let (admin, db) = (s.admin.clone(), s.db.clone());
            let relay_cut = round % 2 == 0;
            let open = Arc::clone(&s.relay.open);
            std::thread::spawn(move || {
                std::thread::sleep(delay);
                if relay_cut {
                    cut_all(&open);
                } else {
                    common::psql(
                        &admin,
                        &format!(
                            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = '{db}' AND application_name <> 'psql' AND pid <> pg_backend_pid()"
                        ),
                    );
                }
            })
        };
        let result = save(&s.relayed, &edit, old.id);
        cutter.join().unwrap();
        match result {
            Ok(SaveOutcome::Saved(_)) => {
                assert!(whole_or_absent(&s, &old, &edit));
                clean += 1;
            }
            Ok(other) => panic!("round {round}: {other:?}"),
            Err(e) => {
                assert_eq!(e.code, ErrorCode::ServerUnreachable, "round {round}: {e}");
                assert!(
                    e.message
                        .contains("lost the connection to the PostgreSQL server"),
                    "{}",
                    e.message
                );
                // The caller still has its model: saving it again lands it, or finds it
                // there already (the commit went through before the cut reached the client).
                if whole_or_absent(&s, &old, &edit) {
                    cut_landed += 1;
                } else {
                    cut_absent += 1;
                }
                let again = save(&s.relayed, &edit, old.id)
                    .unwrap_or_else(|e| panic!("round {round}: the retry failed: {e}"));
                assert!(whole_or_absent(&s, &old, &edit), "round {round}");
                let _ = again;
            }
        }
    }
    eprintln!(
        "{rounds} saves with a cut: {clean} finished before it, {cut_absent} cut before their commit (absent, then saved by the retry), {cut_landed} committed before the cut reached the client (found whole)"
    );
    assert!(
        cut_absent + cut_landed > 0,
        "no cut fell inside a save; the test proves nothing"
    );
    assert_eq!(
        s.direct.history(s.model.id).unwrap().len(),
        2 + rounds,
        "one revision per edit, none twice"
    );
}

#[test]
fn a_save_while_the_server_is_down_is_refused_clearly_and_lands_when_it_is_back() {
    let Some(s) = setup(50) else { return };
    let (old, _) = s.direct.load_head(s.model.id).unwrap().unwrap();
    let mut edit = s.model.clone();
    edit.description = "made while the server was down".into();
    s.relay.set_up(false);
    s.relay.cut();
    let t = Instant::now();
    let err = save(&s.relayed, &edit, old.id).unwrap_err();
    assert_eq!(err.code, ErrorCode::ServerUnreachable, "{err}");
    assert!(
        t.elapsed() < Duration::from_secs(8),
        "refused within the connect timeout: {:?}",
        t.elapsed()
    );
    assert!(!whole_or_absent(&s, &old, &edit), "nothing was written");
    // Reads fail the same way.
    let err = AppError::from(s.relayed.models().unwrap_err());
    assert_eq!(err.code, ErrorCode::ServerUnreachable, "{err}");
    s.relay.set_up(true);
    let saved = save(&s.relayed, &edit, old.id).unwrap();
    assert!(matches!(saved, SaveOutcome::Saved(_)));
    assert!(whole_or_absent(&s, &old, &edit));
}
