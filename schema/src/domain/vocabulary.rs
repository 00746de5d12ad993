//! The closed vocabularies (grades, areas, kinds, frameworks, date precision) and the partial
//! dates interventions are stated with.

use std::fmt;
use std::str::FromStr;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// A value outside one of our vocabularies.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{value}` is not a valid {vocabulary}; expected one of: {expected}")]
pub struct UnknownValue {
    /// The vocabulary's name, e.g. "grade".
    pub vocabulary: &'static str,
    /// What was given.
    pub value: String,
    /// The accepted values, comma separated.
    pub expected: String,
}

/// Declares a closed vocabulary: the enum, its text form, `FromStr`, `Display` and serde as text.
macro_rules! vocabulary {
    ($(#[$meta:meta])* $name:ident ($label:literal) { $($(#[$vmeta:meta])* $variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($(#[$vmeta])* $variant),+ }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            /// The vocabulary's name as it appears in error messages.
            pub const LABEL: &'static str = $label;

            /// The stored and published text form.
            pub const fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl FromStr for $name {
            type Err = UnknownValue;
            fn from_str(s: &str) -> Result<Self, UnknownValue> {
                match s {
                    $($text => Ok($name::$variant),)+
                    _ => Err(UnknownValue {
                        vocabulary: $label,
                        value: s.to_owned(),
                        expected: [$($text),+].join(", "),
                    }),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result { f.write_str(self.as_str()) }
        }
    };
}

vocabulary! {
    /// An Ofsted grade. Pre-SIF inspections used `adequate`; SIF could print `not_judged`.
    Grade("grade") {
        Outstanding = "outstanding",
        Good = "good",
        /// "Requires improvement (to be good)", Ofsted's grade 3.
        RequiresImprovement = "requires_improvement",
        Inadequate = "inadequate",
        Adequate = "adequate",
        NotJudged = "not_judged",
    }
}

impl Grade {
    /// Ofsted's numeric grade (1 best), where the grade has one.
    pub const fn score(self) -> Option<u8> {
        match self {
            Grade::Outstanding => Some(1),
            Grade::Good => Some(2),
            Grade::RequiresImprovement | Grade::Adequate => Some(3),
            Grade::Inadequate => Some(4),
            Grade::NotJudged => None,
        }
    }
}

vocabulary! {
    /// The area a judgement is about. A framework that does not judge an area has no judgement
    /// for it: absence is never a "null grade".
    Area("judgement area") {
        OverallEffectiveness = "overall_effectiveness",
        /// ILACS: the impact of leaders on social work practice with children and families.
        ImpactOfLeaders = "impact_of_leaders",
        /// The experiences and progress of children who need help and protection.
        HelpAndProtection = "help_and_protection",
        /// ILACS from 2023 (and SIF's "children looked after and achieving permanence").
        ChildrenInCare = "children_in_care",
        /// ILACS from 2023 (and SIF's "experiences and progress of care leavers").
        CareLeavers = "care_leavers",
        /// ILACS inspections starting before 2023 judged children in care and care leavers together.
        ChildrenInCareAndCareLeavers = "children_in_care_and_care_leavers",
        /// SIF: leadership, management and governance.
        LeadershipManagementGovernance = "leadership_management_governance",
        /// SIF: adoption performance.
        Adoption = "adoption",
        /// SIF: the review of the Local Safeguarding Children Board.
        Lscb = "lscb",
        /// Pre-SIF: capacity to improve.
        CapacityToImprove = "capacity_to_improve",
        /// Pre-SIF: outcomes for looked after children and young people.
        OutcomesForLookedAfterChildren = "outcomes_for_looked_after_children",
        /// Pre-SIF: quality of provision.
        QualityOfProvision = "quality_of_provision",
        /// Pre-SIF: leadership and management.
        LeadershipAndManagement = "leadership_and_management",
        /// Pre-SIF safeguarding inspection: overall effectiveness of safeguarding services.
        SafeguardingOverallEffectiveness = "safeguarding_overall_effectiveness",
        /// Pre-SIF safeguarding inspection: safeguarding services' capacity for improvement.
        SafeguardingCapacityToImprove = "safeguarding_capacity_to_improve",
        /// Pre-SIF safeguarding inspection: children and young people are safe (the
        /// effectiveness of services in taking reasonable steps to ensure they are).
        SafeguardingChildrenAreSafe = "safeguarding_children_are_safe",
        /// Pre-SIF safeguarding inspection: children and young people feel safe.
        SafeguardingChildrenFeelSafe = "safeguarding_children_feel_safe",
        /// Pre-SIF safeguarding inspection: quality of safeguarding provision.
        SafeguardingQualityOfProvision = "safeguarding_quality_of_provision",
        /// Pre-SIF safeguarding inspection: leadership and management of safeguarding services.
        SafeguardingLeadershipAndManagement = "safeguarding_leadership_and_management",
    }
}

vocabulary! {
    /// What kind of Ofsted publication a record is.
    InspectionKind("inspection kind") {
        Inspection = "inspection",
        FocusedVisit = "focused_visit",
        MonitoringVisit = "monitoring_visit",
        LscbReview = "lscb_review",
        /// Joint targeted area inspection.
        Jtai = "jtai",
        Other = "other",
    }
}

vocabulary! {
    /// What a focused visit looked at, from the letter's sentence saying so ("Inspectors looked
    /// at the local authority's arrangements for …").
    VisitTheme("visit theme") {
        /// The "front door": contacts, referrals and the first decisions about them.
        FrontDoor = "front_door",
        /// Children in need and children subject to a child protection plan.
        ChildrenInNeedAndProtection = "children_in_need_and_protection",
        /// Children in care: decisions to come into care, placements, matching.
        ChildrenInCare = "children_in_care",
        /// Planning for and achieving permanence.
        Permanence = "permanence",
        /// Care leavers and care-experienced young people.
        CareLeavers = "care_leavers",
        /// Harm outside the family: exploitation, going missing, vulnerable adolescents.
        ExtraFamilialHarm = "extra_familial_harm",
        /// Disabled children.
        DisabledChildren = "disabled_children",
        /// Key decisions across help and protection, children in care and care leavers (2022).
        DecisionMaking = "decision_making",
        /// The visits of autumn 2020 and spring 2021 on practice during the COVID-19 pandemic,
        /// which name no narrower theme.
        Covid19 = "covid_19",
        /// Anything else.
        Other = "other",
    }
}

vocabulary! {
    /// The inspection framework a report was written under.
    Framework("framework") {
        /// 2012–13, four-point scale with "adequate".
        PreSif = "pre_sif",
        /// Single inspection framework, November 2013 – 2018.
        Sif = "sif",
        /// Inspecting local authority children's services, 2018 onwards (including the April 2026 reform).
        Ilacs = "ilacs",
    }
}

vocabulary! {
    /// ILACS inspections come in two lengths.
    InspectionType("inspection type") {
        Standard = "standard",
        Short = "short",
    }
}

vocabulary! {
    /// What the Department for Education did.
    InterventionKind("intervention kind") {
        /// Non-statutory improvement notice.
        ImprovementNotice = "improvement_notice",
        /// Statutory direction under s497A of the Education Act 1996.
        StatutoryDirection = "statutory_direction",
        /// A children's services commissioner (or adviser) appointed.
        CommissionerAppointed = "commissioner_appointed",
        /// Services moved to a trust or other alternative delivery model.
        AlternativeDelivery = "alternative_delivery",
        /// Services run in partnership with, or by, another council.
        PartnershipWithAnotherCouncil = "partnership_with_another_council",
        /// A notice closed or a direction revoked.
        InterventionEnded = "intervention_ended",
        /// Services returned to the council from a trust.
        ReturnedInHouse = "returned_in_house",
        /// Any other intervention the source describes.
        Other = "other",
        /// Not a DfE intervention: a council choosing to have its services run by a company it
        /// shares with other councils. Listed for the history, never counted as in force.
        VoluntaryArrangement = "voluntary_arrangement",
    }
}

vocabulary! {
    /// What kind of document an intervention's source is.
    SourceClass("source class") {
        /// DfE's own document (a notice, direction, revocation, decision), a commissioner's
        /// report, or the council's published letter.
        Primary = "primary",
        /// A report of it: the press, the trade press, another body's summary.
        Secondary = "secondary",
        /// No document we hold or cite about this council states it: the only source found was
        /// about another council. Its status is `unknown`.
        Unsourced = "unsourced",
    }
}

vocabulary! {
    /// An intervention's state on a date, derived from the records and their sources.
    InterventionStatus("intervention status") {
        /// A source says it is in force, or it is recent enough for its kind and nothing later
        /// contradicts it.
        InForce = "in_force",
        /// Its end is recorded.
        Ended = "ended",
        /// A later record for the same council continues it.
        Superseded = "superseded",
        /// No end is recorded and nothing shows it is still in force.
        Unknown = "unknown",
        /// It had not started on the date asked about.
        NotStarted = "not_started",
        /// A voluntary arrangement, not a DfE intervention: never in force as one.
        NotAnIntervention = "not_an_intervention",
    }
}

vocabulary! {
    /// Which of a council's services an intervention concerns.
    Service("service") {
        /// Children's social care.
        ChildrensSocialCare = "childrens_social_care",
        /// Special educational needs and disabilities.
        Send = "send",
    }
}

vocabulary! {
    /// The kind of council, as ONS classes it.
    LaType("local authority type") {
        County = "county",
        MetropolitanDistrict = "metropolitan_district",
        LondonBorough = "london_borough",
        UnitaryAuthority = "unitary_authority",
    }
}

vocabulary! {
    /// How a fetch run ended.
    FetchStatus("fetch status") {
        Running = "running",
        Ok = "ok",
        Partial = "partial",
        Failed = "failed",
    }
}

vocabulary! {
    /// What happened to a public record.
    ChangeAction("change action") {
        Create = "create",
        Update = "update",
        Delete = "delete",
    }
}

vocabulary! {
    /// The public record types the change log tracks.
    RecordType("record type") {
        LocalAuthority = "local_authority",
        Inspection = "inspection",
        Intervention = "intervention",
        /// An indicator of the catalogue.
        Indicator = "indicator",
        /// One indicator's figures for one period (`<indicator>/<period>`).
        IndicatorPeriod = "indicator_period",
    }
}

/// A date known to the day, the month or only the year, as precise as its source.
///
/// Written and read as `YYYY-MM-DD`, `YYYY-MM` or `YYYY`; sorts chronologically by its first day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PartialDate {
    /// The first day the value covers (1 January for a year, the 1st for a month).
    pub first_day: NaiveDate,
    /// How much of the date the source gives.
    pub precision: DatePrecision,
}

vocabulary! {
    /// How precise a [`PartialDate`] is.
    DatePrecision("date precision") {
        Day = "day",
        Month = "month",
        Year = "year",
    }
}

impl PartialDate {
    /// A date stated to the day.
    pub fn day(day: NaiveDate) -> PartialDate {
        PartialDate { first_day: day, precision: DatePrecision::Day }
    }

    /// The last day the value covers.
    pub fn last_day(&self) -> NaiveDate {
        let d = self.first_day;
        match self.precision {
            DatePrecision::Day => d,
            DatePrecision::Month => {
                let (y, m) = if d.month0() == 11 { (d.year() + 1, 1) } else { (d.year(), d.month() + 1) };
                NaiveDate::from_ymd_opt(y, m, 1).and_then(|n| n.pred_opt()).unwrap_or(d)
            }
            DatePrecision::Year => NaiveDate::from_ymd_opt(d.year(), 12, 31).unwrap_or(d),
        }
    }

    /// Whether one date can be the other stated less precisely (2015-07 and 2015-07-20 can;
    /// 2015-07-20 and 2015-08-04 cannot).
    pub fn agrees_with(&self, other: &PartialDate) -> bool {
        let within = |a: &PartialDate, b: &PartialDate| a.first_day <= b.first_day && b.last_day() <= a.last_day();
        within(self, other) || within(other, self)
    }
}

use chrono::Datelike;

impl FromStr for PartialDate {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let bad = || format!("`{s}` is not a date of the form YYYY-MM-DD, YYYY-MM or YYYY");
        let (first_day, precision) = match s.len() {
            10 => (NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| bad())?, DatePrecision::Day),
            7 => (NaiveDate::parse_from_str(&format!("{s}-01"), "%Y-%m-%d").map_err(|_| bad())?, DatePrecision::Month),
            4 => {
                let year: i32 = s.parse().map_err(|_| bad())?;
                (NaiveDate::from_ymd_opt(year, 1, 1).ok_or_else(bad)?, DatePrecision::Year)
            }
            _ => return Err(bad()),
        };
        Ok(PartialDate { first_day, precision })
    }
}

