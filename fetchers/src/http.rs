//! The one HTTP client every fetcher uses, so that all of them are polite and robust the same
//! way: one request at a time, at most `requests_per_second`, a descriptive User-Agent, timeouts,
//! retries with exponential backoff and jitter on 429, 5xx, timeouts and refused connections
//! (honouring `Retry-After`), none on other statuses. Redirects (GOV.UK answers 303 for a moved
//! page) are followed.

use std::time::{Duration, Instant};

use chrono::Utc;

/// How to behave towards a site.
#[derive(Debug, Clone)]
pub struct Politeness {
    /// Sent with every request.
    pub user_agent: String,
    /// At most this many requests per second.
    pub requests_per_second: f64,
    /// Per-request timeout.
    pub timeout: Duration,
    /// Attempts after the first for 429, 5xx and timeouts.
    pub retries: u32,
    /// First backoff; doubled at each retry, with jitter.
    pub retry_base: Duration,
    /// The largest answer read: a larger one is refused (by its `Content-Length` before it is
    /// read, else as soon as it passes the limit) and not retried.
    pub max_body_bytes: u64,
}

impl Politeness {
    /// Two requests a second, a minute's timeout, four retries from half a second, answers of
    /// at most the largest report file read ([`crate::report::LIMITS`]), and a User-Agent naming
    /// lacs and whoever runs it.
    pub fn new(contact: &str) -> Politeness {
        Politeness {
            user_agent: format!(
                "lacs/{} (open data on children's services; contact: {contact})",
                env!("CARGO_PKG_VERSION")
            ),
            requests_per_second: 2.0,
            timeout: Duration::from_secs(60),
            retries: 4,
            retry_base: Duration::from_millis(500),
            max_body_bytes: crate::report::LIMITS.max_file_bytes,
        }
    }
}

/// Why a request failed, after any retries.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HttpError {
    /// The server answered with a status that is not success.
    #[error("{url}: HTTP {status}")]
    Status {
        /// The address asked for.
        url: String,
        /// The status.
        status: u16,
    },
    /// No usable answer: refused, timed out, cut short.
    #[error("{url}: {reason}")]
    Failed {
        /// The address asked for.
        url: String,
        /// What went wrong.
        reason: String,
    },
}

/// A paced client.
pub struct Client {
    client: reqwest::Client,
    politeness: Politeness,
    last: Option<Instant>,
}

impl Client {
    /// A client that behaves as `politeness` says.
    pub fn new(politeness: &Politeness) -> Result<Client, HttpError> {
        let client = reqwest::Client::builder()
            .user_agent(politeness.user_agent.clone())
            .timeout(politeness.timeout)
            .build()
            .map_err(|e| HttpError::Failed { url: String::new(), reason: e.to_string() })?;
        Ok(Client { client, politeness: politeness.clone(), last: None })
    }

    async fn pace(&mut self) {
        let gap = Duration::from_secs_f64(1.0 / self.politeness.requests_per_second.max(0.01));
        if let Some(last) = self.last {
            tokio::time::sleep(gap.saturating_sub(last.elapsed())).await;
        }
        self.last = Some(Instant::now());
    }

    /// GET with retries; the body of the answer (after redirects).
    pub async fn get(&mut self, url: &str) -> Result<Vec<u8>, HttpError> {
        let mut attempt = 0;
        loop {
            self.pace().await;
            let (error, retryable, retry_after) = match self.client.get(url).send().await {
                Ok(r) if r.status().is_success() => match body(r, self.politeness.max_body_bytes, url).await {
                    Ok(b) => return Ok(b),
                    Err((error, retryable)) => (error, retryable, None),
                },
                Ok(r) => {
                    let status = r.status();
                    let retry_after = r
                        .headers()
                        .get(reqwest::header::RETRY_AFTER)
                        .and_then(|v| v.to_str().ok())
                        .and_then(retry_after);
                    let retryable = status.as_u16() == 429 || status.is_server_error();
                    (HttpError::Status { url: url.to_owned(), status: status.as_u16() }, retryable, retry_after)
                }
                Err(e) if e.is_timeout() => (failed(url, "timed out".into()), true, None),
                Err(e) if e.is_connect() => (failed(url, format!("cannot connect: {e}")), true, None),
                Err(e) => (failed(url, e.to_string()), false, None),
            };
            // A server that asks for a pause of more than a minute gets it: this request gives up
            // (the run records it) rather than come back sooner than asked.
            let too_long = retry_after.is_some_and(|r| r > MAX_RETRY_AFTER);
            if !retryable || attempt >= self.politeness.retries || too_long {
                return Err(error);
            }
            let backoff = self.politeness.retry_base * 2u32.pow(attempt);
            let jitter = Duration::from_millis(u64::from(Utc::now().timestamp_subsec_millis()) % 100);
            tokio::time::sleep(retry_after.unwrap_or(backoff + jitter)).await;
            attempt += 1;
        }
    }
}

