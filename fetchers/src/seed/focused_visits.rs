//! `ofsted_focused_visits.csv`: the focused-visit letters as our parser read them from the PDFs
//! of a public repository, one row a letter, with where each PDF came from (repository, commit,
//! path) and its SHA-256. Written by [`write_csv`] (`lacs parse-report --index … --seed-csv …`),
//! read by the seed import.
//!
//! The letters' Ofsted file ids are not known offline. Each is published under lacs's own id,
//! `fv-<URN>-<letter date>` (`fv-80418-2019-10-31`): stable (one council gets one letter a day
//! at most; the file under that name has one SHA-256), and never an Ofsted file id, which is all
//! digits. When `lacs fetch ofsted` reads the same file (same SHA-256) under its file id, the store
//! makes the two one record under the file id and keeps `fv-…` as its alias
//! ([`schema::store::Writer::put_inspection`]).

use std::collections::HashMap;
use std::path::Path;

use chrono::{DateTime, NaiveDate, Utc};
use schema::domain::*;

use super::files::{Problems, SeedFiles, Table, get, non_empty, parse_date};
use super::names::LaIndex;
use crate::report::{self, ParsedReport};

/// The file, in `data/seed/`.
pub const FILE: &str = "ofsted_focused_visits.csv";
/// The `source` of the records it publishes.
pub const SOURCE: &str = "seed:ofsted_focused_visits.csv";

/// The columns, in order.
pub const COLUMNS: [&str; 21] = [
    "id",
    "urn",
    "kind",
    "framework",
    "start_date",
    "end_date",
    "second_start_date",
    "second_end_date",
    "published",
    "lead_inspectors",
    "inspectors",
    "theme",
    "notes",
    "report_url",
    "provider_url",
    "source_repo",
    "source_commit",
    "source_path",
    "retrieved_at",
    "sha256",
    "parser_version",
];

/// lacs's id for a letter of council `urn` dated `date`.
pub fn visit_id(urn: &str, date: NaiveDate) -> String {
    format!("fv-{urn}-{date}")
}

/// Where a file is in a GitHub repository at a commit (the path percent-encoded).
pub fn repository_url(repo: &str, commit: &str, path: &str) -> String {
    let mut encoded = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'/' | b'-' | b'_' | b'.' | b'~') {
            encoded.push(b as char);
        } else {
            encoded.push_str(&format!("%{b:02X}"));
        }
    }
    format!("https://github.com/{repo}/blob/{commit}/{encoded}")
}

/// What writing the CSV did.
#[derive(Debug, Default, serde::Serialize)]
pub struct Written {
    /// Rows written.
    pub rows: usize,
    /// Letters that could not be read or did not match the index, each with the reason.
    pub errors: Vec<String>,
}

/// Reads every letter `index` (the `index.csv` of a directory of letters: urn, local_authority,
/// listing_date, file, sha256, bytes, source_repo, source_commit, source_path) lists, checks each
/// file's SHA-256 against it, parses it within `limits`, and writes the rows to `out`. A row
/// `out` already holds for the same bytes keeps its `retrieved_at`, so that reading the same files
/// again rewrites the same file. The letters are read on every core ([`crate::parallel`]).
pub fn write_csv(index: &Path, out: &Path, limits: &report::Limits) -> anyhow::Result<Written> {
    write_csv_with(index, out, limits, &report::Isolation::InProcess, crate::parallel::workers())
}

