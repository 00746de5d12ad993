//! Local authorities: what held on a date (`as_at`), derived status, and the filtered list.

use chrono::{Months, NaiveDate};

use super::codes::RegionCode;
use super::intervention_status::status_on;
use super::{BadCursor, Direction, Page, PageRequest, SortKey, date_key, paginate};
use crate::Dataset;
use crate::domain::*;

/// Whether an LA existed on a date.
pub fn existed_on(la: &LocalAuthority, day: NaiveDate) -> bool {
    la.valid_from.is_none_or(|from| from <= day) && la.valid_to.is_none_or(|to| to >= day)
}

/// Whether an LA had been retired by a date.
pub fn retired_by(la: &LocalAuthority, day: NaiveDate) -> bool {
    la.valid_to.is_some_and(|to| to < day)
}

/// DfE's *persistent failure*: rated inadequate (overall effectiveness) more than once within
/// five years. Measured over the five years up to `as_at`.
pub const PERSISTENT_FAILURE_YEARS: u32 = 5;

/// DfE's persistent-failure definition, as published with the answer.
pub const PERSISTENT_FAILURE_DEFINITION: &str =
    "Rated inadequate for overall effectiveness more than once within five years (DfE)";
/// DfE's systemic-failure definition, as published with the answer.
pub const SYSTEMIC_FAILURE_DEFINITION: &str = "Rated inadequate on every judgement of the latest inspection (DfE)";

/// Whether a council existed on the date a status describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LaState {
    /// It existed.
    Current,
    /// It had been abolished.
    Retired,
    /// It had not been created yet.
    NotYetCreated,
}

/// A DfE failure definition applied on a date: whether it is met, and the inspections that count.
#[derive(Debug, Clone)]
pub struct FailureTest<'a> {
    /// Whether the definition is met.
    pub met: bool,
    /// The definition, in words.
    pub definition: &'static str,
    /// The inspections that count towards it.
    pub inspections: Vec<&'a Inspection>,
}

/// What held for one LA on one date, derived from its records.
#[derive(Debug, Clone)]
pub struct LaStatus<'a> {
    /// The council.
    pub la: &'a LocalAuthority,
    /// The date the status describes.
    pub as_at: NaiveDate,
    /// `false` for a council retired by `as_at` (or not yet created).
    pub existed: bool,
    /// Retired by `as_at`.
    pub retired: bool,
    /// The latest inspection with judgements published on or before `as_at`.
    pub latest_inspection: Option<&'a Inspection>,
    /// The latest publication of any kind (inspection or visit) on or before `as_at`.
    pub latest_publication: Option<&'a Inspection>,
    /// Interventions in force on `as_at`.
    pub active_interventions: Vec<&'a Intervention>,
    /// Inspections judged inadequate overall in the five years up to `as_at` (two or more: persistent failure).
    pub inadequate_within_five_years: Vec<&'a Inspection>,
    /// The latest inspection, when every judgement in it is inadequate (DfE's *systemic failure*).
    pub systemic_failure: Option<&'a Inspection>,
}

impl<'a> LaStatus<'a> {
    /// Existing, retired or not yet created on `as_at`.
    pub fn state(&self) -> LaState {
        if self.retired {
            LaState::Retired
        } else if self.existed {
            LaState::Current
        } else {
            LaState::NotYetCreated
        }
    }

    /// DfE's persistent-failure definition on `as_at`, with the inspections that count.
    pub fn persistent_failure_test(&self) -> FailureTest<'a> {
        FailureTest {
            met: self.persistent_failure(),
            definition: PERSISTENT_FAILURE_DEFINITION,
            inspections: self.inadequate_within_five_years.clone(),
        }
    }

    /// DfE's systemic-failure definition on `as_at`, with the inspection that meets it.
    pub fn systemic_failure_test(&self) -> FailureTest<'a> {
        FailureTest {
            met: self.systemic_failure.is_some(),
            definition: SYSTEMIC_FAILURE_DEFINITION,
            inspections: self.systemic_failure.into_iter().collect(),
        }
    }

    /// The last day on site of the latest graded inspection, or its publication date when not known.
    pub fn last_inspection_date(&self) -> Option<NaiveDate> {
        self.latest_inspection.map(|i| i.end_date.unwrap_or(i.published))
    }

    /// Whether DfE's persistent-failure definition is met.
    pub fn persistent_failure(&self) -> bool {
        self.inadequate_within_five_years.len() >= 2
    }

    /// The grade of `area` in the latest inspection, if it judged that area.
    pub fn grade(&self, area: Area) -> Option<Grade> {
        self.latest_inspection.and_then(|i| i.grade(area))
    }

    /// Days from the end of the latest inspection (or its publication) to `as_at`.
    pub fn days_since_last_inspection(&self) -> Option<i64> {
        self.last_inspection_date().map(|day| (self.as_at - day).num_days())
    }
}

/// Which date puts an inspection in the count for a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Basis {
    /// As Ofsted's official "as at 31 March" statistics count: its first day on site is on or
    /// before the day (where not known, its last day, else its publication date), and its report
    /// was published by the cut-off of [`published_by`].
    #[default]
    Inspected,
    /// Its publication date is on or before the day: what a reader could have known on it.
    Published,
}