/// The body of a successful answer, of at most `max` bytes; the error says whether to retry.
async fn body(mut r: reqwest::Response, max: u64, url: &str) -> Result<Vec<u8>, (HttpError, bool)> {
    let too_large = |size: String| {
        let limit = crate::report::guard_size(max);
        (failed(url, format!("the answer is {size}, larger than the {limit} a download may be: not read")), false)
    };
    if let Some(length) = r.content_length().filter(|n| *n > max) {
        return Err(too_large(format!("{length} bytes")));
    }
    let mut bytes = Vec::new();
    loop {
        match r.chunk().await {
            Ok(Some(chunk)) if (bytes.len() + chunk.len()) as u64 > max => {
                return Err(too_large("more bytes than that".into()));
            }
            Ok(Some(chunk)) => bytes.extend_from_slice(&chunk),
            Ok(None) => return Ok(bytes),
            Err(e) => return Err((failed(url, format!("reading the body failed: {e}")), true)),
        }
    }
}

/// The longest `Retry-After` worth waiting for within a run.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(60);

/// A `Retry-After` value: seconds, or an HTTP date (a date already past means now).
fn retry_after(value: &str) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    Some((at.with_timezone(&Utc) - Utc::now()).to_std().unwrap_or(Duration::ZERO))
}

fn failed(url: &str, reason: String) -> HttpError {
    HttpError::Failed { url: url.to_owned(), reason }
}

#[cfg(test)]
mod tests {
    use std::io::{BufRead, BufReader, Write};
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    /// A server on 127.0.0.1 that gives each request the next of `answers` (raw HTTP/1.1), and
    /// counts the requests.
    fn serve(answers: Vec<&'static str>) -> (String, Arc<AtomicUsize>) {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/", listener.local_addr().unwrap());
        let served = Arc::new(AtomicUsize::new(0));
        let count = served.clone();
        std::thread::spawn(move || {
            for answer in answers {
                let Ok((mut stream, _)) = listener.accept() else { return };
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut line = String::new();
                while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
                    line.clear();
                }
                count.fetch_add(1, Ordering::SeqCst);
                let _ = stream.write_all(answer.as_bytes());
            }
        });
        (url, served)
    }

    fn client() -> Client {
        let mut p = Politeness::new("tests");
        p.requests_per_second = 100.0;
        p.retry_base = Duration::from_millis(10);
        Client::new(&p).unwrap()
    }

    const OK: &str = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok";

    #[tokio::test]
    async fn an_answer_larger_than_the_limit_is_refused_and_not_retried() {
        let (url, served) = serve(vec![
            "HTTP/1.1 200 OK\r\nContent-Length: 40000000\r\nConnection: close\r\n\r\nstart of a long answer",
            OK,
        ]);
        let mut p = Politeness::new("tests");
        p.requests_per_second = 100.0;
        p.max_body_bytes = 1000;
        let err = Client::new(&p).unwrap().get(&url).await.unwrap_err().to_string();
        assert!(err.contains("the answer is 40000000 bytes, larger than the 1000 bytes a download may be"), "{err}");
        assert_eq!(served.load(Ordering::SeqCst), 1);
        // Without a length, it is cut off as soon as it passes the limit.
        let (url, _) = serve(vec!["HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n0123456789"]);
        p.max_body_bytes = 5;
        let err = Client::new(&p).unwrap().get(&url).await.unwrap_err().to_string();
        assert!(err.contains("larger than the 5 bytes a download may be"), "{err}");
    }

    #[tokio::test]
    async fn a_short_retry_after_is_waited_for_and_retried() {
        let (url, served) = serve(vec![
            "HTTP/1.1 429 Too Many Requests\r\nRetry-After: 0\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            OK,
        ]);
        assert_eq!(client().get(&url).await.unwrap(), b"ok");
        assert_eq!(served.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn a_long_retry_after_gives_up_rather_than_come_back_early() {
        let (url, served) = serve(vec![
            "HTTP/1.1 429 Too Many Requests\r\nRetry-After: 120\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            OK,
        ]);
        assert!(matches!(client().get(&url).await, Err(HttpError::Status { status: 429, .. })));
        assert_eq!(served.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn retry_after_in_seconds_or_as_a_date() {
        assert_eq!(retry_after(" 3 "), Some(Duration::from_secs(3)));
        assert_eq!(retry_after("Wed, 21 Oct 2015 07:28:00 GMT"), Some(Duration::ZERO));
        let later = (Utc::now() + chrono::Duration::seconds(120)).to_rfc2822();
        assert!(retry_after(&later).is_some_and(|d| d > MAX_RETRY_AFTER));
        assert_eq!(retry_after("soon"), None);
    }
}
