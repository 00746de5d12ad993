//! Settings, from the command line and the environment (never a global).

use std::path::PathBuf;
use std::time::Duration;

use schema::DatabaseUrl;

/// Where the data lives and how the server listens.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The database: `DATABASE_URL`, or a SQLite file in the data directory.
    pub database: DatabaseUrl,
    /// Address to listen on (`LACS_BIND`, default `127.0.0.1:8080`).
    pub bind: String,
    /// How often a replica checks the database for a new dataset version.
    pub reload_interval: Duration,
    /// Largest number of database connections.
    pub pool_size: u32,
    /// Where releases are cut (`<data dir>/releases`) and documents archived.
    pub storage: crate::storage::Storage,
    /// The address clients reach this server at, e.g. `https://lacs.example.org`.
    pub public_url: Option<String>,
    /// Wall-clock budget of one GraphQL request.
    pub graphql_budget: Duration,
    /// Rate limits per client address.
    pub rate_limits: crate::rate_limit::RateLimitSettings,
    /// The proxies in front whose `Forwarded`/`X-Forwarded-*` headers are believed.
    pub proxies: crate::origin::TrustedProxies,
    /// Connections one client address may hold open at once (0: no cap per address).
    pub max_connections_per_client: usize,
    /// Every fetch job with its schedule (`LACS_SCHEDULE`, `LACS_SCHEDULE_<SOURCE>`); a job
    /// whose schedule is `None` is not run by this server, but its freshness is still shown.
    pub jobs: Vec<crate::jobs::Job>,
    /// Where scheduled runs fetch from.
    pub upstreams: std::sync::Arc<crate::jobs::Upstreams>,
}

impl Settings {
    /// Chooses the database: an explicit URL, or `sqlite://<data_dir>/lacs.db`.
    pub fn database(url: Option<&str>, data_dir: &std::path::Path) -> anyhow::Result<DatabaseUrl> {
        match url.filter(|u| !u.trim().is_empty()) {
            Some(url) => Ok(DatabaseUrl::parse(url.trim())?),
            None => Ok(DatabaseUrl::Sqlite(data_dir.join("lacs.db"))),
        }
    }
}

/// The default data directory, relative to where `lacs` runs.
pub fn default_data_dir() -> PathBuf {
    PathBuf::from("lacs-data")
}
