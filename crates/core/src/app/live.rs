//! Live collaboration on a server workspace: the changes teammates make, delivered to an open
//! app as they are committed (the store's LISTEN/NOTIFY subscription, [`Store::changes`]).
//!
//! [`watch`] runs the subscription on a thread of its own and hands every change to a
//! callback (the desktop forwards it to its window as an event, and the window re-reads the
//! workspace and reloads or merges what is open, as it does for any outside save). A lost
//! connection is made again and reported as [`ChangeKind::Resync`], since changes made
//! meanwhile were not heard. A file workspace has nothing to watch.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use crate::store::{Heard, Store};

pub use crate::store::{Change, ChangeKind};

/// How long the watcher waits before listening again after the server could not be reached.
const RETRY: Duration = Duration::from_secs(1);

/// A running subscription; dropping it stops it.
pub struct Watch {
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
    listening: Arc<AtomicBool>,
}

impl std::fmt::Debug for Watch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Watch")
    }
}

impl Watch {
    /// Whether the subscription is in place (false until it first is, and while the
    /// server is unreachable).
    pub fn listening(&self) -> bool {
        self.listening.load(Ordering::SeqCst)
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Delivers every change teammates commit to `store`'s workspace to `on_change`, on a thread
/// of its own, until the returned [`Watch`] is dropped. `None` for a file workspace.
pub fn watch(store: &Store, on_change: impl Fn(Change) + Send + 'static) -> Option<Watch> {
    if !store.is_server() {
        return None;
    }
    let store = store.clone();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let listening = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&listening);
    let thread = std::thread::Builder::new()
        .name("stridewise-live".into())
        .spawn(move || {
            let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            // The listening task runs while the runtime waits for the stop signal; dropping
            // the runtime then cancels it with its connection.
            runtime.spawn(follow(store, on_change, flag));
            let _ = runtime.block_on(stopped);
        })
        .ok()?;
    Some(Watch {
        stop: Some(stop),
        thread: Some(thread),
        listening,
    })
}

/// [`watch`] telling `tell` (when there is one) each change in a sentence
/// ([`Change::describe`]): what the desktop shows its user.
pub fn tell(store: &Store, tell: Option<Arc<dyn Fn(String) + Send + Sync>>) -> Option<Watch> {
    tell.and_then(|f| watch(store, move |c| f(c.describe())))
}

async fn follow(store: Store, on_change: impl Fn(Change), listening: Arc<AtomicBool>) {
    // Whether something may have been missed: set when the connection goes, so the next
    // subscription starts with a re-read.
    let mut missed = false;
    loop {
        let mut changes = match store.changes().await {
            Ok(Some(changes)) => changes,
            Ok(None) => return,
            Err(_) => {
                listening.store(false, Ordering::SeqCst);
                missed = true;
                tokio::time::sleep(RETRY).await;
                continue;
            }
        };
        listening.store(true, Ordering::SeqCst);
        if std::mem::take(&mut missed) {
            on_change(resync());
        }
        loop {
            match changes.next().await {
                Ok(Heard::Change(change)) => on_change(change),
                Ok(Heard::Reconnected) => on_change(resync()),
                Err(_) => {
                    listening.store(false, Ordering::SeqCst);
                    missed = true;
                    break;
                }
            }
        }
        tokio::time::sleep(RETRY).await;
    }
}

fn resync() -> Change {
    Change {
        kind: ChangeKind::Resync,
        application: String::new(),
        service: None,
        model: None,
        detail: String::new(),
        author: String::new(),
        role: String::new(),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::mpsc;
    use std::time::Instant;

    use super::*;
    use crate::catalog::Catalog;
    use crate::model::{Element, ElementKind, ServiceModel, ThreatKey, TriageStatus};
    use crate::store::test_server::{Place, both};
    use crate::store::{Save, Scope, TriageUpdate};

    /// The next change heard, waiting at most a second (the promise).
    fn within_a_second(rx: &mpsc::Receiver<Change>, what: &str) -> Change {
        let start = Instant::now();
        let change = rx
            .recv_timeout(Duration::from_secs(1))
            .unwrap_or_else(|_| panic!("no change heard within 1 s after {what}"));
        eprintln!("{what}: heard after {:?}", start.elapsed());
        change
    }

    /// Two connections: one saves, triages, closes a review and deletes a service; the
    /// other hears each within a second, naming who changed what. A file workspace has no
    /// notifications (the desktop re-reads it instead).
    fn a_teammate_hears_every_change_within_a_second(place: &Place) {
        let mine = place.create();
        let theirs = place.open();
        let (tx, rx) = mpsc::channel();
        let watch = watch(theirs.store(), move |c| {
            let _ = tx.send(c);
        });
        let Some(watch) = watch else {
            assert!(
                matches!(place, Place::File(_)),
                "a server workspace is watched"
            );
            assert!(theirs.block_on(theirs.store().changes()).unwrap().is_none());
            return;
        };
        let start = Instant::now();
        while !watch.listening() {
            assert!(
                start.elapsed() < Duration::from_secs(10),
                "the watch listens"
            );
            std::thread::sleep(Duration::from_millis(20));
        }

        let mut model = ServiceModel::new("orders");
        model
            .elements
            .push(Element::new(ElementKind::Process, "API"));
        let save = |model: &ServiceModel, head| {
            mine.save(Save {
                application: "shop",
                model,
                expected_head: head,
                merge_parent: None,
                author: "ana",
                message: "edited",
            })
            .unwrap()
        };
        let first = save(&model, None);
        let heard = within_a_second(&rx, "a save");
        assert_eq!(heard.kind, ChangeKind::Saved);
        assert_eq!(
            (
                heard.application.as_str(),
                heard.service.as_deref(),
                heard.detail.as_str()
            ),
            ("shop", Some("orders"), "revision 1")
        );
        assert_eq!(heard.model, Some(model.id.to_string()));
        assert_eq!(heard.author, "ana");
        assert!(!heard.role.is_empty(), "the server names the role");
        assert!(heard.describe().starts_with("ana"), "{}", heard.describe());
        assert!(
            heard.describe().contains("saved 'orders' (revision 1)"),
            "{}",
            heard.describe()
        );

        // An unchanged save writes nothing and announces nothing; a refused one neither (the
        // next change heard is the triage).
        save(&model, Some(first.revision().id));
        let mut stale = model.clone();
        stale.description = "made on no revision".into();
        let refused = mine.save(Save {
            application: "shop",
            model: &stale,
            expected_head: None,
            merge_parent: None,
            author: "ana",
            message: "stale",
        });
        assert!(refused.is_err(), "{refused:?}");

        let key = ThreatKey("SPOOF-1@x".into());
        mine.decide(
            Scope::Service(model.id),
            &key,
            &TriageUpdate {
                status: Some(TriageStatus::Mitigated),
                ..Default::default()
            },
            "bo",
            None,
        )
        .unwrap();
        let heard = within_a_second(&rx, "a triage");
        assert_eq!(heard.kind, ChangeKind::Triaged, "{heard:?}");
        assert_eq!(heard.author, "bo");
        assert!(heard.detail.contains("SPOOF-1@x"), "{}", heard.detail);
        assert!(heard.describe().contains("triaged"), "{}", heard.describe());

        let review = mine
            .block_on(crate::app::review::start(
                mine.store(),
                Catalog::builtin(),
                &crate::app::review::StartRequest {
                    application: Some("shop"),
                    sprint: "2026.50",
                    author: "cy",
                    ..Default::default()
                },
            ))
            .unwrap();
        // Starting a review records which threats fire: triage the review's own way; only
        // the close is announced as a review.
        while let Ok(c) = rx.recv_timeout(Duration::from_millis(300)) {
            assert_ne!(c.kind, ChangeKind::ReviewClosed, "{c:?}");
        }
        mine.block_on(crate::app::review::close(
            mine.store(),
            review,
            "done",
            "cy",
        ))
        .unwrap();
        let heard = within_a_second(&rx, "a review's close");
        assert_eq!(heard.kind, ChangeKind::ReviewClosed, "{heard:?}");
        assert_eq!(heard.detail, "review 1 (sprint 2026.50)");
        assert!(
            heard.describe().contains("closed review 1"),
            "{}",
            heard.describe()
        );

        mine.archive_model(model.id).unwrap();
        let heard = within_a_second(&rx, "a deletion");
        assert_eq!(heard.kind, ChangeKind::Deleted);
        assert_eq!(heard.service.as_deref(), Some("orders"));

        // Nothing else was announced, and the watch stops when dropped.
        assert!(rx.recv_timeout(Duration::from_millis(200)).is_err());
        drop(watch);
        let mut changed = model.clone();
        changed.description = "after the watch".into();
        assert!(matches!(
            save(&changed, Some(first.revision().id)),
            crate::store::SaveOutcome::Saved(_)
        ));
        assert!(rx.recv_timeout(Duration::from_millis(500)).is_err());
    }

    both!(a_teammate_hears_every_change_within_a_second);
}
