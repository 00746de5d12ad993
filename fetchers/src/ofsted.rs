//! `lacs fetch ofsted`: walks reports.ofsted.gov.uk (the search for local-authority children's
//! services providers, each provider page, each publication link), downloads every publication
//! not read before, keeps it in the archive, parses it and upserts it through `Store`.
//!
//! Polite and robust through [`crate::http`]. A failure on one provider or one document is
//! recorded and the run goes on (`partial`); a site that cannot be reached at all fails the run
//! and changes nothing. A document that fails to parse never degrades the published record.
//! Downloads are bounded in size and each document is read within [`report::Limits`] (size,
//! decompressed size, content, time), as `lacs parse-report` reads it.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::PathBuf;
use std::sync::LazyLock;

use chrono::{NaiveDate, Utc};
use regex::Regex;
use schema::AnyConnection;
use schema::StoreError;
use schema::domain::{Inspection, Judgement, Provenance};
use schema::store::{RunSummary, Store};

use crate::http::{Client, Politeness};
use crate::report::{self, ParsedReport};
use crate::source::{Source, Unreachable};

/// The real site.
pub const REPORTS_SITE: &str = "https://reports.ofsted.gov.uk";
/// The real file host.
pub const FILES_SITE: &str = "https://files.ofsted.gov.uk";
/// The `source` of records read by this fetcher.
pub const SOURCE: &str = "ofsted";

/// How to crawl.
#[derive(Debug, Clone)]
pub struct Config {
    /// Base of the reports site (search and provider pages).
    pub base_url: String,
    /// Base of the file host.
    pub files_base_url: String,
    /// How to behave towards the site.
    pub http: Politeness,
    /// Only this provider (Ofsted URN).
    pub only_urn: Option<String>,
    /// Only publications listed on or after this date.
    pub since: Option<NaiveDate>,
    /// Where downloaded documents are kept, as `<sha256>.pdf`.
    pub archive_dir: Option<PathBuf>,
    /// Bounds on reading one document (the same as `lacs parse-report`'s by default).
    pub limits: report::Limits,
    /// Where each document is read (`lacs` reads each in a process of its own).
    pub isolation: report::Isolation,
}

impl Config {
    /// The real site, behaving as `http` says.
    pub fn new(http: Politeness) -> Config {
        Config {
            base_url: REPORTS_SITE.into(),
            files_base_url: FILES_SITE.into(),
            http,
            only_urn: None,
            since: None,
            archive_dir: None,
            limits: report::LIMITS,
            isolation: report::Isolation::InProcess,
        }
    }
}

/// One publication link on a provider page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Publication {
    /// The provider's URN.
    pub urn: String,
    /// The Ofsted file id.
    pub file_id: String,
    /// The label, e.g. "Children's services inspection, PDF - 09 May 2025".
    pub label: String,
    /// The date beside the link (the publication date).
    pub listing_date: Option<NaiveDate>,
}

/// A downloaded and parsed publication.
#[derive(Debug, Clone)]
pub struct Fetched {
    /// Where it was listed.
    pub publication: Publication,
    /// SHA-256 of the bytes.
    pub sha256: String,
    /// What it says.
    pub parsed: ParsedReport,
    /// When it was downloaded.
    pub retrieved_at: chrono::DateTime<Utc>,
}

/// What a crawl found.
#[derive(Debug, Default)]
pub struct Crawl {
    /// Providers visited.
    pub providers: usize,
    /// Publications listed.
    pub listed: usize,
    /// Publications already read by this fetcher, not downloaded again.
    pub skipped: usize,
    /// Documents downloaded.
    pub downloaded: usize,
    /// Documents read.
    pub reports: Vec<Fetched>,
    /// Errors that did not stop the crawl, each with its URL.
    pub errors: Vec<String>,
}

/// The reports site could not be reached at all.
fn unreachable(reason: impl ToString) -> Unreachable {
    Unreachable { site: "the Ofsted reports site", reason: reason.to_string() }
}

fn page_text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// URNs of the providers on a search results page.
fn provider_urns(html: &str) -> Vec<String> {
    static LINK: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r#"href="[^"]*/provider/44/(\d+)[^"]*""#).unwrap_or_else(|e| panic!("{e}")));
    let mut seen = BTreeSet::new();
    LINK.captures_iter(html).filter_map(|c| seen.insert(c[1].to_owned()).then(|| c[1].to_owned())).collect()
}

