//! Releases: the whole dataset of one version as CSV, newline-delimited JSON and a SQLite
//! database, with a manifest of checksums. The same dataset version always gives byte-identical
//! files: rows in id order, no wall-clock times (the release is dated by the version's own time).
//!
//! Longer than most files on purpose: every published table's columns are declared here, one
//! after another, so that the files' layouts can be read (and reviewed) side by side.

mod indicators;

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::Dataset;
use crate::dataset::SourceSummary;
use crate::domain::{LocalAuthority, Provenance};

/// A cell of an exported table.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// No value.
    Null,
    /// Text.
    Text(String),
    /// A whole number.
    Int(i64),
}

impl From<Option<String>> for Cell {
    fn from(v: Option<String>) -> Self {
        v.map_or(Cell::Null, Cell::Text)
    }
}

impl From<String> for Cell {
    fn from(v: String) -> Self {
        Cell::Text(v)
    }
}

impl From<&str> for Cell {
    fn from(v: &str) -> Self {
        Cell::Text(v.to_owned())
    }
}

impl From<Option<&str>> for Cell {
    fn from(v: Option<&str>) -> Self {
        v.map_or(Cell::Null, |s| Cell::Text(s.to_owned()))
    }
}

impl Cell {
    fn csv(&self) -> String {
        match self {
            Cell::Null => String::new(),
            Cell::Text(s) => s.clone(),
            Cell::Int(i) => i.to_string(),
        }
    }

    fn json(&self) -> serde_json::Value {
        match self {
            Cell::Null => serde_json::Value::Null,
            Cell::Text(s) => serde_json::Value::String(s.clone()),
            Cell::Int(i) => serde_json::Value::from(*i),
        }
    }

    fn sql(&self) -> String {
        match self {
            Cell::Null => "NULL".to_owned(),
            // SQLite reads the script as a C string: a NUL would cut it short.
            Cell::Text(s) => format!("'{}'", s.replace('\0', "").replace('\'', "''")),
            Cell::Int(i) => i.to_string(),
        }
    }
}

/// One exported table: its SQLite definition and its rows.
pub struct Table {
    /// Table and file name.
    pub name: &'static str,
    /// Column names.
    pub columns: Vec<&'static str>,
    /// `CREATE TABLE` body (columns, keys, foreign keys) for the SQLite export.
    pub definition: &'static str,
    /// Indexes for the SQLite export.
    pub indexes: &'static [&'static str],
    /// The rows, in id order.
    pub rows: Vec<Vec<Cell>>,
}

const PROVENANCE_COLUMNS: [&str; 6] =
    ["source", "source_url", "retrieved_at", "sha256", "parser_version", "archive_url"];

fn provenance(ds: &Dataset, p: &Provenance) -> [Cell; 6] {
    [
        p.source.as_str().into(),
        p.source_url.as_str().into(),
        time(p.retrieved_at).into(),
        p.sha256.as_str().into(),
        p.parser_version.as_str().into(),
        ds.archive_url(&p.sha256).into(),
    ]
}

fn date(d: Option<chrono::NaiveDate>) -> Cell {
    d.map_or(Cell::Null, |d| Cell::Text(d.to_string()))
}

fn time(t: chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
}

fn list(items: &[String], sep: &str) -> Cell {
    if items.is_empty() { Cell::Null } else { Cell::Text(items.join(sep)) }
}

