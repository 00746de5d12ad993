//! The dataset's invariant that each publication is one record: no two records of one council
//! published within [`SAME_INSPECTION_WITHIN_DAYS`] of each other unless they are distinct
//! documents with distinct first days on site. A pair that breaks it is one inspection stated
//! twice (a source misdating it, a join that missed) until shown otherwise, and a headline built
//! on both ("inadequate twice within five years") would be false.

use crate::Dataset;
use crate::domain::{Inspection, OFFICIAL_STATISTICS};

/// How close two publications of one council may be and still be assumed distinct without
/// distinct documents and on-site dates. Full inspections are years apart; visits are months.
pub const SAME_INSPECTION_WITHIN_DAYS: i64 = 100;

/// Whether two records are shown to be distinct publications: each with a first day on site, on
/// different days, and distinct documents (two reports, or two rows of Ofsted's statistics for
/// records it alone states).
pub fn distinct(a: &Inspection, b: &Inspection) -> bool {
    let statistics_alone = |i: &Inspection| i.provenance.source == OFFICIAL_STATISTICS;
    let documents = a.report_url != b.report_url || (statistics_alone(a) && statistics_alone(b));
    documents && a.start_date.zip(b.start_date).is_some_and(|(x, y)| x != y)
}

/// Every pair of records that breaks the invariant, earlier publication first.
pub fn possible_duplicates(dataset: &Dataset) -> Vec<(&Inspection, &Inspection)> {
    let mut out = Vec::new();
    for la in &dataset.local_authorities {
        let records: Vec<&Inspection> = dataset.inspections_of(&la.gss_code).collect();
        for (k, a) in records.iter().enumerate() {
            for b in &records[k + 1..] {
                let apart = (b.published - a.published).num_days().abs();
                if apart <= SAME_INSPECTION_WITHIN_DAYS && !distinct(a, b) {
                    out.push(if a.published <= b.published { (*a, *b) } else { (*b, *a) });
                }
            }
        }
    }
    out
}
