//! Rendered responses, kept per dataset version: a response is a pure function of the dataset
//! version, the request (path, query, the format `Accept` negotiates) and the day (answers
//! without `as_at` describe today), so once rendered it can be served again byte for byte until
//! one of those changes. The raw headers are not part of the key, so a client cannot grow the
//! cache by varying them; responses made from other headers are not kept ([`Unkept`]).
//!
//! The cache is bounded by bytes and evicts (quick_cache's S3-FIFO: entries seen once leave
//! first), so filling it with one-off requests never stops it caching what is asked again.

use std::sync::{Arc, RwLock};

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{Service, ServiceRequest, ServiceResponse};
use actix_web::http::{Method, StatusCode, header};
use actix_web::{HttpResponse, web};
use chrono::NaiveDate;

/// The most bytes the kept responses hold (keys, headers and bodies, with what their
/// allocations cost besides), so that a full cache keeps the server within its memory budget.
pub const MAX_BYTES: u64 = 24 * 1024 * 1024;
/// The largest response kept: a sixteenth of the cache, so a few large lists cannot push out
/// everything else.
pub const MAX_ENTRY_BYTES: u64 = MAX_BYTES / 16;
/// How many responses a full cache is expected to hold (sizes its tables; not a bound).
const EXPECTED_ENTRIES: usize = 10_000;
/// What an entry and each of its headers cost beyond their bytes (map slot, `Arc`, vectors).
const ENTRY_OVERHEAD: usize = 256;
const HEADER_OVERHEAD: usize = 64;

/// One kept response: its headers and body as first sent.
pub struct Cached {
    /// What it costs to keep, in bytes (with its key).
    weight: u64,
    headers: Vec<(header::HeaderName, header::HeaderValue)>,
    etag: header::HeaderValue,
    body: web::Bytes,
    /// What serving it again costs the client beyond the one request (a GraphQL query's
    /// complexity), the same as the first time.
    pub charge: u32,
}

impl Cached {
    /// The response again, byte for byte, or 304 when `If-None-Match` names it.
    pub fn response(&self, request_headers: &header::HeaderMap) -> HttpResponse {
        let fresh = crate::conditional::if_none_match(request_headers, self.etag.as_bytes());
        let mut response = if fresh { HttpResponse::NotModified() } else { HttpResponse::Ok() };
        for (name, value) in &self.headers {
            response.insert_header((name.clone(), value.clone()));
        }
        let mut response = if fresh { response.finish() } else { response.body(self.body.clone()) };
        response.extensions_mut().insert(Kept);
        response.extensions_mut().insert(crate::metrics::CacheHit);
        response
    }
}

/// Marks a response that is never kept: it changes without the dataset version changing
/// (`/v1/meta`'s freshness), or depends on request headers the key leaves out (absolute links
/// made from `Host` when no public URL is configured).
#[derive(Clone, Copy)]
pub struct Unkept;

/// Marks a response its handler keeps itself (under a key of its own, as GraphQL does), so the
/// middleware does not keep it a second time.
#[derive(Clone, Copy)]
pub struct Kept;

/// The dataset version and day the kept responses answer for.
#[derive(Default, Clone, Copy, PartialEq, Eq)]
struct Generation {
    version: i64,
    day: Option<NaiveDate>,
}

#[derive(Clone)]
struct ByBytes;

impl quick_cache::Weighter<String, Arc<Cached>> for ByBytes {
    fn weight(&self, _key: &String, value: &Arc<Cached>) -> u64 {
        value.weight
    }
}

/// What the cache needs of the application state: the version being served and the cache.
/// The state implements it, so the cache does not depend on the state's type.
pub trait Host: 'static {
    /// The dataset version requests are answered from now.
    fn dataset_version(&self) -> i64;
    /// The cache of that state.
    fn response_cache(&self) -> &ResponseCache;
}

/// The cache of rendered responses.
pub struct ResponseCache {
    generation: RwLock<Generation>,
    entries: quick_cache::sync::Cache<String, Arc<Cached>, ByBytes>,
}

impl Default for ResponseCache {
    fn default() -> ResponseCache {
        ResponseCache {
            generation: RwLock::default(),
            entries: quick_cache::sync::Cache::with_weighter(EXPECTED_ENTRIES, MAX_BYTES, ByBytes),
        }
    }
}

impl ResponseCache {
    /// How many responses it holds, and their bytes.
    pub fn size(&self) -> (usize, u64) {
        (self.entries.len(), self.entries.weight())
    }

    fn current(&self, version: i64, day: NaiveDate) -> bool {
        *self.generation.read().unwrap_or_else(|e| e.into_inner()) == Generation { version, day: Some(day) }
    }

