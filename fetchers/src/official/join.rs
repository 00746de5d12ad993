//! How a row of Ofsted's statistics joins the records, and what the record then shows: the one
//! rule the seed import (`seed::official`), `lacs fetch ofsted-stats` and the crawler (meeting a
//! publication the statistics alone stated) share.
//!
//! Each row of the statistics is a statement of one publication. It joins the record of the same
//! council and first day on site (or, where the row gives only a publication date, the same
//! publication date, else the nearest of the same kind within a fortnight). Which reading a record
//! shows: the report PDF's where lacs read the PDF (or the visit letter's); else the statistics'
//! (the newest edition stating an area), before the scraper's CSV, whose reading is kept among the
//! statements. Rows no record matches are published from the statistics alone, as
//! `os-<GSS code>-<date>`: the first day on site, else the publication date.
//!
//! Editions are ordered by when lacs retrieved them, then (for the bundled copies, retrieved
//! together) by [`super::EDITIONS`]. The same row of the same file stated again changes nothing;
//! the same row of a file of the same name with other bytes (a republished file) replaces it where
//! its grades differ (a row whose dates or areas changed is another statement).

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use schema::StoreError;
use schema::domain::*;
use schema::query::duplicates::SAME_INSPECTION_WITHIN_DAYS;

use super::{OfficialRow, PARSER_VERSION, SOURCE};
use crate::seed::{CouncilNames, HISTORY_SOURCE};

/// How the statistics' rows met the records.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct OfficialMatch {
    /// Rows read.
    pub rows: usize,
    /// Rows that joined a record of another source.
    pub matched: usize,
    /// Records published from the statistics alone.
    pub official_only_records: usize,
    /// Rows that state no publication date and matched no record: they cannot be published.
    pub unplaced: usize,
}

/// One row with the council it names and the statement it makes.
#[derive(Debug, Clone)]
pub struct Stated {
    /// The council's GSS code.
    pub la: String,
    /// The row.
    pub row: OfficialRow,
    /// What it states, with its document.
    pub statement: Statement,
}

impl Stated {
    /// Row `row` of `file` (retrieved from `source_url`, with that SHA-256, at that time).
    pub fn new(
        la: String,
        row: OfficialRow,
        file: &str,
        source_url: &str,
        sha256: &str,
        retrieved_at: DateTime<Utc>,
    ) -> Stated {
        let statement = Statement {
            source: SOURCE.to_owned(),
            source_url: source_url.to_owned(),
            sha256: sha256.to_owned(),
            retrieved_at,
            locator: format!("{file}, sheet {}, row {}", row.sheet, row.row),
            start_date: row.start_date,
            published: row.published,
            judgements: row.judgements.clone(),
        };
        Stated { la, row, statement }
    }
}

/// The councils a row may name: by GSS code (any code a council has used), else by name on the
/// row's date; and each council's Ofsted URN (for a record's provider page).
pub struct Councils {
    by_gss: HashMap<String, String>,
    names: CouncilNames,
    urn_of: HashMap<String, String>,
}

impl Councils {
    /// From `las` and the alias table bundled with lacs.
    pub fn new(las: &[LocalAuthority]) -> Result<Councils, StoreError> {
        Ok(Councils::from_parts(las, CouncilNames::new(las)?))
    }

    /// From `las` and names already indexed.
    pub(crate) fn from_parts(las: &[LocalAuthority], names: CouncilNames) -> Councils {
        let by_gss = las
            .iter()
            .flat_map(|la| {
                std::iter::once(&la.gss_code).chain(&la.former_gss_codes).map(|c| (c.clone(), la.gss_code.clone()))
            })
            .collect();
        let urn_of = las.iter().filter_map(|la| Some((la.gss_code.clone(), la.ofsted_urn.clone()?))).collect();
        Councils { by_gss, names, urn_of }
    }

    /// Councils by name.
    pub fn names(&self) -> &CouncilNames {
        &self.names
    }

