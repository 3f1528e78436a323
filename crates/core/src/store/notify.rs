//! Live changes of a server workspace (PostgreSQL's LISTEN/NOTIFY).
//!
//! Every write a teammate's open app must learn of (a save, a triage decision, the close of a
//! review, a deleted service) sends one notification on [`CHANNEL`] from inside its own
//! transaction: PostgreSQL delivers it when, and only when, the transaction commits, so a
//! listener never hears of a change that was rolled back and hears of each committed one
//! once. The payload is a [`Change`] as JSON, naming the object, the author recorded with
//! it and the database role that made it (`current_user`).
//!
//! A file workspace has no notifications: [`Store::changes`] gives `None`, and the desktop
//! keeps noticing outside saves by re-reading the workspace.

use serde::{Deserialize, Serialize};
use sqlx::postgres::{PgListener, PgPoolOptions};

use super::db::{self, Tx};
use super::{Context, Result, Scope, Store, StoreError};

/// The notification channel of a workspace's database.
pub const CHANNEL: &str = "stridewise_changes";

/// What kind of change a teammate made.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum ChangeKind {
    /// A new revision of a service or an application model.
    Saved,
    /// A triage decision about one threat.
    Triaged,
    /// A sprint review was closed.
    ReviewClosed,
    /// A service was deleted (archived).
    Deleted,
    /// The connection that listens was lost and is back: changes made meanwhile were not
    /// heard, so the whole workspace must be re-read.
    Resync,
}

/// One change made on a server workspace, as its notification carries it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Change {
    pub kind: ChangeKind,
    /// The application it happened in (empty for [`ChangeKind::Resync`]).
    pub application: String,
    /// The service's (or application model's) name, when the change is about one.
    pub service: Option<String>,
    /// That model's id.
    pub model: Option<String>,
    /// What exactly: `revision 4`, the threat key and its new status, `review 2 (sprint
    /// 2026.24)`.
    pub detail: String,
    /// The author recorded with the change.
    pub author: String,
    /// The database role that made the change (filled in by the server).
    #[serde(default)]
    pub role: String,
}

impl Change {
    /// The change in one sentence for people: who changed what.
    pub fn describe(&self) -> String {
        let who = if self.author.is_empty() {
            self.role.clone()
        } else if self.role.is_empty() || self.role == self.author {
            self.author.clone()
        } else {
            format!("{} (database role {})", self.author, self.role)
        };
        let service = self
            .service
            .as_deref()
            .map(|s| format!("'{s}'"))
            .unwrap_or_else(|| format!("application '{}'", self.application));
        match self.kind {
            ChangeKind::Saved => format!("{who} saved {service} ({})", self.detail),
            ChangeKind::Triaged => format!("{who} triaged {} in {service}", self.detail),
            ChangeKind::ReviewClosed => format!(
                "{who} closed {} of application '{}'",
                self.detail, self.application
            ),
            ChangeKind::Deleted => format!("{who} deleted {service}"),
            ChangeKind::Resync => {
                "the connection to the server was lost and is back; changes made meanwhile are re-read".to_string()
            }
        }
    }

    /// A change about a model of `scope` (its names read in the same transaction).
    pub(crate) async fn in_scope(
        tx: &mut Tx,
        scope: Scope,
        kind: ChangeKind,
        detail: String,
        author: &str,
    ) -> Result<Change> {
        let (application, service, model) = match scope {
            Scope::Service(m) => {
                let names: (String, String) = db::query(
                    "SELECT a.name, m.name FROM models m JOIN applications a ON a.id = m.application_id WHERE m.id = ?",
                )
                .bind(m.to_string())
                .fetch_one(&mut *tx)
                .await
                .context("naming the change")?;
                (names.0, Some(names.1), Some(m.to_string()))
            }
            Scope::Application(a) => {
                let name: String = db::query_scalar("SELECT name FROM applications WHERE id = ?")
                    .bind(a.to_string())
                    .fetch_one(&mut *tx)
                    .await
                    .context("naming the change")?;
                (name, None, None)
            }
        };
        Ok(Change {
            kind,
            application,
            service,
            model,
            detail,
            author: author.to_string(),
            role: String::new(),
        })
    }

    /// Sends the change from inside `tx` (delivered when it commits); nothing for a file.
    pub(crate) async fn send(&self, tx: &mut Tx) -> Result<()> {
        let Tx::Postgres(_) = tx else {
            return Ok(());
        };
        // A notification's payload must stay under 8,000 bytes; names and keys are short, but
        // a hand-written detail is cut rather than failing the save.
        let mut change = self.clone();
        for text in [&mut change.detail, &mut change.author] {
            if text.len() > 1000 {
                let mut end = 1000;
                while !text.is_char_boundary(end) {
                    end -= 1;
                }
                text.truncate(end);
            }
        }
        let payload = serde_json::to_string(&change).expect("a change always serializes");
        db::query(
            "SELECT CAST(pg_notify(?, jsonb_set(CAST(? AS jsonb), '{role}', to_jsonb(CAST(current_user AS text)))::text) AS text)",
        )
        .bind(CHANNEL)
        .bind(payload)
        .execute(&mut *tx)
        .await
        .context("announcing the change")?;
        Ok(())
    }
}

/// What [`Changes::next`] heard.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Heard {
    Change(Change),
    /// The listening connection was lost and has been made again; what happened meanwhile
    /// was not heard.
    Reconnected,
}

/// A subscription to the changes of a server workspace; see the module's documentation.
pub struct Changes {
    listener: PgListener,
    server: String,
}

impl std::fmt::Debug for Changes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Changes({})", self.server)
    }
}

impl Store {
    /// Listens to the changes teammates make to this workspace, on a connection of its own
    /// (it is not taken from the pool the other calls share). `None` for a file workspace,
    /// which has no notifications.
    pub async fn changes(&self) -> Result<Option<Changes>> {
        let db::Pool::Postgres(pool) = &self.pool else {
            return Ok(None);
        };
        let server = self.path.display().to_string();
        let options = pool.connect_options().as_ref().clone();
        let own = PgPoolOptions::new()
            .max_connections(1)
            .acquire_timeout(super::DEFAULT_CONNECT_TIMEOUT)
            .connect_lazy_with(options);
        let mut listener = PgListener::connect_with(&own)
            .await
            .context("listening for changes")?;
        listener
            .listen(CHANNEL)
            .await
            .context("listening for changes")?;
        Ok(Some(Changes { listener, server }))
    }
}

impl Changes {
    /// Waits for the next change. When the connection is lost it is made again (and
    /// [`Heard::Reconnected`] says so); an error means it could not be.
    pub async fn next(&mut self) -> Result<Heard> {
        loop {
            match self.listener.try_recv().await {
                Ok(Some(n)) => match serde_json::from_str::<Change>(n.payload()) {
                    Ok(change) => return Ok(Heard::Change(change)),
                    // Another program's notification on the channel: not ours to read.
                    Err(_) => continue,
                },
                Ok(None) => return Ok(Heard::Reconnected),
                Err(error) => {
                    return Err(StoreError::lost("listening for changes", error));
                }
            }
        }
    }
}
