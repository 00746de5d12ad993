//! Rendered responses, kept per dataset version: a response is a pure function of the dataset
//! version, the request (path, query, the format `Accept` negotiates) and the day (answers
//! without `as_at` describe today), so once rendered it can be served again byte for byte until
//! one of those changes. The raw headers are not part of the key, so a client cannot grow the
//! cache by varying them; responses that vary by `Host` are not kept.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{Service, ServiceRequest, ServiceResponse};
use actix_web::http::{Method, StatusCode, header};
use actix_web::{HttpResponse, web};
use chrono::NaiveDate;

/// At most this many responses are kept …
const MAX_ENTRIES: usize = 10_000;
/// … holding at most this many bytes (keys, headers and bodies, with what their allocations
/// cost besides), so that a full cache keeps the server within its memory budget.
const MAX_BYTES: usize = 24 * 1024 * 1024;
/// What an entry and each of its headers cost beyond their bytes (map slot, `Arc`, vectors).
const ENTRY_OVERHEAD: usize = 256;
const HEADER_OVERHEAD: usize = 64;

/// One kept response: its headers and body as first sent.
pub struct Cached {
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

/// Marks a response that changes without the dataset version changing (`/v1/meta`'s
/// freshness): never kept.
#[derive(Clone, Copy)]
pub struct Live;

/// Marks a response its handler keeps itself (under a key of its own, as GraphQL does), so the
/// middleware does not keep it a second time.
#[derive(Clone, Copy)]
pub struct Kept;

#[derive(Default)]
struct Inner {
    version: i64,
    day: Option<NaiveDate>,
    entries: HashMap<String, Arc<Cached>>,
    bytes: usize,
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
#[derive(Default)]
pub struct ResponseCache {
    inner: RwLock<Inner>,
}

impl ResponseCache {
    /// How many responses it holds, and their bytes.
    pub fn size(&self) -> (usize, usize) {
        let inner = self.inner.read().unwrap_or_else(|e| e.into_inner());
        (inner.entries.len(), inner.bytes)
    }

    /// The response kept under `key` for this dataset version and day.
    pub fn get(&self, version: i64, day: NaiveDate, key: &str) -> Option<Arc<Cached>> {
        let inner = self.inner.read().unwrap_or_else(|e| e.into_inner());
        if inner.version != version || inner.day != Some(day) {
            return None;
        }
        inner.entries.get(key).cloned()
    }

    fn put(&self, version: i64, day: NaiveDate, key: String, value: Cached) {
        let mut inner = self.inner.write().unwrap_or_else(|e| e.into_inner());
        // A request answered from the snapshot a reload has just replaced must not empty the
        // cache of the newer one.
        if version < inner.version {
            return;
        }
        if inner.version != version || inner.day != Some(day) {
            *inner = Inner { version, day: Some(day), ..Inner::default() };
        }
        let headers: usize = value.headers.iter().map(|(n, v)| n.as_str().len() + v.len() + HEADER_OVERHEAD).sum();
        let size = ENTRY_OVERHEAD + key.len() + value.body.len() + headers;
        if inner.entries.len() >= MAX_ENTRIES || inner.bytes + size > MAX_BYTES {
            return;
        }
        inner.bytes += size;
        inner.entries.insert(key, Arc::new(value));
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
        self.put(version, day, key, Cached { headers, etag, body: kept, charge });
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
        let varies_by_host = res
            .headers()
            .get_all(header::VARY)
            .any(|v| v.to_str().is_ok_and(|v| v.split(',').any(|name| name.trim().eq_ignore_ascii_case("host"))));
        let extensions = res.response().extensions();
        let unkept = extensions.contains::<Kept>() || extensions.contains::<Live>();
        drop(extensions);
        if res.status() != StatusCode::OK || varies_by_host || unkept {
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
        state.response_cache().put(version, day, key, Cached { headers, etag, body: kept, charge: 0 });
        Ok(ServiceResponse::new(req, head.set_body(BoxBody::new(body))))
    })
}
