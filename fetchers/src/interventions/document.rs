//! GOV.UK's content items as this fetcher reads them, and why one document cannot be read.

use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::site::{DFE_BASE_PATH, DFE_CONTENT_ID, GOVUK, INTERVENTION_TYPES};
use crate::http::HttpError;
use crate::ids::sha256_hex;

// The parts of GOV.UK's JSON this fetcher reads, in today's shape (publishing-api's
// `content_schemas/examples`, copied into `fetchers/tests/fixtures/govuk/publishing-api/`).
// Every other field is ignored, and every field here may be missing or null.
//
// `details.documents` (attachment sections as HTML) is not read: publishing-api removed it from
// publications in April 2026 (PR #4014, to match Whitehall), so no current page carries it, and
// a fallback for it could only ever be tested against pages made up for the test.

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub(super) struct ContentItem {
    pub(super) content_id: Option<String>,
    pub(super) base_path: Option<String>,
    pub(super) title: Option<String>,
    pub(super) description: Option<String>,
    pub(super) first_published_at: Option<DateTime<chrono::FixedOffset>>,
    pub(super) public_updated_at: Option<DateTime<chrono::FixedOffset>>,
    /// `decision`, `notice`, `correspondence`, `document_collection` …
    pub(super) document_type: Option<String>,
    pub(super) details: Details,
    pub(super) links: Links,
    pub(super) withdrawn_notice: Option<WithdrawnNotice>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub(super) struct Details {
    pub(super) body: Option<String>,
    pub(super) attachments: Vec<Attachment>,
    pub(super) change_history: Vec<ChangeNote>,
    pub(super) collection_groups: Vec<CollectionGroup>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub(super) struct Attachment {
    /// `file`, `html` (a page on GOV.UK: its `url` is a path) or `external`.
    pub(super) attachment_type: Option<String>,
    pub(super) title: Option<String>,
    pub(super) url: Option<String>,
    /// A MIME type: `application/pdf` …
    pub(super) content_type: Option<String>,
    pub(super) filename: Option<String>,
    pub(super) number_of_pages: Option<u32>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub(super) struct ChangeNote {
    pub(super) note: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub(super) struct CollectionGroup {
    pub(super) title: Option<String>,
    pub(super) documents: Vec<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub(super) struct Links {
    /// On a collection: the documents its groups list, by content id.
    pub(super) documents: Vec<LinkedItem>,
    /// The organisations that publish the item.
    pub(super) organisations: Vec<LinkedItem>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub(super) struct LinkedItem {
    pub(super) content_id: Option<String>,
    pub(super) base_path: Option<String>,
    pub(super) title: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub(super) struct WithdrawnNotice {
    pub(super) explanation: Option<String>,
    pub(super) withdrawn_at: Option<DateTime<chrono::FixedOffset>>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub(super) struct SearchPage {
    pub(super) results: Vec<SearchResult>,
    pub(super) total: Option<usize>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub(super) struct SearchResult {
    pub(super) title: Option<String>,
    pub(super) link: Option<String>,
}

impl ContentItem {
    /// Whether the Department for Education is among the organisations that publish it (by its
    /// content id, or its base path where a link has no id).
    pub(super) fn published_by_dfe(&self) -> bool {
        self.links
            .organisations
            .iter()
            .any(|o| o.content_id.as_deref() == Some(DFE_CONTENT_ID) || o.base_path.as_deref() == Some(DFE_BASE_PATH))
    }

    /// Its publishers' names, for a note saying whose it is.
    pub(super) fn publishers(&self) -> String {
        let names: Vec<&str> = self.links.organisations.iter().filter_map(|o| o.title.as_deref()).collect();
        if names.is_empty() { "no organisation".to_owned() } else { names.join(", ") }
    }

    /// Whether its document type is one DfE's notices, directions and letters are published as.
    pub(super) fn of_intervention_type(&self) -> bool {
        self.document_type.as_deref().is_some_and(|t| INTERVENTION_TYPES.contains(&t))
    }

    /// GOV.UK's notice that the page is withdrawn, when it has one. Content-store answers `{}`
    /// for a page that is not withdrawn.
    pub(super) fn withdrawal(&self) -> Option<&WithdrawnNotice> {
        self.withdrawn_notice.as_ref().filter(|w| w.withdrawn_at.is_some() || w.explanation.is_some())
    }
}

impl Attachment {
    /// Its address: an HTML attachment's `url` is a path on GOV.UK.
    pub(super) fn address(&self) -> Option<String> {
        let url = self.url.as_deref()?;
        Some(if url.starts_with('/') { on_govuk(url) } else { url.to_owned() })
    }

    /// Its title, else its file name.
    pub(super) fn name(&self) -> Option<&str> {
        self.title.as_deref().or(self.filename.as_deref()).map(str::trim).filter(|t| !t.is_empty())
    }

    /// What it is, in words: "PDF, 9 pages", "HTML", "a link to another site".
    pub(super) fn format(&self) -> Option<String> {
        let kind = match (self.attachment_type.as_deref(), self.content_type.as_deref()) {
            (Some("html"), _) | (_, Some("text/html")) => "HTML".to_owned(),
            (Some("external"), _) => "a link to another site".to_owned(),
            (_, Some("application/pdf")) => "PDF".to_owned(),
            (
                _,
                Some("application/vnd.openxmlformats-officedocument.wordprocessingml.document" | "application/msword"),
            ) => "Word document".to_owned(),
            (_, Some(other)) => other.to_owned(),
            (_, None) => return None,
        };
        Some(match self.number_of_pages {
            Some(1) => format!("{kind}, 1 page"),
            Some(n) => format!("{kind}, {n} pages"),
            None => kind,
        })
    }
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
    pub(super) base_path: String,
    pub(super) title: String,
    pub(super) item: ContentItem,
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

/// The real-host address of a GOV.UK path: documents are cited there whatever host was crawled.
pub(super) fn on_govuk(path: &str) -> String {
    format!("{GOVUK}{path}")
}

/// A real content item of publishing-api's examples, copied into the fixtures.
#[cfg(test)]
pub(super) fn real_item(name: &str) -> ContentItem {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/govuk/publishing-api").join(name);
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn real_items_parse_into_todays_shape() {
        let item = real_item("publication_frontend_publication-with-featured-attachments.json");
        assert_eq!(item.document_type.as_deref(), Some("foi_release"));
        let a = &item.details.attachments[0];
        assert_eq!(
            (a.attachment_type.as_deref(), a.content_type.as_deref(), a.filename.as_deref(), a.number_of_pages),
            (Some("file"), Some("application/pdf"), Some("PUBLIC_1392629965.pdf"), Some(2))
        );
        assert_eq!(item.links.organisations[0].title.as_deref(), Some("Ministry of Defence"));
        let withdrawn = real_item("publication_frontend_withdrawn_publication.json");
        let w = withdrawn.withdrawal().unwrap();
        assert_eq!(w.withdrawn_at.unwrap().to_rfc3339(), "2015-01-13T13:05:30+00:00");
        assert!(
            w.explanation
                .as_deref()
                .unwrap()
                .starts_with("<div class=\"govspeak\"><p>This information is now out of date.")
        );
        // `withdrawn_notice: {}` is no withdrawal.
        assert!(real_item("publication_frontend_best-practice-policy-paper.json").withdrawal().is_none());
    }

    #[test]
    fn only_dfe_documents_of_intervention_types_count() {
        // Real items of other departments, of the types DfE uses and of one it does not.
        let notice = real_item("publication_frontend_best-practice-notice.json");
        assert_eq!((notice.document_type.as_deref(), notice.of_intervention_type()), (Some("notice"), true));
        assert!(!notice.published_by_dfe());
        assert_eq!(notice.publishers(), "Environment Agency");
        assert!(!real_item("publication_frontend_publication-with-featured-attachments.json").of_intervention_type());
        assert!(
            !real_item("document_collection_frontend_best-practice-document-collection.json").of_intervention_type()
        );
        // DfE by its content id, or by its base path where a link has no id.
        let mut item = notice;
        item.links.organisations =
            vec![LinkedItem { content_id: Some(DFE_CONTENT_ID.into()), ..LinkedItem::default() }];
        assert!(item.published_by_dfe());
        item.links.organisations = vec![LinkedItem { base_path: Some(DFE_BASE_PATH.into()), ..LinkedItem::default() }];
        assert!(item.published_by_dfe());
        item.links.organisations.clear();
        assert!(!item.published_by_dfe());
        assert_eq!(item.publishers(), "no organisation");
        item.document_type = None;
        assert!(!item.of_intervention_type());
    }
}