impl fmt::Display for PartialDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = self.first_day;
        match self.precision {
            DatePrecision::Day => write!(f, "{}", d.format("%Y-%m-%d")),
            DatePrecision::Month => write!(f, "{}", d.format("%Y-%m")),
            DatePrecision::Year => write!(f, "{}", d.format("%Y")),
        }
    }
}

impl Serialize for PartialDate {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for PartialDate {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

vocabulary! {
    /// What an indicator's values count or measure.
    IndicatorUnit("indicator unit") {
        /// A percentage (11.8 means 11.8%).
        Percent = "percent",
        /// A number of people or cases.
        Count = "count",
        /// Cases per case-holding social worker (FTE).
        CasesPerWorker = "cases_per_worker",
        /// Per 10,000 children aged under 18.
        Per10000Children = "per_10000_children",
        /// Pounds sterling, thousands.
        GbpThousand = "gbp_thousand",
        /// Pounds sterling.
        Gbp = "gbp",
    }
}

vocabulary! {
    /// The kind of period a source states its figures for.
    PeriodType("period type") {
        /// A statistical reporting year as the publication defines it (e.g. the workforce year to
        /// 30 September, the children in need year to 31 March), named by the year it ends.
        ReportingYear = "reporting_year",
        /// A financial year, April to March, named `2023-24`.
        FinancialYear = "financial_year",
    }
}

vocabulary! {
    /// The geography a figure is for.
    AreaLevel("area level") {
        /// England.
        National = "national",
        /// An English region (or Inner/Outer London).
        Regional = "regional",
        /// A local authority.
        LocalAuthority = "local_authority",
    }
}
