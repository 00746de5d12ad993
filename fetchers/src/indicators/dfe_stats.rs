//! `lacs fetch dfe-stats`: DfE's statistics from the Explore Education Statistics public API
//! (publications → data sets → a data set's metadata → its CSV) and MHCLG's RO3 spreadsheets
//! from GOV.UK (Content API: the collection → each outturn release → its RO3 `.ods` attachment),
//! through the shared polite client.
//!
//! A data set is chosen by what it holds, not by its title: the first data set of the
//! publication whose metadata lists every column the catalogue reads from it. A period the
//! database does not hold yet is recorded with the data set version's publication date (the
//! date `as_at` compares); figures of periods already held keep theirs. Like every fetcher it
//! never deletes: a council missing from a download keeps its figure. A data set or spreadsheet
//! that cannot be read is that file's error (the run is `partial`); the rest are stored.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use schema::domain::{Indicator, IndicatorValue, Provenance};
use schema::store::{RunSummary, Store};
use schema::{AnyConnection, StoreError};
use serde::Deserialize;

use super::catalogue::read_catalogue;
use super::files::IndicatorFiles;
use super::ro3;
use super::table::{AreaIndex, read_values};
use crate::http::{Client, HttpError, Politeness};
use crate::ids::sha256_hex;
use crate::source::{Source, Unreachable};

/// The EES public API.
pub const EES_API: &str = "https://api.education.gov.uk/statistics/v1";
/// GOV.UK.
pub const GOVUK: &str = "https://www.gov.uk";
/// The GOV.UK collection of MHCLG's revenue outturn releases.
pub const RO3_COLLECTION: &str = "/government/collections/local-authority-revenue-expenditure-and-financing";
/// Outturn releases with individual councils' data, as their GOV.UK paths say.
const RO3_RELEASE_MARKER: &str = "individual-local-authority-data-outturn";
/// How many of the newest outturn releases are read.
const RO3_RELEASES: usize = 3;
/// Data sets per publication looked at (a guard against a listing that never ends).
const MAX_DATA_SETS: usize = 40;
/// The fetch-run source and the `source` of what it stores.
pub const SOURCE: &str = "dfe-stats";

/// Where to fetch from and how.
#[derive(Debug, Clone)]
pub struct Config {
    /// EES API base URL (`…/statistics/v1`).
    pub ees_url: String,
    /// GOV.UK base URL.
    pub govuk_url: String,
    /// The GOV.UK path of the RO3 collection.
    pub ro3_collection: String,
    /// Politeness.
    pub http: Politeness,
}

impl Config {
    /// The public sites.
    pub fn new(http: Politeness) -> Config {
        Config { ees_url: EES_API.into(), govuk_url: GOVUK.into(), ro3_collection: RO3_COLLECTION.into(), http }
    }
}

/// The fetcher.
pub struct DfeStats {
    /// Where and how.
    pub config: Config,
}

/// One downloaded file.
#[derive(Debug, Clone)]
pub struct Download {
    /// The catalogue's `source_file` it replaces (`ro3` for a spreadsheet).
    pub source_file: String,
    /// The address read.
    pub url: String,
    /// The bytes.
    pub bytes: Vec<u8>,
    /// When the source says it was published.
    pub published: Option<NaiveDate>,
    /// When lacs read it.
    pub retrieved_at: DateTime<Utc>,
}

/// What a crawl found.
#[derive(Debug, Default)]
pub struct Crawl {
    /// Files downloaded.
    pub downloads: Vec<Download>,
    /// What could not be read (the run is then `partial`).
    pub errors: Vec<String>,
}

/// What a run did.
#[derive(Debug, serde::Serialize)]
pub struct Report {
    /// The run.
    #[serde(flatten)]
    pub run: RunSummary,
    /// Files read.
    pub files: Vec<String>,
}

#[derive(Debug, Deserialize)]
struct Paged<T> {
    #[serde(default = "Vec::new")]
    results: Vec<T>,
}

