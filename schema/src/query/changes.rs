//! The change feed: the change log as typed events, in order, with resumable cursors.

use std::collections::BTreeMap;

use serde_json::Value;

use super::codes::{GssCode, RegionCode};
use super::intervention_status::status_on;
use super::{BadCursor, Direction, Page, PageRequest, paginate};
use crate::Dataset;
use crate::domain::{ChangeAction, Grade, Intervention, RecordType};
use crate::rows::Change;

/// What a change means to a reader of the feed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum EventType {
    /// A new Ofsted publication.
    InspectionPublished,
    /// A publication's record changed (a corrected grade, a date read better).
    InspectionUpdated,
    /// A publication no longer stated by its source.
    InspectionWithdrawn,
    /// A new intervention.
    InterventionStarted,
    /// An intervention's record changed.
    InterventionUpdated,
    /// An intervention gained an end date.
    InterventionEnded,
    /// An intervention's record changed so that its status on the day of the change did
    /// (a source found that it is still in force, or that a later record continues it).
    InterventionStatusChanged,
    /// An intervention no longer stated by its source.
    InterventionWithdrawn,
    /// Another source now states an intervention already published (the record stated with
    /// `same_as`, which the published record shows among its corroborations).
    InterventionCorroborated,
    /// A new local authority.
    LocalAuthorityCreated,
    /// A local authority's record, or its reorganisation links, changed.
    LocalAuthorityUpdated,
    /// An indicator was added to the catalogue, or its definition or source changed.
    IndicatorUpdated,
    /// Figures for a period of an indicator arrived (a new year of workforce, spending …).
    IndicatorPeriodPublished,
    /// Figures already published for a period changed (the source revised them).
    IndicatorPeriodRevised,
    /// The source no longer states a period's figures.
    IndicatorPeriodWithdrawn,
}

impl EventType {
    /// The dotted name published in the feed.
    pub fn as_str(self) -> &'static str {
        match self {
            EventType::InspectionPublished => "inspection.published",
            EventType::InspectionUpdated => "inspection.updated",
            EventType::InspectionWithdrawn => "inspection.withdrawn",
            EventType::InterventionStarted => "intervention.started",
            EventType::InterventionUpdated => "intervention.updated",
            EventType::InterventionEnded => "intervention.ended",
            EventType::InterventionStatusChanged => "intervention.status_changed",
            EventType::InterventionWithdrawn => "intervention.withdrawn",
            EventType::InterventionCorroborated => "intervention.corroborated",
            EventType::LocalAuthorityCreated => "local_authority.created",
            EventType::LocalAuthorityUpdated => "local_authority.updated",
            EventType::IndicatorUpdated => "indicator.updated",
            EventType::IndicatorPeriodPublished => "indicator.period_published",
            EventType::IndicatorPeriodRevised => "indicator.period_revised",
            EventType::IndicatorPeriodWithdrawn => "indicator.period_withdrawn",
        }
    }

    /// Every event type.
    pub const ALL: [EventType; 15] = [
        EventType::InspectionPublished,
        EventType::InspectionUpdated,
        EventType::InspectionWithdrawn,
        EventType::InterventionStarted,
        EventType::InterventionUpdated,
        EventType::InterventionEnded,
        EventType::InterventionStatusChanged,
        EventType::InterventionWithdrawn,
        EventType::InterventionCorroborated,
        EventType::LocalAuthorityCreated,
        EventType::LocalAuthorityUpdated,
        EventType::IndicatorUpdated,
        EventType::IndicatorPeriodPublished,
        EventType::IndicatorPeriodRevised,
        EventType::IndicatorPeriodWithdrawn,
    ];
}

/// The event a change is. Whether an intervention's status changed is judged with the rule of
/// [`status_on`] on the day of the change, before and after, against the snapshot's other records.
pub fn event_type(dataset: &Dataset, c: &Change) -> EventType {
    let status_changed = || {
        let on = c.changed_at.date_naive();
        let status = |v: &Option<Value>| {
            let record: Intervention = serde_json::from_value(v.clone()?).ok()?;
            Some(status_on(dataset, &record, on).status)
        };
        status(&c.before) != status(&c.after)
    };
    let gained_end = || {
        let end = |v: &Option<Value>| v.as_ref().and_then(|v| v.get("end_date")).is_some_and(|e| !e.is_null());
        !end(&c.before) && end(&c.after)
    };
    // A record another source already states, newly found to be so.
    let same_as = |v: &Option<Value>| v.as_ref().and_then(|v| v.get("same_as")).is_some_and(|s| !s.is_null());
    let corroborates = || same_as(&c.after) && !same_as(&c.before);
    match (c.record_type, c.action) {
        (RecordType::Intervention, ChangeAction::Create | ChangeAction::Update) if corroborates() => {
            EventType::InterventionCorroborated
        }
        (RecordType::Inspection, ChangeAction::Create) => EventType::InspectionPublished,
        (RecordType::Inspection, ChangeAction::Update) => EventType::InspectionUpdated,
        (RecordType::Inspection, ChangeAction::Delete) => EventType::InspectionWithdrawn,
        (RecordType::Intervention, ChangeAction::Create) => EventType::InterventionStarted,
        (RecordType::Intervention, ChangeAction::Update) if gained_end() => EventType::InterventionEnded,
        (RecordType::Intervention, ChangeAction::Update) if status_changed() => EventType::InterventionStatusChanged,
        (RecordType::Intervention, ChangeAction::Update) => EventType::InterventionUpdated,
        (RecordType::Intervention, ChangeAction::Delete) => EventType::InterventionWithdrawn,
        (RecordType::LocalAuthority, ChangeAction::Create) => EventType::LocalAuthorityCreated,
        (RecordType::LocalAuthority, _) => EventType::LocalAuthorityUpdated,
        (RecordType::Indicator, _) => EventType::IndicatorUpdated,
        (RecordType::IndicatorPeriod, ChangeAction::Create) => EventType::IndicatorPeriodPublished,
        (RecordType::IndicatorPeriod, ChangeAction::Update) => EventType::IndicatorPeriodRevised,
        (RecordType::IndicatorPeriod, ChangeAction::Delete) => EventType::IndicatorPeriodWithdrawn,
    }
}

