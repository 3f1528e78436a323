//! The two databases a workspace can live in, behind one small query API.
//!
//! A workspace is a SQLite file or a PostgreSQL database. The store's SQL is written once, with
//! `?` placeholders, in the dialect both understand; [`Query`] collects the arguments and runs
//! the statement on whichever connection it is given (for PostgreSQL the placeholders become
//! `$1`, `$2`...). Rows decode through `sqlx::FromRow`, which both drivers implement for the
//! same structs and tuples.
//!
//! Why this and not sqlx's `Any` driver: `Any` connects only from a URL, so SQLite would lose
//! the connection options the file workspace depends on (read-only and immutable opening of a
//! file its reader may not write, the busy timeout, `synchronous = FULL`), and paths would have
//! to survive URL encoding. Why not code generic over `sqlx::Database`: sqlx's per-type
//! `Encode`/`Decode`/`Executor` bounds would be repeated on every function of the store. The
//! few statements that differ between the two (the `PRAGMA`s of `verify`, a substring search)
//! choose their text by [`Pool::is_postgres`].

use sqlx::pool::PoolConnection;
use sqlx::postgres::PgRow;
use sqlx::sqlite::SqliteRow;
use sqlx::{FromRow, PgConnection, PgPool, Postgres, Sqlite, SqliteConnection, SqlitePool};

/// The connection pool of an open workspace.
#[derive(Clone, Debug)]
pub(crate) enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

impl Pool {
    pub(crate) fn is_postgres(&self) -> bool {
        matches!(self, Pool::Postgres(_))
    }

    pub(crate) async fn close(&self) {
        match self {
            Pool::Sqlite(p) => p.close().await,
            Pool::Postgres(p) => p.close().await,
        }
    }

    /// One connection of the pool, for a run of statements.
    pub(crate) async fn acquire(&self) -> Result<Conn, sqlx::Error> {
        Ok(match self {
            Pool::Sqlite(p) => Conn::Sqlite(p.acquire().await?),
            Pool::Postgres(p) => Conn::Postgres(p.acquire().await?),
        })
    }
}

/// A connection taken from the pool.
pub(crate) enum Conn {
    Sqlite(PoolConnection<Sqlite>),
    Postgres(PoolConnection<Postgres>),
}

/// A transaction; dropped without [`Tx::commit`], it rolls back.
pub(crate) enum Tx {
    Sqlite(sqlx::Transaction<'static, Sqlite>),
    Postgres(sqlx::Transaction<'static, Postgres>),
}

impl Tx {
    pub(crate) async fn commit(self) -> Result<(), sqlx::Error> {
        match self {
            Tx::Sqlite(t) => t.commit().await,
            Tx::Postgres(t) => t.commit().await,
        }
    }
}

/// Where a statement runs.
pub(crate) enum Db<'a> {
    SqlitePool(&'a SqlitePool),
    Sqlite(&'a mut SqliteConnection),
    PostgresPool(&'a PgPool),
    Postgres(&'a mut PgConnection),
}

/// Anything a statement can run on: the pool, a connection or a transaction.
pub(crate) trait AsDb: Send {
    fn db(&mut self) -> Db<'_>;
}

impl AsDb for &Pool {
    fn db(&mut self) -> Db<'_> {
        match *self {
            Pool::Sqlite(p) => Db::SqlitePool(p),
            Pool::Postgres(p) => Db::PostgresPool(p),
        }
    }
}

impl AsDb for Conn {
    fn db(&mut self) -> Db<'_> {
        match self {
            Conn::Sqlite(c) => Db::Sqlite(c),
            Conn::Postgres(c) => Db::Postgres(c),
        }
    }
}

impl AsDb for Tx {
    fn db(&mut self) -> Db<'_> {
        match self {
            Tx::Sqlite(t) => Db::Sqlite(t),
            Tx::Postgres(t) => Db::Postgres(t),
        }
    }
}

impl<T: AsDb + ?Sized> AsDb for &mut T {
    fn db(&mut self) -> Db<'_> {
        (**self).db()
    }
}

/// A row type both drivers can decode.
pub(crate) trait Row:
    for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin
{
}
impl<T> Row for T where T: for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin
{}

/// An argument of a statement.
#[derive(Clone, Debug)]
pub(crate) enum Arg {
    Text(Option<String>),
    Int(Option<i64>),
}

impl From<&str> for Arg {
    fn from(v: &str) -> Self {
        Arg::Text(Some(v.to_string()))
    }
}
impl From<String> for Arg {
    fn from(v: String) -> Self {
        Arg::Text(Some(v))
    }
}
impl From<&String> for Arg {
    fn from(v: &String) -> Self {
        Arg::Text(Some(v.clone()))
    }
}
impl From<Option<&str>> for Arg {
    fn from(v: Option<&str>) -> Self {
        Arg::Text(v.map(str::to_string))
    }
}
impl From<Option<String>> for Arg {
    fn from(v: Option<String>) -> Self {
        Arg::Text(v)
    }
}
impl From<&Option<String>> for Arg {
    fn from(v: &Option<String>) -> Self {
        Arg::Text(v.clone())
    }
}
impl From<&i64> for Arg {
    fn from(v: &i64) -> Self {
        Arg::Int(Some(*v))
    }
}
impl From<i64> for Arg {
    fn from(v: i64) -> Self {
        Arg::Int(Some(v))
    }
}

/// A statement with its arguments; run it with one of the `fetch`/`execute` methods.
#[must_use = "a query does nothing until it is run"]
pub(crate) struct Query {
    sql: &'static str,
    args: Vec<Arg>,
}

/// A statement with `?` placeholders.
pub(crate) fn query(sql: &'static str) -> Query {
    Query {
        sql,
        args: Vec::new(),
    }
}

/// A statement whose rows are one column each, decoded as `T`.
pub(crate) fn query_scalar(sql: &'static str) -> Scalar {
    Scalar(query(sql))
}

/// `?` placeholders as PostgreSQL's `$1`, `$2`... (`?NNN`, SQLite's numbered form, as `$NNN`);
/// a `?` inside a quoted literal or identifier is left alone.
fn numbered(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len() + 16);
    let mut n = 0;
    let mut quote: Option<char> = None;
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (None, '?') if chars.peek().is_some_and(char::is_ascii_digit) => out.push('$'),
            (None, '\'' | '"') => {
                quote = Some(c);
                out.push(c);
            }
            (Some(q), c) if c == q => {
                quote = None;
                out.push(c);
            }
            (None, '?') => {
                n += 1;
                out.push('$');
                out.push_str(&n.to_string());
            }
            _ => out.push(c),
        }
    }
    out
}

