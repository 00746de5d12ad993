//! On PostgreSQL, every replica listens for the notifications a run sends (`Store::run`): a new
//! dataset version when a run that changed something commits, and a finished run of a source.
//! Either one refreshes the replica at once (the snapshot when the version moved, the sources'
//! freshness always), so a new version is served everywhere within a fraction of a second. The
//! reload timer stays as the fallback: a lost listener connection is opened again, and until it
//! is the timer still finds every change.

use std::time::Duration;

use schema::DatabaseUrl;
use schema::listen::Listener;

use crate::state::AppState;

/// How often the listener reads what the server has sent (no round trip: libpq reads the
/// socket); the delay a notification can wait before it is seen.
const READ_EVERY: Duration = Duration::from_millis(50);
/// How often the listener checks that its connection still answers.
const CHECK_EVERY: Duration = Duration::from_secs(10);
/// How long to wait before listening again after the connection was lost.
const RECONNECT_AFTER: Duration = Duration::from_secs(2);

/// Starts the listener on a thread of its own (the notification read is blocking libpq); nothing
/// on SQLite, whose one process refreshes after its own runs.
pub fn spawn_listener(state: AppState, database: DatabaseUrl) {
    if !matches!(database, DatabaseUrl::Postgres(_)) {
        return;
    }
    let runtime = tokio::runtime::Handle::current();
    let spawned = std::thread::Builder::new().name("lacs-listen".into()).spawn(move || {
        loop {
            if let Err(e) = listen(&state, &database, &runtime) {
                tracing::warn!(error = %e, "lost the notification listener; polling still reloads; listening again");
            }
            std::thread::sleep(RECONNECT_AFTER);
        }
    });
    if let Err(e) = spawned {
        tracing::error!(error = %e, "cannot start the notification listener; polling alone reloads");
    }
}

fn listen(state: &AppState, database: &DatabaseUrl, runtime: &tokio::runtime::Handle) -> anyhow::Result<()> {
    let Some(mut listener) = Listener::open(database).map_err(|e| anyhow::anyhow!("{e}"))? else { return Ok(()) };
    tracing::info!("listening for new dataset versions");
    // Anything committed while not listening is found by one refresh now.
    refresh(state, runtime);
    let mut checked = std::time::Instant::now();
    loop {
        if listener.heard()? {
            refresh(state, runtime);
        }
        if checked.elapsed() >= CHECK_EVERY {
            listener.check()?;
            checked = std::time::Instant::now();
        }
        std::thread::sleep(READ_EVERY);
    }
}

fn refresh(state: &AppState, runtime: &tokio::runtime::Handle) {
    let state = state.clone();
    // Loading a snapshot takes a while: on the runtime's blocking pool, so that notifications
    // keep being read meanwhile.
    runtime.spawn_blocking(move || {
        if let Err(e) = crate::snapshot::refresh(&state) {
            tracing::warn!(error = %e, "refresh after a notification failed; still serving the previous snapshot");
        }
    });
}
