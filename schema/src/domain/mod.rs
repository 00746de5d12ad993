//! Domain types: what lacs publishes, independent of how it is stored or served.
//!
//! Every vocabulary (grades, areas, kinds, frameworks) is a Rust enum stored as lower snake case
//! text. Values are parsed once, where they enter (a seed file, a fetched page, a database row,
//! a query string); past that boundary an invalid value cannot exist.

mod frameworks;
mod indicators;
mod records;
mod vocabulary;

pub use frameworks::*;
pub use indicators::*;
pub use records::*;
pub use vocabulary::*;
