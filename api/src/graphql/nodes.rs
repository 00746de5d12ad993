//! The graph's nodes: a council, an inspection and an intervention, each holding the snapshot
//! it was found in. Their fields are resolved in the module of their domain; the structs live
//! here because the nodes refer to one another (a council's inspections, an inspection's
//! council), and the domain modules then need only this one, never each other.

use std::sync::Arc;

use chrono::NaiveDate;
use schema::Dataset;
use schema::domain as d;
use schema::query::local_authorities as la_query;

/// An English local authority with children's services, as it stood on the `asAt` date.
pub struct LocalAuthority {
    pub(super) ds: Arc<Dataset>,
    pub(super) gss: String,
    pub(super) as_at: NaiveDate,
}

impl LocalAuthority {
    pub(super) fn la(&self) -> &d::LocalAuthority {
        // The node was built from this snapshot, so the code is in it.
        self.ds.local_authority(&self.gss).unwrap_or_else(|| &self.ds.local_authorities[0])
    }

    pub(super) fn derived(&self) -> la_query::LaStatus<'_> {
        la_query::status(&self.ds, self.la(), self.as_at)
    }

    pub(super) fn other(&self, gss: &str) -> LocalAuthority {
        LocalAuthority { ds: self.ds.clone(), gss: gss.to_owned(), as_at: self.as_at }
    }
}

/// An Ofsted publication about a council.
pub struct Inspection {
    pub(super) ds: Arc<Dataset>,
    pub(super) id: String,
}

impl Inspection {
    pub(super) fn new(ds: &Arc<Dataset>, i: &d::Inspection) -> Self {
        Inspection { ds: ds.clone(), id: i.id.clone() }
    }

    pub(super) fn get(&self) -> &d::Inspection {
        self.ds.inspection(&self.id).unwrap_or_else(|| &self.ds.inspections[0])
    }
}

/// A DfE intervention.
pub struct Intervention {
    pub(super) ds: Arc<Dataset>,
    pub(super) id: String,
    pub(super) as_at: NaiveDate,
}

impl Intervention {
    pub(super) fn new(ds: &Arc<Dataset>, i: &d::Intervention, as_at: NaiveDate) -> Self {
        Intervention { ds: ds.clone(), id: i.id.clone(), as_at }
    }

    pub(super) fn get(&self) -> &d::Intervention {
        self.ds.intervention(&self.id).unwrap_or_else(|| &self.ds.interventions[0])
    }
}
