//! What the REST API returns: resource shapes built from domain records, borrowing from the
//! snapshot so that rendering copies nothing it does not have to. One file per resource, each
//! shape beside its CSV row.

mod common;
mod indicator;
mod inspection;
mod intervention;
mod local_authority;
mod timeline;

pub use common::*;
pub use indicator::*;
pub use inspection::*;
pub use intervention::*;
pub use local_authority::*;
pub use timeline::*;
