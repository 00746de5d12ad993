//! `lacs fetch interventions`: DfE's improvement notices, directions and commissioner
//! appointments, read from GOV.UK.
//!
//! Discovery takes two routes, so that a document missing from one is still found by the other:
//! the Content API's "Improvement notices and directions" collection (whose groups say which
//! notices and directions are open or closed) and the Search API (DfE's decisions,
//! correspondence and policy papers, paged by `start`). Each document's content item is read
//! with [`crate::govuk`] into intervention records, matched to a council through names and the
//! alias table, linked to the records it continues, and reconciled with records other sources
//! (the curated seed list) already hold about the same event: such a record is stored with
//! `same_as` and published folded into the other, both sources kept.
//!
//! Polite and robust through [`crate::http`]. A document that cannot be read (404, 410, a
//! malformed body, an unknown council) is recorded and the run goes on (`partial`); nothing is
//! ever deleted or degraded by this fetcher, so a failed fetch leaves the published data as it was.

use std::collections::{BTreeMap, HashMap};
use std::sync::LazyLock;

use chrono::{DateTime, SubsecRound, Utc};
use regex::Regex;
use schema::AnyConnection;
use schema::domain::{DatePrecision, Intervention, InterventionKind, PartialDate, Provenance, Service};
use schema::store::{RunSummary, Store, StoreError};
use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::govuk;
use crate::http::{Client, HttpError, Politeness};
use crate::seed::CouncilNames;

/// The real site.
pub const GOVUK: &str = "https://www.gov.uk";
/// The `source` of records read by this fetcher.
pub const SOURCE: &str = "govuk";
/// The version of the reading in this module; stored with every record.
pub const PARSER_VERSION: &str = "govuk-1";
/// DfE's collection of improvement notices and directions.
pub const COLLECTION: &str = "/government/collections/improvement-notices-and-directions";

/// Free-text queries for the Search API, each run over DfE's documents of [`SEARCH_TYPES`].
const SEARCH_QUERIES: [&str; 4] =
    ["improvement notice issued to", "direction issued to", "revised direction issued to", "advisers appointed"];
/// The document types DfE's notices, directions and letters have been published as.
const SEARCH_TYPES: [&str; 3] = ["decision", "correspondence", "policy_paper"];
/// Results per search page (the API allows up to 1,500).
const SEARCH_PAGE: usize = 100;
/// A guard against a search that never ends.
const MAX_SEARCH_PAGES: usize = 50;
/// Two records of the same kind for the same council whose start dates are this close (and
/// neither can be the other stated less precisely) are taken to be the same event stated with
/// different dates: a recorded discrepancy.
const SAME_EVENT_DAYS: i64 = 62;

/// How to crawl.
#[derive(Debug, Clone)]
pub struct Config {
    /// Base of the GOV.UK host (Content and Search APIs).
    pub base_url: String,
    /// How to behave towards it.
    pub http: Politeness,
}

impl Config {
    /// The real site, politely.
    pub fn new(contact: &str) -> Config {
        Config { base_url: GOVUK.into(), http: Politeness::new(contact) }
    }
}