#[derive(Debug, Deserialize)]
struct Publication {
    id: String,
    title: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct DataSet {
    id: String,
    #[serde(default)]
    title: String,
    latest_version: Option<DataSetVersion>,
}

#[derive(Debug, Deserialize)]
struct DataSetVersion {
    #[serde(default)]
    version: String,
    published: Option<DateTime<Utc>>,
}

#[derive(Debug, Deserialize)]
struct DataSetMeta {
    #[serde(default)]
    indicators: Vec<MetaIndicator>,
}

#[derive(Debug, Deserialize)]
struct MetaIndicator {
    // The column's name in the data set's CSV (older API versions call it `name`).
    #[serde(alias = "name")]
    column: Option<String>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(default)]
struct ContentItem {
    links: ContentLinks,
    details: ContentDetails,
    first_public_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(default)]
struct ContentLinks {
    documents: Vec<LinkedItem>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(default)]
struct LinkedItem {
    base_path: Option<String>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(default)]
struct ContentDetails {
    attachments: Vec<Attachment>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(default)]
struct Attachment {
    url: Option<String>,
    title: Option<String>,
}

/// A name compared loosely: case, curly apostrophes and spacing aside.
fn loose(text: &str) -> String {
    text.to_lowercase().replace(['’', '‘'], "'").split_whitespace().collect::<Vec<_>>().join(" ")
}

async fn json<T: for<'de> Deserialize<'de>>(client: &mut Client, url: &str) -> Result<T, String> {
    let bytes = client.get(url).await.map_err(|e| e.to_string())?;
    serde_json::from_slice(&bytes).map_err(|e| format!("{url}: not the JSON expected: {e}"))
}

fn unreachable(site: &'static str, e: &HttpError) -> Option<Unreachable> {
    match e {
        HttpError::Failed { reason, .. } if reason.starts_with("cannot connect") || reason == "timed out" => {
            Some(Unreachable { site, reason: e.to_string() })
        }
        _ => None,
    }
}

impl DfeStats {
    /// The catalogue entries read from each EES file, by publication.
    fn wanted(catalogue: &[Indicator]) -> BTreeMap<(String, String), BTreeSet<String>> {
        let mut wanted: BTreeMap<(String, String), BTreeSet<String>> = BTreeMap::new();
        // RO3 comes from GOV.UK; section 251 outturn 2008-09 to 2013-14 is history, not fetched;
        // derived figures are computed, not read.
        for i in catalogue.iter().filter(|i| !matches!(i.source_file.as_str(), "ro3" | "s251" | "derived")) {
            wanted.entry((i.publication.clone(), i.source_file.clone())).or_default().insert(i.source_column.clone());
        }
        wanted
    }

    async fn crawl_ees(
        &self,
        client: &mut Client,
        catalogue: &[Indicator],
        crawl: &mut Crawl,
    ) -> Result<(), Unreachable> {
        let base = self.config.ees_url.trim_end_matches('/');
        for ((publication, file), columns) in Self::wanted(catalogue) {
            let search = format!("{base}/publications?search={}&pageSize=40", urlencode(&publication));
            let found: Paged<Publication> = match client.get(&search).await {
                Ok(bytes) => match serde_json::from_slice(&bytes) {
                    Ok(p) => p,
                    Err(e) => {
                        crawl.errors.push(format!("{search}: not the JSON expected: {e}"));
                        continue;
                    }
                },
                Err(e) => {
                    if let Some(u) = unreachable("the Explore Education Statistics API", &e) {
                        return Err(u);
                    }
                    crawl.errors.push(e.to_string());
                    continue;
                }
            };
            let Some(publication_id) =
                found.results.iter().find(|p| loose(&p.title) == loose(&publication)).map(|p| p.id.clone())
            else {
                crawl.errors.push(format!("no EES publication is titled `{publication}` (needed for {file})"));
                continue;
            };
            let url = format!("{base}/publications/{publication_id}/data-sets?pageSize={MAX_DATA_SETS}");
            let data_sets: Paged<DataSet> = match json(client, &url).await {
                Ok(d) => d,
                Err(e) => {
                    crawl.errors.push(e);
                    continue;
                }
            };
            let mut chosen = None;
            for data_set in data_sets.results.iter().take(MAX_DATA_SETS) {
                let meta: DataSetMeta = match json(client, &format!("{base}/data-sets/{}/meta", data_set.id)).await {
                    Ok(m) => m,
                    Err(e) => {
                        crawl.errors.push(e);
                        continue;
                    }
                };
                let held: BTreeSet<&str> = meta.indicators.iter().filter_map(|i| i.column.as_deref()).collect();
                if columns.iter().all(|c| held.contains(c.as_str())) {
                    chosen = Some(data_set);
                    break;
                }
            }
            let Some(data_set) = chosen else {
                let wanted: Vec<&str> = columns.iter().map(String::as_str).collect();
                crawl.errors.push(format!(
                    "no data set of `{publication}` has the columns {} (needed for {file})",
                    wanted.join(", ")
                ));
                continue;
            };
            let csv_url = format!("{base}/data-sets/{}/csv", data_set.id);
            match client.get(&csv_url).await {
                Ok(bytes) => crawl.downloads.push(Download {
                    source_file: file.clone(),
                    url: csv_url,
                    bytes,
                    published: data_set.latest_version.as_ref().and_then(|v| v.published).map(|t| t.date_naive()),
                    retrieved_at: Utc::now(),
                }),
                Err(e) => crawl.errors.push(format!(
                    "{} ({} version {}): {e}",
                    data_set.title,
                    publication,
                    data_set.latest_version.as_ref().map_or("?", |v| v.version.as_str())
                )),
            }
        }
        Ok(())
    }

