//! The shape every source of lacs data shares. A [`Source`] has a name, a crawl that reads its
//! upstream and writes nothing, and a store that writes what the crawl found as fetch runs
//! (recording a crawl that could not run as a failed run). [`run`] drives one, the same way for
//! every source: a dry run stores in a transaction that is rolled back, so it goes through every
//! check and counts every change without keeping any. An upstream that cannot be reached at all
//! is one error, [`Unreachable`].

use std::future::Future;

use schema::AnyConnection;
use schema::StoreError;

/// Why a crawl could not run at all: its site could not be reached.
#[derive(Debug, Clone, thiserror::Error)]
#[error("cannot reach {site}: {reason}")]
pub struct Unreachable {
    /// The site, as messages name it ("GOV.UK", "the Ofsted reports site").
    pub site: &'static str,
    /// What went wrong.
    pub reason: String,
}

impl Unreachable {
    /// The error a store records as its run's failure: the fetch `what` was rejected.
    pub fn rejected(self, what: &str) -> StoreError {
        StoreError::Rejected { what: what.to_owned(), errors: vec![self.to_string()] }
    }
}

/// A source of data: read with [`Source::crawl`], written with [`Source::store`].
pub trait Source {
    /// The source's name: the `source` of its fetch runs and, where it has one, of its records.
    const NAME: &'static str;
    /// What a crawl found.
    type Crawl;
    /// What a run did (what `lacs` prints).
    type Report: serde::Serialize;

    /// Reads the upstream, writing nothing.
    fn crawl(&self) -> impl Future<Output = Result<Self::Crawl, Unreachable>>;

    /// Writes what `crawl` found as fetch runs; an unreachable upstream is recorded as a failed
    /// run and returned as its error.
    fn store(
        &self,
        conn: &mut AnyConnection,
        crawl: Result<Self::Crawl, Unreachable>,
    ) -> Result<Self::Report, StoreError>;
}

/// A run of a source, as `lacs fetch …` prints it.
#[derive(Debug, serde::Serialize)]
pub struct Ran<R> {
    /// Whether what was stored was rolled back.
    pub dry_run: bool,
    /// What the run did.
    #[serde(flatten)]
    pub report: R,
}

/// Crawls `source` and stores what it found; with `dry_run`, in a transaction rolled back.
pub fn run<S: Source>(source: &S, conn: &mut AnyConnection, dry_run: bool) -> anyhow::Result<Ran<S::Report>> {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let crawl = runtime.block_on(source.crawl());
    let report = if dry_run {
        schema::db::rolled_back(conn, |conn| source.store(conn, crawl))??
    } else {
        source.store(conn, crawl)?
    };
    Ok(Ran { dry_run, report })
}