// The parts of GOV.UK's JSON this fetcher reads. Every other field is ignored, and every field
// here may be missing: older items have `details.documents` (HTML) and no `attachments`.

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
struct ContentItem {
    base_path: String,
    title: String,
    description: Option<String>,
    document_type: Option<String>,
    first_published_at: Option<DateTime<chrono::FixedOffset>>,
    public_updated_at: Option<DateTime<chrono::FixedOffset>>,
    details: Details,
    links: Links,
    withdrawn_notice: Option<WithdrawnNotice>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
struct Details {
    body: Option<String>,
    documents: Vec<String>,
    attachments: Vec<Attachment>,
    change_history: Vec<ChangeNote>,
    collection_groups: Vec<CollectionGroup>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
struct Attachment {
    url: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
struct ChangeNote {
    note: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
struct CollectionGroup {
    title: String,
    documents: Vec<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
struct Links {
    documents: Vec<LinkedItem>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
struct LinkedItem {
    content_id: String,
    base_path: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
struct WithdrawnNotice {
    explanation: Option<String>,
    withdrawn_at: Option<DateTime<chrono::FixedOffset>>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
struct SearchPage {
    results: Vec<SearchResult>,
    total: usize,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
struct SearchResult {
    title: String,
    link: String,
}

/// Why one document could not be read. The run records it and goes on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DocumentError {
    /// GOV.UK has no page at the address listed.
    #[error("document {url}: not found (HTTP 404)")]
    NotFound {
        /// The content item's address.
        url: String,
    },
    /// GOV.UK removed the page.
    #[error("document {url}: gone (HTTP 410): GOV.UK removed the page")]
    Gone {
        /// The content item's address.
        url: String,
    },
    /// Another HTTP failure, after retries.
    #[error("document {0}")]
    Http(HttpError),
    /// The body is not a content item.
    #[error("document {url}: malformed content item: {reason}")]
    Malformed {
        /// The content item's address.
        url: String,
        /// What the JSON parser said.
        reason: String,
    },
    /// The title is not one of DfE's intervention titles.
    #[error("document {url}: the title `{title}` is not one of DfE's notice, direction or appointment titles")]
    UnknownTitle {
        /// The content item's address.
        url: String,
        /// The title.
        title: String,
    },
    /// The council named matches none of ours.
    #[error(
        "document {url}: the council `{council}` matches no local authority; add the name to data/seed/la_aliases.csv"
    )]
    UnknownCouncil {
        /// The content item's address.
        url: String,
        /// The name as the title gives it.
        council: String,
    },
}

/// Whether the collection lists a document as open or closed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listing {
    /// The group's title, e.g. "Closed directions".
    pub group: String,
    /// The group is one of closed notices or directions.
    pub closed: bool,
}

/// A document as fetched.
#[derive(Debug, Clone)]
pub struct Document {
    /// The address it was read from, after redirects, on the real host.
    pub api_url: String,
    /// Where the collection lists it, if it does.
    pub listing: Option<Listing>,
    /// SHA-256 (hex) of the body.
    pub sha256: String,
    /// When it was fetched.
    pub retrieved_at: DateTime<Utc>,
    item: ContentItem,
}

/// What a crawl found.
#[derive(Debug, Default)]
pub struct Crawl {
    /// Documents the collection links.
    pub in_collection: usize,
    /// Documents found only through the Search API.
    pub only_in_search: usize,
    /// Documents read.
    pub documents: Vec<Document>,
    /// Documents that could not be read, and pages that failed.
    pub errors: Vec<String>,
    /// What the source itself says is missing, e.g. a collection entry with no published page.
    pub notes: Vec<String>,
}

/// Why a crawl could not run at all.
#[derive(Debug, thiserror::Error)]
#[error("cannot reach GOV.UK: {0}")]
pub struct Unreachable(pub String);

/// The real-host address of a GOV.UK path: documents are cited there whatever host was crawled.
fn on_govuk(path: &str) -> String {
    format!("{GOVUK}{path}")
}

/// Discovers and fetches every intervention document.
pub async fn crawl(config: &Config) -> Result<Crawl, Unreachable> {
    let mut http = Client::new(&config.http).map_err(|e| Unreachable(e.to_string()))?;
    let mut crawl = Crawl::default();
    // Base path → where the collection lists it. A BTreeMap keeps the fetch order stable.
    let mut wanted: BTreeMap<String, Option<Listing>> = BTreeMap::new();

    let collection_url = format!("{}/api/content{COLLECTION}", config.base_url);
    let collection_failed = match http.get(&collection_url).await {
        Ok(f) => match serde_json::from_slice::<ContentItem>(&f.bytes) {
            Ok(collection) => {
                let mut group_of = HashMap::new();
                for group in &collection.details.collection_groups {
                    for id in &group.documents {
                        group_of.insert(id.clone(), group.title.clone());
                    }
                }
                for doc in &collection.links.documents {
                    let Some(path) = doc.base_path.clone() else { continue };
                    let listing = group_of
                        .remove(&doc.content_id)
                        .map(|group| Listing { closed: group.to_lowercase().starts_with("closed"), group });
                    wanted.insert(path, listing);
                }
                // A group may list an item GOV.UK no longer publishes (withdrawn, unpublished).
                let mut missing: Vec<_> = group_of.into_iter().collect();
                missing.sort();
                for (id, group) in missing {
                    crawl.notes.push(format!("the collection lists {id} under `{group}` but links no page for it"));
                }
                crawl.in_collection = wanted.len();
                None
            }
            Err(e) => Some(format!("{collection_url}: malformed collection: {e}")),
        },
        Err(e) => Some(e.to_string()),
    };
    if let Some(e) = &collection_failed {
        crawl.errors.push(e.clone());
    }

    let mut search_answered = false;
    let mut search_errors = Vec::new();
    for query in SEARCH_QUERIES {
        let mut start = 0;
        for _ in 0..MAX_SEARCH_PAGES {
            let types: String =
                SEARCH_TYPES.iter().map(|t| format!("&filter_content_store_document_type={t}")).collect();
            let url = format!(
                "{}/api/search.json?q={}&filter_organisations=department-for-education{types}&count={SEARCH_PAGE}&start={start}&fields=title,link,public_timestamp,content_store_document_type",
                config.base_url,
                query.replace(' ', "+"),
            );
            let page = match http.get(&url).await {
                Ok(f) => match serde_json::from_slice::<SearchPage>(&f.bytes) {
                    Ok(page) => page,
                    Err(e) => {
                        search_errors.push(format!("{url}: malformed search results: {e}"));
                        break;
                    }
                },
                Err(e) => {
                    search_errors.push(e.to_string());
                    break;
                }
            };
            search_answered = true;
            for result in &page.results {
                // Links to other sites start with http; only GOV.UK pages have content items.
                if result.link.starts_with('/') && govuk::title(&result.title).is_some() {
                    wanted.entry(result.link.clone()).or_insert_with(|| {
                        crawl.only_in_search += 1;
                        None
                    });
                }
            }
            start += page.results.len();
            if page.results.is_empty() || start >= page.total {
                break;
            }
        }
    }
    crawl.errors.extend(search_errors);
    if let (Some(e), false) = (&collection_failed, search_answered) {
        return Err(Unreachable(e.clone()));
    }

    let mut read: HashMap<String, usize> = HashMap::new();
    for (path, listing) in wanted {
        let url = format!("{}/api/content{path}", config.base_url);
        let fetched = match http.get(&url).await {
            Ok(f) => f,
            Err(HttpError::Status { status: 404, .. }) => {
                crawl
                    .errors
                    .push(DocumentError::NotFound { url: on_govuk(&format!("/api/content{path}")) }.to_string());
                continue;
            }
            Err(HttpError::Status { status: 410, .. }) => {
                crawl.errors.push(DocumentError::Gone { url: on_govuk(&format!("/api/content{path}")) }.to_string());
                continue;
            }
            Err(e) => {
                crawl.errors.push(DocumentError::Http(e).to_string());
                continue;
            }
        };
        let item = match serde_json::from_slice::<ContentItem>(&fetched.bytes) {
            Ok(item) if !item.base_path.is_empty() && !item.title.is_empty() => item,
            Ok(_) => {
                let e = DocumentError::Malformed {
                    url: on_govuk(&format!("/api/content{path}")),
                    reason: "no base_path or title".into(),
                };
                crawl.errors.push(e.to_string());
                continue;
            }
            Err(e) => {
                let e =
                    DocumentError::Malformed { url: on_govuk(&format!("/api/content{path}")), reason: e.to_string() };
                crawl.errors.push(e.to_string());
                continue;
            }
        };
        // A moved page (GOV.UK answers 303) is read once, under its own base path.
        if let Some(&n) = read.get(&item.base_path) {
            if crawl.documents[n].listing.is_none() {
                crawl.documents[n].listing = listing;
            }
            continue;
        }
        read.insert(item.base_path.clone(), crawl.documents.len());
        crawl.documents.push(Document {
            api_url: on_govuk(&format!("/api/content{}", item.base_path)),
            listing,
            sha256: Sha256::digest(&fetched.bytes).iter().map(|b| format!("{b:02x}")).collect(),
            retrieved_at: Utc::now(),
            item,
        });
    }
    Ok(crawl)
}

/// Text of a fragment of HTML: tags dropped, entities that matter decoded, spaces collapsed.
fn plain(html: &str) -> String {
    static TAG: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"<[^>]*>").unwrap_or_else(|e| panic!("{e}")));
    let text = TAG.replace_all(html, " ");
    let text = text
        .replace("&nbsp;", " ")
        .replace("&#39;", "'")
        .replace("&rsquo;", "\u{2019}")
        .replace("&quot;", "\"")
        .replace("&amp;", "&");
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The addresses of a document's attachments, in either form GOV.UK has published them.
fn attachment_urls(details: &Details) -> Vec<String> {
    static HREF: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"href="(https://assets\.publishing\.service\.gov\.uk/[^"]+)""#).unwrap_or_else(|e| panic!("{e}"))
    });
    let mut urls: Vec<String> = details.attachments.iter().filter_map(|a| a.url.clone()).collect();
    for html in &details.documents {
        urls.extend(HREF.captures_iter(html).map(|c| c[1].to_owned()));
    }
    let mut seen = std::collections::HashSet::new();
    urls.retain(|u| seen.insert(u.clone()));
    urls
}

fn day(t: DateTime<chrono::FixedOffset>) -> PartialDate {
    PartialDate { first_day: t.date_naive(), precision: DatePrecision::Day }
}

fn record_id(base_path: &str, role: &str) -> String {
    let digest = Sha256::digest(format!("{SOURCE}\u{1f}{base_path}\u{1f}{role}").as_bytes());
    format!("iv-{}", &digest.iter().map(|b| format!("{b:02x}")).collect::<String>()[..16])
}

/// How a document's records relate to others, as the document says.
#[derive(Debug, Clone, Default)]
struct Relations {
    /// A revised direction: it continues the council's latest earlier direction.
    revised: bool,
    /// It replaces the direction issued on this date.
    replaces: Option<PartialDate>,
    /// A direction issued on this date replaced it.
    replaced_on: Option<PartialDate>,
}

/// The records one document states, before reconciliation: the notice, direction or
/// appointment, and its end when the document says it was lifted or revoked.
fn read_document(doc: &Document, names: &CouncilNames) -> Result<(Vec<Intervention>, Relations), DocumentError> {
    let item = &doc.item;
    let web_url = on_govuk(&item.base_path);
    let title = govuk::title(&item.title)
        .ok_or_else(|| DocumentError::UnknownTitle { url: doc.api_url.clone(), title: item.title.clone() })?;
    let body_text = item.details.body.as_deref().map(plain).unwrap_or_default();
    let description = item.description.as_deref().map(plain).unwrap_or_default();
    let facts = govuk::body(&body_text);
    // The change history's notes say when a notice was lifted when the body does not.
    let history = item.details.change_history.iter().map(|c| govuk::body(&c.note)).find(|b| b.ended.is_some());
    let ended = facts.ended.or(history.and_then(|h| h.ended));

    let mut notes = Vec::new();
    let start = match (facts.issued, title.month) {
        (Some(d), _) => Some(d),
        (None, Some(m)) => Some(m),
        (None, None) => {
            notes.push("The page gives no date of issue; the start date is the date GOV.UK first published it.");
            item.first_published_at.map(day)
        }
    };
    let end = ended.or(facts.replaced_on);
    if end.is_none() && doc.listing.as_ref().is_some_and(|l| l.closed) {
        notes.push("DfE's collection lists it as closed but does not say when it ended.");
    }
    let council_on = start.map(|d| d.first_day);
    let la = names
        .find(&title.council, council_on)
        .ok_or_else(|| DocumentError::UnknownCouncil { url: doc.api_url.clone(), council: title.council.clone() })?
        .to_owned();
    let service = if govuk::is_send(&format!("{} {description} {body_text}", item.title)) {
        Service::Send
    } else {
        Service::ChildrensSocialCare
    };

    let mut summary = description.clone();
    if let Some(w) = item.withdrawn_notice.as_ref().filter(|w| w.withdrawn_at.is_some() || w.explanation.is_some()) {
        let when = w.withdrawn_at.map(|t| format!(" on {}", t.date_naive())).unwrap_or_default();
        let why = w.explanation.as_deref().map(plain).filter(|s| !s.is_empty());
        summary.push_str(&format!(
            " GOV.UK withdrew this page{when}{}",
            why.map(|w| format!(": {w}")).unwrap_or_default()
        ));
        if !summary.ends_with('.') {
            summary.push('.');
        }
    }
    for note in notes {
        summary.push(' ');
        summary.push_str(note);
    }
    let summary = summary.trim().to_owned();

    let mut source_urls = vec![web_url];
    source_urls.extend(attachment_urls(&item.details));
    let provenance = Provenance {
        source: SOURCE.into(),
        source_url: doc.api_url.clone(),
        retrieved_at: doc.retrieved_at,
        sha256: doc.sha256.clone(),
        parser_version: PARSER_VERSION.into(),
    };
    let updated = item.public_updated_at.map(|t| t.with_timezone(&Utc).trunc_subsecs(0));
    let main = Intervention {
        id: record_id(&item.base_path, "issued"),
        la: la.clone(),
        kind: title.kind,
        service,
        start_date: start,
        end_date: end,
        commissioner: facts.commissioner.clone(),
        title: Some(item.title.clone()),
        summary: (!summary.is_empty()).then_some(summary),
        source_urls: source_urls.clone(),
        follows: None,
        same_as: None,
        document_updated_at: updated,
        corroborations: Vec::new(),
        provenance: provenance.clone(),
    };
    let mut records = vec![main.clone()];
    if let Some(ended) = ended {
        let what =
            if title.kind == InterventionKind::ImprovementNotice { "notice lifted" } else { "direction revoked" };
        records.push(Intervention {
            id: record_id(&item.base_path, "ended"),
            kind: InterventionKind::InterventionEnded,
            start_date: Some(ended),
            end_date: None,
            commissioner: None,
            summary: Some(format!("The {what}, as `{}` states.", item.title)),
            follows: Some(main.id.clone()),
            ..main
        });
    }
    let relations = Relations { revised: title.revised, replaces: facts.replaces, replaced_on: facts.replaced_on };
    Ok((records, relations))
}

fn is_order(kind: InterventionKind) -> bool {
    matches!(kind, InterventionKind::ImprovementNotice | InterventionKind::StatutoryDirection)
}

/// Sets `follows` where the documents say one record continues another: a revised direction
/// continues the council's latest earlier direction; a direction "replaces the earlier direction
/// issued on …"; a notice "closed and replaced with a direction issued on …" is continued by that
/// direction. Targets are this run's records and every record already published.
fn link(records: &mut [Intervention], relations: &HashMap<String, Relations>, others: &[Intervention]) {
    // Every notice and direction with a start date, this run's first.
    let candidates: Vec<(&Intervention, PartialDate)> =
        records.iter().chain(others).filter(|i| is_order(i.kind)).filter_map(|i| Some((i, i.start_date?))).collect();
    let directions_of = |r: &Intervention| {
        candidates
            .iter()
            .filter(|(c, _)| {
                c.id != r.id && c.la == r.la && c.service == r.service && c.kind == InterventionKind::StatutoryDirection
            })
            .collect::<Vec<_>>()
    };
    let mut follows: Vec<(usize, String)> = Vec::new();
    for (n, r) in records.iter().enumerate() {
        let Some(rel) = relations.get(&r.id) else { continue };
        let Some(start) = r.start_date else { continue };
        let target = if let Some(on) = rel.replaces {
            directions_of(r).into_iter().find(|(_, s)| s.agrees_with(&on))
        } else if rel.revised {
            directions_of(r).into_iter().filter(|(_, s)| *s < start).max_by_key(|(_, s)| *s)
        } else {
            None
        };
        if let Some((t, _)) = target {
            follows.push((n, t.id.clone()));
        }
        if let Some(on) = rel.replaced_on {
            for (m, other) in records.iter().enumerate() {
                if m != n
                    && other.la == r.la
                    && other.service == r.service
                    && other.kind == InterventionKind::StatutoryDirection
                    && other.start_date.is_some_and(|s| s.agrees_with(&on))
                {
                    follows.push((m, r.id.clone()));
                }
            }
        }
    }
    for (n, target) in follows {
        if records[n].follows.is_none() {
            records[n].follows = Some(target);
        }
    }
}

/// How well a published record matches a fetched one; `None` when they are not the same event.
fn match_score(fetched: &Intervention, other: &Intervention) -> Option<u32> {
    if other.la != fetched.la || other.service != fetched.service {
        return None;
    }
    let plain_url = |u: &str| {
        u.trim_start_matches("https://")
            .trim_start_matches("http://")
            .trim_start_matches("www.")
            .trim_end_matches('/')
            .to_owned()
    };
    let cites = fetched
        .source_urls
        .first()
        .map(|u| plain_url(u))
        .is_some_and(|web| other.source_urls.iter().any(|u| plain_url(u) == web));
    let same_kind = other.kind == fetched.kind;
    let (agree, close) = match (fetched.start_date, other.start_date) {
        (Some(a), Some(b)) => (a.agrees_with(&b), (a.first_day - b.first_day).num_days().abs() <= SAME_EVENT_DAYS),
        _ => (false, false),
    };
    match (same_kind, agree, close, cites) {
        (true, true, _, _) => Some(4 + u32::from(cites)),
        (true, false, true, _) => Some(2 + u32::from(cites)),
        (false, true, _, true) => Some(1),
        _ => None,
    }
}

/// Marks each fetched record that states an event another source's record already states as
/// `same_as` that record (each of those takes at most one fetched record, the best match).
fn reconcile(records: &mut [Intervention], others: &[Intervention]) {
    let mut pairs: Vec<(u32, usize, usize)> = Vec::new();
    for (n, r) in records.iter().enumerate() {
        for (m, o) in others.iter().enumerate() {
            if let Some(score) = match_score(r, o) {
                pairs.push((score, n, m));
            }
        }
    }
    // Best matches first; ties in a stable order.
    pairs.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    let (mut taken_fetched, mut taken_other) = (vec![false; records.len()], vec![false; others.len()]);
    for (_, n, m) in pairs {
        if !taken_fetched[n] && !taken_other[m] {
            taken_fetched[n] = true;
            taken_other[m] = true;
            records[n].same_as = Some(others[m].id.clone());
        }
    }
}

/// What a crawl becomes: the records to write, and the documents that could not be read.
/// `stored` is every intervention in the database, as stored.
pub fn records(crawl: &Crawl, names: &CouncilNames, stored: &[Intervention]) -> (Vec<Intervention>, Vec<String>) {
    // Other sources' records, as they state them (never this fetcher's own earlier records).
    let others: Vec<Intervention> = stored.iter().filter(|i| i.provenance.source != SOURCE).cloned().collect();
    let mut records = Vec::new();
    let mut relations = HashMap::new();
    let mut errors = Vec::new();
    for doc in &crawl.documents {
        match read_document(doc, names) {
            Ok((rs, rel)) => {
                relations.insert(rs[0].id.clone(), rel);
                records.extend(rs);
            }
            Err(e) => errors.push(e.to_string()),
        }
    }
    link(&mut records, &relations, &others);
    reconcile(&mut records, &others);
    (records, errors)
}

/// Writes a crawl as one fetch run (in a transaction that is rolled back for a dry run).
pub fn store(
    conn: &mut AnyConnection,
    crawl: Result<Crawl, Unreachable>,
    dry_run: bool,
) -> Result<RunSummary, StoreError> {
    let write = |conn: &mut AnyConnection| {
        Store::run(conn, SOURCE, |w| {
            let crawl = crawl.map_err(|e| StoreError::Rejected {
                what: "interventions fetch".into(),
                errors: vec![e.to_string()],
            })?;
            let names = CouncilNames::new(&schema::store::all_local_authorities(w.conn())?)?;
            let stored = schema::store::all_interventions(w.conn())?;
            let (records, errors) = records(&crawl, &names, &stored);
            for e in crawl.errors.iter().chain(&errors) {
                w.record_error(e.clone());
            }
            for r in &records {
                w.put_intervention(r)?;
            }
            Ok(())
        })
    };
    if dry_run { schema::db::rolled_back(conn, write)? } else { write(conn) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_becomes_plain_text() {
        assert_eq!(
            plain("<div class=\"govspeak\"><p>A&nbsp;direction</p>\n<p>Children&rsquo;s</p></div>"),
            "A direction Children\u{2019}s"
        );
    }

    #[test]
    fn attachments_come_from_either_form() {
        let details = Details {
            attachments: vec![Attachment { url: Some("https://assets.publishing.service.gov.uk/media/a/x.pdf".into()) }],
            documents: vec![
                r#"<a href="https://assets.publishing.service.gov.uk/file/1/y.pdf"><img src="https://assets.publishing.service.gov.uk/c.png"></a><a href="https://assets.publishing.service.gov.uk/file/1/y.pdf">Y</a>"#.into(),
            ],
            ..Details::default()
        };
        assert_eq!(
            attachment_urls(&details),
            [
                "https://assets.publishing.service.gov.uk/media/a/x.pdf",
                "https://assets.publishing.service.gov.uk/file/1/y.pdf"
            ]
        );
    }

    #[test]
    fn ids_are_stable_and_distinct_by_role() {
        let a = record_id("/government/publications/x", "issued");
        assert_eq!(a, record_id("/government/publications/x", "issued"));
        assert_ne!(a, record_id("/government/publications/x", "ended"));
        assert_eq!(a.len(), 19);
    }
}
