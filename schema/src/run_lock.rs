//! One fetch run per source at a time, across every process that shares the database: the
//! scheduler of each `lacs serve` replica and `lacs fetch` by hand take the source's lock before
//! they crawl, and a second taker is told the source is busy instead of waiting.
//!
//! On PostgreSQL the lock is a session-level advisory lock held by a connection of its own, on
//! which the run then works: a process that dies mid-run closes its connection, and PostgreSQL
//! releases the lock with it (nothing partial was committed: a run writes in one transaction).
//! On SQLite, where every process is on one machine, it is an exclusive `flock` of a file beside
//! the database, which the kernel releases when the process dies. This lock is distinct from the
//! global `pg_advisory_xact_lock` every write transaction takes ([`crate::Store::run`]).

use std::path::PathBuf;

use diesel::prelude::*;

use crate::db::{AnyConnection, DatabaseUrl};

/// The first key of every source's advisory lock (the second is the source's hash), so that
/// lacs's locks are told apart from any other application's on the same database.
const LOCK_SPACE: i32 = 727102;

/// Why a lock could not be asked for.
#[derive(Debug, thiserror::Error)]
pub enum LockError {
    /// The database could not be reached.
    #[error("cannot connect to the database to lock the source: {0}")]
    Connect(#[from] diesel::ConnectionError),
    /// The lock query failed.
    #[error("cannot lock the source: {0}")]
    Query(#[from] diesel::result::Error),
    /// The lock file could not be opened.
    #[error("cannot open the lock file {path}: {error}")]
    File {
        /// The lock file.
        path: PathBuf,
        /// The reason.
        error: std::io::Error,
    },
}

/// The lock of one source, held until dropped, with the connection the run works on.
pub struct SourceLock {
    source: String,
    conn: AnyConnection,
    /// SQLite: the locked file (unlocked when closed).
    _file: Option<std::fs::File>,
}

impl std::fmt::Debug for SourceLock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SourceLock").field("source", &self.source).finish_non_exhaustive()
    }
}

/// The second advisory-lock key of `source`: FNV-1a of its name, the same in every process and
/// every version of lacs (PostgreSQL's own `hashtext` is not promised to stay the same).
pub fn lock_key(source: &str) -> i32 {
    let mut hash: u32 = 0x811c_9dc5;
    for byte in source.bytes() {
        hash = (hash ^ u32::from(byte)).wrapping_mul(0x0100_0193);
    }
    i32::from_ne_bytes(hash.to_ne_bytes())
}

#[derive(QueryableByName)]
struct Locked {
    #[diesel(sql_type = diesel::sql_types::Bool)]
    locked: bool,
}

impl SourceLock {
    /// Takes the lock of `source` if no one holds it: `None` when another run holds it.
    pub fn try_acquire(database: &DatabaseUrl, source: &str) -> Result<Option<SourceLock>, LockError> {
        match database {
            DatabaseUrl::Postgres(_) => {
                let mut conn = database.connect()?;
                let AnyConnection::Postgresql(pg) = &mut conn else { return Err(other_backend()) };
                let got: Locked = diesel::sql_query("SELECT pg_try_advisory_lock($1, $2) AS locked")
                    .bind::<diesel::sql_types::Integer, _>(LOCK_SPACE)
                    .bind::<diesel::sql_types::Integer, _>(lock_key(source))
                    .get_result(pg)?;
                Ok(got.locked.then(|| SourceLock { source: source.to_owned(), conn, _file: None }))
            }
            DatabaseUrl::Sqlite(path) => {
                let mut name = path.clone().into_os_string();
                name.push(format!(".{source}.lock"));
                let path = PathBuf::from(name);
                let conn = database.connect()?;
                let file = std::fs::OpenOptions::new()
                    .create(true)
                    .truncate(false)
                    .write(true)
                    .open(&path)
                    .map_err(|error| LockError::File { path: path.clone(), error })?;
                match file.try_lock() {
                    Ok(()) => Ok(Some(SourceLock { source: source.to_owned(), conn, _file: Some(file) })),
                    Err(std::fs::TryLockError::WouldBlock) => Ok(None),
                    Err(std::fs::TryLockError::Error(error)) => Err(LockError::File { path, error }),
                }
            }
        }
    }

    /// The source locked.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// The connection the run works on (on PostgreSQL, the session that holds the lock).
    pub fn conn(&mut self) -> &mut AnyConnection {
        &mut self.conn
    }
}

fn other_backend() -> LockError {
    LockError::Query(diesel::result::Error::QueryBuilderError("a postgres:// URL opened another backend".into()))
}

impl Drop for SourceLock {
    fn drop(&mut self) {
        // Closing the connection releases the lock too; unlocking first frees it at once even if
        // the connection lingers in a pool of a caller's.
        if let AnyConnection::Postgresql(pg) = &mut self.conn {
            let _ = diesel::sql_query("SELECT pg_advisory_unlock($1, $2) AS locked")
                .bind::<diesel::sql_types::Integer, _>(LOCK_SPACE)
                .bind::<diesel::sql_types::Integer, _>(lock_key(&self.source))
                .get_result::<Locked>(pg);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_stable_and_distinct() {
        assert_eq!(lock_key("ofsted"), lock_key("ofsted"));
        assert_ne!(lock_key("ofsted"), lock_key("govuk"));
        // FNV-1a of "a" is 0xe40c292c: the key must not change between releases.
        assert_eq!(lock_key("a"), i32::from_ne_bytes(0xe40c_292c_u32.to_ne_bytes()));
    }

    #[test]
    fn a_second_taker_is_refused_until_the_first_lets_go() {
        let dir = tempfile_dir();
        let db = DatabaseUrl::Sqlite(dir.join("lock.db"));
        let first = SourceLock::try_acquire(&db, "ofsted").expect("lock").expect("free");
        assert!(SourceLock::try_acquire(&db, "ofsted").expect("lock").is_none(), "held");
        assert!(SourceLock::try_acquire(&db, "govuk").expect("lock").is_some(), "per source");
        drop(first);
        assert!(SourceLock::try_acquire(&db, "ofsted").expect("lock").is_some(), "released");
        let _ = std::fs::remove_dir_all(dir);
    }

    fn tempfile_dir() -> PathBuf {
        let dir = std::env::temp_dir().join(format!("lacs-run-lock-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        dir
    }
}
