//! Connections: one diesel code path over PostgreSQL (the system of record) and SQLite (the
//! embedded default), chosen by the `DATABASE_URL` scheme, with an r2d2 pool and embedded
//! migrations for each backend.

use std::path::PathBuf;
use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::r2d2::{self, ManageConnection};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

/// Migrations for each backend: the SQL dialects differ (identity columns, comments).
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");
const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");

/// A connection to either backend. Shared query code runs on this type; code that needs a
/// backend-specific statement (RETURNING, upserts) matches on it through [`each_backend!`].
#[derive(diesel::MultiConnection)]
pub enum AnyConnection {
    /// PostgreSQL, through libpq.
    Postgresql(diesel::PgConnection),
    /// SQLite, the bundled library.
    Sqlite(diesel::SqliteConnection),
}

/// Runs the same diesel expression on the native connection of whichever backend `conn` is.
///
/// For statements the portable `MultiBackend` cannot express (RETURNING, ON CONFLICT, batch
/// inserts): the expression is type-checked once per backend.
#[macro_export]
macro_rules! each_backend {
    ($conn:expr, |$c:ident| $body:expr) => {
        match $conn {
            $crate::db::AnyConnection::Postgresql($c) => $body,
            $crate::db::AnyConnection::Sqlite($c) => $body,
        }
    };
}

/// The pool every reader and writer takes connections from.
pub type Pool = r2d2::Pool<Manager>;
/// Which database a `DATABASE_URL` names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    /// `postgres://…` or `postgresql://…`, passed to libpq as it is.
    Postgres(String),
    /// `sqlite://path` (relative) or `sqlite:///absolute/path`.
    Sqlite(PathBuf),
}

/// A `DATABASE_URL` that names neither backend.
#[derive(Debug, thiserror::Error)]
#[error(
    "DATABASE_URL must start with postgres://, postgresql:// or sqlite:// (got `{scheme}…`); \
     for example sqlite://lacs-data/lacs.db or postgres://user@127.0.0.1:5432/lacs"
)]
pub struct BadDatabaseUrl {
    scheme: String,
}

impl DatabaseUrl {
    /// Parses a `DATABASE_URL`.
    pub fn parse(url: &str) -> Result<Self, BadDatabaseUrl> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(DatabaseUrl::Postgres(url.to_owned()))
        } else if let Some(path) = url.strip_prefix("sqlite://").filter(|p| !p.is_empty()) {
            Ok(DatabaseUrl::Sqlite(PathBuf::from(path)))
        } else {
            Err(BadDatabaseUrl { scheme: url.chars().take(12).collect() })
        }
    }

    /// The backend's name, for logs and `/v1/meta`.
    pub fn backend(&self) -> &'static str {
        match self {
            DatabaseUrl::Postgres(_) => "postgresql",
            DatabaseUrl::Sqlite(_) => "sqlite",
        }
    }

    /// Where the database is, without credentials: `host:port/name` or the SQLite path.
    pub fn address(&self) -> String {
        match self {
            DatabaseUrl::Postgres(url) => {
                let rest = url.split_once("://").map_or(url.as_str(), |(_, rest)| rest);
                let rest = rest.rsplit_once('@').map_or(rest, |(_, host)| host);
                rest.split('?').next().unwrap_or(rest).to_owned()
            }
            DatabaseUrl::Sqlite(path) => path.display().to_string(),
        }
    }

    /// Opens one connection, reporting the backend's own error (libpq's "connection refused",
    /// SQLite's "unable to open database file"), which the derived `establish` would hide.
    pub fn connect(&self) -> ConnectionResult<AnyConnection> {
        match self {
            DatabaseUrl::Postgres(url) => {
                diesel::PgConnection::establish(&with_connect_timeout(url)).map(AnyConnection::Postgresql)
            }
            DatabaseUrl::Sqlite(path) => {
                if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                    std::fs::create_dir_all(dir)
                        .map_err(|e| ConnectionError::BadConnection(format!("cannot create {}: {e}", dir.display())))?;
                }
                let path = path.to_string_lossy();
                let mut conn = diesel::SqliteConnection::establish(&path)?;
                // Foreign keys are off by default in SQLite; WAL lets readers work during a fetch.
                conn.batch_execute(
                    "PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000; \
                     PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;",
                )
                .map_err(|e| ConnectionError::BadConnection(e.to_string()))?;
                Ok(AnyConnection::Sqlite(conn))
            }
        }
    }

    /// Builds a pool. Fails within `timeout` when the database cannot be reached.
    pub fn pool(&self, max_size: u32, timeout: Duration) -> Result<Pool, r2d2::PoolError> {
        let max_size = match self {
            // SQLite has one writer; a small pool is plenty and keeps lock waits short.
            DatabaseUrl::Sqlite(_) => max_size.min(4),
            DatabaseUrl::Postgres(_) => max_size,
        };
        r2d2::Pool::builder().max_size(max_size).connection_timeout(timeout).build(Manager { url: self.clone() })
    }
}

/// Seconds libpq waits for a PostgreSQL server to complete a connection (unless the URL sets
/// `connect_timeout` itself): a server that accepts but never answers fails, not hangs.
pub const CONNECT_TIMEOUT_SECS: u64 = 5;

fn with_connect_timeout(url: &str) -> String {
    if url.contains("connect_timeout=") {
        return url.to_owned();
    }
    let separator = if url.contains('?') { '&' } else { '?' };
    format!("{url}{separator}connect_timeout={CONNECT_TIMEOUT_SECS}")
}

