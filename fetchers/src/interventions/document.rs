//! GOV.UK's content items as this fetcher reads them, and why one document cannot be read.

use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::site::GOVUK;
use crate::http::HttpError;
use crate::ids::sha256_hex;

// The parts of GOV.UK's JSON this fetcher reads. Every other field is ignored, and every field
// here may be missing or null: older items have `details.documents` (HTML) and no `attachments`.

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub(super) struct ContentItem {
    pub(super) content_id: Option<String>,
    pub(super) base_path: Option<String>,
    pub(super) title: Option<String>,
    pub(super) description: Option<String>,
    pub(super) first_published_at: Option<DateTime<chrono::FixedOffset>>,
    pub(super) public_updated_at: Option<DateTime<chrono::FixedOffset>>,
    pub(super) details: Details,
    pub(super) links: Links,
    pub(super) withdrawn_notice: Option<WithdrawnNotice>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub(super) struct Details {
    pub(super) body: Option<String>,
    pub(super) documents: Vec<String>,
    pub(super) attachments: Vec<Attachment>,
    pub(super) change_history: Vec<ChangeNote>,
    pub(super) collection_groups: Vec<CollectionGroup>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub(super) struct Attachment {
    pub(super) url: Option<String>,
    pub(super) title: Option<String>,
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
    pub(super) documents: Vec<LinkedItem>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub(super) struct LinkedItem {
    pub(super) content_id: Option<String>,
    pub(super) base_path: Option<String>,
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