/// The tables of a release, built from a snapshot.
pub fn tables(ds: &Dataset) -> Vec<Table> {
    let mut las: Vec<&LocalAuthority> = ds.local_authorities.iter().collect();
    las.sort_by(|a, b| a.gss_code.cmp(&b.gss_code));
    let mut la_columns = vec![
        "gss_code",
        "former_gss_codes",
        "dfe_code",
        "ofsted_urn",
        "name",
        "short_name",
        "slug",
        "region_code",
        "region_name",
        "la_type",
        "statistical_neighbours",
        "population_0_25",
        "valid_from",
        "valid_to",
        "predecessors",
        "successors",
        "website",
        "notes",
    ];
    la_columns.extend(PROVENANCE_COLUMNS);
    let la_rows = las
        .iter()
        .map(|la| {
            let predecessors: Vec<String> = ds.predecessors_of(&la.gss_code).map(|s| s.predecessor.clone()).collect();
            let successors: Vec<String> = ds.successors_of(&la.gss_code).map(|s| s.successor.clone()).collect();
            let mut row = vec![
                la.gss_code.as_str().into(),
                list(&la.former_gss_codes, ";"),
                la.dfe_code.as_deref().into(),
                la.ofsted_urn.as_deref().into(),
                la.name.as_str().into(),
                la.short_name.as_str().into(),
                la.slug.as_str().into(),
                la.region_code.as_deref().into(),
                la.region_name.as_deref().into(),
                la.la_type.map(|t| t.as_str()).into(),
                list(&la.statistical_neighbours, ";"),
                la.population_0_25.map_or(Cell::Null, Cell::Int),
                date(la.valid_from),
                date(la.valid_to),
                list(&predecessors, ";"),
                list(&successors, ";"),
                la.website.as_deref().into(),
                la.notes.as_deref().into(),
            ];
            row.extend(provenance(ds, &la.provenance));
            row
        })
        .collect();

    let mut inspections: Vec<_> = ds.inspections.iter().collect();
    inspections.sort_by(|a, b| a.id.cmp(&b.id));
    let mut inspection_columns = vec![
        "id",
        "la",
        "kind",
        "framework",
        "inspection_type",
        "start_date",
        "end_date",
        "second_start_date",
        "second_end_date",
        "published",
        "lead_inspectors",
        "report_url",
        "provider_url",
        "notes",
        "inspectors",
        "theme",
    ];
    inspection_columns.extend(PROVENANCE_COLUMNS);
    let inspection_rows = inspections
        .iter()
        .map(|i| {
            let mut row = vec![
                i.id.as_str().into(),
                i.la.as_str().into(),
                i.kind.as_str().into(),
                i.framework.map(|f| f.as_str()).into(),
                i.inspection_type.map(|t| t.as_str()).into(),
                date(i.start_date),
                date(i.end_date),
                date(i.second_start_date),
                date(i.second_end_date),
                date(Some(i.published)),
                list(&i.lead_inspectors, "; "),
                i.report_url.as_str().into(),
                i.provider_url.as_deref().into(),
                i.notes.as_deref().into(),
                list(&i.inspectors, "; "),
                i.theme.map(|t| t.as_str()).into(),
            ];
            row.extend(provenance(ds, &i.provenance));
            row
        })
        .collect();
    let judgement_rows = inspections
        .iter()
        .flat_map(|i| {
            i.judgements.iter().map(|j| vec![i.id.as_str().into(), j.area.as_str().into(), j.grade.as_str().into()])
        })
        .collect();
    // Other sources' statements and where they disagree, one row each (a spreadsheet joins them to
    // `inspections` on `inspection_id`).
    let judgements_text = |js: &[crate::domain::Judgement]| -> Cell {
        js.iter().map(|j| format!("{}={}", j.area, j.grade)).collect::<Vec<_>>().join("; ").into()
    };
    let statement_rows = inspections
        .iter()
        .flat_map(|i| {
            i.statements.iter().map(|s| {
                vec![
                    i.id.as_str().into(),
                    i.la.as_str().into(),
                    s.source.as_str().into(),
                    s.source_url.as_str().into(),
                    s.locator.as_str().into(),
                    s.sha256.as_str().into(),
                    s.retrieved_at.to_rfc3339().into(),
                    date(s.start_date),
                    date(s.published),
                    judgements_text(&s.judgements),
                ]
            })
        })
        .collect();
    let discrepancy_rows = inspections
        .iter()
        .flat_map(|i| {
            i.discrepancies().into_iter().map(|d| {
                vec![
                    i.id.as_str().into(),
                    i.la.as_str().into(),
                    d.field.into(),
                    d.value.into(),
                    d.other_value.into(),
                    d.other_source.into(),
                    d.other_source_url.into(),
                    d.other_locator.into(),
                ]
            })
        })
        .collect();

    let mut interventions: Vec<_> = ds.interventions.iter().collect();
    interventions.sort_by(|a, b| a.id.cmp(&b.id));
    let mut intervention_columns = vec![
        "id",
        "la",
        "kind",
        "service",
        "start_date",
        "start_precision",
        "end_date",
        "end_precision",
        "status",
        "status_reason",
        "commissioner",
        "title",
        "summary",
        "follows",
        "source_urls",
        "source_class",
        "see_also",
        "end_source_url",
        "end_note",
        "document_updated_at",
        "withdrawn_at",
        "withdrawn_explanation",
    ];
    intervention_columns.extend(PROVENANCE_COLUMNS);
    // Statuses as they stood on the day of the version, so that a version's files stay the same.
    let on = ds.updated_at.date_naive();
    let intervention_rows = interventions
        .iter()
        .map(|i| {
            let status = crate::query::intervention_status::status_on(ds, i, on);
            let mut row = vec![
                i.id.as_str().into(),
                i.la.as_str().into(),
                i.kind.as_str().into(),
                i.service.as_str().into(),
                i.start_date.map(|d| d.first_day.to_string()).into(),
                i.start_date.map(|d| d.precision.as_str()).into(),
                i.end_date.map(|d| d.first_day.to_string()).into(),
                i.end_date.map(|d| d.precision.as_str()).into(),
                status.status.as_str().into(),
                status.reason.into(),
                i.commissioner.as_deref().into(),
                i.title.as_deref().into(),
                i.summary.as_deref().into(),
                i.follows.as_deref().into(),
                list(&i.source_urls, " "),
                i.source_class.as_str().into(),
                list(&i.see_also, " "),
                i.end_source_url.as_deref().into(),
                i.end_note.as_deref().into(),
                i.document_updated_at.map(time).into(),
                i.document_withdrawn.as_ref().and_then(|w| w.at).map(time).into(),
                i.document_withdrawn.as_ref().and_then(|w| w.explanation.as_deref()).into(),
            ];
            row.extend(provenance(ds, &i.provenance));
            row
        })
        .collect();
    let mut corroboration_columns = vec![
        "intervention_id",
        "id",
        "kind",
        "start_date",
        "end_date",
        "commissioner",
        "title",
        "source_urls",
        "document_updated_at",
        "withdrawn_at",
        "withdrawn_explanation",
    ];
    corroboration_columns.extend(PROVENANCE_COLUMNS);
    let corroboration_rows = interventions
        .iter()
        .flat_map(|i| i.corroborations.iter().map(move |c| (i, c)))
        .map(|(i, c)| {
            let mut row = vec![
                i.id.as_str().into(),
                c.id.as_str().into(),
                c.kind.as_str().into(),
                c.start_date.map(|d| d.to_string()).into(),
                c.end_date.map(|d| d.to_string()).into(),
                c.commissioner.as_deref().into(),
                c.title.as_deref().into(),
                list(&c.source_urls, " "),
                c.document_updated_at.map(time).into(),
                c.document_withdrawn.as_ref().and_then(|w| w.at).map(time).into(),
                c.document_withdrawn.as_ref().and_then(|w| w.explanation.as_deref()).into(),
            ];
            row.extend(provenance(ds, &c.provenance));
            row
        })
        .collect();

    vec![
        Table {
            name: "local_authorities",
            columns: la_columns,
            definition: "gss_code TEXT PRIMARY KEY, former_gss_codes TEXT, dfe_code TEXT, ofsted_urn TEXT, name TEXT NOT NULL, \
                short_name TEXT NOT NULL, slug TEXT NOT NULL UNIQUE, region_code TEXT, region_name TEXT, la_type TEXT, \
                statistical_neighbours TEXT, population_0_25 INTEGER, valid_from TEXT, valid_to TEXT, predecessors TEXT, \
                successors TEXT, website TEXT, notes TEXT, source TEXT NOT NULL, source_url TEXT NOT NULL, \
                retrieved_at TEXT NOT NULL, sha256 TEXT NOT NULL, parser_version TEXT NOT NULL, archive_url TEXT",
            indexes: &["CREATE INDEX local_authorities_dfe_code ON local_authorities (dfe_code)"],
            rows: la_rows,
        },
        Table {
            name: "inspections",
            columns: inspection_columns,
            definition: "id TEXT PRIMARY KEY, la TEXT NOT NULL REFERENCES local_authorities (gss_code), kind TEXT NOT NULL, \
                framework TEXT, inspection_type TEXT, start_date TEXT, end_date TEXT, second_start_date TEXT, \
                second_end_date TEXT, published TEXT NOT NULL, lead_inspectors TEXT, report_url TEXT NOT NULL, \
                provider_url TEXT, notes TEXT, inspectors TEXT, theme TEXT, source TEXT NOT NULL, source_url TEXT NOT NULL, \
                retrieved_at TEXT NOT NULL, sha256 TEXT NOT NULL, parser_version TEXT NOT NULL, archive_url TEXT",
            indexes: &["CREATE INDEX inspections_la ON inspections (la, published)"],
            rows: inspection_rows,
        },
        Table {
            name: "judgements",
            columns: vec!["inspection_id", "area", "grade"],
            definition: "inspection_id TEXT NOT NULL REFERENCES inspections (id), area TEXT NOT NULL, grade TEXT NOT NULL, \
                PRIMARY KEY (inspection_id, area)",
            indexes: &["CREATE INDEX judgements_grade ON judgements (area, grade)"],
            rows: judgement_rows,
        },
        Table {
            name: "inspection_statements",
            columns: vec![
                "inspection_id",
                "la",
                "source",
                "source_url",
                "locator",
                "sha256",
                "retrieved_at",
                "start_date",
                "published",
                "judgements",
            ],
            definition: "inspection_id TEXT NOT NULL REFERENCES inspections (id), la TEXT NOT NULL, source TEXT NOT NULL, \
                source_url TEXT NOT NULL, locator TEXT NOT NULL, sha256 TEXT NOT NULL, retrieved_at TEXT NOT NULL, \
                start_date TEXT, published TEXT, judgements TEXT",
            indexes: &["CREATE INDEX inspection_statements_of ON inspection_statements (inspection_id)"],
            rows: statement_rows,
        },
        Table {
            name: "inspection_discrepancies",
            columns: vec![
                "inspection_id",
                "la",
                "field",
                "value",
                "other_value",
                "other_source",
                "other_source_url",
                "other_locator",
            ],
            definition: "inspection_id TEXT NOT NULL REFERENCES inspections (id), la TEXT NOT NULL, field TEXT NOT NULL, \
                value TEXT NOT NULL, other_value TEXT NOT NULL, other_source TEXT NOT NULL, \
                other_source_url TEXT NOT NULL, other_locator TEXT NOT NULL",
            indexes: &["CREATE INDEX inspection_discrepancies_of ON inspection_discrepancies (inspection_id)"],
            rows: discrepancy_rows,
        },
        Table {
            name: "interventions",
            columns: intervention_columns,
            definition: "id TEXT PRIMARY KEY, la TEXT NOT NULL REFERENCES local_authorities (gss_code), kind TEXT NOT NULL, \
                service TEXT NOT NULL, start_date TEXT, start_precision TEXT, end_date TEXT, end_precision TEXT, \
                status TEXT NOT NULL, status_reason TEXT NOT NULL, \
                commissioner TEXT, title TEXT, summary TEXT, follows TEXT, source_urls TEXT, \
                source_class TEXT NOT NULL, see_also TEXT, end_source_url TEXT, end_note TEXT, \
                document_updated_at TEXT, withdrawn_at TEXT, withdrawn_explanation TEXT, source TEXT NOT NULL, source_url TEXT NOT NULL, retrieved_at TEXT NOT NULL, \
                sha256 TEXT NOT NULL, parser_version TEXT NOT NULL, archive_url TEXT",
            indexes: &["CREATE INDEX interventions_la ON interventions (la, start_date)"],
            rows: intervention_rows,
        },
        Table {
            name: "intervention_corroborations",
            columns: corroboration_columns,
            definition: "intervention_id TEXT NOT NULL REFERENCES interventions (id), id TEXT PRIMARY KEY, \
                kind TEXT NOT NULL, start_date TEXT, end_date TEXT, commissioner TEXT, title TEXT, source_urls TEXT, \
                document_updated_at TEXT, withdrawn_at TEXT, withdrawn_explanation TEXT, source TEXT NOT NULL, source_url TEXT NOT NULL, retrieved_at TEXT NOT NULL, \
                sha256 TEXT NOT NULL, parser_version TEXT NOT NULL, archive_url TEXT",
            indexes: &["CREATE INDEX intervention_corroborations_of ON intervention_corroborations (intervention_id)"],
            rows: corroboration_rows,
        },
    ]
    .into_iter()
    .chain(indicators::tables(ds))
    .collect()
}

