//! Every source of lacs data, normalised into `schema` domain types and written through
//! `schema::Store`. The bundled seed files, the Ofsted reports site and DfE's intervention documents on GOV.UK.

mod csv_file;
pub mod govuk;
pub mod http;
mod ids;
pub mod indicators;
pub mod interventions;
pub mod ods;
pub mod official;
pub mod ofsted;
pub mod parallel;
pub mod report;
pub mod seed;
pub mod source;

pub use source::{Ran, Source, Unreachable, run};
