//! Files from disk (release files, archived documents) as RFC 9110 says: a strong validator,
//! `If-None-Match` → 304, one byte range → 206 (with `If-Range` honoured only when it names the
//! current file), an unsatisfiable range → 416; anything else in `Range` (unparseable, several
//! ranges) is ignored and the whole file is sent.

use std::io::{Read, Seek, SeekFrom};
use std::path::Path;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::UNIX_EPOCH;

use actix_web::body::{BodySize, MessageBody};
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, ResponseError, web};

use crate::error::ApiError;

/// What a `Range` header asks for, once judged against the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Wanted {
    /// The whole file.
    All,
    /// Bytes `start..=end`.
    Part { start: u64, end: u64 },
    /// A range that starts past the end.
    Unsatisfiable,
}

/// Judges a `Range` value against a file of `len` bytes. Only one `bytes` range is served;
/// several, other units and syntax errors mean the whole file.
fn wanted(range: &str, len: u64) -> Wanted {
    let Some(spec) = range.trim().strip_prefix("bytes=") else { return Wanted::All };
    if spec.contains(',') {
        return Wanted::All;
    }
    let Some((first, last)) = spec.trim().split_once('-') else { return Wanted::All };
    let (first, last) = (first.trim(), last.trim());
    let number = |s: &str| s.bytes().all(|b| b.is_ascii_digit()).then(|| s.parse::<u64>().ok()).flatten();
    match (first.is_empty(), last.is_empty()) {
        // `-n`: the last n bytes.
        (true, false) => match number(last) {
            Some(n) if n > 0 && len > 0 => Wanted::Part { start: len.saturating_sub(n), end: len - 1 },
            Some(_) => Wanted::Unsatisfiable,
            None => Wanted::All,
        },
        (false, _) => {
            let Some(start) = number(first) else { return Wanted::All };
            let end = if last.is_empty() { Some(u64::MAX) } else { number(last) };
            match end {
                None => Wanted::All,
                Some(end) if end < start => Wanted::All,
                Some(_) if start >= len => Wanted::Unsatisfiable,
                Some(end) => Wanted::Part { start, end: end.min(len - 1) },
            }
        }
        (true, true) => Wanted::All,
    }
}

/// Whether `If-Range` (absent, an entity tag or a date) lets the range apply: only an exact
/// match of the current strong validator does, so a resumed download never mixes two files.
fn range_applies(req: &HttpRequest, etag: &str, last_modified: &str) -> bool {
    match req.headers().get(header::IF_RANGE).and_then(|v| v.to_str().ok()).map(str::trim) {
        None => true,
        Some(tag) if tag.starts_with('"') || tag.starts_with("W/") => tag == etag,
        Some(date) => date == last_modified,
    }
}

/// Serves the file at `path` as `name` (for `Content-Disposition`) with `content_type`.
pub fn serve(req: &HttpRequest, path: &Path, name: &str, content_type: &str) -> Result<HttpResponse, ApiError> {
    let not_found = || ApiError::NotFound(format!("no file `{name}`"));
    let mut file = std::fs::File::open(path).map_err(|_| not_found())?;
    let meta = file.metadata().map_err(|_| not_found())?;
    if !meta.is_file() {
        return Err(not_found());
    }
    let len = meta.len();
    let modified = meta.modified().unwrap_or(UNIX_EPOCH);
    let stamp = modified.duration_since(UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or_default();
    // Files are written once and never changed in place, so size and time identify the bytes.
    let etag = format!("\"{len:x}-{stamp:x}\"");
    let last_modified = header::HttpDate::from(modified).to_string();

    let mut response = HttpResponse::Ok();
    response
        .insert_header((header::ETAG, etag.clone()))
        .insert_header((header::LAST_MODIFIED, last_modified.clone()))
        .insert_header((header::CACHE_CONTROL, format!("public, max-age={}", crate::conditional::MAX_AGE_SECS)))
        .insert_header((header::ACCEPT_RANGES, "bytes"))
        .insert_header((header::CONTENT_DISPOSITION, format!("attachment; filename=\"{}\"", name.replace('"', ""))));
    if crate::conditional::if_none_match(req.headers(), etag.as_bytes()) {
        return Ok(response.status(StatusCode::NOT_MODIFIED).finish());
    }
    let range = req.headers().get(header::RANGE).and_then(|v| v.to_str().ok());
    let wanted = match range {
        Some(range) if range_applies(req, &etag, &last_modified) => wanted(range, len),
        _ => Wanted::All,
    };
    let (start, end) = match wanted {
        Wanted::All => (0, len.saturating_sub(1)),
        Wanted::Part { start, end } => (start, end),
        Wanted::Unsatisfiable => {
            let mut refused = ApiError::refused(
                StatusCode::RANGE_NOT_SATISFIABLE,
                format!("the range `{}` starts past the end of the file ({len} bytes)", range.unwrap_or_default()),
            )
            .error_response();
            if let Ok(v) = HeaderValue::from_str(&format!("bytes */{len}")) {
                refused.headers_mut().insert(header::CONTENT_RANGE, v);
            }
            return Ok(refused);
        }
    };
    if let Wanted::Part { .. } = wanted {
        // A part is bytes of the identity body: it must not be compressed.
        response
            .status(StatusCode::PARTIAL_CONTENT)
            .insert_header((header::CONTENT_RANGE, format!("bytes {start}-{end}/{len}")))
            .insert_header((header::CONTENT_ENCODING, "identity"));
    }
    let size = if len == 0 { 0 } else { end - start + 1 };
    file.seek(SeekFrom::Start(start)).map_err(|e| ApiError::Internal(e.into()))?;
    Ok(response.content_type(content_type).body(FileBody { file, size, remaining: size }))
}

/// A file's bytes, read in chunks as the client takes them.
struct FileBody {
    file: std::fs::File,
    size: u64,
    remaining: u64,
}

const CHUNK: u64 = 64 * 1024;

impl MessageBody for FileBody {
    type Error = std::io::Error;

    fn size(&self) -> BodySize {
        BodySize::Sized(self.size)
    }

    fn poll_next(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Option<Result<web::Bytes, Self::Error>>> {
        let this = self.get_mut();
        if this.remaining == 0 {
            return Poll::Ready(None);
        }
        // Local files of a few MB, read 64 KiB at a time: short enough not to need a thread.
        let mut buf = vec![0; this.remaining.min(CHUNK) as usize];
        Poll::Ready(Some(this.file.read_exact(&mut buf).map(|()| {
            this.remaining -= buf.len() as u64;
            web::Bytes::from(buf)
        })))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges() {
        assert_eq!(wanted("bytes=0-9", 100), Wanted::Part { start: 0, end: 9 });
        assert_eq!(wanted("bytes=90-", 100), Wanted::Part { start: 90, end: 99 });
        assert_eq!(wanted("bytes=-10", 100), Wanted::Part { start: 90, end: 99 });
        assert_eq!(wanted("bytes=-1000", 100), Wanted::Part { start: 0, end: 99 });
        assert_eq!(wanted("bytes=50-1000", 100), Wanted::Part { start: 50, end: 99 });
        assert_eq!(wanted("bytes=100-", 100), Wanted::Unsatisfiable);
        assert_eq!(wanted("bytes=0-1,5-6", 100), Wanted::All, "several ranges: the whole file");
        for bad in ["bytes=abc", "bytes=5-2", "items=0-1", "bytes=-", "bytes=+1-2", "bytes="] {
            assert_eq!(wanted(bad, 100), Wanted::All, "{bad}");
        }
    }
}