impl Basis {
    /// Whether `inspection` is in a count for `as_at` on this basis.
    pub fn counts(self, inspection: &Inspection, as_at: NaiveDate) -> bool {
        match self {
            Basis::Inspected => {
                on_site_from(inspection) <= as_at
                    && (inspection.published <= published_by(as_at) || also_counted(&inspection.la, as_at))
            }
            Basis::Published => inspection.published <= as_at,
        }
    }

    /// The basis, in words, as the API and the website state it.
    pub fn description(self) -> &'static str {
        match self {
            Basis::Inspected => {
                "by inspection date, as Ofsted's official statistics count: each council's latest inspection whose \
                 first day on site is on or before the date and whose report was published by the cut-off \
                 (`published_by`)"
            }
            Basis::Published => "by publication date: each council's latest inspection published on or before the date",
        }
    }
}

/// The first day on site of an inspection, else its last, else its publication date.
fn on_site_from(inspection: &Inspection) -> NaiveDate {
    inspection.start_date.or(inspection.end_date).unwrap_or(inspection.published)
}

/// What an edition of Ofsted's official statistics counts as at a day: reports published by a
/// cut-off (its cover's "Period covered"), and the councils its notes say it counts though their
/// report came later.
struct Edition {
    as_at: NaiveDate,
    published_by: NaiveDate,
    also_counted: &'static [&'static str],
}

/// The editions bundled in `data/seed/official/`.
const EDITIONS: [Edition; 3] = [
    // Children's social care in England 2023: "As at 31 March 2023, published by 30 April 2023";
    // note 4: "South Tyneside LA was inspected within the 2022 to 2023 year, but the report was
    // not published by our usual deadline … It is included in this report".
    Edition { as_at: ymd(2023, 3, 31), published_by: ymd(2023, 4, 30), also_counted: &["E08000023"] },
    // "Inspections as at 31 March 2024, with a report published by 30 June 2024".
    Edition { as_at: ymd(2024, 3, 31), published_by: ymd(2024, 6, 30), also_counted: &[] },
    // "Inspections as at 31 March 2025, with a report published by 30 June 2025".
    Edition { as_at: ymd(2025, 3, 31), published_by: ymd(2025, 6, 30), also_counted: &[] },
];

const fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    match NaiveDate::from_ymd_opt(y, m, d) {
        Some(day) => day,
        None => NaiveDate::MIN,
    }
}

/// The latest publication date of a report counted on [`Basis::Inspected`] for `as_at`: the
/// cut-off Ofsted's edition for that day states, else three months on (its practice since 2024).
pub fn published_by(as_at: NaiveDate) -> NaiveDate {
    EDITIONS
        .iter()
        .find(|e| e.as_at == as_at)
        .map(|e| e.published_by)
        .unwrap_or_else(|| as_at.checked_add_months(Months::new(3)).unwrap_or(NaiveDate::MAX))
}

/// Whether Ofsted's edition for `as_at` counts the council's inspection by then whatever its
/// publication date (its notes say so).
fn also_counted(la: &str, as_at: NaiveDate) -> bool {
    EDITIONS.iter().any(|e| e.as_at == as_at && e.also_counted.contains(&la))
}

/// The latest inspection with judgements of `la` counted for `as_at` on `basis`.
pub fn latest_inspection<'a>(
    dataset: &'a Dataset,
    la: &LocalAuthority,
    as_at: NaiveDate,
    basis: Basis,
) -> Option<&'a Inspection> {
    dataset.inspections_of(&la.gss_code).filter(|i| !i.judgements.is_empty() && basis.counts(i, as_at)).max_by_key(
        |i| match basis {
            Basis::Inspected => (on_site_from(i), i.published),
            Basis::Published => (i.published, on_site_from(i)),
        },
    )
}

/// Derives an LA's status on `as_at`.
pub fn status<'a>(dataset: &'a Dataset, la: &'a LocalAuthority, as_at: NaiveDate) -> LaStatus<'a> {
    let published: Vec<&Inspection> = dataset.inspections_of(&la.gss_code).filter(|i| i.published <= as_at).collect();
    let latest_inspection = latest_inspection(dataset, la, as_at, Basis::Published);
    let window_start = as_at.checked_sub_months(Months::new(12 * PERSISTENT_FAILURE_YEARS)).unwrap_or(NaiveDate::MIN);
    let inadequate_within_five_years = published
        .iter()
        .filter(|i| i.published > window_start && i.grade(Area::OverallEffectiveness) == Some(Grade::Inadequate))
        .copied()
        .collect();
    let systemic_failure = latest_inspection.filter(|i| i.judgements.iter().all(|j| j.grade == Grade::Inadequate));
    LaStatus {
        la,
        as_at,
        existed: existed_on(la, as_at),
        retired: retired_by(la, as_at),
        latest_inspection,
        latest_publication: published.last().copied(),
        active_interventions: active_interventions(dataset, &la.gss_code, as_at),
        inadequate_within_five_years,
        systemic_failure,
    }
}

