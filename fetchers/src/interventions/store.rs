//! The fetcher as a [`Source`]: a crawl, then its records reconciled and written as one fetch run.

use schema::AnyConnection;
use schema::StoreError;
use schema::store::{RunSummary, Store};

use super::crawl::{Crawl, crawl};
use super::reconcile::records;
use super::site::{Config, SOURCE};
use crate::seed::CouncilNames;
use crate::source::{Source, Unreachable};

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
            let names = CouncilNames::new(&schema::stored::all_local_authorities(w.conn())?)?;
            let stored = schema::stored::all_interventions(w.conn())?;
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
