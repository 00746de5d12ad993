//! Records by the ids clients give, and one wording, for REST and GraphQL alike, when an id
//! names none.

use schema::Dataset;
use schema::domain::{Inspection, Intervention, LocalAuthority};

/// An id that names no record; the message says what was looked for.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct NotFound(pub String);

/// A council by GSS code (current or former), DfE code, Ofsted URN or slug.
pub fn local_authority<'a>(dataset: &'a Dataset, id: &str) -> Result<&'a LocalAuthority, NotFound> {
    dataset
        .local_authority(id)
        .ok_or_else(|| NotFound(format!("no local authority has the GSS code, DfE code, Ofsted URN or slug `{id}`")))
}

/// An inspection or visit by Ofsted file id.
pub fn inspection<'a>(dataset: &'a Dataset, id: &str) -> Result<&'a Inspection, NotFound> {
    dataset.inspection(id).ok_or_else(|| NotFound(format!("no inspection has the Ofsted file id `{id}`")))
}

/// An intervention by id.
pub fn intervention<'a>(dataset: &'a Dataset, id: &str) -> Result<&'a Intervention, NotFound> {
    dataset.intervention(id).ok_or_else(|| NotFound(format!("no intervention has the id `{id}`")))
}

/// A path lacs does not serve.
pub fn no_resource(path: &str) -> NotFound {
    NotFound(format!("no resource at {path}; see /docs for what lacs serves"))
}
