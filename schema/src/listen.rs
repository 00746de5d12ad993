//! PostgreSQL notifications of new dataset versions and finished runs (sent by [`crate::Store`]),
//! on a connection of their own.

use diesel::connection::SimpleConnection;

use crate::db::{AnyConnection, DatabaseUrl};
use crate::store::{DATASET_CHANNEL, RUNS_CHANNEL};

/// A connection listening on lacs's channels.
pub struct Listener {
    conn: diesel::PgConnection,
}

impl Listener {
    /// Connects and listens; `None` on SQLite, which has no notifications.
    pub fn open(database: &DatabaseUrl) -> Result<Option<Listener>, Box<dyn std::error::Error + Send + Sync>> {
        if !matches!(database, DatabaseUrl::Postgres(_)) {
            return Ok(None);
        }
        let AnyConnection::Postgresql(mut conn) = database.connect()? else { return Ok(None) };
        conn.batch_execute(&format!("LISTEN {DATASET_CHANNEL}; LISTEN {RUNS_CHANNEL}"))?;
        Ok(Some(Listener { conn }))
    }

    /// Whether a notification has arrived since the last call (all of them are consumed). Reads
    /// what the server has sent without a round trip; an error means the connection is lost.
    pub fn heard(&mut self) -> diesel::QueryResult<bool> {
        let mut heard = false;
        for notification in self.conn.notifications_iter() {
            notification?;
            heard = true;
        }
        Ok(heard)
    }

    /// Checks that the connection still answers.
    pub fn check(&mut self) -> diesel::QueryResult<()> {
        self.conn.batch_execute("SELECT 1")
    }
}