macro_rules! bind_all {
    ($q:expr, $args:expr) => {{
        let mut q = $q;
        for arg in $args {
            q = match arg {
                Arg::Text(v) => q.bind(v),
                Arg::Int(v) => q.bind(v),
            };
        }
        q
    }};
}

macro_rules! run_as {
    ($self:ident, $db:ident, $method:ident, $T:ty) => {{
        let Query { sql, args } = $self;
        match $db.db() {
            Db::SqlitePool(p) => {
                bind_all!(sqlx::query_as::<Sqlite, $T>(sql), args)
                    .$method(p)
                    .await
            }
            Db::Sqlite(c) => {
                bind_all!(sqlx::query_as::<Sqlite, $T>(sql), args)
                    .$method(c)
                    .await
            }
            Db::PostgresPool(p) => {
                bind_all!(
                    sqlx::query_as::<Postgres, $T>(sqlx::AssertSqlSafe(numbered(sql))),
                    args
                )
                .$method(p)
                .await
            }
            Db::Postgres(c) => {
                bind_all!(
                    sqlx::query_as::<Postgres, $T>(sqlx::AssertSqlSafe(numbered(sql))),
                    args
                )
                .$method(c)
                .await
            }
        }
    }};
}

impl Query {
    pub(crate) fn bind(mut self, value: impl Into<Arg>) -> Self {
        self.args.push(value.into());
        self
    }

    /// Runs the statement; returns the number of rows it changed.
    pub(crate) async fn execute(self, mut db: impl AsDb) -> Result<u64, sqlx::Error> {
        let Query { sql, args } = self;
        Ok(match db.db() {
            Db::SqlitePool(p) => bind_all!(sqlx::query::<Sqlite>(sql), args)
                .execute(p)
                .await?
                .rows_affected(),
            Db::Sqlite(c) => bind_all!(sqlx::query::<Sqlite>(sql), args)
                .execute(c)
                .await?
                .rows_affected(),
            Db::PostgresPool(p) => bind_all!(
                sqlx::query::<Postgres>(sqlx::AssertSqlSafe(numbered(sql))),
                args
            )
            .execute(p)
            .await?
            .rows_affected(),
            Db::Postgres(c) => bind_all!(
                sqlx::query::<Postgres>(sqlx::AssertSqlSafe(numbered(sql))),
                args
            )
            .execute(c)
            .await?
            .rows_affected(),
        })
    }

    pub(crate) async fn fetch_all<T: Row>(self, mut db: impl AsDb) -> Result<Vec<T>, sqlx::Error> {
        run_as!(self, db, fetch_all, T)
    }

    pub(crate) async fn fetch_optional<T: Row>(
        self,
        mut db: impl AsDb,
    ) -> Result<Option<T>, sqlx::Error> {
        run_as!(self, db, fetch_optional, T)
    }

    pub(crate) async fn fetch_one<T: Row>(self, mut db: impl AsDb) -> Result<T, sqlx::Error> {
        run_as!(self, db, fetch_one, T)
    }
}

/// See [`query_scalar`].
#[must_use = "a query does nothing until it is run"]
pub(crate) struct Scalar(Query);

impl Scalar {
    pub(crate) fn bind(self, value: impl Into<Arg>) -> Self {
        Scalar(self.0.bind(value))
    }

    pub(crate) async fn fetch_all<T>(self, db: impl AsDb) -> Result<Vec<T>, sqlx::Error>
    where
        (T,): Row,
    {
        Ok(self
            .0
            .fetch_all::<(T,)>(db)
            .await?
            .into_iter()
            .map(|(v,)| v)
            .collect())
    }

    pub(crate) async fn fetch_optional<T>(self, db: impl AsDb) -> Result<Option<T>, sqlx::Error>
    where
        (T,): Row,
    {
        Ok(self.0.fetch_optional::<(T,)>(db).await?.map(|(v,)| v))
    }

    pub(crate) async fn fetch_one<T>(self, db: impl AsDb) -> Result<T, sqlx::Error>
    where
        (T,): Row,
    {
        Ok(self.0.fetch_one::<(T,)>(db).await?.0)
    }
}

#[cfg(test)]
mod tests {
    use super::numbered;

    #[test]
    fn placeholders_are_numbered_outside_quotes() {
        assert_eq!(
            numbered("SELECT a FROM t WHERE b = ? AND c = '?' AND \"d?\" = ? AND e IN (?, ?)"),
            "SELECT a FROM t WHERE b = $1 AND c = '?' AND \"d?\" = $2 AND e IN ($3, $4)"
        );
        assert_eq!(
            numbered("WHERE (?1 IS NULL OR a = ?1) AND (?2 IS NULL OR b = ?2)"),
            "WHERE ($1 IS NULL OR a = $1) AND ($2 IS NULL OR b = $2)"
        );
    }
}
