//! Every source of lacs data, normalised into `schema` domain types and written through
//! `schema::Store`. Today: the bundled seed files. The Ofsted and GOV.UK fetchers join here.

pub mod govuk;
pub mod ofsted;
pub mod report;
pub mod seed;