/// The publication links of a provider page.
pub fn publications(urn: &str, html: &str) -> Vec<Publication> {
    static ANCHOR: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r#"(?s)<a\s([^>]*)>(.*?)</a>"#).unwrap_or_else(|e| panic!("{e}")));
    static HREF: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r#"href="[^"]*/v1/file/(\d+)""#).unwrap_or_else(|e| panic!("{e}")));
    static NONVISUAL: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r#"(?s)<span class="nonvisual">(.*?)</span>"#).unwrap_or_else(|e| panic!("{e}")));
    let mut seen = HashSet::new();
    ANCHOR
        .captures_iter(html)
        .filter(|c| c[1].contains("publication-link"))
        .filter_map(|c| {
            let file_id = HREF.captures(&c[1])?[1].to_owned();
            let label = NONVISUAL.captures(&c[2]).map_or_else(|| c[2].trim().to_owned(), |n| n[1].trim().to_owned());
            let listing_date =
                label.rsplit(" - ").next().and_then(|d| NaiveDate::parse_from_str(d.trim(), "%d %B %Y").ok());
            seen.insert(file_id.clone()).then_some(Publication { urn: urn.to_owned(), file_id, label, listing_date })
        })
        .collect()
}

/// Crawls the site. `known` holds the file ids this fetcher has already read.
pub async fn crawl(config: &Config, known: &HashSet<String>) -> Result<Crawl, Unreachable> {
    let mut http = Client::new(&config.http).map_err(unreachable)?;
    let mut crawl = Crawl::default();
    let urns = match &config.only_urn {
        Some(urn) => vec![urn.clone()],
        None => {
            let mut urns = Vec::new();
            // The site caps `rows` at 100; about 153 providers are expected. Stop at an empty page.
            for page in 0..10 {
                let url = format!(
                    "{}/search?q=&location=&lat=&lon=&radius=&level_1_types=3&level_2_types%5B%5D=12&start={}&rows=100",
                    config.base_url,
                    page * 100
                );
                let html = match http.get(&url).await {
                    Ok(bytes) => page_text(&bytes),
                    Err(e) if page == 0 => return Err(unreachable(e)),
                    Err(e) => {
                        crawl.errors.push(e.to_string());
                        break;
                    }
                };
                let found = provider_urns(&html);
                if found.is_empty() {
                    break;
                }
                urns.extend(found);
            }
            urns
        }
    };
    // A progress line on a terminal; structured logs otherwise.
    let terminal = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let workers = crate::parallel::workers();
    let mut parsing = std::collections::VecDeque::new();
    let total = urns.len();
    for (n, urn) in urns.into_iter().enumerate() {
        if terminal {
            eprint!(
                "\rproviders {}/{total} · downloaded {} · unchanged {} · errors {}   ",
                n + 1,
                crawl.downloaded,
                crawl.skipped,
                crawl.errors.len()
            );
        } else {
            tracing::info!(provider.urn = %urn, progress = n + 1, total, downloaded = crawl.downloaded, "crawling provider");
        }
        let url = format!("{}/provider/44/{urn}", config.base_url);
        let html = match http.get(&url).await {
            Ok(bytes) => page_text(&bytes),
            Err(e) => {
                // After the errors of the documents before it, as when they were read in turn.
                while let Some(oldest) = parsing.pop_front() {
                    settle(config, &mut crawl, oldest).await;
                }
                crawl.errors.push(e.to_string());
                continue;
            }
        };
        crawl.providers += 1;
        for publication in publications(&urn, &html) {
            if config.since.is_some_and(|since| publication.listing_date.is_some_and(|d| d < since)) {
                continue;
            }
            crawl.listed += 1;
            if known.contains(&publication.file_id) {
                crawl.skipped += 1;
                continue;
            }
            let file_url = format!("{}/v1/file/{}", config.files_base_url, publication.file_id);
            let bytes = match http.get(&file_url).await {
                Ok(bytes) => bytes,
                Err(e) => {
                    parsing.push_back(Pending::Failed(e.to_string()));
                    continue;
                }
            };
            crawl.downloaded += 1;
            let retrieved_at = Utc::now();
            let (limits, isolation) = (config.limits, config.isolation.clone());
            // Parsed on a blocking thread while the next documents download; at most one per
            // core at once, each taken in the order it was downloaded.
            let parse = tokio::task::spawn_blocking(move || {
                let parsed = report::parse_in(&bytes, &limits, &isolation);
                (bytes, parsed)
            });
            parsing.push_back(Pending::Parsing(Parsing { publication, file_url, retrieved_at, parse }));
            if parsing.len() >= workers
                && let Some(oldest) = parsing.pop_front()
            {
                settle(config, &mut crawl, oldest).await;
            }
        }
    }
    while let Some(oldest) = parsing.pop_front() {
        settle(config, &mut crawl, oldest).await;
    }
    if terminal {
        eprintln!();
    }
    Ok(crawl)
}

