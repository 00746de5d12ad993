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
//!
//! One job a file: `document` holds what GOV.UK's JSON says and why a document cannot be read,
//! `crawl` discovers and fetches the documents, `read` turns one document into records, and
//! `reconcile` matches them with other sources' records and links the ones that continue others.

use schema::AnyConnection;
use schema::store::{RunSummary, Store, StoreError};

use crate::http::Politeness;
use crate::seed::CouncilNames;
use crate::source::{Source, Unreachable};

mod crawl;
mod document;
mod read;
mod reconcile;

pub use crawl::{Crawl, crawl};
pub use document::{Document, DocumentError};
pub use reconcile::records;

/// The real site.
pub const GOVUK: &str = "https://www.gov.uk";
/// The `source` of records read by this fetcher.
pub const SOURCE: &str = "govuk";
/// The version of the reading in this module; stored with every record.
pub const PARSER_VERSION: &str = "govuk-1";
/// DfE's collection of improvement notices and directions.
pub const COLLECTION: &str = "/government/collections/improvement-notices-and-directions";

/// How to crawl.
#[derive(Debug, Clone)]
pub struct Config {
    /// Base of the GOV.UK host (Content and Search APIs).
    pub base_url: String,
    /// How to behave towards it.
    pub http: Politeness,
}

/// DfE's intervention documents on GOV.UK, as a [`Source`].
#[derive(Debug, Clone)]
pub struct Interventions {
    /// Where and how to crawl.
    pub config: Config,
}

/// What a run found and did.
#[derive(Debug, serde::Serialize)]
pub struct Report {
    /// Documents the collection links.
    pub in_collection: usize,
    /// Documents found only through the Search API.
    pub only_in_search: usize,
    /// Documents read.
    pub documents_read: usize,
    /// What the source itself says is missing or unstated.
    pub source_notes: Vec<String>,
    /// The fetch run.
    pub run: RunSummary,
}

impl Source for Interventions {
    const NAME: &'static str = SOURCE;
    type Crawl = Crawl;
    type Report = Report;

    async fn crawl(&self) -> Result<Crawl, Unreachable> {
        crawl(&self.config).await
    }

    /// Writes a crawl as one fetch run. Never deletes: a document not read again keeps its records.
    fn store(&self, conn: &mut AnyConnection, crawl: Result<Crawl, Unreachable>) -> Result<Report, StoreError> {
        let mut report = None;
        let run = Store::run(conn, SOURCE, |w| {
            let crawl = crawl.map_err(|e| e.rejected("interventions fetch"))?;
            let names = CouncilNames::new(&schema::store::all_local_authorities(w.conn())?)?;
            let stored = schema::store::all_interventions(w.conn())?;
            let (records, errors) = records(&crawl, &names, &stored);
            for e in crawl.errors.iter().chain(&errors) {
                w.record_error(e.clone());
            }
            for r in &records {
                w.put_intervention(r)?;
            }
            report = Some((crawl.in_collection, crawl.only_in_search, crawl.documents.len(), crawl.notes));
            Ok(())
        })?;
        let (in_collection, only_in_search, documents_read, source_notes) = report.unwrap_or_default();
        Ok(Report { in_collection, only_in_search, documents_read, source_notes, run })
    }
}