/// One file of a release.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct FileEntry {
    /// File name within the release.
    pub name: String,
    /// Size in bytes.
    pub bytes: u64,
    /// SHA-256 (hex).
    pub sha256: String,
}

/// What a release holds: `manifest.json`.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct Manifest {
    /// The dataset version released.
    pub dataset_version: i64,
    /// When that version was made (the time of its last change).
    pub created: chrono::DateTime<chrono::Utc>,
    /// Change-feed cursor at which the release was cut: follow `/v1/changes?since=` from it.
    pub change_cursor: String,
    /// The id of the last change included.
    pub last_change_id: i64,
    /// Rows per table.
    pub row_counts: BTreeMap<String, usize>,
    /// Every file but the manifest, with size and checksum.
    pub files: Vec<FileEntry>,
    /// The data's licence.
    pub licence: String,
    /// Where to read it.
    pub licence_url: String,
    /// The attribution to give.
    pub attribution: String,
    /// The sources of the records, with retrieval dates.
    pub sources: Vec<SourceSummaryOwned>,
}

/// A source in a manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct SourceSummaryOwned {
    /// The source's name.
    pub source: String,
    /// The document it was read from.
    pub source_url: String,
    /// Earliest retrieval among its records.
    pub first_retrieved_at: chrono::DateTime<chrono::Utc>,
    /// Latest retrieval among its records.
    pub last_retrieved_at: chrono::DateTime<chrono::Utc>,
    /// Records it gave.
    pub records: usize,
}