    async fn crawl_ro3(&self, client: &mut Client, crawl: &mut Crawl) -> Result<(), Unreachable> {
        let base = self.config.govuk_url.trim_end_matches('/');
        let url = format!("{base}/api/content{}", self.config.ro3_collection);
        let collection: ContentItem = match client.get(&url).await {
            Ok(bytes) => match serde_json::from_slice(&bytes) {
                Ok(c) => c,
                Err(e) => {
                    crawl.errors.push(format!("{url}: not the JSON expected: {e}"));
                    return Ok(());
                }
            },
            Err(e) => {
                if let Some(u) = unreachable("GOV.UK", &e) {
                    return Err(u);
                }
                crawl.errors.push(e.to_string());
                return Ok(());
            }
        };
        let mut releases: Vec<String> = collection
            .links
            .documents
            .iter()
            .filter_map(|d| d.base_path.clone())
            .filter(|p| p.contains(RO3_RELEASE_MARKER))
            .collect();
        // Paths name their years ("…-2024-to-2025-…"): the newest sort last.
        releases.sort();
        for path in releases.iter().rev().take(RO3_RELEASES) {
            let item: ContentItem = match json(client, &format!("{base}/api/content{path}")).await {
                Ok(i) => i,
                Err(e) => {
                    crawl.errors.push(e);
                    continue;
                }
            };
            let ods = item.details.attachments.iter().find_map(|a| {
                let url = a.url.as_deref()?;
                let named = a.title.as_deref().is_some_and(|t| t.contains("RO3")) || url.contains("RO3");
                (named && url.to_ascii_lowercase().ends_with(".ods")).then(|| url.to_owned())
            });
            let Some(ods) = ods else {
                crawl.errors.push(format!("{path}: no RO3 .ods attachment"));
                continue;
            };
            let ods = if ods.starts_with('/') { format!("{base}{ods}") } else { ods };
            match client.get(&ods).await {
                Ok(bytes) => crawl.downloads.push(Download {
                    source_file: "ro3".into(),
                    url: ods,
                    bytes,
                    published: item.first_public_at.map(|t| t.date_naive()),
                    retrieved_at: Utc::now(),
                }),
                Err(e) => crawl.errors.push(e.to_string()),
            }
        }
        Ok(())
    }
}

fn urlencode(text: &str) -> String {
    serde_urlencoded::to_string([("q", text)]).map(|s| s.trim_start_matches("q=").to_owned()).unwrap_or_default()
}

impl Source for DfeStats {
    const NAME: &'static str = SOURCE;
    type Crawl = Crawl;
    type Report = Report;

