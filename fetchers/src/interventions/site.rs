//! GOV.UK as this fetcher reads it: the host, DfE's collection, how to crawl, and the names its
//! records carry.

use crate::http::Politeness;

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
