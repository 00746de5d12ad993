//! How many LAs held each grade on a date: the figure behind "one in five councils inadequate".

use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::local_authorities::{Basis, existed_on, latest_inspection};
use crate::Dataset;
use crate::domain::*;

/// How to group the counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum GroupBy {
    /// One group: England.
    #[default]
    England,
    /// By ONS region.
    Region,
    /// By LA type.
    Type,
}

/// The area counted when the client names none.
pub const DEFAULT_AREA: Area = Area::OverallEffectiveness;

impl GroupBy {
    /// The grouping's name as published (`england`, `region`, `type`).
    pub fn as_str(self) -> &'static str {
        match self {
            GroupBy::England => "england",
            GroupBy::Region => "region",
            GroupBy::Type => "type",
        }
    }
}

/// The counts on one date for one area.
#[derive(Debug, Clone)]
pub struct RatingStats<'a> {
    /// The date described.
    pub as_at: NaiveDate,
    /// The area counted.
    pub area: Area,
    /// Which date puts an inspection in the count.
    pub basis: Basis,
    /// How the LAs are grouped.
    pub by: GroupBy,
    /// LAs that existed on `as_at`.
    pub total: usize,
    /// The groups.
    pub groups: Vec<RatingGroup<'a>>,
}

/// The LAs of one group holding one grade.
#[derive(Debug, Clone)]
pub struct GradeCell<'a> {
    /// The grade; `None` for LAs with no grade for the area.
    pub grade: Option<Grade>,
    /// The LAs, by name.
    pub local_authorities: Vec<&'a LocalAuthority>,
    /// Their share of the group, to four decimal places.
    pub share: f64,
}

impl GradeCell<'_> {
    /// How many LAs hold the grade.
    pub fn count(&self) -> usize {
        self.local_authorities.len()
    }
}

/// One group's counts.
#[derive(Debug, Clone)]
pub struct RatingGroup<'a> {
    /// Region code, LA type, or `england`.
    pub key: String,
    /// Region name, type, or `England`.
    pub label: String,
    /// Grades best first, then LAs inspected but with no grade for the area. Shares are of
    /// the LAs inspected.
    pub cells: Vec<GradeCell<'a>>,
    /// LAs with no inspection by the date (a council created since): listed, and left out of
    /// the shares, as Ofsted does.
    pub not_yet_inspected: Vec<&'a LocalAuthority>,
    /// LAs in the group.
    pub total: usize,
}

impl RatingGroup<'_> {
    /// LAs in the group with an inspection by the date: the shares' denominator.
    pub fn inspected(&self) -> usize {
        self.total - self.not_yet_inspected.len()
    }
}

/// Counts of LAs by the grade their latest inspection (on or before `as_at`, on `basis`) gave
/// `area`, over the LAs that existed on `as_at`.
pub fn ratings(dataset: &Dataset, as_at: NaiveDate, area: Area, by: GroupBy, basis: Basis) -> RatingStats<'_> {
    let groups = groups(dataset, as_at, area, by, basis);
    RatingStats { as_at, area, basis, by, total: groups.iter().map(|g| g.total).sum(), groups }
}

fn groups<'a>(dataset: &'a Dataset, as_at: NaiveDate, area: Area, by: GroupBy, basis: Basis) -> Vec<RatingGroup<'a>> {
    // Group key → (label, LAs by grade, LAs not yet inspected).
    type ByGrade<'a> = BTreeMap<Option<Grade>, Vec<&'a LocalAuthority>>;
    let mut groups: BTreeMap<String, (String, ByGrade<'a>, Vec<&'a LocalAuthority>)> = BTreeMap::new();
    for la in dataset.local_authorities.iter().filter(|la| existed_on(la, as_at)) {
        let (key, label) = match by {
            GroupBy::England => ("england".to_owned(), "England".to_owned()),
            GroupBy::Region => (
                la.region_code.clone().unwrap_or_else(|| "unknown".into()),
                la.region_name.clone().unwrap_or_else(|| "Unknown".into()),
            ),
            GroupBy::Type => {
                let t = la.la_type.map_or("unknown", LaType::as_str);
                (t.to_owned(), t.to_owned())
            }
        };
        let group = groups.entry(key).or_insert_with(|| (label, BTreeMap::new(), Vec::new()));
        match latest_inspection(dataset, la, as_at, basis) {
            Some(latest) => group.1.entry(latest.grade(area)).or_default().push(la),
            None => group.2.push(la),
        }
    }
    groups
        .into_iter()
        .map(|(key, (label, by_grade, not_yet_inspected))| {
            let inspected = by_grade.values().map(Vec::len).sum::<usize>();
            let mut cells: Vec<GradeCell<'a>> = by_grade
                .into_iter()
                .map(|(grade, local_authorities)| GradeCell {
                    grade,
                    share: (local_authorities.len() as f64 / inspected.max(1) as f64 * 10_000.0).round() / 10_000.0,
                    local_authorities,
                })
                .collect();
            cells.sort_by_key(|c| (c.grade.is_none(), c.grade));
            RatingGroup { key, label, cells, total: inspected + not_yet_inspected.len(), not_yet_inspected }
        })
        .collect()
}
