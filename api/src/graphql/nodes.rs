//! The graph's nodes: a council, an inspection and an intervention, each borrowing its record
//! from the snapshot the query runs on (it lives in the request, so it outlives every node).
//! Their fields are resolved in the module of their domain; the structs live here because the
//! nodes refer to one another (a council's inspections, an inspection's council), and the domain
//! modules then need only this one, never each other.

use std::sync::OnceLock;

use chrono::NaiveDate;
use schema::Dataset;
use schema::domain as d;
use schema::query::intervention_status::{StatusOn, status_on};
use schema::query::local_authorities::{self as la_query, LaStatus};

/// An English local authority with children's services, as it stood on the `asAt` date.
pub struct LocalAuthority<'a> {
    pub(super) ds: &'a Dataset,
    pub(super) la: &'a d::LocalAuthority,
    pub(super) as_at: NaiveDate,
    /// Derived once, on the first field that needs it (or given by the list that derived it).
    status: OnceLock<LaStatus<'a>>,
}

impl<'a> LocalAuthority<'a> {
    pub(super) fn new(ds: &'a Dataset, la: &'a d::LocalAuthority, as_at: NaiveDate) -> Self {
        LocalAuthority { ds, la, as_at, status: OnceLock::new() }
    }

    /// A council whose status a list has already derived.
    pub(super) fn with_status(ds: &'a Dataset, status: LaStatus<'a>) -> Self {
        LocalAuthority { ds, la: status.la, as_at: status.as_at, status: OnceLock::from(status) }
    }

    pub(super) fn derived(&self) -> &LaStatus<'a> {
        self.status.get_or_init(|| la_query::status(self.ds, self.la, self.as_at))
    }

    /// Another council (a neighbour, predecessor or successor) on the same date.
    pub(super) fn other(&self, la: &'a d::LocalAuthority) -> Self {
        LocalAuthority::new(self.ds, la, self.as_at)
    }
}

/// The council a record belongs to, on `as_at`. The database's foreign keys make it present; a
/// snapshot that lacked it would fail the field loudly rather than name another council.
pub(super) fn council_of<'a>(
    ds: &'a Dataset,
    gss: &str,
    as_at: NaiveDate,
) -> async_graphql::Result<LocalAuthority<'a>> {
    let la = ds.local_authority(gss).ok_or_else(|| {
        super::error(super::codes::INTERNAL_SERVER_ERROR, format!("council {gss} is not in the snapshot"))
    })?;
    Ok(LocalAuthority::new(ds, la, as_at))
}

/// An Ofsted publication about a council.
pub struct Inspection<'a> {
    pub(super) ds: &'a Dataset,
    pub(super) record: &'a d::Inspection,
}

impl<'a> Inspection<'a> {
    pub(super) fn new(ds: &'a Dataset, record: &'a d::Inspection) -> Self {
        Inspection { ds, record }
    }
}

/// A DfE intervention, seen from the `asAt` date.
pub struct Intervention<'a> {
    pub(super) ds: &'a Dataset,
    pub(super) record: &'a d::Intervention,
    pub(super) as_at: NaiveDate,
    status: OnceLock<StatusOn<'a>>,
}

impl<'a> Intervention<'a> {
    pub(super) fn new(ds: &'a Dataset, record: &'a d::Intervention, as_at: NaiveDate) -> Self {
        Intervention { ds, record, as_at, status: OnceLock::new() }
    }

    /// Its status on `as_at`, derived once.
    pub(super) fn derived(&self) -> &StatusOn<'a> {
        self.status.get_or_init(|| status_on(self.ds, self.record, self.as_at))
    }
}
