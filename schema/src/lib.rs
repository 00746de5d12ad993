//! The lacs data layer: domain types, the database (PostgreSQL or SQLite, one diesel code path),
//! [`Store`] for writes, [`Dataset`] for serving reads and [`stored`] for reads of single records.
//!
//! This crate knows nothing of HTTP, GraphQL or fetching: `api` and `fetchers` depend on it,
//! never the other way round.

pub mod dataset;
pub mod db;
pub mod domain;
mod error;
pub mod export;
pub mod listen;
pub mod query;
pub mod rows;
pub mod run_lock;
pub mod store;
pub mod stored;
pub mod tables;

pub use dataset::Dataset;
pub use db::{AnyConnection, DatabaseUrl, Pool};
pub use error::StoreError;
pub use store::{Store, Writer};

/// The licence every record is published under.
pub const LICENCE: &str = "Open Government Licence v3.0";
/// Where the licence text is.
pub const LICENCE_URL: &str = "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/";
/// The attribution users must give.
pub const ATTRIBUTION: &str = "Contains public sector information from Ofsted and the Department for Education \
licensed under the Open Government Licence v3.0. Compiled by lacs.";
