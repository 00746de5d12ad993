//! Ofsted report PDFs: from the bytes of one publication to a typed [`ParsedReport`].
//!
//! The text comes from `pdf-extract`, whose content-stream order keeps each judgement label
//! followed by its grade (see `research/crates.md`). The text is normalised (one space between
//! words, plain quotes and dashes) and then read with patterns for each era: pre-SIF (2012–13),
//! SIF (2013–18) with its LSCB review, ILACS (2018–), ILACS after the April 2026 reform (no overall
//! effectiveness), and the letters of focused and monitoring visits.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Arc, LazyLock};

use chrono::{Datelike, NaiveDate};
use regex::Regex;
use schema::domain::{Area, Framework, Grade, InspectionKind, InspectionType};
use serde::Serialize;

mod guard;
mod structure;

pub(crate) use guard::size as guard_size;
pub use guard::{LIMITS, Limits};

/// The version of this parser, recorded as `parser_version` of what it reads.
pub const PARSER_VERSION: &str = "report-1";

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

/// One period on site.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Period {
    /// First day, when printed (one SIF report prints only the last day).
    pub start: Option<NaiveDate>,
    /// Last day.
    pub end: NaiveDate,
}

/// What one publication says.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ParsedReport {
    /// Inspection, focused visit, monitoring visit, LSCB review …
    pub kind: InspectionKind,
    /// The framework.
    pub framework: Option<Framework>,
    /// ILACS standard or short, from the length of the first period on site.
    pub inspection_type: Option<InspectionType>,
    /// A SIF re-inspection.
    pub reinspection: bool,
    /// The council's name as printed.
    pub local_authority: Option<String>,
    /// Every period on site, in order.
    pub on_site_periods: Vec<Period>,
    /// The publication date, or a letter's date, where printed.
    pub published: Option<NaiveDate>,
    /// Lead inspector(s), names only.
    pub lead_inspectors: Vec<String>,
    /// Every judgement printed.
    pub judgements: BTreeMap<Area, Grade>,
}

impl ParsedReport {
    /// The stable JSON line of `lacs parse-report --json` for `file`.
    pub fn to_json(&self, file: &str) -> serde_json::Value {
        let date = |d: Option<NaiveDate>| d.map(|d| d.to_string());
        serde_json::json!({
            "file": file,
            "kind": self.kind.as_str(),
            "framework": self.framework.map(|f| f.as_str()),
            "inspection_type": self.inspection_type.map(|t| t.as_str()),
            "reinspection": self.reinspection,
            "local_authority": self.local_authority,
            "inspection_start": date(self.inspection_start()),
            "inspection_end": date(self.inspection_end()),
            "on_site_periods": self.on_site_periods.iter()
                .map(|p| serde_json::json!({"start": date(p.start), "end": p.end.to_string()}))
                .collect::<Vec<_>>(),
            "published": date(self.published),
            "lead_inspectors": self.lead_inspectors,
            "judgements": self.judgements.iter().map(|(a, g)| (a.as_str(), g.as_str())).collect::<BTreeMap<_, _>>(),
            "error": null,
        })
    }

    /// The first day on site.
    pub fn inspection_start(&self) -> Option<NaiveDate> {
        self.on_site_periods.first().and_then(|p| p.start)
    }