impl From<&SourceSummary> for SourceSummaryOwned {
    fn from(s: &SourceSummary) -> Self {
        SourceSummaryOwned {
            source: s.source.clone(),
            source_url: s.source_url.clone(),
            first_retrieved_at: s.first_retrieved_at,
            last_retrieved_at: s.last_retrieved_at,
            records: s.records,
        }
    }
}

/// Why a release could not be written.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// A file could not be written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The error.
        source: std::io::Error,
    },
    /// The SQLite file could not be built.
    #[error("SQLite export: {0}")]
    Sqlite(String),
}

fn io(path: &Path) -> impl Fn(std::io::Error) -> ExportError + '_ {
    move |source| ExportError::Io { path: path.display().to_string(), source }
}

fn write_csv(table: &Table, path: &Path) -> Result<(), ExportError> {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_path(path)
        .map_err(|e| ExportError::Io { path: path.display().to_string(), source: std::io::Error::other(e) })?;
    let fail = |e: csv::Error| ExportError::Io { path: path.display().to_string(), source: std::io::Error::other(e) };
    w.write_record(&table.columns).map_err(fail)?;
    for row in &table.rows {
        w.write_record(row.iter().map(Cell::csv)).map_err(fail)?;
    }
    w.flush().map_err(io(path))
}