/// The top-level fields whose values differ, with (before, after); every field for a creation
/// or deletion.
pub fn changed_fields(c: &Change) -> BTreeMap<String, (Value, Value)> {
    let empty = serde_json::Map::new();
    let before = c.before.as_ref().and_then(Value::as_object).unwrap_or(&empty);
    let after = c.after.as_ref().and_then(Value::as_object).unwrap_or(&empty);
    let mut fields = BTreeMap::new();
    for key in before.keys().chain(after.keys()) {
        let (b, a) = (before.get(key).cloned().unwrap_or(Value::Null), after.get(key).cloned().unwrap_or(Value::Null));
        if b != a {
            fields.insert(key.clone(), (b, a));
        }
    }
    fields
}

/// The GSS code of the council a change concerns.
pub fn local_authority_of(c: &Change) -> Option<&str> {
    match c.record_type {
        RecordType::LocalAuthority => Some(&c.record_id),
        _ => c.after.as_ref().or(c.before.as_ref()).and_then(|v| v.get("la")).and_then(Value::as_str),
    }
}

/// Whether a change brings an inadequate judgement that was not there before.
pub fn new_inadequate(c: &Change) -> bool {
    if c.record_type != RecordType::Inspection {
        return false;
    }
    let inadequate = |v: &Option<Value>| -> Vec<String> {
        v.as_ref()
            .and_then(|v| v.get("judgements"))
            .and_then(Value::as_array)
            .map(|js| {
                js.iter()
                    .filter(|j| j.get("grade").and_then(Value::as_str) == Some(Grade::Inadequate.as_str()))
                    .filter_map(|j| j.get("area").and_then(Value::as_str).map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    };
    let before = inadequate(&c.before);
    inadequate(&c.after).iter().any(|area| !before.contains(area))
}

/// Which changes to list.
#[derive(Debug, Clone, Default)]
pub struct ChangeFilter {
    /// Only changes concerning this council.
    pub la: Option<GssCode>,
    /// Only changes concerning councils in this region.
    pub region: Option<RegionCode>,
    /// Only these event types (empty: all).
    pub events: Vec<EventType>,
    /// Only changes that bring a new inadequate judgement.
    pub new_inadequate: bool,
    /// Oldest first (the feed) or newest first (Atom).
    pub direction: Direction,
}

/// The changes after a cursor, in order. The cursor names a position in the log, so it stays
/// valid as the log grows: following `next` from any page, or from a release's cursor, sees every
/// later change exactly once.
pub fn list<'a>(
    dataset: &'a Dataset,
    filter: &ChangeFilter,
    page: &PageRequest,
) -> Result<Page<&'a Change>, BadCursor> {
    let region_of = |c: &Change| {
        local_authority_of(c).and_then(|la| dataset.local_authority(la)).and_then(|la| la.region_code.as_deref())
    };
    let rows = dataset
        .changes
        .iter()
        .filter(|c| filter.la.as_deref().is_none_or(|la| local_authority_of(c) == Some(la)))
        .filter(|c| filter.region.as_deref().is_none_or(|r| region_of(c) == Some(r)))
        .filter(|c| filter.events.is_empty() || filter.events.contains(&event_type(dataset, c)))
        .filter(|c| !filter.new_inadequate || new_inadequate(c))
        .map(|c| (vec![position(c.id)], c))
        .collect();
    // The cursor depends only on the position, not on the filters, so that a release's cursor
    // works with any of them.
    paginate(rows, filter.direction, "changes", page)
}

/// The sort key of a change-log position.
pub fn position(id: i64) -> String {
    format!("{id:020}")
}

/// The cursor that resumes the feed after change `id` (0: from the beginning).
pub fn cursor_after(id: i64) -> String {
    super::Cursor::encode(&[position(id)], "changes")
}