    async fn crawl(&self) -> Result<Crawl, Unreachable> {
        let mut client =
            Client::new(&self.config.http).map_err(|e| Unreachable { site: "DfE", reason: e.to_string() })?;
        let mut problems = Vec::new();
        let catalogue = read_catalogue(&IndicatorFiles::bundled(), &mut problems);
        let mut crawl = Crawl { errors: problems, ..Crawl::default() };
        self.crawl_ees(&mut client, &catalogue, &mut crawl).await?;
        self.crawl_ro3(&mut client, &mut crawl).await?;
        Ok(crawl)
    }

    fn store(&self, conn: &mut AnyConnection, crawl: Result<Crawl, Unreachable>) -> Result<Report, StoreError> {
        let crawl = match crawl {
            Ok(c) => c,
            Err(e) => {
                let error = e.rejected("dfe-stats fetch");
                return Err(match Store::run(conn, SOURCE, move |_| Err(error)) {
                    Err(e) => e,
                    Ok(_) => StoreError::Rejected { what: SOURCE.into(), errors: vec!["not recorded".into()] },
                });
            }
        };
        let las = schema::stored::all_local_authorities(conn)?;
        let mut problems = Vec::new();
        let bundled = IndicatorFiles::bundled();
        let areas = AreaIndex::new(&las);
        let catalogue = read_catalogue(&bundled, &mut problems);
        let files: Vec<String> = crawl.downloads.iter().map(|d| d.url.clone()).collect();
        let run = Store::run(conn, SOURCE, |w| {
            for e in crawl.errors.iter().chain(&problems) {
                w.record_error(e.clone());
            }
            for i in &catalogue {
                w.put_indicator(i)?;
            }
            for download in &crawl.downloads {
                let entries: Vec<&Indicator> =
                    catalogue.iter().filter(|i| i.source_file == download.source_file).collect();
                let bytes = if download.source_file == "ro3" {
                    let codes: Vec<&str> = entries.iter().map(|i| i.source_column.as_str()).collect();
                    match ro3::to_csv(&download.bytes, &codes) {
                        Ok((_, csv)) => csv.into_bytes(),
                        Err(e) => {
                            w.record_error(format!("{}: {e}", download.url));
                            continue;
                        }
                    }
                } else {
                    download.bytes.clone()
                };
                let provenance = Arc::new(Provenance {
                    source: SOURCE.into(),
                    source_url: download.url.clone(),
                    retrieved_at: download.retrieved_at,
                    sha256: sha256_hex(&download.bytes),
                    parser_version: super::PARSER_VERSION.into(),
                });
                let mut file_problems = Vec::new();
                let values = read_values(
                    &bytes,
                    &download.url,
                    &provenance,
                    download.published,
                    &entries,
                    &areas,
                    &mut file_problems,
                );
                // A file with a bad line is not stored at all (its other lines may be misread too).
                if !file_problems.is_empty() {
                    for p in file_problems {
                        w.record_error(p);
                    }
                    continue;
                }
                for ((indicator, period), incoming) in super::import::by_period(values) {
                    let held = schema::stored::indicator_period(w.conn(), &indicator, &period)?;
                    let mut merged = incoming;
                    // The data set version's date is when a *new* period was published; a period
                    // already held was published earlier (its figures keep the date they had).
                    if !held.is_empty() {
                        for v in &mut merged {
                            v.published = None;
                        }
                    }
                    // Never deletes: a council a download leaves out keeps its figure.
                    for old in held {
                        if !merged.iter().any(|v: &IndicatorValue| v.area_code == old.area_code) {
                            merged.push(old);
                        }
                    }
                    w.put_indicator_period(&indicator, &period, &merged)?;
                }
            }
            // Recomputed from every held input figure, whichever of them this run brought.
            let mut inputs = Vec::new();
            for id in super::derived::inputs() {
                inputs.extend(schema::stored::indicator_values(w.conn(), id)?);
            }
            for ((indicator, period), figures) in super::import::by_period(super::derived::derive(&inputs)) {
                w.put_indicator_period(&indicator, &period, &figures)?;
            }
            Ok(())
        })?;
        Ok(Report { run, files })
    }
}