fn write_ndjson(table: &Table, path: &Path) -> Result<(), ExportError> {
    let mut out = std::io::BufWriter::new(std::fs::File::create(path).map_err(io(path))?);
    for row in &table.rows {
        let object: serde_json::Map<String, serde_json::Value> =
            table.columns.iter().zip(row).map(|(c, v)| ((*c).to_owned(), v.json())).collect();
        serde_json::to_writer(&mut out, &object)
            .map_err(|e| ExportError::Io { path: path.display().to_string(), source: std::io::Error::other(e) })?;
        out.write_all(b"\n").map_err(io(path))?;
    }
    out.flush().map_err(io(path))
}

fn write_sqlite(tables: &[Table], path: &Path) -> Result<(), ExportError> {
    let _ = std::fs::remove_file(path);
    let sqlite = |e: &dyn std::fmt::Display| ExportError::Sqlite(e.to_string());
    let mut conn = diesel::SqliteConnection::establish(&path.to_string_lossy()).map_err(|e| sqlite(&e))?;
    let mut sql = String::from("PRAGMA journal_mode = DELETE; PRAGMA foreign_keys = ON; BEGIN;\n");
    for t in tables {
        sql.push_str(&format!("CREATE TABLE {} ({});\n", t.name, t.definition));
        for row in &t.rows {
            let values: Vec<String> = row.iter().map(Cell::sql).collect();
            sql.push_str(&format!(
                "INSERT INTO {} ({}) VALUES ({});\n",
                t.name,
                t.columns.join(", "),
                values.join(", ")
            ));
        }
        for index in t.indexes {
            sql.push_str(index);
            sql.push_str(";\n");
        }
    }
    sql.push_str("COMMIT; VACUUM;");
    conn.batch_execute(&sql).map_err(|e| sqlite(&e))
}

