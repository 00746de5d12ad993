//! Request bodies: a body with a content coding is refused before anything reads it, so that no
//! library ever inflates one (a few kilobytes of brotli can inflate to gigabytes); the route
//! that wants a body reads it whole, bounded in size and in time.

use std::time::Duration;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{Service, ServiceRequest, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{ResponseError, web};
use futures_util::StreamExt;

use crate::error::ApiError;

/// Largest request body (`POST /graphql`), in bytes.
pub const MAX_BODY_BYTES: usize = 64 * 1024;
/// The longest a body may take to arrive once its route starts reading it.
pub const BODY_TIMEOUT: Duration = Duration::from_secs(10);

type LocalBoxFuture<T> = std::pin::Pin<Box<dyn std::future::Future<Output = T>>>;

/// Why a body is refused before it is read: a content coding (415), or a declared length past
/// the bound (413).
fn refusal(req: &ServiceRequest) -> Option<actix_web::HttpResponse> {
    let headers = req.headers();
    if let Some(coding) = headers.get(header::CONTENT_ENCODING)
        && !coding.as_bytes().eq_ignore_ascii_case(b"identity")
    {
        let coding = String::from_utf8_lossy(coding.as_bytes()).chars().take(40).collect::<String>();
        let mut response = ApiError::refused(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            format!("request bodies are accepted uncompressed only (Content-Encoding `{coding}`); send it without a Content-Encoding"),
        )
        .error_response();
        response.headers_mut().insert(header::ACCEPT_ENCODING, HeaderValue::from_static("identity"));
        return Some(response);
    }
    let declared = headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
    if declared.is_some_and(|n| n > MAX_BODY_BYTES as u64) {
        return Some(too_large().error_response());
    }
    None
}

fn too_large() -> ApiError {
    ApiError::refused(StatusCode::PAYLOAD_TOO_LARGE, format!("the request body is limited to {MAX_BODY_BYTES} bytes"))
}

/// Middleware: refuses a content-coded body, or one declared too large, before any route reads it.
pub fn middleware<S, B>(
    req: ServiceRequest,
    srv: &S,
) -> LocalBoxFuture<Result<ServiceResponse<BoxBody>, actix_web::Error>>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = actix_web::Error>,
    S::Future: 'static,
    B: MessageBody + 'static,
{
    if let Some(mut response) = refusal(&req) {
        // The unread body stays on the connection: it cannot carry another request.
        response.head_mut().set_connection_type(actix_web::http::ConnectionType::Close);
        return Box::pin(std::future::ready(Ok(req.into_response(response))));
    }
    let call = srv.call(req);
    Box::pin(async move { Ok(call.await?.map_into_boxed_body()) })
}

/// Reads a request's body whole: at most [`MAX_BODY_BYTES`], arriving within [`BODY_TIMEOUT`].
pub async fn read(mut payload: web::Payload) -> Result<web::Bytes, ApiError> {
    let collect = async {
        let mut body = web::BytesMut::new();
        while let Some(chunk) = payload.next().await {
            let chunk =
                chunk.map_err(|e| ApiError::refused(StatusCode::BAD_REQUEST, format!("the request body: {e}")))?;
            if body.len() + chunk.len() > MAX_BODY_BYTES {
                return Err(too_large());
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body.freeze())
    };
    tokio::time::timeout(BODY_TIMEOUT, collect).await.unwrap_or_else(|_| {
        Err(ApiError::refused(
            StatusCode::REQUEST_TIMEOUT,
            format!("the request body did not arrive within {} seconds", BODY_TIMEOUT.as_secs()),
        ))
    })
}

/// An error reading a body as a response that closes the connection: what is left of the body
/// is still on it.
pub fn closing(error: ApiError) -> actix_web::HttpResponse {
    let mut response = error.error_response();
    response.head_mut().set_connection_type(actix_web::http::ConnectionType::Close);
    response
}
