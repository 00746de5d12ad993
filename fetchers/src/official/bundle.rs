//! The statistics' rows as the seed bundles them (`data/seed/official_statements.csv`): one line
//! per row of every bundled edition, with the file's URL, SHA-256 and retrieval time, the sheet
//! and row. `lacs official trim` writes it from the workbooks; the seed reads it.

use chrono::NaiveDate;
use schema::domain::{Judgement, UnknownValue};

use super::{OfficialError, OfficialRow};

/// The columns of `official_statements.csv`.
pub const COLUMNS: [&str; 16] = [
    "file",
    "source_url",
    "sha256",
    "retrieved_at",
    "sheet",
    "row",
    "gss_code",
    "council",
    "kind",
    "framework",
    "inspection_type",
    "label",
    "start_date",
    "published",
    "judgements",
    "theme",
];

/// A row with the document it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BundledRow {
    /// The file's name.
    pub file: String,
    /// Where the file was taken from.
    pub source_url: String,
    /// The file's SHA-256.
    pub sha256: String,
    /// When it was retrieved (RFC 3339).
    pub retrieved_at: String,
    /// The row.
    pub row: OfficialRow,
}

fn judgements_text(js: &[Judgement]) -> String {
    js.iter().map(|j| format!("{}={}", j.area, j.grade)).collect::<Vec<_>>().join(";")
}

/// Writes `rows` as CSV.
pub fn write(rows: &[BundledRow]) -> Result<String, OfficialError> {
    let fail = |e: csv::Error| OfficialError(e.to_string());
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(COLUMNS).map_err(fail)?;
    let text = |d: Option<NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
    for b in rows {
        let r = &b.row;
        w.write_record([
            b.file.clone(),
            b.source_url.clone(),
            b.sha256.clone(),
            b.retrieved_at.clone(),
            r.sheet.clone(),
            r.row.to_string(),
            r.gss_code.clone().unwrap_or_default(),
            r.council.clone(),
            r.kind.to_string(),
            r.framework.to_string(),
            r.inspection_type.map(|t| t.to_string()).unwrap_or_default(),
            r.label.clone(),
            text(r.start_date),
            text(r.published),
            judgements_text(&r.judgements),
            r.theme.map(|t| t.to_string()).unwrap_or_default(),
        ])
        .map_err(fail)?;
    }
    let bytes = w.into_inner().map_err(|e| OfficialError(e.to_string()))?;
    String::from_utf8(bytes).map_err(|e| OfficialError(e.to_string()))
}

/// Reads one CSV record (by column name) back into a row.
pub fn parse(get: impl Fn(&str) -> String) -> Result<BundledRow, String> {
    let vocab = |e: UnknownValue| e.to_string();
    let date = |c: &str| -> Result<Option<NaiveDate>, String> {
        let t = get(c);
        if t.is_empty() {
            return Ok(None);
        }
        t.parse().map(Some).map_err(|_| format!("{c}: `{t}` is not a date"))
    };
    let optional = |c: &str| Some(get(c)).filter(|t| !t.is_empty());
    let judgements = get("judgements")
        .split(';')
        .filter(|j| !j.is_empty())
        .map(|j| {
            let (area, grade) = j.split_once('=').ok_or_else(|| format!("judgements: `{j}` is not area=grade"))?;
            Ok(Judgement { area: area.parse().map_err(vocab)?, grade: grade.parse().map_err(vocab)? })
        })
        .collect::<Result<Vec<_>, String>>()?;
    Ok(BundledRow {
        file: get("file"),
        source_url: get("source_url"),
        sha256: get("sha256"),
        retrieved_at: get("retrieved_at"),
        row: OfficialRow {
            sheet: get("sheet"),
            row: get("row").parse().map_err(|_| format!("row: `{}` is not a row number", get("row")))?,
            gss_code: optional("gss_code"),
            council: get("council"),
            kind: get("kind").parse().map_err(vocab)?,
            framework: get("framework").parse().map_err(vocab)?,
            inspection_type: optional("inspection_type").map(|t| t.parse()).transpose().map_err(vocab)?,
            label: get("label"),
            start_date: date("start_date")?,
            published: date("published")?,
            judgements,
            theme: optional("theme").map(|t| t.parse()).transpose().map_err(vocab)?,
        },
    })
}

/// Every row of the bundled editions, read from their workbooks (`bytes` of each of
/// [`super::EDITIONS`], in order): what `official_statements.csv` holds.
pub fn from_workbooks(workbooks: &[(super::Edition, &[u8])]) -> Result<Vec<BundledRow>, OfficialError> {
    let mut out = Vec::new();
    for (edition, bytes) in workbooks {
        let sha256 = crate::ids::sha256_hex(bytes);
        let rows = super::read_workbook(bytes).map_err(|e| OfficialError(format!("{}: {e}", edition.file)))?;
        out.extend(rows.into_iter().map(|row| BundledRow {
            file: edition.file.to_owned(),
            source_url: edition.url.to_owned(),
            sha256: sha256.clone(),
            retrieved_at: edition.taken_at.to_owned(),
            row,
        }));
    }
    Ok(out)
}
