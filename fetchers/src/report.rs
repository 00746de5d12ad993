//! Ofsted report PDFs: from the bytes of one publication to a typed [`ParsedReport`].
//!
//! The text comes from `pdf-extract`, whose content-stream order keeps each judgement label
//! followed by its grade (see `research/crates.md`). The text is normalised (one space between
//! words, plain quotes and dashes) and then read with patterns for each era: pre-SIF (2012–13),
//! SIF (2013–18) with its LSCB review, ILACS (2018–), ILACS after the April 2026 reform (no overall
//! effectiveness), and the letters of focused and monitoring visits.
//!
//! This file reads the bytes within [`Limits`] (with `guard` and `structure`); `text` reads the
//! extracted text, and `parsed` is what it says.

use std::path::Path;
use std::sync::Arc;

mod guard;
mod isolate;
mod letter;
mod parsed;
mod structure;
mod text;

pub(crate) use guard::size as guard_size;
pub use guard::{LIMITS, Limits};
pub use parsed::{ParsedReport, Period};
pub use text::parse_text;

/// The version of this parser, recorded as `parser_version` of what it reads.
pub const PARSER_VERSION: &str = "report-2";

/// Why a publication could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReportError {
    /// No bytes at all.
    #[error("the file is empty")]
    Empty,
    /// The site served an HTML page (such as "Report not found") instead of a PDF.
    #[error("not a PDF: an HTML page{}", .0.as_deref().map(|t| format!(" (\"{t}\")")).unwrap_or_default())]
    Html(Option<String>),
    /// Not a PDF and not HTML.
    #[error("not a PDF: the file does not start with %PDF")]
    NotPdf,
    /// A PDF that cannot be decoded (truncated, corrupt, encrypted).
    #[error("the PDF cannot be read: {0}")]
    Unreadable(String),
    /// A PDF with no text to read.
    #[error("the PDF has no text layer")]
    NoText,
    /// The file could not be read from disk.
    #[error("cannot read the file: {0}")]
    Io(String),
    /// Larger than [`Limits::max_file_bytes`]; not read.
    #[error("the file is {size} bytes, larger than the {} a report may be: not read", guard::size(*.limit))]
    TooLarge {
        /// The file's size.
        size: u64,
        /// The limit.
        limit: u64,
    },
    /// Its streams decompress to more than [`Limits::max_decoded_bytes`]; not read.
    #[error("the PDF decompresses to more than {} (a report decompresses to a few MB): not read", guard::size(*.0))]
    Decompresses(u64),
    /// Its pages draw more than [`Limits::max_operators`] content operators or
    /// [`Limits::max_operands`] operands; not read.
    #[error(
        "the PDF's pages draw more than {operators} operators or {operands} operands (a report draws under 100,000 and 300,000): not read"
    )]
    TooMuchContent {
        /// The operator limit.
        operators: u64,
        /// The operand limit.
        operands: u64,
    },
    /// Encrypted: what its streams decompress to cannot be measured before the PDF library decrypts them.
    #[error("the PDF is encrypted: lacs reads only unencrypted PDFs")]
    Encrypted,
    /// Reading took longer than [`Limits::timeout`]; abandoned.
    #[error("reading the PDF took longer than {} ms: abandoned", .0.as_millis())]
    TimedOut(std::time::Duration),
    /// Earlier documents whose time ran out are still being read: this one was not started.
    #[error("{0} earlier PDFs are still being read after their time ran out: this one was not started")]
    Busy(usize),
}

/// Reads one publication within the default [`LIMITS`].
pub fn parse(bytes: &[u8]) -> Result<ParsedReport, ReportError> {
    parse_with(bytes, &LIMITS)
}

/// Reads one publication within `limits` (the reading of its text included in the time).
pub fn parse_with(bytes: &[u8], limits: &Limits) -> Result<ParsedReport, ReportError> {
    within(bytes, limits, |text| parse_text(&text))
}

/// Reads a file of at most [`Limits::max_file_bytes`], checking its size before reading it.
pub fn read_file(path: &Path, limits: &Limits) -> Result<Vec<u8>, ReportError> {
    use std::io::Read;
    let io = |e: std::io::Error| ReportError::Io(e.to_string());
    let file = std::fs::File::open(path).map_err(io)?;
    let size = file.metadata().map_err(io)?.len();
    let limit = limits.max_file_bytes;
    if size > limit {
        return Err(ReportError::TooLarge { size, limit });
    }
    // It may grow in between: never more than the limit is read.
    let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
    file.take(limit.saturating_add(1)).read_to_end(&mut bytes).map_err(io)?;
    if bytes.len() as u64 > limit {
        return Err(ReportError::TooLarge { size: bytes.len() as u64, limit });
    }
    Ok(bytes)
}