/// A document in the crawl's queue: being parsed, or already failed (kept in the queue so that
/// errors come in the order of the documents).
enum Pending {
    Parsing(Parsing),
    Failed(String),
}

/// A downloaded document being parsed.
struct Parsing {
    publication: Publication,
    file_url: String,
    retrieved_at: chrono::DateTime<Utc>,
    parse: tokio::task::JoinHandle<(Vec<u8>, Result<ParsedReport, report::ReportError>)>,
}

/// Waits for one document's parse and archives and keeps it, or records why it was not read.
async fn settle(config: &Config, crawl: &mut Crawl, doc: Pending) {
    let Parsing { publication, file_url, retrieved_at, parse } = match doc {
        Pending::Parsing(p) => p,
        Pending::Failed(e) => return crawl.errors.push(e),
    };
    let (bytes, parsed) = match parse.await {
        Ok(done) => done,
        Err(e) => {
            crawl.errors.push(format!("document {} not read ({file_url}): {e}", publication.file_id));
            return;
        }
    };
    let sha256 = crate::ids::sha256_hex(&bytes);
    match parsed {
        Ok(parsed) => {
            if let Some(dir) = &config.archive_dir {
                // Written aside and renamed, so the archive never serves half a file.
                let path = dir.join(format!("{sha256}.pdf"));
                let tmp = dir.join(format!(".{sha256}.{}", std::process::id()));
                let written = std::fs::create_dir_all(dir)
                    .and_then(|()| std::fs::write(&tmp, &bytes))
                    .and_then(|()| std::fs::rename(&tmp, &path));
                if let Err(e) = written {
                    crawl.errors.push(format!("{}: cannot archive: {e}", path.display()));
                }
            }
            crawl.reports.push(Fetched { publication, sha256, parsed, retrieved_at });
        }
        // Not tried (earlier documents are still running after their time ran out, or no
        // process could read it): the next run tries it again, unlike a document found unreadable.
        Err(e @ (report::ReportError::Busy(_) | report::ReportError::ReaderUnavailable(_))) => {
            crawl.errors.push(format!("document {} not read ({file_url}): {e}", publication.file_id))
        }
        Err(e) => crawl.errors.push(format!("document {} unreadable ({file_url}): {e}", publication.file_id)),
    }
}

/// The record a parsed publication becomes.
pub fn inspection(f: &Fetched, la: &str) -> Inspection {
    let p = &f.parsed;
    let period = |i: usize| p.on_site_periods.get(i);
    let report_url = format!("{FILES_SITE}/v1/file/{}", f.publication.file_id);
    let mut notes = Vec::new();
    if p.lead_inspectors.is_empty() {
        notes.push("the report names no lead inspector");
    }
    if f.publication.listing_date.is_none() && p.published.is_none() {
        notes.push("no publication date listed or printed; the retrieval date stands in");
    }
    let mut notes: Vec<String> = notes.into_iter().map(str::to_owned).collect();
    notes.extend(p.notes.iter().cloned());
    Inspection {
        id: f.publication.file_id.clone(),
        la: la.to_owned(),
        kind: p.kind,
        framework: p.framework,
        inspection_type: p.inspection_type,
        start_date: period(0).and_then(|x| x.start),
        end_date: period(0).map(|x| x.end),
        second_start_date: period(1).and_then(|x| x.start),
        second_end_date: period(1).map(|x| x.end),
        // The date beside the link is the publication date; the printed one can differ by a day.
        published: f.publication.listing_date.or(p.published).unwrap_or_else(|| f.retrieved_at.date_naive()),
        lead_inspectors: p.lead_inspectors.clone(),
        inspectors: p.inspectors.clone(),
        theme: p.theme,
        report_url: report_url.clone(),
        provider_url: Some(format!("{REPORTS_SITE}/provider/44/{}", f.publication.urn)),
        judgements: p.judgements.iter().map(|(&area, &grade)| Judgement { area, grade }).collect(),
        notes: (!notes.is_empty()).then(|| notes.join("; ")),
        statements: Vec::new(),
        provenance: Provenance {
            source: SOURCE.into(),
            source_url: report_url,
            retrieved_at: f.retrieved_at,
            sha256: f.sha256.clone(),
            parser_version: report::PARSER_VERSION.into(),
        },
    }
}

