//! The snapshot's life outside requests: open the database, migrate it, seed an empty one, load
//! the snapshot (noting the archive, cutting its release) and reload it when the version moves.

use std::time::Duration;

use anyhow::Context;
use schema::{AnyConnection, DatabaseUrl, Dataset, Pool};

use crate::state::AppState;
use crate::storage::Storage;

/// Opens a pool, failing with the database's own error when it cannot be reached.
pub fn open(database: &DatabaseUrl, pool_size: u32) -> anyhow::Result<Pool> {
    let pool = database.pool(pool_size, Duration::from_secs(10));
    match pool {
        Ok(pool) => Ok(pool),
        // r2d2 reports only a timeout; a direct attempt gives the reason.
        Err(e) => match database.connect() {
            Err(reason) => Err(anyhow::anyhow!(
                "cannot connect to the {} database at {}: {}",
                database.backend(),
                database.address(),
                reason.to_string().trim()
            )),
            Ok(_) => Err(anyhow::anyhow!("cannot open a connection pool: {e}")),
        },
    }
}

/// Applies pending migrations.
pub fn migrate(conn: &mut AnyConnection) -> anyhow::Result<usize> {
    schema::db::run_migrations(conn).map_err(|e| anyhow::anyhow!("migration failed: {e}"))
}

/// Loads a snapshot and notes which source documents the archive holds.
pub fn load(conn: &mut AnyConnection, storage: &Storage) -> anyhow::Result<Dataset> {
    let mut dataset = Dataset::load(conn)?;
    dataset.archived = storage.archived();
    Ok(dataset)
}

/// Cuts the release of `dataset` (the bulk downloads), after the snapshot is served: writing
/// nineteen files takes longer than loading, and a new version should not wait for it.
fn cut_release(storage: &Storage, dataset: &Dataset) {
    if let Err(e) = storage.cut_release(dataset) {
        // Serving the API matters more than the downloads: say so and go on.
        tracing::error!(error = format!("{e:#}"), "cannot cut the release of this dataset version");
    }
}

/// Imports the bundled seed into a database that holds no local authorities (a first start, or
/// a first fetch: fetched records are matched against the councils it holds).
fn seed_if_empty(conn: &mut AnyConnection) -> anyhow::Result<()> {
    if schema::stored::all_local_authorities(conn)?.is_empty() {
        tracing::info!("empty database: importing the bundled seed data");
        let report = fetchers::seed::import(conn, &fetchers::seed::SeedFiles::bundled())?;
        tracing::info!(dataset.version = report.run.dataset_version, "seed data imported");
    }
    Ok(())
}

/// Migrates and imports the bundled seed into an empty database: how every command that reads
/// the dataset starts, so that on a fresh clone it answers from the bundled data as `serve` does.
pub fn migrate_and_seed(conn: &mut AnyConnection) -> anyhow::Result<()> {
    let applied = migrate(conn)?;
    if applied > 0 {
        tracing::info!(migrations.applied = applied, "database migrated");
    }
    seed_if_empty(conn)
}

/// Migrates, imports the bundled seed into an empty database, and loads the snapshot.
pub fn prepare(pool: &Pool, storage: &Storage) -> anyhow::Result<Dataset> {
    let started = std::time::Instant::now();
    let mut conn = pool.get().context("no database connection")?;
    migrate_and_seed(&mut conn)?;
    let prepared = started.elapsed();
    let dataset = load(&mut conn, storage)?;
    // The start-up time is measured and written down (docs/benchmarks.md): its parts are logged.
    tracing::info!(
        dataset.version = dataset.version,
        local_authorities = dataset.counts.local_authorities,
        inspections = dataset.counts.inspections,
        interventions = dataset.counts.interventions,
        migrate_and_seed_ms = prepared.as_millis() as u64,
        load_ms = (started.elapsed() - prepared).as_millis() as u64,
        "snapshot loaded"
    );
    cut_release(storage, &dataset);
    Ok(dataset)
}

/// Loads a new snapshot if the dataset version in the database moved. Returns whether it did.
pub fn reload_if_changed(state: &AppState) -> anyhow::Result<bool> {
    let _one_at_a_time = state.reloading.lock().unwrap_or_else(|e| e.into_inner());
    let mut conn = state.pool.get()?;
    let (version, _) = schema::stored::current_version(&mut conn)?;
    // Not older either: a database restored to an older version is a new start, not a reload
    // (and loading it only to throw it away would repeat at every tick).
    if version <= state.dataset().version {
        return Ok(false);
    }
    let started = std::time::Instant::now();
    let dataset = load(&mut conn, &state.storage)?;
    // Still not older: the database may have been restored while this loaded.
    if dataset.version < state.dataset().version {
        return Ok(false);
    }
    tracing::info!(
        dataset.version = dataset.version,
        load_ms = started.elapsed().as_millis() as u64,
        "snapshot reloaded"
    );
    state.replace(dataset);
    cut_release(&state.storage, &state.dataset());
    Ok(true)
}

/// Reloads the snapshot if the version moved and reads the sources' latest runs again: what a
/// tick of the reloader, a notification or a finished run here does.
pub fn refresh(state: &AppState) -> anyhow::Result<bool> {
    let reloaded = reload_if_changed(state)?;
    let mut conn = state.pool.get()?;
    state.freshness.refresh(&mut conn)?;
    Ok(reloaded)
}

/// Checks the database version every `interval` and swaps in a new snapshot when it changed:
/// the fallback when notifications do not arrive (SQLite, or a lost listener connection).
pub fn spawn_reloader(state: AppState, interval: Duration) {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(interval);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            let state = state.clone();
            match tokio::task::spawn_blocking(move || refresh(&state)).await {
                Ok(Ok(_)) => {}
                Ok(Err(e)) => {
                    tracing::warn!(error = %e, "snapshot reload failed; still serving the previous one")
                }
                Err(e) => tracing::error!(error = %e, "snapshot reload panicked"),
            }
        }
    });
}