    /// The council a row names, by its GSS code where it gives one, else by name.
    pub fn resolve(&self, row: &OfficialRow) -> Option<String> {
        match &row.gss_code {
            Some(gss) => self.by_gss.get(gss).cloned(),
            None => self.names.find(&row.council, row.start_date.or(row.published)).map(str::to_owned),
        }
    }
}

/// Joins `rows` to `inspections`, adding the records only the statistics state. `history_lines`
/// are the scraper rows' lines by record id (its reading becomes a statement where the
/// statistics replace it).
pub fn join(
    inspections: &mut Vec<Inspection>,
    mut rows: Vec<Stated>,
    councils: &Councils,
    history_lines: &HashMap<String, u64>,
) -> OfficialMatch {
    let mut m = OfficialMatch { rows: rows.len(), ..OfficialMatch::default() };
    let first_new = inspections.len();
    // Rows with both dates first, so that a record they create is there for the rows that give
    // only one; then rows with a start date only; then publication date only. The given order
    // (oldest edition first) is kept within each.
    let rank = |r: &Stated| match (r.row.start_date, r.row.published) {
        (Some(_), Some(_)) => 0,
        (Some(_), None) => 1,
        _ => 2,
    };
    rows.sort_by_key(rank);
    for r in rows {
        let at = match find(inspections, &Key::of_row(&r)) {
            Some(at) => {
                if at < first_new {
                    m.matched += 1;
                }
                at
            }
            None => {
                let Some(published) = r.row.published else {
                    m.unplaced += 1;
                    continue;
                };
                m.official_only_records += 1;
                inspections.push(official_record(&r, published, councils));
                inspections.len() - 1
            }
        };
        attach(&mut inspections[at], r, history_lines);
    }
    m
}

/// A record published from a row alone.
fn official_record(r: &Stated, published: NaiveDate, councils: &Councils) -> Inspection {
    let date = r.row.start_date.unwrap_or(published);
    Inspection {
        id: format!("os-{}-{date}", r.la),
        la: r.la.clone(),
        kind: r.row.kind,
        framework: Some(r.row.framework),
        inspection_type: r.row.inspection_type,
        start_date: r.row.start_date,
        end_date: None,
        second_start_date: None,
        second_end_date: None,
        published,
        lead_inspectors: Vec::new(),
        inspectors: Vec::new(),
        theme: r.row.theme,
        report_url: r.statement.source_url.clone(),
        provider_url: councils.urn_of.get(&r.la).map(|urn| format!("https://reports.ofsted.gov.uk/provider/44/{urn}")),
        judgements: Vec::new(),
        notes: Some(format!(
            "no report PDF is held: published from Ofsted's official statistics ({}), which state no inspectors or \
             end date",
            r.row.label
        )),
        provenance: Provenance {
            source: SOURCE.to_owned(),
            source_url: r.statement.source_url.clone(),
            retrieved_at: r.statement.retrieved_at,
            sha256: r.statement.sha256.clone(),
            parser_version: PARSER_VERSION.to_owned(),
        },
        statements: Vec::new(),
    }
}

/// Adds a row's statement to its record and settles what the record shows.
fn attach(record: &mut Inspection, r: Stated, history_lines: &HashMap<String, u64>) {
    if record.provenance.source == HISTORY_SOURCE {
        let line = history_lines.get(&record.id).map_or_else(String::new, |l| format!("line {l}"));
        keep_scraper_reading(record, line);
        record.framework = record.framework.or(Some(r.row.framework));
        record.inspection_type = record.inspection_type.or(r.row.inspection_type);
    } else if record.provenance.source == SOURCE {
        record.inspection_type = record.inspection_type.or(r.row.inspection_type);
        record.theme = record.theme.or(r.row.theme);
    }
    if record.start_date.is_none() {
        record.start_date = r.row.start_date;
    }
    match record.statements.iter().position(|s| same_row(s, &r.statement)) {
        // The same row states the same again (the same bytes, or a republished file whose row did
        // not change): the statement keeps the document it was first read from.
        Some(k) if same_facts(&record.statements[k], &r.statement) => {}
        // A republished file of the same name that corrects the row: its reading replaces the old.
        Some(k) => record.statements[k] = r.statement,
        None => record.statements.push(r.statement),
    }
    settle(record);
}

