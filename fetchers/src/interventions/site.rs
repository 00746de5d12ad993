//! GOV.UK as this fetcher reads it: the host, DfE's collection, how to crawl, and the names its
//! records carry.

use crate::http::Politeness;

/// The real site.
pub const GOVUK: &str = "https://www.gov.uk";
/// The `source` of records read by this fetcher.
pub const SOURCE: &str = "govuk";
/// The version of the reading in this module; stored with every record.
pub const PARSER_VERSION: &str = "govuk-2";
/// DfE's collection of improvement notices and directions.
pub const COLLECTION: &str = "/government/collections/improvement-notices-and-directions";

/// The Department for Education's organisation on GOV.UK (`links.organisations[].content_id`).
/// Only documents DfE publishes are read.
pub const DFE_CONTENT_ID: &str = "ebd15ade-73b2-4eaf-b1c3-43034a42eb37";
/// The same organisation's base path, for a link that carries no content id.
pub const DFE_BASE_PATH: &str = "/government/organisations/department-for-education";
/// The GOV.UK document types (`document_type`; `content_store_document_type` in search) DfE's
/// notices, directions and letters are published as: the stored pages show directions and, since
/// 2024, notices as `decision` and ministers' letters as `correspondence`; older pages' types are
/// unverified (research note, section 3), hence `notice`, `policy_paper` and `guidance` too.
pub const INTERVENTION_TYPES: [&str; 5] = ["decision", "notice", "correspondence", "policy_paper", "guidance"];

/// How to crawl.
#[derive(Debug, Clone)]
pub struct Config {
    /// Base of the GOV.UK host (Content and Search APIs).
    pub base_url: String,
    /// How to behave towards it.
    pub http: Politeness,
}