/// An r2d2 manager that picks the backend from the URL and keeps the real connection error.
#[derive(Debug)]
pub struct Manager {
    url: DatabaseUrl,
}

impl ManageConnection for Manager {
    type Connection = AnyConnection;
    type Error = r2d2::Error;

    fn connect(&self) -> Result<AnyConnection, r2d2::Error> {
        self.url.connect().map_err(r2d2::Error::ConnectionError)
    }

    fn is_valid(&self, conn: &mut AnyConnection) -> Result<(), r2d2::Error> {
        conn.batch_execute("SELECT 1").map_err(r2d2::Error::QueryError)
    }

    fn has_broken(&self, conn: &mut AnyConnection) -> bool {
        r2d2::R2D2Connection::is_broken(conn)
    }
}

/// Runs `f` inside a transaction that is then rolled back: for dry runs, which must show what
/// would change and change nothing.
pub fn rolled_back<T>(conn: &mut AnyConnection, f: impl FnOnce(&mut AnyConnection) -> T) -> QueryResult<T> {
    let mut out = None;
    let result = conn.transaction::<(), diesel::result::Error, _>(|c| {
        out = Some(f(c));
        Err(diesel::result::Error::RollbackTransaction)
    });
    match (result, out) {
        (Err(diesel::result::Error::RollbackTransaction), Some(v)) => Ok(v),
        (Err(e), _) => Err(e),
        (Ok(()), _) => Err(diesel::result::Error::RollbackTransaction),
    }
}

/// Checks that the database answers.
pub fn ping(conn: &mut AnyConnection) -> QueryResult<()> {
    conn.batch_execute("SELECT 1")
}

/// Errors from running migrations.
pub type MigrationError = Box<dyn std::error::Error + Send + Sync>;

#[derive(QueryableByName)]
struct AppliedVersion {
    #[diesel(sql_type = diesel::sql_types::Text)]
    version: String,
}

/// How many embedded migrations the database has not applied, found by reading alone (diesel's
/// own check first creates its bookkeeping table), so that a server on a read-only role can tell
/// a current database from one it cannot migrate.
pub fn pending_migrations(conn: &mut AnyConnection) -> Result<usize, MigrationError> {
    use diesel::migration::MigrationSource;
    let applied: std::collections::HashSet<String> =
        match diesel::sql_query("SELECT version FROM __diesel_schema_migrations").load::<AppliedVersion>(conn) {
            Ok(rows) => rows.into_iter().map(|r| r.version).collect(),
            // No bookkeeping table: nothing applied yet.
            Err(_) => Default::default(),
        };
    let versions: Vec<String> = match conn {
        AnyConnection::Postgresql(_) => MigrationSource::<diesel::pg::Pg>::migrations(&POSTGRES_MIGRATIONS)?
            .iter()
            .map(|m| m.name().version().to_string())
            .collect(),
        AnyConnection::Sqlite(_) => MigrationSource::<diesel::sqlite::Sqlite>::migrations(&SQLITE_MIGRATIONS)?
            .iter()
            .map(|m| m.name().version().to_string())
            .collect(),
    };
    Ok(versions.iter().filter(|v| !applied.contains(*v)).count())
}

/// Applies every pending migration for the connection's backend; returns how many ran. A
/// database that is current is only read.
pub fn run_migrations(conn: &mut AnyConnection) -> Result<usize, MigrationError> {
    if pending_migrations(conn)? == 0 {
        return Ok(0);
    }
    let applied = match conn {
        AnyConnection::Postgresql(c) => c.run_pending_migrations(POSTGRES_MIGRATIONS)?.len(),
        AnyConnection::Sqlite(c) => c.run_pending_migrations(SQLITE_MIGRATIONS)?.len(),
    };
    Ok(applied)
}

/// Reverts every applied migration (newest first); returns how many were reverted.
pub fn revert_all_migrations(conn: &mut AnyConnection) -> Result<usize, MigrationError> {
    let reverted = match conn {
        AnyConnection::Postgresql(c) => c.revert_all_migrations(POSTGRES_MIGRATIONS)?.len(),
        AnyConnection::Sqlite(c) => c.revert_all_migrations(SQLITE_MIGRATIONS)?.len(),
    };
    Ok(reverted)
}

/// The names of every embedded migration for a backend, oldest first (used to name test templates).
pub fn migration_names(backend: &str) -> Vec<String> {
    use diesel::migration::MigrationSource;
    let source = if backend == "postgresql" { POSTGRES_MIGRATIONS } else { SQLITE_MIGRATIONS };
    MigrationSource::<diesel::pg::Pg>::migrations(&source)
        .map(|ms| ms.iter().map(|m| m.name().to_string()).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_urls_choose_the_backend() {
        assert_eq!(DatabaseUrl::parse("sqlite://lacs-data/lacs.db").unwrap().backend(), "sqlite");
        assert_eq!(DatabaseUrl::parse("sqlite:///tmp/x.db").unwrap(), DatabaseUrl::Sqlite(PathBuf::from("/tmp/x.db")));
        assert_eq!(DatabaseUrl::parse("postgresql://u@h/db").unwrap().backend(), "postgresql");
        let err = DatabaseUrl::parse("mysql://x").unwrap_err().to_string();
        assert!(err.contains("mysql://x"), "{err}");
        assert!(DatabaseUrl::parse("sqlite://").is_err());
    }
}