fn same_facts(a: &Statement, b: &Statement) -> bool {
    (a.start_date, a.published, &a.judgements) == (b.start_date, b.published, &b.judgements)
}

/// A record of the scraper's CSV keeps the scraper's own reading as a statement (once), before
/// another source's reading replaces it. `locator` is its line.
pub fn keep_scraper_reading(record: &mut Inspection, locator: String) {
    if record.provenance.source != HISTORY_SOURCE || record.statements.iter().any(|s| s.source == HISTORY_SOURCE) {
        return;
    }
    let own = Statement {
        source: HISTORY_SOURCE.to_owned(),
        source_url: record.provenance.source_url.clone(),
        sha256: record.provenance.sha256.clone(),
        retrieved_at: record.provenance.retrieved_at,
        locator,
        start_date: record.start_date,
        published: Some(record.published),
        judgements: record.judgements.clone(),
    };
    record.statements.insert(0, own);
}

/// The order of statements: other sources' first (as they came), then the statistics' editions
/// oldest first.
fn edition_key(s: &Statement) -> (bool, DateTime<Utc>, usize) {
    if s.source != SOURCE {
        return (false, DateTime::UNIX_EPOCH, 0);
    }
    let file = s.locator.split_once(", sheet ").map_or(s.locator.as_str(), |(f, _)| f);
    let bundled = super::EDITIONS.iter().position(|e| e.file == file).unwrap_or(super::EDITIONS.len());
    (true, s.retrieved_at, bundled)
}

/// The file a statement of the statistics names, and its sheet and row.
fn file_and_place(s: &Statement) -> (&str, &str) {
    s.locator.split_once(", sheet ").unwrap_or((s.locator.as_str(), ""))
}

/// Whether two statements are the same row of the same document: the same sheet and row (and,
/// as one row of the 2023 file states several inspections, the same dates and areas) of the same
/// bytes, or of a file of the same name.
fn same_row(a: &Statement, b: &Statement) -> bool {
    let ((fa, pa), (fb, pb)) = (file_and_place(a), file_and_place(b));
    a.source == SOURCE
        && b.source == SOURCE
        && pa == pb
        && (a.sha256 == b.sha256 || fa == fb)
        && (a.start_date, a.published) == (b.start_date, b.published)
        && a.judgements.iter().map(|j| j.area).eq(b.judgements.iter().map(|j| j.area))
}

/// What the record shows, from its statements: a record of the statistics alone shows the newest
/// edition's reading of each area (and its publication date and document), a record of the
/// scraper's CSV the same over the scraper's own reading; a record read from a PDF its own.
fn settle(record: &mut Inspection) {
    record.statements.sort_by_key(edition_key);
    let official: Vec<&Statement> = record.statements.iter().filter(|s| s.source == SOURCE).collect();
    if record.provenance.source == SOURCE {
        let Some(newest) = official.last() else { return };
        let mut judgements = Vec::new();
        for s in &official {
            judgements = overlay(&judgements, &s.judgements);
        }
        if let Some(p) = official.iter().rev().find_map(|s| s.published) {
            record.published = p;
        }
        record.report_url = newest.source_url.clone();
        record.provenance.source_url = newest.source_url.clone();
        record.provenance.sha256 = newest.sha256.clone();
        record.provenance.retrieved_at = newest.retrieved_at;
        record.judgements = judgements;
    } else if record.provenance.source == HISTORY_SOURCE {
        let Some(own) = record.statements.iter().find(|s| s.source == HISTORY_SOURCE) else { return };
        let mut judgements = own.judgements.clone();
        for s in &official {
            judgements = overlay(&judgements, &s.judgements);
        }
        let changed = judgements != record.judgements || judgements != own.judgements;
        record.judgements = judgements;
        if changed {
            const NOTE: &str = "judgements as Ofsted's official statistics state them (the scraper's reading is among \
                                the statements)";
            match &mut record.notes {
                Some(n) if n.contains(NOTE) => {}
                Some(n) => n.push_str(&format!("; {NOTE}")),
                None => record.notes = Some(NOTE.to_owned()),
            }
        }
    }
}

