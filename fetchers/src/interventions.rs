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

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::LazyLock;

use chrono::{DateTime, SubsecRound, Utc};
use regex::Regex;
use schema::AnyConnection;
use schema::domain::{Intervention, InterventionKind, PartialDate, Provenance, Service};
use schema::store::{RunSummary, Store, StoreError};
use serde::Deserialize;

use crate::govuk;
use crate::http::{Client, HttpError, Politeness};
use crate::ids::{intervention_id, sha256_hex};
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

// The parts of GOV.UK's JSON this fetcher reads. Every other field is ignored, and every field
// here may be missing or null: older items have `details.documents` (HTML) and no `attachments`.

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
struct ContentItem {
    content_id: Option<String>,
    base_path: Option<String>,
    title: Option<String>,
    description: Option<String>,
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
    title: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
struct ChangeNote {
    note: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
struct CollectionGroup {
    title: Option<String>,
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
    content_id: Option<String>,
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
    total: Option<usize>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
struct SearchResult {
    title: Option<String>,
    link: Option<String>,
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

/// A document as fetched: a content item with a base path and a title.
#[derive(Debug, Clone)]
pub struct Document {
    /// The content item's address on the real host (whatever host was crawled).
    pub api_url: String,
    /// The group of DfE's collection that lists it ("Closed directions" …), if one does.
    pub listed_in: Option<String>,
    /// SHA-256 (hex) of the body.
    pub sha256: String,
    /// When it was fetched.
    pub retrieved_at: DateTime<Utc>,
    base_path: String,
    title: String,
    item: ContentItem,
}

impl Document {
    /// Reads the body of a content item fetched from `cited` (its address on the real host),
    /// listed in the collection group `listed_in`.
    pub fn read(cited: &str, listed_in: Option<String>, bytes: &[u8]) -> Result<Document, DocumentError> {
        let malformed = |reason: String| DocumentError::Malformed { url: cited.to_owned(), reason };
        let item = serde_json::from_slice::<ContentItem>(bytes).map_err(|e| malformed(e.to_string()))?;
        let (Some(base_path), Some(title)) = (item.base_path.clone(), item.title.clone()) else {
            return Err(malformed("it has no base_path or no title".to_owned()));
        };
        Ok(Document {
            api_url: on_govuk(&format!("/api/content{base_path}")),
            listed_in,
            sha256: sha256_hex(bytes),
            retrieved_at: Utc::now(),
            base_path,
            title,
            item,
        })
    }
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
    /// What the source itself says is missing or unstated, e.g. a collection entry with no page.
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

/// Reads the collection: each linked document's path, with the group that lists it.
fn read_collection(collection: &ContentItem, crawl: &mut Crawl) -> BTreeMap<String, Option<String>> {
    let mut group_of = HashMap::new();
    for group in &collection.details.collection_groups {
        for id in &group.documents {
            group_of.insert(id.clone(), group.title.clone().unwrap_or_default());
        }
    }
    let mut wanted = BTreeMap::new();
    for doc in &collection.links.documents {
        let listed_in = doc.content_id.as_ref().and_then(|id| group_of.remove(id));
        if let Some(path) = &doc.base_path {
            wanted.insert(path.clone(), listed_in);
        }
    }
    // A group may list an item GOV.UK no longer publishes (withdrawn, unpublished).
    let mut missing: Vec<_> = group_of.into_iter().collect();
    missing.sort();
    for (id, group) in missing {
        crawl.notes.push(format!("the collection lists {id} under `{group}` but links no page for it"));
    }
    wanted
}

/// Discovers and fetches every intervention document.
pub async fn crawl(config: &Config) -> Result<Crawl, Unreachable> {
    let mut http = Client::new(&config.http).map_err(|e| Unreachable(e.to_string()))?;
    let mut crawl = Crawl::default();
    // Base path → the collection group listing it. Sorted, so the fetch order is stable.
    let mut wanted: BTreeMap<String, Option<String>> = BTreeMap::new();

    let collection_url = format!("{}/api/content{COLLECTION}", config.base_url);
    let collection_failed = match http.get(&collection_url).await {
        Ok(bytes) => match serde_json::from_slice::<ContentItem>(&bytes) {
            Ok(collection) => {
                wanted = read_collection(&collection, &mut crawl);
                crawl.in_collection = wanted.len();
                None
            }
            Err(e) => Some(format!("{collection_url}: malformed collection: {e}")),
        },
        Err(e) => Some(e.to_string()),
    };
    crawl.errors.extend(collection_failed.clone());

    let mut search_answered = false;
    let types: String = SEARCH_TYPES.iter().map(|t| format!("&filter_content_store_document_type={t}")).collect();
    for query in SEARCH_QUERIES {
        let (mut start, mut seen) = (0, HashSet::new());
        for _ in 0..MAX_SEARCH_PAGES {
            let url = format!(
                "{}/api/search.json?q={}&filter_organisations=department-for-education{types}&count={SEARCH_PAGE}&start={start}&fields=title,link,public_timestamp,content_store_document_type",
                config.base_url,
                query.replace(' ', "+"),
            );
            let page = match http.get(&url).await.map(|b| serde_json::from_slice::<SearchPage>(&b)) {
                Ok(Ok(page)) => page,
                Ok(Err(e)) => {
                    crawl.errors.push(format!("{url}: malformed search results: {e}"));
                    break;
                }
                Err(e) => {
                    crawl.errors.push(e.to_string());
                    break;
                }
            };
            search_answered = true;
            let mut new = 0;
            for result in &page.results {
                let (Some(title), Some(link)) = (&result.title, &result.link) else { continue };
                new += usize::from(seen.insert(link.clone()));
                // Links to other sites start with http; only GOV.UK pages have content items.
                if link.starts_with('/') && govuk::title(title).is_some() && !wanted.contains_key(link) {
                    wanted.insert(link.clone(), None);
                    crawl.only_in_search += 1;
                }
            }
            start += page.results.len();
            // Stop at the end, and when a page brings nothing (a server that ignores `start`).
            if new == 0 || page.total.is_some_and(|total| start >= total) {
                break;
            }
        }
    }
    if let (Some(e), false) = (collection_failed, search_answered) {
        return Err(Unreachable(e));
    }

    let mut read: HashMap<String, usize> = HashMap::new();
    for (path, listed_in) in wanted {
        let cited = on_govuk(&format!("/api/content{path}"));
        let bytes = match http.get(&format!("{}/api/content{path}", config.base_url)).await {
            Ok(bytes) => bytes,
            Err(HttpError::Status { status: 404, .. }) => {
                crawl.errors.push(DocumentError::NotFound { url: cited }.to_string());
                continue;
            }
            Err(HttpError::Status { status: 410, .. }) => {
                crawl.errors.push(DocumentError::Gone { url: cited }.to_string());
                continue;
            }
            Err(e) => {
                crawl.errors.push(DocumentError::Http(e).to_string());
                continue;
            }
        };
        let document = match Document::read(&cited, listed_in, &bytes) {
            Ok(document) => document,
            Err(e) => {
                crawl.errors.push(e.to_string());
                continue;
            }
        };
        // A moved page (GOV.UK answers 303) is read once, under its own base path.
        if let Some(&n) = read.get(&document.base_path) {
            let doc: &mut Document = &mut crawl.documents[n];
            doc.listed_in = doc.listed_in.take().or(document.listed_in);
            continue;
        }
        read.insert(document.base_path.clone(), crawl.documents.len());
        crawl.documents.push(document);
    }
    for doc in &crawl.documents {
        let Some(group) = doc.listed_in.as_deref().filter(|g| g.to_lowercase().starts_with("closed")) else { continue };
        let (facts, ended) = stated(&doc.item);
        if ended.is_none() && facts.replaced_on.is_none() {
            crawl.notes.push(format!("`{}` is listed under `{group}` but does not say when it ended", doc.title));
        }
    }
    Ok(crawl)
}

/// Text of a fragment of HTML: tags dropped, entities that matter decoded, spaces collapsed.
fn text_of_html(html: &str) -> String {
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

/// A document's attachments, each with its title where the page gives one, in either form GOV.UK
/// has published them (`details.attachments`, or links in the older `details.documents` HTML).
fn attachments(details: &Details) -> Vec<(String, Option<String>)> {
    static LINK: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"<a href="(https://assets\.publishing\.service\.gov\.uk/[^"]+)"[^>]*>([^<]*)</a>"#)
            .unwrap_or_else(|e| panic!("{e}"))
    });
    let mut found: Vec<(String, Option<String>)> =
        details.attachments.iter().filter_map(|a| Some((a.url.clone()?, a.title.clone()))).collect();
    for html in &details.documents {
        for c in LINK.captures_iter(html) {
            // A thumbnail's link holds an image and is not matched; the title's link has the text.
            let text = text_of_html(&c[2]);
            found.push((c[1].to_owned(), (!text.is_empty()).then_some(text)));
        }
    }
    let mut out: Vec<(String, Option<String>)> = Vec::new();
    for (url, title) in found {
        match out.iter_mut().find(|(u, _)| *u == url) {
            Some((_, t)) => *t = t.take().or(title),
            None => out.push((url, title)),
        }
    }
    out
}

/// A record's id: stable across runs, and across a page's change of address (GOV.UK keeps the
/// `content_id` when a page moves; the base path stands in where there is none).
fn record_id(document: &str, role: &str) -> String {
    intervention_id(&[SOURCE, document, role])
}

/// What a document's body says, and when it says the intervention ended (lifted, revoked or
/// closed): from the body, else from a note of its change history.
fn stated(item: &ContentItem) -> (govuk::BodyFacts, Option<PartialDate>) {
    let facts = govuk::body(&item.details.body.as_deref().map(text_of_html).unwrap_or_default());
    let history = item.details.change_history.iter().filter_map(|c| c.note.as_deref()).map(govuk::body);
    let ended = facts.ended.or_else(|| history.filter_map(|b| b.ended).next());
    (facts, ended)
}

/// What a document says about its records beyond the records themselves.
#[derive(Debug, Clone, Default)]
struct Hints {
    /// A revised direction: it continues the council's latest earlier direction.
    revised: bool,
    /// It replaces the direction issued on this date.
    replaces: Option<PartialDate>,
    /// A direction issued on this date replaced it.
    replaced_on: Option<PartialDate>,
    /// When GOV.UK first published the page: matched against other sources' dates when the
    /// page gives no date of issue, never published as one.
    published: Option<PartialDate>,
}

/// The records one document states, before reconciliation: the notice, direction or
/// appointment, and its end when the document says it was lifted or revoked.
fn read_document(doc: &Document, names: &CouncilNames) -> Result<(Vec<Intervention>, Hints), DocumentError> {
    let item = &doc.item;
    let title = govuk::title(&doc.title)
        .ok_or_else(|| DocumentError::UnknownTitle { url: doc.api_url.clone(), title: doc.title.clone() })?;
    let body_text = item.details.body.as_deref().map(text_of_html).unwrap_or_default();
    let description = item.description.as_deref().map(text_of_html).unwrap_or_default();
    let (facts, ended) = stated(item);
    let published = item.first_published_at.map(|t| PartialDate::day(t.date_naive()));

    let mut summary = vec![description.clone()];
    let start = facts.issued.or(title.month);
    if start.is_none() {
        let on = published.map(|d| format!(" GOV.UK first published it on {d}.")).unwrap_or_default();
        summary.push(format!("The page gives no date of issue.{on}"));
    }
    let la = names
        .find(&title.council, start.or(published).map(|d| d.first_day))
        .ok_or_else(|| DocumentError::UnknownCouncil { url: doc.api_url.clone(), council: title.council.clone() })?
        .to_owned();
    let service = if govuk::is_send(&format!("{} {description} {body_text}", doc.title)) {
        Service::Send
    } else {
        Service::ChildrensSocialCare
    };
    if let Some(w) = item.withdrawn_notice.as_ref().filter(|w| w.withdrawn_at.is_some() || w.explanation.is_some()) {
        let when = w.withdrawn_at.map(|t| format!(" on {}", t.date_naive())).unwrap_or_default();
        let why = w.explanation.as_deref().map(text_of_html).filter(|s| !s.is_empty());
        let why = why.map(|w| format!(": {}", w.trim_end_matches('.'))).unwrap_or_default();
        summary.insert(1, format!("GOV.UK withdrew this page{when}{why}."));
    }
    let summary = summary.into_iter().filter(|s| !s.is_empty()).collect::<Vec<_>>().join(" ");

    let document = item.content_id.as_deref().unwrap_or(&doc.base_path);
    let attachments = attachments(&item.details);
    let page = on_govuk(&doc.base_path);
    let mut source_urls = vec![page.clone()];
    source_urls.extend(attachments.iter().map(|(url, _)| url.clone()));
    let main = Intervention {
        id: record_id(document, "issued"),
        la,
        kind: title.kind,
        service,
        start_date: start,
        end_date: ended.or(facts.replaced_on),
        commissioner: facts.commissioner.clone(),
        title: Some(doc.title.clone()),
        summary: (!summary.is_empty()).then_some(summary),
        source_urls,
        follows: None,
        same_as: None,
        document_updated_at: item.public_updated_at.map(|t| t.with_timezone(&Utc).trunc_subsecs(0)),
        corroborations: Vec::new(),
        provenance: Provenance {
            source: SOURCE.into(),
            source_url: doc.api_url.clone(),
            retrieved_at: doc.retrieved_at,
            sha256: doc.sha256.clone(),
            parser_version: PARSER_VERSION.into(),
        },
    };
    let hints = Hints { revised: title.revised, replaces: facts.replaces, replaced_on: facts.replaced_on, published };
    // A page of several directions states one per dated attachment ("Direction issued to Slough
    // Borough Council (October 2017)").
    let parts: Vec<(&String, &String, govuk::TitleFacts)> = attachments
        .iter()
        .filter_map(|(url, t)| Some((url, t.as_ref()?, govuk::title(t.as_ref()?)?)))
        .filter(|(_, _, facts)| facts.month.is_some())
        .collect();
    if title.several && !parts.is_empty() {
        let records = parts
            .into_iter()
            .map(|(url, part, facts)| Intervention {
                id: record_id(document, &format!("attachment {url}")),
                kind: facts.kind,
                start_date: facts.month,
                end_date: None,
                title: Some(part.clone()),
                summary: Some(
                    format!("{description} One of the directions on the page `{}`.", doc.title).trim().to_owned(),
                ),
                source_urls: vec![page.clone(), url.clone()],
                ..main.clone()
            })
            .collect();
        return Ok((records, Hints { published, ..Hints::default() }));
    }
    let mut records = vec![main.clone()];
    // An end of its own, unless another direction replaced it (that direction continues it).
    if let Some(ended) = ended.filter(|_| !facts.replaced_by_direction) {
        let what = match title.kind {
            InterventionKind::ImprovementNotice => "notice was lifted",
            InterventionKind::StatutoryDirection => "direction was revoked",
            _ => "intervention ended",
        };
        records.push(Intervention {
            id: record_id(document, "ended"),
            kind: InterventionKind::InterventionEnded,
            start_date: Some(ended),
            end_date: None,
            commissioner: None,
            summary: Some(format!("The {what}, as `{}` states.", doc.title)),
            follows: Some(main.id.clone()),
            ..main
        });
    }
    Ok((records, hints))
}

fn is_notice_or_direction(kind: InterventionKind) -> bool {
    matches!(kind, InterventionKind::ImprovementNotice | InterventionKind::StatutoryDirection)
}

/// Two dates of what may be one event: they agree, or are at most [`SAME_EVENT_DAYS`] apart.
fn close(a: PartialDate, b: PartialDate) -> bool {
    a.agrees_with(&b) || (a.first_day - b.first_day).num_days().abs() <= SAME_EVENT_DAYS
}

/// Sets `follows` where the documents say one record continues another: a revised direction
/// continues the council's latest earlier direction; a direction "replaces the earlier direction
/// issued on …"; a notice "closed and replaced with a direction issued on …" is continued by that
/// direction. Targets are this run's records and `others` (every other stored record), never
/// the record another source keeps of the same event (`same_as`, set by [`reconcile`] first).
fn link(records: &mut [Intervention], hints: &HashMap<String, Hints>, others: &[Intervention]) {
    // Every notice and direction with a start date, this run's first.
    let candidates: Vec<(&Intervention, PartialDate)> = records
        .iter()
        .chain(others)
        .filter(|i| is_notice_or_direction(i.kind))
        .filter_map(|i| Some((i, i.start_date?)))
        .collect();
    let directions_of = |r: &Intervention| {
        candidates
            .iter()
            .filter(|(c, _)| {
                c.id != r.id
                    && r.same_as.as_ref() != Some(&c.id)
                    && c.la == r.la
                    && c.service == r.service
                    && c.kind == InterventionKind::StatutoryDirection
            })
            .collect::<Vec<_>>()
    };
    let mut follows: Vec<(usize, String)> = Vec::new();
    for (n, r) in records.iter().enumerate() {
        let Some(hint) = hints.get(&r.id) else { continue };
        let target = match (hint.replaces, r.start_date) {
            (Some(on), _) => directions_of(r).into_iter().find(|(_, s)| s.agrees_with(&on)),
            // The latest earlier direction, not another source's record of this one.
            (None, Some(start)) if hint.revised => {
                directions_of(r).into_iter().filter(|(_, s)| *s < start && !close(*s, start)).max_by_key(|(_, s)| *s)
            }
            _ => None,
        };
        if let Some((t, _)) = target {
            follows.push((n, t.id.clone()));
        }
        if let Some(on) = hint.replaced_on {
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

/// How sure we are that a fetched record and another source's record state the same event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Match {
    /// The other record cites this page and their dates agree, but they name different kinds.
    CitesPage,
    /// The same kind, dates close but not agreeing: a discrepancy.
    CloseDates,
    /// The same kind, dates close, and the other record cites this page.
    CloseDatesCitingPage,
    /// The same kind, dates agreeing.
    AgreeingDates,
    /// The same kind, dates agreeing, and the other record cites this page.
    AgreeingDatesCitingPage,
}

/// Whether `other` states the event `fetched` states; `when` is the fetched record's date (its
/// start, or the page's publication date where the page gives none).
fn matches(fetched: &Intervention, when: Option<PartialDate>, other: &Intervention) -> Option<Match> {
    if other.la != fetched.la || other.service != fetched.service {
        return None;
    }
    let bare = |u: &str| {
        let u = u.trim_start_matches("https://").trim_start_matches("http://");
        u.trim_start_matches("www.").trim_end_matches('/').to_owned()
    };
    let page = fetched.source_urls.first().map(|u| bare(u));
    let cites = page.is_some_and(|page| other.source_urls.iter().any(|u| bare(u) == page));
    let (agree, near) = match (when, other.start_date) {
        (Some(a), Some(b)) => (a.agrees_with(&b), close(a, b)),
        _ => (false, false),
    };
    match (other.kind == fetched.kind, agree, near, cites) {
        (true, true, _, true) => Some(Match::AgreeingDatesCitingPage),
        (true, true, _, false) => Some(Match::AgreeingDates),
        (true, false, true, true) => Some(Match::CloseDatesCitingPage),
        (true, false, true, false) => Some(Match::CloseDates),
        (false, true, _, true) => Some(Match::CitesPage),
        _ => None,
    }
}

/// Marks each fetched record that states an event another source's record already states as
/// `same_as` that record. Each of those takes at most one fetched record, the best match; those
/// already taken by this fetcher's records not read again this run stay taken.
fn reconcile(
    records: &mut [Intervention],
    hints: &HashMap<String, Hints>,
    others: &[Intervention],
    kept: &[Intervention],
) {
    let mut taken: Vec<bool> = others.iter().map(|o| kept.iter().any(|k| k.same_as.as_ref() == Some(&o.id))).collect();
    let mut pairs = Vec::new();
    for (n, r) in records.iter().enumerate() {
        let when = r.start_date.or_else(|| hints.get(&r.id).and_then(|h| h.published));
        for (m, o) in others.iter().enumerate() {
            if let Some(quality) = matches(r, when, o) {
                pairs.push((quality, n, m));
            }
        }
    }
    // Best matches first; ties in a stable order.
    pairs.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    let mut matched = vec![false; records.len()];
    for (_, n, m) in pairs {
        if !matched[n] && !taken[m] {
            matched[n] = true;
            taken[m] = true;
            records[n].same_as = Some(others[m].id.clone());
        }
    }
}

/// What a crawl becomes: the records to write, and the documents that could not be read.
/// `stored` is every intervention in the database, as stored.
pub fn records(crawl: &Crawl, names: &CouncilNames, stored: &[Intervention]) -> (Vec<Intervention>, Vec<String>) {
    let mut records = Vec::new();
    let mut hints = HashMap::new();
    let mut errors = Vec::new();
    for doc in &crawl.documents {
        match read_document(doc, names) {
            Ok((rs, h)) => {
                for r in &rs {
                    hints.insert(r.id.clone(), h.clone());
                }
                records.extend(rs);
            }
            Err(e) => errors.push(e.to_string()),
        }
    }
    // Other sources' records, as they state them; and this fetcher's records not read again this
    // run (a page that failed), which keep their links and matches.
    let (mine, others): (Vec<Intervention>, Vec<Intervention>) =
        stored.iter().cloned().partition(|i| i.provenance.source == SOURCE);
    let kept: Vec<Intervention> = mine.into_iter().filter(|k| !records.iter().any(|r| r.id == k.id)).collect();
    let targets: Vec<Intervention> = others.iter().chain(&kept).cloned().collect();
    reconcile(&mut records, &hints, &others, &kept);
    link(&mut records, &hints, &targets);
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
            text_of_html("<div class=\"govspeak\"><p>A&nbsp;direction</p>\n<p>Children&rsquo;s</p></div>"),
            "A direction Children\u{2019}s"
        );
    }

    #[test]
    fn attachments_come_from_either_form() {
        let details = Details {
            attachments: vec![Attachment {
                url: Some("https://assets.publishing.service.gov.uk/media/a/x.pdf".into()),
                title: Some("X".into()),
            }],
            documents: vec![
                r#"<a href="https://assets.publishing.service.gov.uk/file/1/y.pdf"><img src="https://assets.publishing.service.gov.uk/c.png"></a><a href="https://assets.publishing.service.gov.uk/file/1/y.pdf">Y</a>"#.into(),
            ],
            ..Details::default()
        };
        let found = attachments(&details);
        let found: Vec<(&str, Option<&str>)> = found.iter().map(|(u, t)| (u.as_str(), t.as_deref())).collect();
        assert_eq!(
            found,
            [
                ("https://assets.publishing.service.gov.uk/media/a/x.pdf", Some("X")),
                ("https://assets.publishing.service.gov.uk/file/1/y.pdf", Some("Y")),
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