/// The interventions in force for a council on `as_at`: its own, and the trusts and partnerships
/// in force of the councils it succeeded (an arrangement for the area passes to its successors).
pub fn active_interventions<'a>(dataset: &'a Dataset, gss_code: &'a str, as_at: NaiveDate) -> Vec<&'a Intervention> {
    let inherited = dataset
        .predecessors_of(gss_code)
        .filter(|s| s.effective <= as_at)
        .flat_map(|s| dataset.interventions_of(&s.predecessor))
        .filter(|i| {
            matches!(i.kind, InterventionKind::AlternativeDelivery | InterventionKind::PartnershipWithAnotherCouncil)
        });
    dataset.interventions_of(gss_code).chain(inherited).filter(|i| status_on(dataset, i, as_at).in_force()).collect()
}

/// Which LAs a list includes, by their state on `as_at`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lifecycle {
    /// Existing on `as_at` (the default).
    #[default]
    Current,
    /// Retired by `as_at`.
    Retired,
    /// Every LA we know.
    All,
}

/// Whether an LA has interventions in force.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InterventionPresence {
    /// At least one (of the kind asked for, if any).
    Active,
    /// None.
    None,
}

/// How to sort LAs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LaSort {
    /// By name.
    #[default]
    Name,
    /// By publication date of the latest graded inspection.
    LatestInspection,
    /// By latest overall effectiveness grade, best first (then by name).
    Rating,
}

/// Filters for the list of LAs. Every condition must hold.
#[derive(Debug, Clone)]
pub struct LaFilter {
    /// The date the list describes.
    pub as_at: NaiveDate,
    /// Current, retired or all.
    pub lifecycle: Lifecycle,
    /// Only LAs in this region.
    pub region: Option<RegionCode>,
    /// County, metropolitan district, London borough or unitary authority.
    pub la_type: Option<LaType>,
    /// Grades the latest inspection must have given, per area.
    pub ratings: Vec<(Area, Grade)>,
    /// Interventions in force, or none.
    pub intervention: Option<InterventionPresence>,
    /// Restricts `intervention` to one kind.
    pub intervention_kind: Option<InterventionKind>,
    /// DfE's persistent-failure definition met, or not.
    pub persistent_failure: Option<bool>,
    /// Sort field.
    pub sort: LaSort,
    /// Sort direction.
    pub direction: Direction,
}

impl LaFilter {
    /// Everything current on `as_at`, by name.
    pub fn new(as_at: NaiveDate) -> Self {
        LaFilter {
            as_at,
            lifecycle: Lifecycle::Current,
            region: None,
            la_type: None,
            ratings: Vec::new(),
            intervention: None,
            intervention_kind: None,
            persistent_failure: None,
            sort: LaSort::Name,
            direction: Direction::Ascending,
        }
    }
}

/// The LAs that match `filter`, one page of them, each with its status on `filter.as_at`.
pub fn list<'a>(dataset: &'a Dataset, filter: &LaFilter, page: &PageRequest) -> Result<Page<LaStatus<'a>>, BadCursor> {
    let rows: Vec<(SortKey, LaStatus<'a>)> = dataset
        .local_authorities
        .iter()
        .filter(|la| match filter.lifecycle {
            Lifecycle::Current => existed_on(la, filter.as_at),
            Lifecycle::Retired => retired_by(la, filter.as_at),
            Lifecycle::All => true,
        })
        .filter(|la| filter.region.as_deref().is_none_or(|r| la.region_code.as_deref() == Some(r)))
        .filter(|la| filter.la_type.is_none_or(|t| la.la_type == Some(t)))
        .map(|la| status(dataset, la, filter.as_at))
        .filter(|s| filter.ratings.iter().all(|&(area, grade)| s.grade(area) == Some(grade)))
        .filter(|s| {
            let matching =
                s.active_interventions.iter().filter(|i| filter.intervention_kind.is_none_or(|k| i.kind == k)).count();
            match (filter.intervention, filter.intervention_kind) {
                (Some(InterventionPresence::Active), _) | (None, Some(_)) => matching > 0,
                (Some(InterventionPresence::None), _) => matching == 0,
                (None, None) => true,
            }
        })
        .filter(|s| filter.persistent_failure.is_none_or(|p| s.persistent_failure() == p))
        .map(|s| (sort_key(&s, filter.sort), s))
        .collect();
    paginate(rows, filter.direction, &format!("la|{filter:?}"), page)
}

fn sort_key(s: &LaStatus<'_>, sort: LaSort) -> SortKey {
    let name = s.la.name.to_lowercase();
    let id = s.la.gss_code.clone();
    match sort {
        LaSort::Name => vec![name, id],
        LaSort::LatestInspection => vec![date_key(s.latest_inspection.map(|i| i.published)), name, id],
        LaSort::Rating => {
            // Best first when ascending; LAs with no overall grade last.
            let score = s.grade(Area::OverallEffectiveness).and_then(Grade::score).unwrap_or(9);
            vec![score.to_string(), name, id]
        }
    }
}