/// Where a later edition of the statistics states a field of a record differently from an
/// earlier one (the statistics correcting themselves): the file of the first edition that does.
pub fn revised_by(record: &Inspection) -> Option<String> {
    let mut official: Vec<&Statement> = record.statements.iter().filter(|s| s.source == SOURCE).collect();
    official.sort_by_key(|s| edition_key(s));
    for (k, later) in official.iter().enumerate() {
        let file = file_and_place(later).0;
        let revises = official[..k].iter().filter(|e| file_and_place(e).0 != file).any(|earlier| {
            let dates = |a: Option<NaiveDate>, b: Option<NaiveDate>| a.zip(b).is_some_and(|(a, b)| a != b);
            dates(earlier.start_date, later.start_date)
                || dates(earlier.published, later.published)
                || earlier.judgements.iter().any(|e| {
                    later.judgements.iter().any(|l| {
                        l.area == e.area
                            && l.grade != e.grade
                            && !(l.grade.score().is_some() && l.grade.score() == e.grade.score())
                    })
                })
        });
        if revises {
            return Some(file.to_owned());
        }
    }
    None
}

/// The record as it stood before the edition in `file` (and every later one) stated it, where
/// it stood at all: what the change log records before the correction.
pub fn before_edition(record: &Inspection, file: &str) -> Option<Inspection> {
    let cut = record.statements.iter().filter(|s| file_and_place(s).0 == file).map(edition_key).min()?;
    let mut earlier = record.clone();
    earlier.statements.retain(|s| edition_key(s) < cut);
    if record.provenance.source == SOURCE && !earlier.statements.iter().any(|s| s.source == SOURCE) {
        return None;
    }
    settle(&mut earlier);
    Some(earlier)
}

/// What a row (or a record) is matched by.
pub struct Key<'a> {
    /// The council.
    pub la: &'a str,
    /// Inspection or visit.
    pub kind: InspectionKind,
    /// The framework.
    pub framework: Option<Framework>,
    /// The first day on site, where stated.
    pub start_date: Option<NaiveDate>,
    /// The publication date, where stated.
    pub published: Option<NaiveDate>,
    /// The judgements stated.
    pub judgements: &'a [Judgement],
}