/// The text layer of a PDF within the default [`LIMITS`].
pub fn extract_text(bytes: &[u8]) -> Result<String, ReportError> {
    extract_text_with(bytes, &LIMITS)
}

/// The text layer of a PDF, or why there is none. Never panics, whatever the bytes, and stays
/// within `limits`: the size of the bytes, what their streams decompress to (measured before
/// the PDF library inflates anything), what its pages draw (checked before the library walks
/// them, as are loops in its structure), and the time taken (on a worker thread, left behind
/// when its time runs out). A panic of the PDF library is this document's error, and prints
/// nothing.
pub fn extract_text_with(bytes: &[u8], limits: &Limits) -> Result<String, ReportError> {
    within(bytes, limits, |text| text)
}

/// Checks the bytes, then extracts their text and hands it to `then`, on a worker thread within
/// `limits.timeout`.
fn within<T: Send + 'static>(
    bytes: &[u8],
    limits: &Limits,
    then: impl FnOnce(String) -> T + Send + 'static,
) -> Result<T, ReportError> {
    let size = bytes.len() as u64;
    if size > limits.max_file_bytes {
        return Err(ReportError::TooLarge { size, limit: limits.max_file_bytes });
    }
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ReportError::Empty);
    }
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(4096)]).to_lowercase();
    if !head.trim_start().starts_with("%pdf") {
        if head.contains("<html") || head.contains("<!doctype html") {
            let title =
                head.split("<title>").nth(1).and_then(|t| t.split("</title>").next()).map(|t| t.trim().to_owned());
            return Err(ReportError::Html(title.filter(|t| !t.is_empty())));
        }
        return Err(ReportError::NotPdf);
    }
    let bytes: Arc<[u8]> = Arc::from(bytes);
    let limits = *limits;
    isolate::with_timeout(limits.timeout, move || read_text(&bytes, &limits).map(then)).map_err(|late| match late {
        isolate::Late::Failed(e) => e,
        isolate::Late::TimedOut => ReportError::TimedOut(limits.timeout),
        isolate::Late::Busy(n) => ReportError::Busy(n),
    })
}

/// The text of a PDF, after the checks of [`guard`] and [`structure`].
fn read_text(bytes: &[u8], limits: &Limits) -> Result<String, ReportError> {
    let refused = |refusal| match refusal {
        guard::Refusal::TooMuch => ReportError::Decompresses(limits.max_decoded_bytes),
        guard::Refusal::Content => {
            ReportError::TooMuchContent { operators: limits.max_operators, operands: limits.max_operands }
        }
        guard::Refusal::Encrypted => ReportError::Encrypted,
        guard::Refusal::Structure(why) => ReportError::Unreadable(format!("the PDF's structure is malformed: {why}")),
    };
    guard::decoded_size(bytes, limits.max_decoded_bytes).map_err(refused)?;
    // pdf-extract and lopdf panic on some malformed input: a bad file is an error, not a crash.
    let panicked =
        |panic| ReportError::Unreadable(format!("the PDF's structure is malformed (the PDF library gave up: {panic})"));
    let unreadable = |e: pdf_extract::OutputError| ReportError::Unreadable(e.to_string());
    let doc = isolate::quietly(|| pdf_extract::Document::load_mem(bytes))
        .map_err(panicked)?
        .map_err(|e| unreadable(pdf_extract::OutputError::PdfError(e)))?;
    let bounds = structure::Drawn {
        bytes: limits.max_decoded_bytes,
        operators: limits.max_operators,
        operands: limits.max_operands,
    };
    isolate::quietly(|| structure::check(&doc, bounds)).map_err(panicked)?.map_err(refused)?;
    let mut text = String::new();
    isolate::quietly(|| pdf_extract::output_doc(&doc, &mut pdf_extract::PlainTextOutput::new(&mut text)))
        .map_err(panicked)?
        .map_err(unreadable)?;
    if text.trim().is_empty() { Err(ReportError::NoText) } else { Ok(text) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_bytes_are_typed_errors() {
        assert_eq!(parse(b""), Err(ReportError::Empty));
        assert!(matches!(
            parse(b"<!DOCTYPE html><html><head><title>Report not found</title></head></html>"),
            Err(ReportError::Html(Some(t))) if t == "report not found"
        ));
        assert_eq!(parse(b"\x00\x01garbage"), Err(ReportError::NotPdf));
        assert!(matches!(parse(b"%PDF-1.7\n1 0 obj << /Type /Catalog"), Err(ReportError::Unreadable(_))));
    }
}
