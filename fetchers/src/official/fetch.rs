//! `lacs fetch ofsted-stats`: Ofsted's official statistics from GOV.UK. Each configured page is
//! read through the Content API (`/api/content<base path>`), every ODS among its
//! `details.attachments` downloaded through the shared polite client and read as the bundled
//! workbooks are ([`super::read_workbook`]); each row becomes a statement of that file (URL,
//! SHA-256, sheet, row, retrieval time), joined to the records by [`super::join`], the seed's rule.
//!
//! Pages: the fixed ones (by default the 2023 "Children's social care data in England"), then the
//! newest edition of the "Local authority inspection outcomes as at 31 March" series: its base
//! path with `{year}` replaced, from the latest year down, the first that exists. Later pages'
//! files are retrieved later, so their statements are the newer editions'.
//!
//! A page or file that cannot be read is that page's or file's error (the run is `partial`) and
//! the rest are stored; a run that reads no workbook at all fails and changes nothing. Like every
//! fetcher it never deletes.

use std::collections::HashMap;

use chrono::{DateTime, Datelike, Utc};
use schema::store::{RunSummary, Store};
use schema::{AnyConnection, StoreError};
use serde::Deserialize;

use super::join::{self, Councils, OfficialMatch, Stated};
use super::{OfficialRow, SOURCE};
use crate::http::{Client, HttpError, Politeness};
use crate::source::{Source, Unreachable};

/// GOV.UK.
pub const GOVUK: &str = "https://www.gov.uk";
/// The series of editions, one page a year (`{year}`: the year of the 31 March).
pub const SERIES_PATH: &str = "/government/statistics/local-authority-inspection-outcomes-as-at-31-march-{year}";
/// How many years back from the latest the series is looked for.
pub const SERIES_YEARS: u32 = 3;
/// The pages read besides the series: the 2023 underlying data (every inspection 2009–2023).
pub const PAGES: [&str; 1] = ["/government/statistics/childrens-social-care-data-in-england-2023"];
/// At most this many ODS attachments are read from one page.
pub const MAX_ATTACHMENTS: usize = 6;
const ODS_TYPE: &str = "application/vnd.oasis.opendocument.spreadsheet";

/// Where to fetch from and how.
#[derive(Debug, Clone)]
pub struct Config {
    /// GOV.UK base URL.
    pub govuk_url: String,
    /// The series' base path, with `{year}`.
    pub series_path: String,
    /// The year the series is looked for first.
    pub latest_year: i32,
    /// How many years, from `latest_year` down.
    pub series_years: u32,
    /// Base paths of the pages read besides the series, oldest first.
    pub pages: Vec<String>,
    /// Politeness.
    pub http: Politeness,
}

impl Config {
    /// GOV.UK's pages, the series looked for from this year.
    pub fn new(http: Politeness) -> Config {
        Config {
            govuk_url: GOVUK.into(),
            series_path: SERIES_PATH.into(),
            latest_year: Utc::now().year(),
            series_years: SERIES_YEARS,
            pages: PAGES.iter().map(|p| (*p).to_owned()).collect(),
            http,
        }
    }
}

/// The fetcher.
pub struct OfstedStats {
    /// Where and how.
    pub config: Config,
}

/// One workbook downloaded and read.
#[derive(Debug, Clone)]
pub struct Workbook {
    /// The page that lists it.
    pub page: String,
    /// Where it was downloaded from.
    pub url: String,
    /// Its file name (statements name it).
    pub file: String,
    /// SHA-256 of its bytes.
    pub sha256: String,
    /// When it was downloaded.
    pub retrieved_at: DateTime<Utc>,
    /// Its inspection rows.
    pub rows: Vec<OfficialRow>,
}

/// What a crawl found.
#[derive(Debug, Default)]
pub struct Crawl {
    /// The workbooks read.
    pub workbooks: Vec<Workbook>,
    /// What could not be read.
    pub errors: Vec<String>,
}