    /// The response kept under `key` for this dataset version and day.
    pub fn get(&self, version: i64, day: NaiveDate, key: &str) -> Option<Arc<Cached>> {
        if !self.current(version, day) {
            return None;
        }
        self.entries.get(key)
    }

    fn put(&self, version: i64, day: NaiveDate, key: String, mut value: Cached) {
        let headers: usize = value.headers.iter().map(|(n, v)| n.as_str().len() + v.len() + HEADER_OVERHEAD).sum();
        value.weight = (ENTRY_OVERHEAD + key.len() + value.body.len() + headers) as u64;
        if value.weight > MAX_ENTRY_BYTES {
            return;
        }
        if !self.current(version, day) {
            let mut generation = self.generation.write().unwrap_or_else(|e| e.into_inner());
            // A request answered from the snapshot a reload has just replaced must not empty the
            // cache of the newer one.
            if version < generation.version {
                return;
            }
            if *generation != (Generation { version, day: Some(day) }) {
                *generation = Generation { version, day: Some(day) };
                self.entries.clear();
            }
        }
        self.entries.insert(key, Arc::new(value));
    }

    /// Keeps a 200 response that carries an `ETag` under `key` (when it fits the bounds) and
    /// hands it back marked [`Kept`]; anything else is handed back as it is.
    pub fn keep(&self, version: i64, day: NaiveDate, key: String, response: HttpResponse, charge: u32) -> HttpResponse {
        let Some(etag) = response.headers().get(header::ETAG).cloned() else { return response };
        if response.status() != StatusCode::OK {
            return response;
        }
        let (head, body) = response.into_parts();
        let body = match body.try_into_bytes() {
            Ok(bytes) => bytes,
            Err(body) => return head.set_body(body),
        };
        let headers = head.headers().iter().map(|(n, v)| (n.clone(), v.clone())).collect();
        let kept = web::Bytes::copy_from_slice(&body);
        self.put(version, day, key, Cached { weight: 0, headers, etag, body: kept, charge });
        let mut response = head.set_body(BoxBody::new(body));
        response.extensions_mut().insert(Kept);
        response
    }
}

fn key(req: &ServiceRequest) -> String {
    let format = crate::format::Format::accepted(req.headers());
    format!("{}?{}\n{format:?}", req.path(), req.query_string())
}

fn answer(req: ServiceRequest, hit: &Cached) -> ServiceResponse<BoxBody> {
    let response = hit.response(req.headers());
    req.into_response(response)
}

type LocalBoxFuture<'a, T> = std::pin::Pin<Box<dyn std::future::Future<Output = T> + 'a>>;

/// Middleware: serves GETs from the cache, and caches 200 responses that carry an `ETag`.
pub fn middleware<H: Host, S>(
    req: ServiceRequest,
    srv: &S,
) -> LocalBoxFuture<'static, Result<ServiceResponse<BoxBody>, actix_web::Error>>
where
    S: Service<ServiceRequest, Response = ServiceResponse<BoxBody>, Error = actix_web::Error>,
    S::Future: 'static,
{
    let state = req.app_data::<web::Data<H>>().cloned();
    let Some(state) = state.filter(|_| req.method() == Method::GET) else { return Box::pin(srv.call(req)) };
    let version = state.dataset_version();
    let day = schema::query::today();
    let key = key(&req);
    if let Some(hit) = state.response_cache().get(version, day, &key) {
        return Box::pin(std::future::ready(Ok(answer(req, &hit))));
    }
    let call = srv.call(req);
    Box::pin(async move {
        let res = call.await?;
        let Some(etag) = res.headers().get(header::ETAG).cloned() else { return Ok(res) };
        let extensions = res.response().extensions();
        let unkept = extensions.contains::<Kept>() || extensions.contains::<Unkept>();
        drop(extensions);
        if res.status() != StatusCode::OK || unkept {
            return Ok(res);
        }
        let (req, response) = res.into_parts();
        let (head, body) = response.into_parts();
        // Streamed bodies (files) are not kept: they are served from disk anyway.
        let body = match body.try_into_bytes() {
            Ok(bytes) => bytes,
            Err(body) => return Ok(ServiceResponse::new(req, head.set_body(body))),
        };
        let headers = head.headers().iter().map(|(n, v)| (n.clone(), v.clone())).collect();
        // A copy sized to the body: the rendered buffer may hold twice its length.
        let kept = web::Bytes::copy_from_slice(&body);
        state.response_cache().put(version, day, key, Cached { weight: 0, headers, etag, body: kept, charge: 0 });
        Ok(ServiceResponse::new(req, head.set_body(BoxBody::new(body))))
    })
}