/// [`write_csv`] reading `workers` letters at once, each where `isolation` says; the file written
/// is the same for any number.
pub fn write_csv_with(
    index: &Path,
    out: &Path,
    limits: &report::Limits,
    isolation: &report::Isolation,
    workers: usize,
) -> anyhow::Result<Written> {
    let dir = index.parent().unwrap_or(Path::new("."));
    let retrieved_before: HashMap<String, String> = match std::fs::read(out) {
        Ok(bytes) => csv::Reader::from_reader(bytes.as_slice())
            .deserialize::<HashMap<String, String>>()
            .filter_map(Result::ok)
            .filter_map(|r| Some((r.get("sha256")?.clone(), r.get("retrieved_at")?.clone())))
            .collect(),
        Err(_) => HashMap::new(),
    };
    let now = Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string();
    let mut listed = Vec::new();
    for (n, record) in csv::Reader::from_path(index)?.deserialize::<HashMap<String, String>>().enumerate() {
        listed.push(record.map_err(|e| anyhow::anyhow!("{}:{}: {e}", index.display(), n + 2))?);
    }
    let read = |r: HashMap<String, String>| -> Result<Vec<String>, String> {
        let col = |c: &str| r.get(c).map(String::as_str).unwrap_or_default();
        let file = dir.join(col("file"));
        let fail = |why: String| format!("{}: {why}", file.display());
        let bytes = report::read_file(&file, limits).map_err(|e| fail(e.to_string()))?;
        let sha256 = crate::ids::sha256_hex(&bytes);
        if sha256 != col("sha256") {
            return Err(fail(format!("SHA-256 {sha256}, the index says {}", col("sha256"))));
        }
        let parsed = report::parse_in(&bytes, limits, isolation).map_err(|e| fail(e.to_string()))?;
        let Ok(listed) = NaiveDate::parse_from_str(col("listing_date"), "%Y-%m-%d") else {
            return Err(fail(format!("listing_date `{}` is not a date", col("listing_date"))));
        };
        if parsed.kind != InspectionKind::FocusedVisit {
            return Err(fail(format!("read as {}, not a focused visit", parsed.kind)));
        }
        let retrieved_at = retrieved_before.get(&sha256).cloned().unwrap_or_else(|| now.clone());
        Ok(row(
            &parsed,
            col("urn"),
            listed,
            [col("source_repo"), col("source_commit"), col("source_path")],
            &sha256,
            retrieved_at,
        ))
    };
    let mut written = Written::default();
    let mut rows: Vec<Vec<String>> = Vec::new();
    crate::parallel::for_each_in_order(listed, workers, read, |result| match result {
        Ok(row) => rows.push(row),
        Err(e) => written.errors.push(e),
    });
    rows.sort_by(|a, b| a[0].cmp(&b[0]));
    let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::Any(b'\n')).from_path(out)?;
    w.write_record(COLUMNS)?;
    for r in &rows {
        w.write_record(r)?;
    }
    w.flush()?;
    written.rows = rows.len();
    Ok(written)
}

/// One letter's row. It is published on the date beside it on the council's page (in every
/// letter of the archive, the letter's own date).
fn row(
    p: &ParsedReport,
    urn: &str,
    listed: NaiveDate,
    [repo, commit, path]: [&str; 3],
    sha256: &str,
    retrieved_at: String,
) -> Vec<String> {
    let date = |d: Option<NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
    let period = |i: usize| p.on_site_periods.get(i);
    let mut notes = p.notes.clone();
    if p.published.is_some_and(|d| d != listed) {
        notes.push(format!("the letter is dated {}, the council's page lists it on {listed}", date(p.published)));
    }
    if p.on_site_periods.is_empty() {
        notes.push("the letter's dates on site could not be read".into());
    }
    let url = repository_url(repo, commit, path);
    vec![
        visit_id(urn, listed),
        urn.to_owned(),
        p.kind.as_str().to_owned(),
        p.framework.map(|f| f.as_str().to_owned()).unwrap_or_default(),
        date(period(0).and_then(|x| x.start)),
        date(period(0).map(|x| x.end)),
        date(period(1).and_then(|x| x.start)),
        date(period(1).map(|x| x.end)),
        listed.to_string(),
        p.lead_inspectors.join("; "),
        p.inspectors.join("; "),
        p.theme.map(|t| t.as_str().to_owned()).unwrap_or_default(),
        notes.join("; "),
        url,
        format!("{}/provider/44/{urn}", crate::ofsted::REPORTS_SITE),
        repo.to_owned(),
        commit.to_owned(),
        path.to_owned(),
        retrieved_at,
        sha256.to_owned(),
        report::PARSER_VERSION.to_owned(),
    ]
}