/// File ids this fetcher has already read (or found unreadable: the same bytes would fail the
/// same way), and LAs by Ofsted URN.
fn known(
    conn: &mut AnyConnection,
    dataset: &schema::Dataset,
) -> Result<(HashSet<String>, HashMap<String, String>), StoreError> {
    static UNREADABLE: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"^document (\d+) unreadable").unwrap_or_else(|e| panic!("{e}")));
    let mut read: HashSet<String> =
        dataset.inspections.iter().filter(|i| i.provenance.source == SOURCE).map(|i| i.id.clone()).collect();
    for run in schema::stored::recent_runs(conn, 1000)?.iter().filter(|r| r.source == SOURCE) {
        read.extend(run.errors.iter().filter_map(|e| UNREADABLE.captures(e)).map(|c| c[1].to_owned()));
    }
    let by_urn =
        dataset.local_authorities.iter().filter_map(|la| Some((la.ofsted_urn.clone()?, la.gss_code.clone()))).collect();
    Ok((read, by_urn))
}

/// The reports site as a [`Source`]: a crawl of what is new since the database was last written.
#[derive(Debug)]
pub struct Ofsted {
    config: Config,
    /// File ids already read, not downloaded again.
    known: HashSet<String>,
    /// LAs' GSS codes by Ofsted URN.
    by_urn: HashMap<String, String>,
}

impl Ofsted {
    /// Reads from the database what a crawl needs: the file ids already read, and the LAs by URN.
    /// `la` (any code or slug) restricts the crawl to that council's provider page.
    pub fn prepare(conn: &mut AnyConnection, mut config: Config, la: Option<&str>) -> anyhow::Result<Ofsted> {
        let dataset = schema::Dataset::load(conn)?;
        let (known, by_urn) = known(conn, &dataset)?;
        if let Some(la) = la {
            let found = dataset
                .local_authority(la)
                .map(|l| (l.ofsted_urn.clone(), l.name.clone()))
                .ok_or_else(|| anyhow::anyhow!("--la: no local authority `{la}`"))?;
            config.only_urn = Some(found.0.ok_or_else(|| anyhow::anyhow!("--la: {} has no Ofsted URN", found.1))?);
        }
        Ok(Ofsted { config, known, by_urn })
    }
}

/// What a run found and did.
#[derive(Debug, serde::Serialize)]
pub struct Report {
    /// Providers visited.
    pub providers: usize,
    /// Publications listed.
    pub listed: usize,
    /// Publications already read, not downloaded again.
    pub skipped_already_read: usize,
    /// Documents downloaded.
    pub downloaded: usize,
    /// Documents read.
    pub parsed: usize,
    /// The fetch run.
    pub run: RunSummary,
}

impl Source for Ofsted {
    const NAME: &'static str = SOURCE;
    type Crawl = Crawl;
    type Report = Report;

    async fn crawl(&self) -> Result<Crawl, Unreachable> {
        crawl(&self.config, &self.known).await
    }

    /// Writes a crawl as one fetch run. A document that failed is recorded, never a degraded record.
    fn store(&self, conn: &mut AnyConnection, crawl: Result<Crawl, Unreachable>) -> Result<Report, StoreError> {
        let mut counts = None;
        let run = Store::run(conn, SOURCE, |w| {
            let crawl = crawl.map_err(|e| e.rejected("ofsted fetch"))?;
            for e in &crawl.errors {
                w.record_error(e.clone());
            }
            // The other sources' statements of what is rewritten are kept (`join::carry_over`).
            let held = if crawl.reports.is_empty() { Vec::new() } else { schema::stored::all_inspections(w.conn())? };
            for f in &crawl.reports {
                match self.by_urn.get(&f.publication.urn) {
                    Some(la) => {
                        let mut record = inspection(f, la);
                        let official = crate::official::join::carry_over(&mut record, &held);
                        let reason = format!(
                            "the same publication as Ofsted file {}, which Ofsted's statistics state (the same \
                             council, and first day on site or publication date)",
                            record.id
                        );
                        w.put_inspection_replacing(&record, &official, &reason)?;
                    }
                    None => w.record_error(format!("provider {} matches no local authority's URN", f.publication.urn)),
                }
            }
            counts = Some((crawl.providers, crawl.listed, crawl.skipped, crawl.downloaded, crawl.reports.len()));
            Ok(())
        })?;
        let (providers, listed, skipped_already_read, downloaded, parsed) = counts.unwrap_or_default();
        Ok(Report { providers, listed, skipped_already_read, downloaded, parsed, run })
    }
}
