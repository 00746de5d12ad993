//! `GET /metrics`: what the server did and how current its data is, in the Prometheus text
//! exposition (OpenMetrics 1.0, by the official `prometheus-client`). Every label has a bounded
//! set of values: routes are the route table's templates (`/v1/local-authorities/{id}`, never
//! the path asked for), every path no route took is `unmatched`, methods outside HTTP's own are
//! `other`, sources and refusal codes come from lacs's own lists.

use std::sync::atomic::AtomicU64;
use std::time::Instant;

use actix_web::body::BoxBody;
use actix_web::dev::{Service, ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::{HttpResponse, web};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;
use schema::rows::FetchRun;

use crate::state::AppState;

/// The route label of a request no route took.
pub const UNMATCHED: &str = "unmatched";

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    route: String,
    method: &'static str,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    route: String,
    method: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct CodeLabels {
    code: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct SourceLabels {
    source: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OutcomeLabels {
    source: String,
    outcome: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RecordLabels {
    source: String,
    kind: &'static str,
}

type Seconds = Gauge<f64, AtomicU64>;
type Histograms<L> = Family<L, Histogram, fn() -> Histogram>;

fn latency_histogram() -> Histogram {
    // 0.1 ms to about 6.5 s.
    Histogram::new(exponential_buckets(0.0001, 3.0, 11))
}

/// Every series lacs exposes, registered once.
pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: Histograms<RouteLabels>,
    cache_hits: Counter,
    cache_entries: Gauge,
    cache_bytes: Gauge,
    graphql_complexity: Histogram,
    graphql_refusals: Family<CodeLabels, Counter>,
    rate_limited: Counter,
    dataset_version: Gauge,
    dataset_updated: Seconds,
    snapshot_age: Seconds,
    fetch_runs: Family<OutcomeLabels, Counter>,
    fetch_records: Family<RecordLabels, Counter>,
    fetch_in_progress: Family<SourceLabels, Gauge>,
    fetch_ticks: Family<OutcomeLabels, Counter>,
    fetch_last_success: Family<SourceLabels, Seconds>,
    fetch_stale: Family<SourceLabels, Gauge>,
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}

impl Metrics {
    /// A registry with every series at zero.
    pub fn new() -> Metrics {
        let mut registry = Registry::with_prefix("lacs");
        let m = Metrics {
            requests: Family::default(),
            latency: Family::new_with_constructor(latency_histogram),
            cache_hits: Counter::default(),
            cache_entries: Gauge::default(),
            cache_bytes: Gauge::default(),
            graphql_complexity: Histogram::new(exponential_buckets(1.0, 4.0, 9)),
            graphql_refusals: Family::default(),
            rate_limited: Counter::default(),
            dataset_version: Gauge::default(),
            dataset_updated: Seconds::default(),
            snapshot_age: Seconds::default(),
            fetch_runs: Family::default(),
            fetch_records: Family::default(),
            fetch_in_progress: Family::default(),
            fetch_ticks: Family::default(),
            fetch_last_success: Family::default(),
            fetch_stale: Family::default(),
            registry: Registry::default(),
        };
        registry.register(
            "http_requests",
            "HTTP requests answered, by route template, method and status",
            m.requests.clone(),
        );
        registry.register(
            "http_request_duration_seconds",
            "Time to answer a request, by route template and method",
            m.latency.clone(),
        );
        registry.register("response_cache_hits", "Requests answered from the response cache", m.cache_hits.clone());
        registry.register("response_cache_entries", "Responses the cache holds", m.cache_entries.clone());
        registry.register("response_cache_bytes", "Bytes the response cache holds", m.cache_bytes.clone());
        registry.register(
            "graphql_complexity",
            "Complexity of the GraphQL documents that passed the limits and ran",
            m.graphql_complexity.clone(),
        );
        registry.register(
            "graphql_refusals",
            "GraphQL requests refused for a limit, by error code",
            m.graphql_refusals.clone(),
        );
        registry.register(
            "rate_limit_refusals",
            "Requests refused with 429 for the client's rate",
            m.rate_limited.clone(),
        );
        registry.register("dataset_version", "The dataset version this server answers from", m.dataset_version.clone());
        registry.register(
            "dataset_updated_timestamp_seconds",
            "When the served data last changed (Unix time)",
            m.dataset_updated.clone(),
        );
        registry.register(
            "snapshot_age_seconds",
            "Seconds since this server loaded the snapshot it answers from",
            m.snapshot_age.clone(),
        );
        registry.register("fetch_runs", "Fetch runs this server ran, by source and outcome", m.fetch_runs.clone());
        registry.register(
            "fetch_records",
            "Records of the fetch runs this server ran, by source and kind (seen, new, changed, deleted, failed)",
            m.fetch_records.clone(),
        );
        registry.register(
            "fetch_in_progress",
            "1 while this server runs a fetch of the source",
            m.fetch_in_progress.clone(),
        );
        registry.register(
            "fetch_ticks",
            "Fire times of a source's schedule this server handled, by what it did: ran, busy (another \
             process held the lock), already_ran (another process ran this tick), failed",
            m.fetch_ticks.clone(),
        );
        registry.register(
            "fetch_last_success_timestamp_seconds",
            "When the source's latest successful run (by any process) finished (Unix time)",
            m.fetch_last_success.clone(),
        );
        registry.register(
            "fetch_stale",
            "1 when the source's latest success is older than three of its intervals",
            m.fetch_stale.clone(),
        );
        Metrics { registry, ..m }
    }

    /// Counts a GraphQL document that ran, with its complexity.
    pub fn graphql_ran(&self, complexity: usize) {
        self.graphql_complexity.observe(complexity as f64);
    }

    /// Counts a GraphQL request refused with `code` (one of `graphql::codes`).
    pub fn graphql_refused(&self, code: &'static str) {
        self.graphql_refusals.get_or_create(&CodeLabels { code }).inc();
    }

    /// Counts a request refused for its client's rate.
    pub fn rate_limited(&self) {
        self.rate_limited.inc();
    }

    /// Marks a run of `source` as in progress here, or no longer.
    pub fn fetch_running(&self, source: &str, running: bool) {
        self.fetch_in_progress.get_or_create(&SourceLabels { source: source.to_owned() }).set(i64::from(running));
    }

    /// Counts a fire time of `source`'s schedule and what this server did at it.
    pub fn fetch_tick(&self, source: &str, outcome: &'static str) {
        self.fetch_ticks.get_or_create(&OutcomeLabels { source: source.to_owned(), outcome }).inc();
    }

    /// Counts a finished run this server ran.
    pub fn fetch_finished(&self, run: &FetchRun) {
        let source = run.source.clone();
        self.fetch_runs.get_or_create(&OutcomeLabels { source: source.clone(), outcome: run.status.as_str() }).inc();
        for (kind, n) in [
            ("seen", run.seen),
            ("new", run.created),
            ("changed", run.changed),
            ("deleted", run.deleted),
            ("failed", run.failed),
        ] {
            self.fetch_records.get_or_create(&RecordLabels { source: source.clone(), kind }).inc_by(n.max(0) as u64);
        }
    }

    /// The exposition, with the gauges read from `state` now.
    pub fn render(&self, state: &AppState) -> String {
        let dataset = state.dataset();
        self.dataset_version.set(dataset.version);
        self.dataset_updated.set(dataset.updated_at.timestamp_millis() as f64 / 1000.0);
        self.snapshot_age.set(state.snapshot_age().as_secs_f64());
        let (entries, bytes) = state.cache.size();
        self.cache_entries.set(entries as i64);
        self.cache_bytes.set(bytes as i64);
        for source in state.freshness.report(chrono::Utc::now()) {
            let labels = SourceLabels { source: source.source.clone() };
            self.fetch_stale.get_or_create(&labels).set(i64::from(source.stale));
            if let Some(success) = &source.last_success {
                let at = success.finished_at.unwrap_or(success.started_at);
                self.fetch_last_success.get_or_create(&labels).set(at.timestamp_millis() as f64 / 1000.0);
            }
            let _ = self.fetch_in_progress.get_or_create(&labels);
        }
        let mut out = String::new();
        // Writing to a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut out, &self.registry);
        out
    }
}

/// A method as a label: HTTP's own, or `other` (a client may send any token).
fn method_label(method: &Method) -> &'static str {
    const KNOWN: [(Method, &str); 9] = [
        (Method::GET, "GET"),
        (Method::HEAD, "HEAD"),
        (Method::POST, "POST"),
        (Method::PUT, "PUT"),
        (Method::DELETE, "DELETE"),
        (Method::OPTIONS, "OPTIONS"),
        (Method::PATCH, "PATCH"),
        (Method::TRACE, "TRACE"),
        (Method::CONNECT, "CONNECT"),
    ];
    KNOWN.iter().find(|(m, _)| m == method).map_or("other", |(_, name)| name)
}

/// Marks a response answered from the response cache.
#[derive(Clone, Copy)]
pub struct CacheHit;

type LocalBoxFuture<T> = std::pin::Pin<Box<dyn std::future::Future<Output = T>>>;

/// Middleware (outermost): counts every request by route template, method and status, and times it.
pub fn middleware<S>(req: ServiceRequest, srv: &S) -> LocalBoxFuture<Result<ServiceResponse<BoxBody>, actix_web::Error>>
where
    S: Service<ServiceRequest, Response = ServiceResponse<BoxBody>, Error = actix_web::Error>,
    S::Future: 'static,
{
    let started = Instant::now();
    let method = method_label(req.method());
    let state = req.app_data::<web::Data<AppState>>().cloned();
    let call = srv.call(req);
    Box::pin(async move {
        let res = call.await?;
        if let Some(state) = state {
            let metrics = &state.metrics;
            let route = res.request().match_pattern().unwrap_or_else(|| UNMATCHED.to_owned());
            let status = res.status().as_u16();
            if res.response().extensions().contains::<CacheHit>() {
                metrics.cache_hits.inc();
            }
            if status == 429 {
                metrics.rate_limited();
            }
            metrics.requests.get_or_create(&RequestLabels { route: route.clone(), method, status }).inc();
            metrics.latency.get_or_create(&RouteLabels { route, method }).observe(started.elapsed().as_secs_f64());
        }
        Ok(res)
    })
}

/// `GET /metrics`.
pub async fn get_metrics(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/openmetrics-text; version=1.0.0; charset=utf-8")
        .insert_header((actix_web::http::header::CACHE_CONTROL, "no-store"))
        .body(state.metrics.render(&state))
}
