//! Discovery and download: the collection and the Search API name the documents, each is
//! fetched once (a moved page is read under its own base path).

use std::collections::{BTreeMap, HashMap, HashSet};

use super::document::{ContentItem, Document, DocumentError, SearchPage, on_govuk};
use super::read::{stated, withdrawal};
use super::site::{COLLECTION, Config, INTERVENTION_TYPES};
use crate::govuk;
use crate::http::{Client, HttpError};
use crate::source::Unreachable;

/// Free-text queries for the Search API, each run over DfE's documents of [`INTERVENTION_TYPES`].
const SEARCH_QUERIES: [&str; 4] =
    ["improvement notice issued to", "direction issued to", "revised direction issued to", "advisers appointed"];
/// Results per search page (the API allows up to 1,500).
const SEARCH_PAGE: usize = 100;
/// A guard against a search that never ends.
const MAX_SEARCH_PAGES: usize = 50;

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

impl Crawl {
    /// Notes a fact about the source, once (a moved page may be fetched at two addresses).
    fn note(&mut self, note: String) {
        if !self.notes.contains(&note) {
            self.notes.push(note);
        }
    }
}

/// GOV.UK could not be reached at all.
fn unreachable(reason: impl ToString) -> Unreachable {
    Unreachable { site: "GOV.UK", reason: reason.to_string() }
}

/// Reads the collection: each linked document's path, with the group that lists it. A group
/// lists content ids; `links.documents` resolves them to pages.
fn read_collection(collection: &ContentItem, crawl: &mut Crawl) -> BTreeMap<String, Option<String>> {
    // A withdrawn collection still lists what it listed; its groups may be out of date.
    if let Some(note) = withdrawal(collection, "the collection") {
        crawl.note(note);
    }
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
    let mut http = Client::new(&config.http).map_err(unreachable)?;
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
    let types: String = INTERVENTION_TYPES.iter().map(|t| format!("&filter_content_store_document_type={t}")).collect();
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
        return Err(unreachable(e));
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
        // Only DfE's notices, directions and letters count: another department's "direction"
        // (a best-value intervention, say) or a page of another type is not one, whatever its
        // title. Said as a note: it is what the source is, not a failure to read it.
        if !document.item.published_by_dfe() {
            crawl.note(format!(
                "`{}` is published by {}, not the Department for Education: not read",
                document.title,
                document.item.publishers()
            ));
            continue;
        }
        if !document.item.of_intervention_type() {
            let kind = document.item.document_type.as_deref().unwrap_or("no document type");
            crawl.note(format!("`{}` is a `{kind}`, not a notice, direction or letter: not read", document.title));
            continue;
        }
        if let Some(note) = withdrawal(&document.item, &format!("`{}`", document.title)) {
            crawl.note(note);
        }
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

#[cfg(test)]
mod tests {
    use super::super::document::real_item;
    use super::*;

    #[test]
    fn collection_groups_are_resolved_through_links_documents() {
        // A real collection: five groups of content ids, every one linked.
        let mut crawl = Crawl::default();
        let wanted = read_collection(
            &real_item("document_collection_frontend_best-practice-document-collection.json"),
            &mut crawl,
        );
        assert_eq!(wanted.len(), 7);
        assert_eq!(
            wanted.get("/government/publications/car-and-light-van-driver-competence-framework"),
            Some(&Some("Car and light van".to_owned()))
        );
        assert!(crawl.notes.is_empty(), "{:?}", crawl.notes);
    }

    #[test]
    fn a_group_entry_with_no_linked_page_is_a_note() {
        let mut crawl = Crawl::default();
        let collection =
            real_item("document_collection_frontend_document_collection_with_single_missing_document.json");
        let wanted = read_collection(&collection, &mut crawl);
        assert_eq!(
            wanted.into_iter().collect::<Vec<_>>(),
            [(
                "/government/publications/national-standard-for-developed-driving-competence".to_owned(),
                Some("One document missing from links".to_owned())
            )]
        );
        assert_eq!(
            crawl.notes,
            [
                "the collection lists 0f7f39de-b5ab-4af6-9b0b-9ff6d1f5b97e under `One document missing from links` but links no page for it"
            ]
        );
    }

    #[test]
    fn a_withdrawn_collection_is_still_read_and_noted() {
        let mut crawl = Crawl::default();
        let wanted =
            read_collection(&real_item("document_collection_frontend_document_collection_withdrawn.json"), &mut crawl);
        assert_eq!(wanted.len(), 9);
        assert_eq!(crawl.notes, ["GOV.UK withdrew the collection on 2016-04-01: This information is now out of date."]);
    }
}