/// What a run did.
#[derive(Debug, serde::Serialize)]
pub struct Report {
    /// The run.
    #[serde(flatten)]
    pub run: RunSummary,
    /// The files read.
    pub files: Vec<String>,
    /// How their rows met the records.
    pub statements: OfficialMatch,
}

#[derive(Debug, Deserialize, Default)]
#[serde(default)]
struct ContentItem {
    details: Details,
}

#[derive(Debug, Deserialize, Default)]
#[serde(default)]
struct Details {
    attachments: Vec<Attachment>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(default)]
struct Attachment {
    url: Option<String>,
    filename: Option<String>,
    content_type: Option<String>,
}

impl Attachment {
    /// Its address and file name, when it is an ODS file.
    fn ods(&self) -> Option<(&str, String)> {
        let url = self.url.as_deref()?;
        let name = self
            .filename
            .clone()
            .unwrap_or_else(|| url.rsplit('/').next().unwrap_or(url).split('?').next().unwrap_or("").to_owned());
        let is_ods = self.content_type.as_deref().is_some_and(|t| t.starts_with(ODS_TYPE))
            || name.to_ascii_lowercase().ends_with(".ods");
        is_ods.then_some((url, name))
    }
}

/// Whether a failed request means GOV.UK cannot be reached at all.
fn unreachable(e: &HttpError) -> Option<Unreachable> {
    match e {
        HttpError::Failed { reason, .. } if reason.starts_with("cannot connect") => {
            Some(Unreachable { site: "GOV.UK", reason: e.to_string() })
        }
        _ => None,
    }
}

/// A page's answer: its content item, not there (404, 410), or an error.
enum Page {
    Found(ContentItem),
    Missing,
    Failed(String),
}

impl OfstedStats {
    fn base(&self) -> &str {
        self.config.govuk_url.trim_end_matches('/')
    }

    async fn page(&self, client: &mut Client, path: &str) -> Result<Page, Unreachable> {
        let url = format!("{}/api/content{path}", self.base());
        match client.get(&url).await {
            Ok(bytes) => Ok(match serde_json::from_slice(&bytes) {
                Ok(item) => Page::Found(item),
                Err(e) => Page::Failed(format!("{url}: not the JSON expected: {e}")),
            }),
            Err(HttpError::Status { status: 404 | 410, .. }) => Ok(Page::Missing),
            Err(e) => match unreachable(&e) {
                Some(u) => Err(u),
                None => Ok(Page::Failed(e.to_string())),
            },
        }
    }

    /// Downloads and reads every ODS attachment of a page.
    async fn workbooks(&self, client: &mut Client, path: &str, item: &ContentItem, crawl: &mut Crawl) {
        let files: Vec<(&str, String)> = item.details.attachments.iter().filter_map(Attachment::ods).collect();
        if files.is_empty() {
            crawl.errors.push(format!("{path}: no .ods attachment"));
            return;
        }
        for (url, file) in files.into_iter().take(MAX_ATTACHMENTS) {
            let url = if url.starts_with('/') { format!("{}{url}", self.base()) } else { url.to_owned() };
            let bytes = match client.get(&url).await {
                Ok(b) => b,
                Err(e) => {
                    crawl.errors.push(e.to_string());
                    continue;
                }
            };
            let retrieved_at = Utc::now();
            match super::read_workbook(&bytes) {
                Ok(rows) if rows.is_empty() => {
                    crawl.errors.push(format!("{url}: no sheet of inspections in a layout lacs reads"))
                }
                Ok(rows) => crawl.workbooks.push(Workbook {
                    page: path.to_owned(),
                    sha256: crate::ids::sha256_hex(&bytes),
                    url,
                    file,
                    retrieved_at,
                    rows,
                }),
                Err(e) => crawl.errors.push(format!("{url}: {e}")),
            }
        }
    }
}

impl Source for OfstedStats {
    const NAME: &'static str = SOURCE;
    type Crawl = Crawl;
    type Report = Report;

