//! What every request passes before it reaches a route: bounds on its size, its client's rate
//! limit, HEAD answered as GET, and every error (whatever layer raised it) as a problem document,
//! or, on the website's paths, as an HTML page for people.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{Service, ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderMap, HeaderName, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::{ResponseError, web};

use crate::error::ApiError;
use crate::rate_limit::{Standing, seconds};
use crate::state::AppState;

/// Longest path accepted, in bytes.
pub const MAX_PATH_BYTES: usize = 2 * 1024;
/// Longest query string accepted, in bytes (a GraphQL query of the largest size, URL-encoded).
pub const MAX_QUERY_STRING_BYTES: usize = 64 * 1024;
/// Largest header value accepted, in bytes.
pub const MAX_HEADER_BYTES: usize = 8 * 1024;
/// Largest total of all headers, in bytes. (The HTTP layer itself refuses heads over 128 KiB
/// with a bare 431 before lacs sees them.)
pub const MAX_HEADERS_BYTES: usize = 32 * 1024;

/// The longest a request's head may take to arrive (actix's default, stated).
pub const HEAD_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);

type LocalBoxFuture<T> = std::pin::Pin<Box<dyn std::future::Future<Output = T>>>;

fn too_large(req: &ServiceRequest) -> Option<ApiError> {
    if req.path().len() > MAX_PATH_BYTES || req.query_string().len() > MAX_QUERY_STRING_BYTES {
        return Some(ApiError::refused(
            StatusCode::URI_TOO_LONG,
            format!("the path is limited to {MAX_PATH_BYTES} bytes and the query string to {MAX_QUERY_STRING_BYTES}"),
        ));
    }
    let mut total = 0;
    for (name, value) in req.headers() {
        let size = name.as_str().len() + value.len();
        total += size;
        if size > MAX_HEADER_BYTES || total > MAX_HEADERS_BYTES {
            return Some(ApiError::refused(
                StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
                format!(
                    "each header is limited to {MAX_HEADER_BYTES} bytes and all of them to {MAX_HEADERS_BYTES}; `{name}` passes the limit"
                ),
            ));
        }
    }
    None
}

fn rate_headers(headers: &mut HeaderMap, standing: Standing) {
    let mut set = |name: &'static str, value: String| {
        if let Ok(v) = HeaderValue::from_str(&value) {
            headers.insert(HeaderName::from_static(name), v);
        }
    };
    match standing {
        Standing::Exempt => {}
        Standing::Allowed { limit, remaining, reset } => {
            set("ratelimit-limit", limit.to_string());
            set("ratelimit-remaining", remaining.to_string());
            set("ratelimit-reset", seconds(reset).to_string());
        }
        Standing::Limited { limit, retry_after } => {
            set("ratelimit-limit", limit.to_string());
            set("ratelimit-remaining", "0".into());
            set("ratelimit-reset", seconds(retry_after).to_string());
            set("retry-after", seconds(retry_after).to_string());
        }
    }
}

/// Middleware: refuses oversized requests, charges the client one request (429 past its limit),
/// answers HEAD as GET (the HTTP layer drops the body and keeps the headers), and adds the
/// client's `RateLimit-*` headers to the response.
pub fn middleware<S, B>(
    mut req: ServiceRequest,
    srv: &S,
) -> LocalBoxFuture<Result<ServiceResponse<BoxBody>, actix_web::Error>>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = actix_web::Error>,
    S::Future: 'static,
    B: MessageBody + 'static,
{
    if let Some(error) = too_large(&req) {
        return Box::pin(std::future::ready(Ok(req.into_response(error.error_response()))));
    }
    if let Some(slot) = req.conn_data::<crate::connections::Slot>()
        && let Some(held) = slot.over
    {
        let error = ApiError::refused(
            StatusCode::TOO_MANY_REQUESTS,
            format!(
                "too many open connections from this address ({held}; the limit is {}); close some and retry (limits: /docs/limits)",
                slot.share()
            ),
        );
        return Box::pin(std::future::ready(Ok(req.into_response(crate::body::closing(error)))));
    }
    let state = req.app_data::<web::Data<AppState>>().cloned();
    let standing = match (&state, state.as_ref().and_then(|s| crate::origin::client(req.request(), &s.proxies))) {
        (Some(state), Some(ip)) => state.limits.charge(ip, 1),
        _ => Standing::Exempt,
    };
    if let Standing::Limited { .. } = standing {
        let mut response = ApiError::refused(
            StatusCode::TOO_MANY_REQUESTS,
            "too many requests from this address; wait for Retry-After seconds (limits: /docs/limits)",
        )
        .error_response();
        rate_headers(response.headers_mut(), standing);
        return Box::pin(std::future::ready(Ok(req.into_response(response))));
    }
    if req.method() == Method::HEAD {
        req.head_mut().method = Method::GET;
    }
    let call = srv.call(req);
    Box::pin(async move {
        let mut res = call.await?.map_into_boxed_body();
        // A handler that charged more (GraphQL, by a query's cost) says where the client stands now.
        let standing = res.response().extensions().get::<Standing>().copied().unwrap_or(standing);
        rate_headers(res.headers_mut(), standing);
        Ok(res)
    })
}

