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
//! One job a file: `site` names the host and how to crawl it,
//! `document` holds what GOV.UK's JSON says and why a document cannot be read,
//! `crawl` discovers and fetches the documents, `read` turns one document into records, and
//! `reconcile` matches them with other sources' records and links the ones that continue others;
//! `store` is the fetcher as a [`crate::Source`], writing them as one fetch run.

mod crawl;
mod document;
mod read;
mod reconcile;
mod site;
mod store;

pub use crawl::{Crawl, crawl};
pub use document::{Document, DocumentError};
pub use reconcile::records;
pub use site::{COLLECTION, Config, GOVUK, PARSER_VERSION, SOURCE};
pub use store::{Interventions, Report};
