//! What every request can reach: the current snapshot and the database pool.

use std::sync::Arc;

use arc_swap::ArcSwap;
use schema::{Dataset, Pool};

/// Shared by all workers. Cloning is cheap.
#[derive(Clone)]
pub struct AppState {
    /// The database pool (for readiness and reloads; requests read the snapshot).
    pub pool: Pool,
    /// `postgresql` or `sqlite`.
    pub backend: &'static str,
    snapshot: Arc<ArcSwap<Dataset>>,
    /// Rendered responses of the current dataset version.
    pub cache: Arc<crate::cache::ResponseCache>,
    /// Releases and archived documents on disk.
    pub storage: crate::storage::Storage,
    /// The address clients reach this server at (`LACS_PUBLIC_URL`), for absolute links in feeds.
    pub public_url: Option<String>,
    /// Rate limits per client address.
    pub limits: Arc<crate::rate_limit::ClientLimits>,
    /// The proxies whose forwarded headers are believed (client address, public base).
    pub proxies: crate::origin::TrustedProxies,
    /// What `/metrics` exposes.
    pub metrics: Arc<crate::metrics::Metrics>,
    /// How current each scheduled source is.
    pub freshness: Arc<crate::freshness::Freshness>,
    /// When the snapshot served now was loaded.
    loaded_at: Arc<ArcSwap<std::time::Instant>>,
    /// Held while a snapshot is loaded, so that two triggers (timer, notification, a run here)
    /// do not load it twice at once.
    pub reloading: Arc<std::sync::Mutex<()>>,
}

impl AppState {
    /// A state serving `dataset`.
    pub fn new(pool: Pool, backend: &'static str, dataset: Dataset, storage: crate::storage::Storage) -> Self {
        AppState {
            pool,
            backend,
            snapshot: Arc::new(ArcSwap::from_pointee(dataset)),
            cache: Default::default(),
            storage,
            public_url: None,
            limits: Arc::new(crate::rate_limit::ClientLimits::new(Default::default())),
            proxies: Default::default(),
            metrics: Default::default(),
            freshness: Arc::new(crate::freshness::Freshness::new(Vec::new())),
            loaded_at: Arc::new(ArcSwap::from_pointee(std::time::Instant::now())),
            reloading: Default::default(),
        }
    }

    /// How long ago the snapshot served now was loaded.
    pub fn snapshot_age(&self) -> std::time::Duration {
        self.loaded_at.load().elapsed()
    }

    /// The snapshot for one request: a consistent view even if a reload swaps in a new one meanwhile.
    pub fn dataset(&self) -> Arc<Dataset> {
        self.snapshot.load_full()
    }

    /// Publishes a new snapshot.
    pub fn replace(&self, dataset: Dataset) {
        self.snapshot.store(Arc::new(dataset));
        self.loaded_at.store(Arc::new(std::time::Instant::now()));
    }
}

impl crate::cache::Host for AppState {
    fn dataset_version(&self) -> i64 {
        self.snapshot.load().version
    }

    fn response_cache(&self) -> &crate::cache::ResponseCache {
        &self.cache
    }
}