    async fn crawl(&self) -> Result<Crawl, Unreachable> {
        let mut client =
            Client::new(&self.config.http).map_err(|e| Unreachable { site: "GOV.UK", reason: e.to_string() })?;
        let mut crawl = Crawl::default();
        for path in &self.config.pages {
            match self.page(&mut client, path).await? {
                Page::Found(item) => self.workbooks(&mut client, path, &item, &mut crawl).await,
                Page::Missing => crawl.errors.push(format!("{path}: no such page (HTTP 404)")),
                Page::Failed(e) => crawl.errors.push(e),
            }
        }
        let years = (0..self.config.series_years.max(1)).map(|back| self.config.latest_year - back as i32);
        let mut found = false;
        for year in years {
            let path = self.config.series_path.replace("{year}", &year.to_string());
            match self.page(&mut client, &path).await? {
                Page::Found(item) => {
                    self.workbooks(&mut client, &path, &item, &mut crawl).await;
                    found = true;
                    break;
                }
                Page::Missing => continue,
                // Not an older edition instead: the newest may be there, unread.
                Page::Failed(e) => {
                    crawl.errors.push(e);
                    found = true;
                    break;
                }
            }
        }
        if !found {
            crawl.errors.push(format!(
                "no edition of {} from {} back {} years",
                self.config.series_path, self.config.latest_year, self.config.series_years
            ));
        }
        Ok(crawl)
    }

    fn store(&self, conn: &mut AnyConnection, crawl: Result<Crawl, Unreachable>) -> Result<Report, StoreError> {
        let failed = |conn: &mut AnyConnection, error: StoreError| match Store::run(conn, SOURCE, move |_| Err(error)) {
            Err(e) => e,
            Ok(_) => StoreError::Rejected { what: SOURCE.into(), errors: vec!["not recorded".into()] },
        };
        let crawl = match crawl {
            Ok(c) => c,
            Err(e) => return Err(failed(conn, e.rejected("ofsted-stats fetch"))),
        };
        // Nothing read at all: the run fails, so that a broken site is not an `ok`-looking run.
        if crawl.workbooks.is_empty() {
            let error =
                StoreError::Rejected { what: "ofsted-stats fetch: no workbook read".into(), errors: crawl.errors };
            return Err(failed(conn, error));
        }
        let councils = Councils::new(&schema::stored::all_local_authorities(conn)?)?;
        let files: Vec<String> = crawl.workbooks.iter().map(|w| w.url.clone()).collect();
        let mut matched = OfficialMatch::default();
        let run = Store::run(conn, SOURCE, |w| {
            for e in &crawl.errors {
                w.record_error(e.clone());
            }
            let mut stated = Vec::new();
            for wb in &crawl.workbooks {
                for row in &wb.rows {
                    match councils.resolve(row) {
                        Some(la) => {
                            stated.push(Stated::new(la, row.clone(), &wb.file, &wb.url, &wb.sha256, wb.retrieved_at))
                        }
                        None => w.record_error(format!(
                            "{}, sheet {}, row {}: `{}` ({}) matches no local authority",
                            wb.url,
                            row.sheet,
                            row.row,
                            row.council,
                            row.gss_code.as_deref().unwrap_or("no code")
                        )),
                    }
                }
            }
            // In id order, so that where two records could take a row the choice never depends on
            // the database's order.
            let held = schema::stored::all_inspections(w.conn())?;
            let mut records = held.clone();
            matched = join::join(&mut records, stated, &councils, &HashMap::new());
            let held: HashMap<&str, &schema::domain::Inspection> = held.iter().map(|i| (i.id.as_str(), i)).collect();
            for record in &records {
                if held.get(record.id.as_str()) != Some(&record) {
                    w.put_inspection(record)?;
                }
            }
            Ok(())
        })?;
        Ok(Report { run, files, statements: matched })
    }
}
