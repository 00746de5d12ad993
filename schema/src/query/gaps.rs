//! Where the intervention data is probably incomplete: inadequate judgements that no known
//! intervention followed, and interventions that no inadequate judgement preceded. Neither is
//! proof of a gap (DfE may have sent only an adviser; an intervention may follow another
//! inspection or a visit), so the report lists them for a person to check.

use chrono::{Months, NaiveDate};

use crate::Dataset;
use crate::domain::{Area, Grade, Inspection, Intervention, InterventionKind, Service};

/// An intervention "follows" an inadequate judgement when it starts within this many months after
/// publication (or up to three months before, when the notice preceded the report).
pub const FOLLOW_MONTHS: u32 = 24;
/// An inadequate judgement "precedes" an intervention when published within this many months before it.
pub const PRECEDE_MONTHS: u32 = 36;

/// The two lists.
#[derive(Debug, Default)]
pub struct Gaps<'a> {
    /// Inspections judged inadequate overall, with no intervention starting near them.
    pub inadequate_without_intervention: Vec<&'a Inspection>,
    /// Notices, directions and commissioners with no inadequate judgement before them.
    pub intervention_without_inadequate: Vec<&'a Intervention>,
}

fn months_before(d: NaiveDate, m: u32) -> NaiveDate {
    d.checked_sub_months(Months::new(m)).unwrap_or(NaiveDate::MIN)
}

fn months_after(d: NaiveDate, m: u32) -> NaiveDate {
    d.checked_add_months(Months::new(m)).unwrap_or(NaiveDate::MAX)
}

/// Finds both kinds of gap in the snapshot.
pub fn gaps(dataset: &Dataset) -> Gaps<'_> {
    // SEND interventions follow SEND inspections, which lacs does not hold: they are left out.
    let starts = |i: &Intervention| {
        i.service == Service::ChildrensSocialCare
            && matches!(
                i.kind,
                InterventionKind::ImprovementNotice
                    | InterventionKind::StatutoryDirection
                    | InterventionKind::CommissionerAppointed
                    | InterventionKind::AlternativeDelivery
            )
    };
    // Councils succeeded others: look at the predecessors' records too.
    let family = |gss: &str| -> Vec<String> {
        std::iter::once(gss.to_owned()).chain(dataset.predecessors_of(gss).map(|s| s.predecessor.clone())).collect()
    };
    let inadequate_without_intervention = dataset
        .inspections
        .iter()
        .filter(|i| i.grade(Area::OverallEffectiveness) == Some(Grade::Inadequate))
        .filter(|i| {
            let (from, to) = (months_before(i.published, 3), months_after(i.published, FOLLOW_MONTHS));
            !family(&i.la).iter().any(|la| {
                dataset
                    .interventions_of(la)
                    .any(|v| starts(v) && v.start_date.is_some_and(|s| s.last_day() >= from && s.first_day <= to))
            })
        })
        .collect();
    let intervention_without_inadequate = dataset
        .interventions
        .iter()
        .filter(|v| starts(v))
        .filter(|v| {
            let Some(start) = v.start_date else { return false };
            let from = months_before(start.first_day, PRECEDE_MONTHS);
            !family(&v.la).iter().any(|la| {
                dataset.inspections_of(la).any(|i| {
                    i.grade(Area::OverallEffectiveness) == Some(Grade::Inadequate)
                        && i.published >= from
                        && i.published <= start.last_day()
                })
            })
        })
        .collect();
    Gaps { inadequate_without_intervention, intervention_without_inadequate }
}
