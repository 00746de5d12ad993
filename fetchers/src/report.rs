//! Ofsted report PDFs: from the bytes of one publication to a typed [`ParsedReport`].
//!
//! The text comes from `pdf-extract`, whose content-stream order keeps each judgement label
//! followed by its grade (see `research/crates.md`). The text is normalised (one space between
//! words, plain quotes and dashes) and then read with patterns for each era: pre-SIF (2012–13),
//! SIF (2013–18) with its LSCB review, ILACS (2018–), ILACS after the April 2026 reform (no overall
//! effectiveness), and the letters of focused and monitoring visits.
//!
//! This file reads the bytes within [`Limits`] (with `guard`, which counts `objects` before the
//! library loads them, and `structure`, which counts what the pages draw and what their fonts'
//! `cmap`s cost before the library walks them), in this process or in a `worker` process whose
//! memory and time are capped; `text` reads the extracted text, and `parsed` is what it says.

use std::path::Path;
use std::sync::Arc;

mod cmap;
mod guard;
mod isolate;
mod letter;
mod objects;
mod parsed;
mod structure;
mod text;
mod worker;

pub(crate) use guard::size as guard_size;
pub use guard::{LIMITS, Limits};
pub use parsed::{ParsedReport, Period};
pub use text::parse_text;
pub use worker::{Isolation, MAX_TEXT_BYTES, Worker, serve as serve_worker};

/// The version of this parser, recorded as `parser_version` of what it reads.
pub const PARSER_VERSION: &str = "report-2";

/// Why a publication could not be read. (Serialised: a worker process sends it to its parent.)
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, serde::Serialize, serde::Deserialize)]
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
    /// The file and its streams hold more than [`Limits::max_objects`] objects; not read.
    #[error(
        "the PDF holds more than {0} objects (numbers, names, strings, arrays …; a report holds under 250,000): not read"
    )]
    TooManyObjects(u64),
    /// Its fonts' character maps hold more than [`Limits::max_cmap_entries`] entries; not read.
    #[error(
        "the PDF's character maps (CMaps) hold more than {0} entries, counted on every page that uses them (a report's hold under 11,000): not read"
    )]
    CMapsTooLarge(u64),
    /// Reading it took more memory than [`Limits::max_memory_bytes`]: its process was stopped.
    #[error("reading the PDF ran out of its {} memory limit: stopped", guard::size(*.0))]
    OutOfMemory(u64),
    /// Its text is larger than [`MAX_TEXT_BYTES`].
    #[error("the PDF's text is larger than {} (a report's is under 1 MB): not read", guard::size(*.0))]
    TextTooLarge(u64),
    /// The process reading it died without an answer (a crash on this document).
    #[error("the process reading the PDF failed: {0}")]
    ReaderFailed(String),
    /// No process or thread could be started to read it (not the document's fault: it is tried
    /// again by the next run).
    #[error("the PDF could not be read now: {0}")]
    ReaderUnavailable(String),
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

/// Reads one publication within `limits` (the reading of its text included in the time), in
/// this process.
pub fn parse_with(bytes: &[u8], limits: &Limits) -> Result<ParsedReport, ReportError> {
    within(bytes, limits, |text| parse_text(&text))
}

/// Reads one publication within `limits`, where `isolation` says: in this process, or in a
/// worker process of its own whose memory and time are bounded (the PDF library runs there; its
/// text is read here).
pub fn parse_in(bytes: &[u8], limits: &Limits, isolation: &Isolation) -> Result<ParsedReport, ReportError> {
    match isolation {
        Isolation::InProcess => parse_with(bytes, limits),
        Isolation::Process(worker) => {
            sniff(bytes, limits)?;
            worker::text(worker, bytes, limits).map(|text| parse_text(&text))
        }
    }
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
    sniff(bytes, limits)?;
    let bytes: Arc<[u8]> = Arc::from(bytes);
    let limits = *limits;
    isolate::with_timeout(limits.timeout, move || read_text(&bytes, &limits).map(then)).map_err(|late| match late {
        isolate::Late::Failed(e) => e,
        isolate::Late::TimedOut => ReportError::TimedOut(limits.timeout),
        isolate::Late::Busy(n) => ReportError::Busy(n),
        isolate::Late::NoThread(e) => ReportError::ReaderUnavailable(format!("cannot start a thread to read it: {e}")),
    })
}