/// The rows of [`FILE`], read and checked: each id is lacs's id for its council and date, each
/// report URL the file's place in its repository at its commit.
pub(super) fn read(files: &SeedFiles, las: &LaIndex, problems: &mut Problems) -> Vec<Inspection> {
    let table = Table::read(files, FILE, &COLUMNS, problems);
    let mut out = Vec::new();
    for (line, row) in &table.rows {
        let mut fail = |reason: String| problems.add(&table.path, *line, reason);
        let urn = get(row, "urn");
        let Some(la) = las.by_urn.get(urn) else {
            fail(format!("URN `{urn}` matches no local authority"));
            continue;
        };
        let parsed = (|| -> Result<Inspection, String> {
            let date = |c: &str| parse_date(get(row, c), "%Y-%m-%d").map_err(|e| format!("{c}: {e}"));
            let published = date("published")?.ok_or("published: empty")?;
            let id = get(row, "id");
            if id != visit_id(urn, published) {
                return Err(format!("id `{id}` is not `{}`", visit_id(urn, published)));
            }
            let (repo, commit, path) = (get(row, "source_repo"), get(row, "source_commit"), get(row, "source_path"));
            let url = repository_url(repo, commit, path);
            if get(row, "report_url") != url {
                return Err(format!("report_url is not the file's place in its repository ({url})"));
            }
            let sha256 = get(row, "sha256");
            if sha256.len() != 64 || !sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(format!("sha256 `{sha256}` is not a SHA-256"));
            }
            let list = |c: &str| get(row, c).split("; ").filter(|n| !n.is_empty()).map(str::to_owned).collect();
            let vocab = |e: UnknownValue| e.to_string();
            let retrieved_at = DateTime::parse_from_rfc3339(get(row, "retrieved_at"))
                .map_err(|_| format!("retrieved_at: `{}` is not an RFC 3339 time", get(row, "retrieved_at")))?
                .with_timezone(&Utc);
            Ok(Inspection {
                id: id.to_owned(),
                la: la.clone(),
                kind: get(row, "kind").parse().map_err(vocab)?,
                framework: non_empty(get(row, "framework")).map(|f| f.parse()).transpose().map_err(vocab)?,
                inspection_type: None,
                start_date: date("start_date")?,
                end_date: date("end_date")?,
                second_start_date: date("second_start_date")?,
                second_end_date: date("second_end_date")?,
                published,
                lead_inspectors: list("lead_inspectors"),
                inspectors: list("inspectors"),
                theme: non_empty(get(row, "theme")).map(|t| t.parse()).transpose().map_err(vocab)?,
                report_url: url.clone(),
                provider_url: non_empty(get(row, "provider_url")),
                judgements: Vec::new(),
                notes: non_empty(get(row, "notes")),
                statements: Vec::new(),
                provenance: Provenance {
                    source: SOURCE.to_owned(),
                    source_url: url,
                    retrieved_at,
                    sha256: sha256.to_owned(),
                    parser_version: get(row, "parser_version").to_owned(),
                },
            })
        })();
        match parsed {
            Ok(i) => out.push(i),
            Err(e) => fail(e),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_cannot_be_file_ids_and_urls_are_encoded() {
        let d = NaiveDate::from_ymd_opt(2019, 10, 31).unwrap();
        let id = visit_id("80418", d);
        assert_eq!(id, "fv-80418-2019-10-31");
        assert!(!id.bytes().all(|b| b.is_ascii_digit()));
        assert_eq!(
            repository_url(
                "o/r",
                "c91d",
                "export_data/80418_norfolk/children's services focused visit - 31 october 2019.pdf"
            ),
            "https://github.com/o/r/blob/c91d/export_data/80418_norfolk/children%27s%20services%20focused%20visit%20-%2031%20october%202019.pdf"
        );
    }
}