    /// The last day on site (of the last period).
    pub fn inspection_end(&self) -> Option<NaiveDate> {
        self.on_site_periods.last().map(|p| p.end)
    }
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
    guard::with_timeout(limits.timeout, move || read_text(&bytes, &limits).map(then)).map_err(|late| match late {
        guard::Late::Failed(e) => e,
        guard::Late::TimedOut => ReportError::TimedOut(limits.timeout),
        guard::Late::Busy(n) => ReportError::Busy(n),
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
    let doc = guard::quietly(|| pdf_extract::Document::load_mem(bytes))
        .map_err(panicked)?
        .map_err(|e| unreadable(pdf_extract::OutputError::PdfError(e)))?;
    let bounds = structure::Drawn {
        bytes: limits.max_decoded_bytes,
        operators: limits.max_operators,
        operands: limits.max_operands,
    };
    guard::quietly(|| structure::check(&doc, bounds)).map_err(panicked)?.map_err(refused)?;
    let mut text = String::new();
    guard::quietly(|| pdf_extract::output_doc(&doc, &mut pdf_extract::PlainTextOutput::new(&mut text)))
        .map_err(panicked)?
        .map_err(unreadable)?;
    if text.trim().is_empty() { Err(ReportError::NoText) } else { Ok(text) }
}

fn re(pattern: &str) -> Regex {
    // The patterns are constants of this module, checked by its tests.
    Regex::new(pattern).unwrap_or_else(|e| panic!("bad pattern {pattern}: {e}"))
}

const GRADE: &str = r"(?i)\b(outstanding|good|requires? improvement(?: to be good)?|inadequate|not judged|adequate)\b";

fn grade(word: &str) -> Option<Grade> {
    let w = word.to_lowercase();
    Some(match w.as_str() {
        "outstanding" => Grade::Outstanding,
        "good" => Grade::Good,
        "inadequate" => Grade::Inadequate,
        "not judged" => Grade::NotJudged,
        "adequate" => Grade::Adequate,
        _ if w.starts_with("require") => Grade::RequiresImprovement,
        _ => return None,
    })
}

/// One space between words; plain apostrophes, quotes and dashes.
fn normalise(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        let c = match c {
            '\u{2018}' | '\u{2019}' | '`' => '\'',
            '\u{201c}' | '\u{201d}' => '"',
            '\u{2010}'..='\u{2015}' | '\u{2500}' | '\u{2212}' => '-',
            c if c.is_whitespace() => ' ',
            c => c,
        };
        if c == ' ' && out.ends_with(' ') {
            continue;
        }
        out.push(c);
    }
    out.trim().to_owned()
}

/// The report's text, normalised, with the part the title, dates and table are in.
struct Text {
    all: String,
}

impl Text {
    fn head(&self, n: usize) -> &str {
        let mut end = self.all.len().min(n);
        while !self.all.is_char_boundary(end) {
            end -= 1;
        }
        &self.all[..end]
    }
}

/// Reads already-extracted text.
pub fn parse_text(raw: &str) -> ParsedReport {
    let t = Text { all: normalise(raw) };
    let head = t.head(2500);
    let (kind, framework, reinspection) = classify(head);
    let on_site_periods = periods(&t, kind);
    let mut judgements = BTreeMap::new();
    match (kind, framework) {
        (InspectionKind::Inspection, Some(Framework::Ilacs)) => ilacs_table(t.head(3000), &mut judgements),
        (InspectionKind::Inspection, Some(Framework::Sif)) => {
            sif_table(t.head(5000), &mut judgements);
            if head.to_lowercase().contains("review of the effectiveness of the local safeguarding children board") {
                lscb(&t.all, &mut judgements);
            }
        }
        (InspectionKind::LscbReview, _) => lscb(&t.all, &mut judgements),
        (InspectionKind::Inspection, Some(Framework::PreSif)) => pre_sif(&t.all, &mut judgements),
        _ => {}
    }
    let inspection_type = match (kind, framework, on_site_periods.first()) {
        (InspectionKind::Inspection, Some(Framework::Ilacs), Some(Period { start: Some(s), end })) => {
            Some(if (*end - *s).num_days() < 7 { InspectionType::Short } else { InspectionType::Standard })
        }
        _ => None,
    };
    ParsedReport {
        kind,
        framework,
        inspection_type,
        reinspection,
        local_authority: local_authority(head, kind),
        on_site_periods,
        published: published(&t, kind),
        lead_inspectors: lead_inspectors(&t, kind),
        judgements,
    }
}

fn classify(head: &str) -> (InspectionKind, Option<Framework>, bool) {
    static REINSPECTION: LazyLock<Regex> = LazyLock::new(|| re(r"(?i)\bre-?inspection of services"));
    // Titles come first on the page; letters open with an address block. Reports mention other
    // kinds of visit in their text ("since the focused visit to …"), so only the title counts.
    let lower = head.to_lowercase();
    let title: String = lower.chars().take(400).collect();
    let letter: String = lower.chars().take(1500).collect();
    let in_title = |s: &str| title.contains(s);
    if in_title("inspection of services for children in need of help and protection") || REINSPECTION.is_match(&title) {
        (InspectionKind::Inspection, Some(Framework::Sif), REINSPECTION.is_match(&title))
    } else if in_title("inspection of safeguarding and looked after children services")
        || in_title("inspection of looked after children services")
    {
        (InspectionKind::Inspection, Some(Framework::PreSif), false)
    } else if in_title("local authority children's services")
        || in_title("inspection of children's social care services")
    {
        (InspectionKind::Inspection, Some(Framework::Ilacs), false)
    } else if in_title("review of the effectiveness of the local safeguarding children board") {
        (InspectionKind::LscbReview, Some(Framework::Sif), false)
    } else if in_title("joint targeted area inspection") {
        (InspectionKind::Jtai, None, false)
    } else if letter.contains("focused visit to") {
        (InspectionKind::FocusedVisit, Some(Framework::Ilacs), false)
    } else if letter.contains("monitoring visit to") || letter.contains("monitoring visit of") {
        (InspectionKind::MonitoringVisit, Some(Framework::Ilacs), false)
    } else if lower.contains("judgement grade") && lower.contains("the impact of leaders") {
        (InspectionKind::Inspection, Some(Framework::Ilacs), false)
    } else {
        (InspectionKind::Other, None, false)
    }
}

const MONTHS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

fn month(word: &str) -> Option<u32> {
    let w = word.to_lowercase();
    let w = w.trim_end_matches('.');
    if w.len() < 3 {
        return None;
    }
    MONTHS
        .iter()
        .position(|m| m.starts_with(w) && (w.len() == 3 || m.len() == w.len() || w == "sept"))
        .map(|i| i as u32 + 1)
}

/// A date as far as it is written: `9`, `9 November`, `9 November 2017` or `9/11/2017`.
#[derive(Debug, Clone, Copy)]
struct Partial {
    day: u32,
    month: Option<u32>,
    year: Option<i32>,
}

fn partial(text: &str) -> Option<Partial> {
    let text = text.trim().trim_end_matches('.');
    if let Some((d, rest)) = text.split_once('/') {
        let (m, y) = rest.split_once('/')?;
        let year: i32 = y.trim().parse().ok()?;
        return Some(Partial { day: d.trim().parse().ok()?, month: Some(m.trim().parse().ok()?), year: Some(year) });
    }
    let mut words = text.split_whitespace();
    let day: u32 = words.next()?.trim_end_matches(|c: char| c.is_alphabetic()).parse().ok()?;
    let month = match words.next() {
        Some(w) => Some(month(w)?),
        None => None,
    };
    let year = match words.next() {
        Some(w) => Some(w.trim_end_matches([',', '.']).parse().ok()?),
        None => None,
    };
    if words.next().is_some() {
        return None;
    }
    Some(Partial { day, month, year })
}

/// Periods from text such as `7 to 18 October 2024`, `6 July 2015 - 30 July 2015`,
/// `30 September to 11 October 2024 and 13 to 16 January 2025` or `31 January and 1 February 2024`.
/// A single date of a full inspection is its last day (the first is not printed).
fn parse_periods(text: &str, single_date_is_end: bool) -> Vec<Period> {
    let mut cleaned = text.trim().replace(" - ", " to ").replace('-', " to ");
    // "between 20 October and 22 October" is one range.
    if let Some(rest) = cleaned.strip_prefix("between ") {
        cleaned = rest.replacen(" and ", " to ", 1);
    }
    let cleaned = cleaned.trim_start_matches("on ");
    // Each part is one date or a range; endpoints take their missing month and year from the
    // endpoints that follow them.
    let mut parts: Vec<Vec<Partial>> = Vec::new();
    for part in cleaned.split(" and ") {
        let ends: Option<Vec<Partial>> = part.split(" to ").map(partial).collect();
        match ends {
            Some(ends) if !ends.is_empty() && ends.len() <= 2 => parts.push(ends),
            _ => return Vec::new(),
        }
    }
    let mut flat: Vec<&mut Partial> = parts.iter_mut().flatten().collect();
    let (mut month, mut year) = (None, None);
    for p in flat.iter_mut().rev() {
        month = p.month.or(month);
        year = p.year.or(year);
        p.month = p.month.or(month);
        p.year = p.year.or(year);
    }
    let date = |p: &Partial| NaiveDate::from_ymd_opt(p.year?, p.month?, p.day);
    let mut periods: Vec<Period> = Vec::new();
    for part in &parts {
        let (Some(mut first), Some(last)) = (part.first().and_then(date), part.last().and_then(date)) else {
            return Vec::new();
        };
        // "30 December to 3 January 2025": the first day took the year of the last.
        if first > last {
            first = first.with_year(first.year() - 1).unwrap_or(first);
        }
        let single = part.len() == 1;
        match periods.last_mut() {
            // "31 January and 1 February": consecutive single days are one visit.
            Some(prev) if single && (first - prev.end).num_days() == 1 => prev.end = first,
            _ => periods.push(Period { start: Some(first), end: last }),
        }
    }
    if single_date_is_end && parts.len() == 1 && parts[0].len() == 1 {
        for p in &mut periods {
            p.start = None;
        }
    }
    periods
}

fn periods(t: &Text, kind: InspectionKind) -> Vec<Period> {
    static PRINTED: LazyLock<Regex> = LazyLock::new(|| {
        re(
            r"(?i)Inspection dates?:\s*(.+?)\s*(?:Lead inspector|Report published|Published|Reporting inspector|Judgement|Age group|The overall judgement|The Local Safeguarding|Children's services in|Inspection of|$)",
        )
    });
    static LETTER: LazyLock<Regex> =
        LazyLock::new(|| re(r"(?i)(?:focused|monitoring) visit (?:to|of) .{0,120}? (on|between) (.{4,80}?)\.(?:\s|$)"));
    match kind {
        InspectionKind::FocusedVisit | InspectionKind::MonitoringVisit => LETTER
            .captures(t.head(6000))
            .map(|c| parse_periods(&format!("{} {}", &c[1], &c[2]), false))
            .unwrap_or_default(),
        _ => PRINTED
            .captures(t.head(3000))
            .map(|c| parse_periods(&c[1], kind == InspectionKind::Inspection))
            .unwrap_or_default(),
    }
}

fn date_text(text: &str) -> Option<NaiveDate> {
    let p = partial(text)?;
    NaiveDate::from_ymd_opt(p.year?, p.month?, p.day)
}

fn published(t: &Text, kind: InspectionKind) -> Option<NaiveDate> {
    static PRINTED: LazyLock<Regex> =
        LazyLock::new(|| re(r"(?i)(?:Report )?published:\s*(\d{1,2}/\d{1,2}/\d{4}|\d{1,2} [A-Za-z]+\.? \d{4})"));
    static LETTER: LazyLock<Regex> = LazyLock::new(|| re(r"^(?:\d+ )?(\d{1,2} [A-Za-z]+ \d{4})\b"));
    match kind {
        InspectionKind::FocusedVisit | InspectionKind::MonitoringVisit => {
            LETTER.captures(t.head(200)).and_then(|c| date_text(&c[1]))
        }
        _ => PRINTED.captures(t.head(3000)).and_then(|c| date_text(&c[1])),
    }
}

/// Names without titles: "Lisa Walsh, His Majesty's Inspector" → "Lisa Walsh".
fn names(text: &str) -> Vec<String> {
    static TITLES: LazyLock<Regex> = LazyLock::new(|| {
        re(r"(?i),?\s*(?:\(Lead Inspector\)|(?:His|Her) Majesty's Inspector|\(HMI\)|Senior HMI|\bHMI\b)")
    });
    let cleaned = TITLES.replace_all(text, ",");
    cleaned
        .split(',')
        .flat_map(|part| part.split(" and "))
        .map(|n| n.trim().trim_start_matches("and ").trim().to_owned())
        .filter(|n| n.split_whitespace().count() >= 2 && n.chars().next().is_some_and(char::is_uppercase))
        .collect()
}

fn lead_inspectors(t: &Text, kind: InspectionKind) -> Vec<String> {
    static LEAD: LazyLock<Regex> = LazyLock::new(|| {
        re(
            r"Lead inspectors?(?: on site)?:\s*(.{3,160}?)\s*(?:Judgement|Deputy lead|Deputy|Team inspectors?|Inspection team|Quality assurance|Shadow|Inspectors?:|Report author|Age group|Inspection date|$)",
        )
    });
    static SIGNED: LazyLock<Regex> = LazyLock::new(|| {
        re(
            r"Yours sincerely,?\s*(.{3,120}?)(?:\s*\(Lead Inspector\))?\s*(?:(?:His|Her) Majesty's Inspector|HMI\b|Senior HMI|Ofsted|$)",
        )
    });
    static REPORTING: LazyLock<Regex> =
        LazyLock::new(|| re(r"Reporting inspector:?\s*(.{3,80}?)\s*(?:HMI\b|Age group|$)"));
    let found = match kind {
        InspectionKind::FocusedVisit | InspectionKind::MonitoringVisit => {
            SIGNED.captures(&t.all).map(|c| c[1].to_owned())
        }
        _ => LEAD.captures(&t.all).or_else(|| REPORTING.captures(&t.all)).map(|c| c[1].to_owned()),
    };
    found.map(|f| names(&f)).unwrap_or_default()
}

fn local_authority(head: &str, kind: InspectionKind) -> Option<String> {
    static ILACS: LazyLock<Regex> =
        LazyLock::new(|| re(r"Inspection of (.{2,80}?) local authority children's services"));
    static BEFORE_TITLE: LazyLock<Regex> =
        LazyLock::new(|| re(r"^(?:\d+ )?(.{2,80}?) (?:Inspection of|Re-?inspection of|Review of the effectiveness)"));
    static LETTER: LazyLock<Regex> =
        LazyLock::new(|| re(r"(?i)(?:Focused|Monitoring) visit (?:to|of) (.{2,80}?) children's services"));
    let found = match kind {
        InspectionKind::FocusedVisit | InspectionKind::MonitoringVisit => LETTER.captures(head),
        _ => ILACS.captures(head).or_else(|| BEFORE_TITLE.captures(head)),
    };
    found.map(|c| c[1].trim().to_owned())
}

/// Finds `label` followed by a grade in `text` and records it for `area`.
fn row(text: &str, label: &str, area: Area, judgements: &mut BTreeMap<Area, Grade>) -> bool {
    let pattern = re(&format!(r"(?i){label}\s*[:.]?\s*{}", &GRADE[4..]));
    match pattern.captures(text).and_then(|c| grade(&c[1])) {
        Some(g) => {
            judgements.insert(area, g);
            true
        }
        None => false,
    }
}

fn ilacs_table(head: &str, judgements: &mut BTreeMap<Area, Grade>) {
    let table = head.find("Judgement Grade").map_or(head, |i| &head[i..]);
    row(
        table,
        r"The impact of leaders on (?:social work )?practice with children and families",
        Area::ImpactOfLeaders,
        judgements,
    );
    row(
        table,
        r"The experiences and progress of children who need help and protection",
        Area::HelpAndProtection,
        judgements,
    );
    if !row(
        table,
        r"The experiences and progress of children in care and care leavers",
        Area::ChildrenInCareAndCareLeavers,
        judgements,
    ) {
        row(table, r"The experiences and progress of children in care", Area::ChildrenInCare, judgements);
        row(table, r"The experiences and progress of (?:children )?care leavers", Area::CareLeavers, judgements);
    }
    row(table, r"Overall effectiveness", Area::OverallEffectiveness, judgements);
}

fn sif_table(head: &str, judgements: &mut BTreeMap<Area, Grade>) {
    static HEADLINE: LazyLock<Regex> = LazyLock::new(|| {
        re(&format!(
            r"(?i)(?:Children's services in .{{1,80}}? (?:are|is|were)?\s*|The overall judgement is (?:that children's services (?:are |is )?)?){}",
            &GRADE[4..]
        ))
    });
    if let Some(g) = HEADLINE.captures(head).and_then(|c| grade(&c[1])) {
        judgements.insert(Area::OverallEffectiveness, g);
    }
    row(head, r"(?:\d\.\s*)?Children who need help and protection", Area::HelpAndProtection, judgements);
    row(head, r"(?:\d\.\s*)?Children looked after and achieving permanence", Area::ChildrenInCare, judgements);
    row(head, r"(?:\d\.\d\s*)?Adoption performance", Area::Adoption, judgements);
    row(head, r"(?:\d\.\d\s*)?Experiences and progress of care leavers", Area::CareLeavers, judgements);
    row(head, r"(?:\d\.\s*)?Leadership, management and governance", Area::LeadershipManagementGovernance, judgements);
}

fn lscb(all: &str, judgements: &mut BTreeMap<Area, Grade>) {
    static LSCB: LazyLock<Regex> = LazyLock::new(|| {
        re(&format!(
            r"(?i)The (?:effectiveness of the )?(?:Local Safeguarding Children Board|LSCB)(?: \(LSCB\))? (?:is )?{}",
            &GRADE[4..]
        ))
    });
    if let Some(g) = LSCB.captures(all).and_then(|c| grade(&c[1])) {
        judgements.insert(Area::Lscb, g);
    }
}

fn pre_sif(all: &str, judgements: &mut BTreeMap<Area, Grade>) {
    let findings = all.find("Record of main findings").map_or(all, |i| &all[i..]);
    row(findings, r"Overall effectiveness(?: Grade \d)?\s*\(?", Area::OverallEffectiveness, judgements);
    row(findings, r"Capacity (?:to|for) improve(?:ment)?(?: Grade \d)?\s*\(?", Area::CapacityToImprove, judgements);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn date_ranges_in_every_printed_form() {
        let p = |t: &str| parse_periods(&normalise(t), true);
        let one = |s, e| vec![Period { start: Some(s), end: e }];
        assert_eq!(p("7 to 18 November 2022"), one(d(2022, 11, 7), d(2022, 11, 18)));
        assert_eq!(p("16 April to 27 April 2018"), one(d(2018, 4, 16), d(2018, 4, 27)));
        assert_eq!(p("6 July 2015 – 30 July 2015"), one(d(2015, 7, 6), d(2015, 7, 30)));
        assert_eq!(p("4 July 2016–28 July 2016"), one(d(2016, 7, 4), d(2016, 7, 28)));
        assert_eq!(p("20 June 2017 ─ 13 July 2017"), one(d(2017, 6, 20), d(2017, 7, 13)));
        assert_eq!(p("18 Feb 2014 – 12 March 2014"), one(d(2014, 2, 18), d(2014, 3, 12)));
        assert_eq!(p("1/06/2015 – 25/06/2015"), one(d(2015, 6, 1), d(2015, 6, 25)));
        assert_eq!(p("12/09/2016 to 06/10/2016"), one(d(2016, 9, 12), d(2016, 10, 6)));
        assert_eq!(p("9–24 November 2017"), one(d(2017, 11, 9), d(2017, 11, 24)));
        assert_eq!(p("28 July 2016"), vec![Period { start: None, end: d(2016, 7, 28) }]);
        assert_eq!(
            p("30 September to 11 October 2024 and 13 to 16 January 2025"),
            vec![
                Period { start: Some(d(2024, 9, 30)), end: d(2024, 10, 11) },
                Period { start: Some(d(2025, 1, 13)), end: d(2025, 1, 16) }
            ]
        );
        assert_eq!(parse_periods("on 31 January and 1 February 2024", false), one(d(2024, 1, 31), d(2024, 2, 1)));
        assert_eq!(
            parse_periods("between 20 October and 22 October 2020", false),
            one(d(2020, 10, 20), d(2020, 10, 22))
        );
        assert_eq!(p("30 December to 3 January 2025"), one(d(2024, 12, 30), d(2025, 1, 3)));
        assert!(p("sometime in spring").is_empty());
    }

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