impl<'a> Key<'a> {
    fn of_row(r: &'a Stated) -> Key<'a> {
        Key {
            la: &r.la,
            kind: r.row.kind,
            framework: Some(r.row.framework),
            start_date: r.row.start_date,
            published: r.row.published,
            judgements: &r.row.judgements,
        }
    }
}

/// The record of the same council and first day on site, else (for a row that gives no start
/// date, or whose start date no record has) of the same publication date; of the same kind where
/// two match.
pub fn find(inspections: &[Inspection], key: &Key<'_>) -> Option<usize> {
    let same_la = |i: &Inspection| i.la == key.la;
    let pick = |hits: Vec<usize>| -> Option<usize> {
        hits.iter().copied().find(|&k| inspections[k].kind == key.kind).or(hits.first().copied())
    };
    if let Some(start) = key.start_date {
        let hits = positions(inspections, |i| same_la(i) && i.start_date == Some(start));
        if !hits.is_empty() {
            return pick(hits);
        }
    }
    let published = key.published?;
    // A record with a different start date is another publication, even on the same day.
    let compatible = |i: &Inspection| {
        same_la(i) && (key.start_date.is_none() || i.start_date.is_none() || i.start_date == key.start_date)
    };
    let hits = positions(inspections, |i| compatible(i) && i.published == published);
    if !hits.is_empty() {
        return pick(hits);
    }
    // The statistics' publication date can be a day or a week from the report's listing date,
    // and an edition can misdate a row by months (Nottingham's 2022 inspection: 5 September in
    // one edition, 5 November in two others): the nearest record of the same kind and framework
    // within a fortnight, or within [`SAME_INSPECTION_WITHIN_DAYS`] where the row grades what the
    // record grades alike and the record's first day on site is not after the row's date (its
    // date differing is then listed as a discrepancy). One council is not inspected twice in so
    // short a time: the dataset's invariant.
    positions(inspections, |i| {
        let apart = (i.published - published).num_days().abs();
        compatible(i)
            && i.kind == key.kind
            && i.framework.is_none_or(|f| Some(f) == key.framework || key.framework.is_none())
            && (apart <= PUBLISHED_WITHIN_DAYS
                || (apart <= SAME_INSPECTION_WITHIN_DAYS
                    && i.start_date.is_none_or(|s| s <= published)
                    && grades_alike(&i.judgements, key.judgements)))
    })
    .into_iter()
    .min_by_key(|&k| (inspections[k].published - published).num_days().abs())
}

/// Whether two readings grade at least one area and give every area both grade the same grade
/// (grades of the same score agree, as in [`Inspection::discrepancies`]).
fn grades_alike(a: &[Judgement], b: &[Judgement]) -> bool {
    let mut shared = 0;
    for x in a {
        if let Some(y) = b.iter().find(|y| y.area == x.area) {
            if x.grade != y.grade && !(x.grade.score().is_some() && x.grade.score() == y.grade.score()) {
                return false;
            }
            shared += 1;
        }
    }
    shared > 0
}

/// Whether the statements of `official`, a record of the statistics alone, state the publication
/// `record` is (by the rule of [`find`]): the crawler then makes them one record.
pub fn states_the_same(official: &Inspection, record: &Inspection) -> bool {
    official.provenance.source == SOURCE
        && official.statements.iter().filter(|s| s.source == SOURCE).any(|s| {
            let key = Key {
                la: &official.la,
                kind: official.kind,
                framework: official.framework,
                start_date: s.start_date,
                published: s.published,
                judgements: &s.judgements,
            };
            find(std::slice::from_ref(record), &key).is_some()
        })
}

/// What a record just read from a report PDF (`record`, under its Ofsted file id) takes over from
/// the records `held`: the statements of the record it rewrites (the same id: a row of the
/// scraper's CSV, whose own reading becomes a statement) and of a record lacs published under
/// its own id for the same file (the same SHA-256), and those of every record of the statistics
/// alone that states the same publication by [`find`]'s rule. Its discrepancies are then those
/// statements against its new reading. Returns the ids of those records of the statistics, which
/// become this record.
pub fn carry_over(record: &mut Inspection, held: &[Inspection]) -> Vec<String> {
    let is_file_id = |id: &str| !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit());
    let mut official = Vec::new();
    for old in held {
        let same_file = !is_file_id(&old.id)
            && !old.provenance.sha256.is_empty()
            && old.provenance.sha256 == record.provenance.sha256;
        let stated = old.id != record.id && old.la == record.la && states_the_same(old, record);
        if !(old.id == record.id || same_file || stated) {
            continue;
        }
        let mut old = old.clone();
        keep_scraper_reading(&mut old, String::new());
        for s in old.statements {
            if !record.statements.contains(&s) {
                record.statements.push(s);
            }
        }
        if stated {
            official.push(old.id);
        }
    }
    settle(record);
    official
}

/// How far apart the statistics' publication date and a record's may be for a row that states
/// no start date to join it.
const PUBLISHED_WITHIN_DAYS: i64 = 14;

fn positions(inspections: &[Inspection], pred: impl Fn(&Inspection) -> bool) -> Vec<usize> {
    inspections.iter().enumerate().filter(|(_, i)| pred(i)).map(|(k, _)| k).collect()
}

/// `base` with every area `over` grades taken from `over`.
fn overlay(base: &[Judgement], over: &[Judgement]) -> Vec<Judgement> {
    let mut out: Vec<Judgement> = base.iter().filter(|j| !over.iter().any(|o| o.area == j.area)).copied().collect();
    out.extend(over.iter().copied());
    out.sort_by_key(|j| j.area);
    out
}