/// Middleware: any error response that is not already a problem document becomes one (actix's
/// own 404/405/413, CORS refusals, the docs UI's errors, errors returned by inner middleware),
/// keeping its status and the headers that explain it.
pub fn problems<S, B>(
    req: ServiceRequest,
    srv: &S,
) -> LocalBoxFuture<Result<ServiceResponse<BoxBody>, actix_web::Error>>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = actix_web::Error>,
    S::Future: 'static,
    B: MessageBody + 'static,
{
    let call = srv.call(req);
    Box::pin(async move {
        // An error raised by a middleware (CORS) has no request left to answer with: it is
        // re-raised as a problem, which the server renders.
        let res = match call.await {
            Ok(res) => res.map_into_boxed_body(),
            Err(e) => {
                let status = e.as_response_error().status_code();
                return Err(ApiError::refused(status, e.to_string()).into());
            }
        };
        let status = res.status();
        if !(status.is_client_error() || status.is_server_error()) {
            return Ok(res);
        }
        let content_type = res.headers().get(header::CONTENT_TYPE).map(|v| v.as_bytes().to_vec()).unwrap_or_default();
        // People get pages: an error on a page's path that is not one already becomes one.
        if crate::web::is_page(res.request().path()) {
            if content_type.starts_with(b"text/html") {
                return Ok(res);
            }
            return Ok(as_page(res).await);
        }
        // Problem documents, and GraphQL's own error responses, are already what they should be.
        if content_type.starts_with(b"application/problem+json") || content_type.starts_with(b"application/json") {
            return Ok(res);
        }
        let (request, response) = res.into_parts();
        let kept = kept_headers(response.headers());
        let text = actix_web::body::to_bytes_limited(response.into_body(), 1024).await.ok().and_then(Result::ok);
        let detail = text
            .as_ref()
            .and_then(|b| std::str::from_utf8(b).ok())
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_owned);
        let error = match status {
            StatusCode::NOT_FOUND => crate::lookup::no_resource(request.path()).into(),
            StatusCode::METHOD_NOT_ALLOWED => ApiError::MethodNotAllowed,
            _ => ApiError::refused(
                status,
                detail.unwrap_or_else(|| status.canonical_reason().unwrap_or("request refused").to_owned()),
            ),
        };
        let mut response = error.error_response();
        for (name, value) in kept {
            response.headers_mut().insert(name, value);
        }
        Ok(ServiceResponse::new(request, response.map_into_boxed_body()))
    })
}

/// An error response on a page's path, as an HTML page with the same status and the headers
/// that explain it: a problem document's title and detail, or the error's own text.
async fn as_page(res: ServiceResponse<BoxBody>) -> ServiceResponse<BoxBody> {
    let status = res.status();
    let (request, response) = res.into_parts();
    // The rate limit's headers too: a page refused for the rate says when to come back.
    let mut kept = kept_headers(response.headers());
    kept.extend(
        response
            .headers()
            .iter()
            .filter(|(n, _)| n.as_str().starts_with("ratelimit-"))
            .map(|(n, v)| (n.clone(), v.clone())),
    );
    let text = actix_web::body::to_bytes_limited(response.into_body(), 4096).await.ok().and_then(Result::ok);
    let problem: Option<serde_json::Value> = text.as_ref().and_then(|b| serde_json::from_slice(b).ok());
    let field = |name: &str| problem.as_ref().and_then(|p| p[name].as_str()).map(str::to_owned);
    let title = field("title").unwrap_or_else(|| status.canonical_reason().unwrap_or("Request refused").to_owned());
    let detail = field("detail")
        .or_else(|| {
            let plain = text.as_ref().and_then(|b| std::str::from_utf8(b).ok()).map(str::trim).unwrap_or_default();
            (!plain.is_empty() && problem.is_none()).then(|| plain.to_owned())
        })
        .unwrap_or_else(|| match status {
            StatusCode::NOT_FOUND => format!("There is no page at {}.", request.path()),
            StatusCode::METHOD_NOT_ALLOWED => "Pages answer GET and HEAD only.".to_owned(),
            _ => title.clone(),
        });
    let error = crate::web::error::PageError::from(ApiError::refused(status, detail.clone()));
    let detail = crate::web::error::sentence(&detail);
    let mut response = crate::web::error::response(status, &title, &detail, field("parameter").as_deref(), &error);
    // Pages answer GET and HEAD, as the page itself says; other headers keep what they said.
    for (name, value) in kept.into_iter().filter(|(name, _)| *name != header::ALLOW) {
        response.headers_mut().insert(name, value);
    }
    ServiceResponse::new(request, response.map_into_boxed_body())
}

fn kept_headers(headers: &HeaderMap) -> Vec<(HeaderName, HeaderValue)> {
    headers.iter().filter(|(name, _)| KEPT_HEADERS.contains(name)).map(|(n, v)| (n.clone(), v.clone())).collect()
}

/// Headers an error keeps when its body is rewritten as a problem document.
const KEPT_HEADERS: &[HeaderName] = &[
    header::ALLOW,
    header::RETRY_AFTER,
    header::CONTENT_RANGE,
    header::VARY,
    header::ACCESS_CONTROL_ALLOW_ORIGIN,
    header::ACCESS_CONTROL_EXPOSE_HEADERS,
];

/// Middleware (outside compression): a compressed body is a different representation from the
/// identity body, so it cannot carry the same strong validator; its `ETag` becomes weak.
pub fn weaken_encoded_etags<S, B>(
    req: ServiceRequest,
    srv: &S,
) -> LocalBoxFuture<Result<ServiceResponse<BoxBody>, actix_web::Error>>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = actix_web::Error>,
    S::Future: 'static,
    B: MessageBody + 'static,
{
    let call = srv.call(req);
    Box::pin(async move {
        let mut res = call.await?.map_into_boxed_body();
        let encoded = res.headers().get(header::CONTENT_ENCODING).is_some_and(|v| v.as_bytes() != b"identity");
        if encoded
            && let Some(etag) = res.headers().get(header::ETAG)
            && !etag.as_bytes().starts_with(b"W/")
            && let Ok(weak) = HeaderValue::from_bytes(&[b"W/", etag.as_bytes()].concat())
        {
            res.headers_mut().insert(header::ETAG, weak);
        }
        Ok(res)
    })
}