fn checksum(path: &Path) -> Result<FileEntry, ExportError> {
    let bytes = std::fs::read(path).map_err(io(path))?;
    Ok(FileEntry {
        name: path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(),
        bytes: bytes.len() as u64,
        sha256: Sha256::digest(&bytes).iter().map(|b| format!("{b:02x}")).collect(),
    })
}

/// The name of a release's SQLite database.
pub const SQLITE_FILE: &str = "lacs.sqlite";

/// Writes a release of `ds` into `dir` (created if missing) and returns its manifest.
pub fn write_release(ds: &Dataset, dir: &Path) -> Result<Manifest, ExportError> {
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let tables = tables(ds);
    let mut files = Vec::new();
    for t in &tables {
        let csv_path = dir.join(format!("{}.csv", t.name));
        write_csv(t, &csv_path)?;
        files.push(checksum(&csv_path)?);
        let json_path = dir.join(format!("{}.ndjson", t.name));
        write_ndjson(t, &json_path)?;
        files.push(checksum(&json_path)?);
    }
    let db_path = dir.join(SQLITE_FILE);
    write_sqlite(&tables, &db_path)?;
    files.push(checksum(&db_path)?);
    let manifest = Manifest {
        dataset_version: ds.version,
        created: ds.updated_at,
        change_cursor: crate::query::changes::cursor_after(ds.last_change_id()),
        last_change_id: ds.last_change_id(),
        row_counts: tables.iter().map(|t| (t.name.to_owned(), t.rows.len())).collect(),
        files,
        licence: crate::LICENCE.to_owned(),
        licence_url: crate::LICENCE_URL.to_owned(),
        attribution: crate::ATTRIBUTION.to_owned(),
        sources: ds.sources.iter().map(Into::into).collect(),
    };
    let manifest_path = dir.join("manifest.json");
    let mut text = serde_json::to_string_pretty(&manifest).map_err(|e| ExportError::Sqlite(e.to_string()))?;
    text.push('\n');
    std::fs::write(&manifest_path, text).map_err(io(&manifest_path))?;
    Ok(manifest)
}
