//! How many LAs held each grade on a date: the figure behind "one in five councils inadequate".

use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::local_authorities::{existed_on, status};
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

/// One group's counts.
#[derive(Debug, Clone)]
pub struct RatingGroup<'a> {
    /// Region code, LA type, or `england`.
    pub key: String,
    /// Region name, type, or `England`.
    pub label: String,
    /// The LAs in the group, by grade; `None` holds LAs with no grade for the area.
    pub cells: BTreeMap<Option<Grade>, Vec<&'a LocalAuthority>>,
    /// LAs in the group.
    pub total: usize,
}

/// Counts of LAs by the grade their latest inspection (on or before `as_at`) gave `area`,
/// over the LAs that existed on `as_at`.
pub fn ratings<'a>(dataset: &'a Dataset, as_at: NaiveDate, area: Area, by: GroupBy) -> Vec<RatingGroup<'a>> {
    let mut groups: BTreeMap<String, RatingGroup<'a>> = BTreeMap::new();
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
        let grade = status(dataset, la, as_at).grade(area);
        let group =
            groups.entry(key.clone()).or_insert_with(|| RatingGroup { key, label, cells: BTreeMap::new(), total: 0 });
        group.cells.entry(grade).or_default().push(la);
        group.total += 1;
    }
    groups.into_values().collect()
}