/// What can be told of the bytes without reading them as a PDF: their size, and whether they
/// are one at all.
fn sniff(bytes: &[u8], limits: &Limits) -> Result<(), ReportError> {
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
    Ok(())
}

/// What a document holds, against each bound of [`Limits`] that is measured before the PDF
/// library reads it ([`measure`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Measures {
    /// What its streams decompress to, in bytes.
    pub decoded_bytes: u64,
    /// Objects in the file and in what its streams decompress to.
    pub objects: u64,
    /// Content bytes its pages draw, every stream counted each time it is drawn.
    pub drawn_bytes: u64,
    /// Content operators its pages draw.
    pub operators: u64,
    /// Content operands its pages draw.
    pub operands: u64,
    /// Entries of its fonts' character maps, each map counted on every page that uses it.
    pub cmap_entries: u64,
}

/// What `bytes` hold against `limits` (how the bounds' figures for real reports are measured),
/// or why they are refused. Runs the PDF library's loader, in this process.
pub fn measure(bytes: &[u8], limits: &Limits) -> Result<Measures, ReportError> {
    sniff(bytes, limits)?;
    checked(bytes, limits).map(|(_, measures)| measures)
}

/// The loaded document and what it holds, once every check has passed.
fn checked(bytes: &[u8], limits: &Limits) -> Result<(pdf_extract::Document, Measures), ReportError> {
    let refused = |refusal| match refusal {
        guard::Refusal::TooMuch => ReportError::Decompresses(limits.max_decoded_bytes),
        guard::Refusal::Content => {
            ReportError::TooMuchContent { operators: limits.max_operators, operands: limits.max_operands }
        }
        guard::Refusal::Encrypted => ReportError::Encrypted,
        guard::Refusal::Objects => ReportError::TooManyObjects(limits.max_objects),
        guard::Refusal::CMaps => ReportError::CMapsTooLarge(limits.max_cmap_entries),
        guard::Refusal::Structure(why) => ReportError::Unreadable(format!("the PDF's structure is malformed: {why}")),
    };
    let measured = guard::measure(bytes, limits).map_err(refused)?;
    let doc = isolate::quietly(|| pdf_extract::Document::load_mem(bytes))
        .map_err(panicked)?
        .map_err(|e| unreadable(pdf_extract::OutputError::PdfError(e)))?;
    let bounds = structure::Drawn {
        bytes: limits.max_decoded_bytes,
        operators: limits.max_operators,
        operands: limits.max_operands,
        cmap_entries: limits.max_cmap_entries,
    };
    let drawn = isolate::quietly(|| structure::check(&doc, bounds)).map_err(panicked)?.map_err(refused)?;
    let measures = Measures {
        decoded_bytes: measured.decoded,
        objects: measured.objects,
        drawn_bytes: drawn.bytes,
        operators: drawn.operators,
        operands: drawn.operands,
        cmap_entries: drawn.cmap_entries,
    };
    Ok((doc, measures))
}

/// pdf-extract and lopdf panic on some malformed input: a bad file is an error, not a crash.
fn panicked(panic: String) -> ReportError {
    ReportError::Unreadable(format!("the PDF's structure is malformed (the PDF library gave up: {panic})"))
}

fn unreadable(e: pdf_extract::OutputError) -> ReportError {
    ReportError::Unreadable(e.to_string())
}

/// The text of a PDF, after the checks of [`guard`] and [`structure`].
fn read_text(bytes: &[u8], limits: &Limits) -> Result<String, ReportError> {
    let (doc, _) = checked(bytes, limits)?;
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
