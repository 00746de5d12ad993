//! The domain vocabularies as the API publishes them: each enum mirrored once from
//! `schema::domain`, with its OpenAPI schema (snake case) and its GraphQL enum (upper snake case). The conversions are exhaustive matches, so a new
//! domain value fails to compile here until it is published on purpose.

use serde::Serialize;
use utoipa::ToSchema;

macro_rules! mirror {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident),+ $(,)? }) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, ToSchema, async_graphql::Enum)]
        #[serde(rename_all = "snake_case")]
        $(#[$meta])*
        pub enum $name { $($(#[$vmeta])* $variant),+ }

        impl From<schema::domain::$name> for $name {
            fn from(value: schema::domain::$name) -> Self {
                match value { $(schema::domain::$name::$variant => $name::$variant),+ }
            }
        }

        impl From<$name> for schema::domain::$name {
            fn from(value: $name) -> Self {
                match value { $($name::$variant => schema::domain::$name::$variant),+ }
            }
        }
    };
}

mirror! {
    /// An Ofsted grade. `requires_improvement` covers "requires improvement (to be good)";
    /// `adequate` is the pre-2013 scale; `not_judged` appears in some SIF reports.
    Grade { Outstanding, Good, RequiresImprovement, Inadequate, Adequate, NotJudged }
}

mirror! {
    /// What a judgement is about. An area a framework does not judge is absent, never null.
    #[graphql(name = "JudgementArea")]
    #[schema(as = JudgementArea)]
    Area {
        OverallEffectiveness, ImpactOfLeaders, HelpAndProtection, ChildrenInCare, CareLeavers,
        ChildrenInCareAndCareLeavers, LeadershipManagementGovernance, Adoption, Lscb,
        CapacityToImprove, OutcomesForLookedAfterChildren, QualityOfProvision, LeadershipAndManagement,
        SafeguardingOverallEffectiveness, SafeguardingCapacityToImprove, SafeguardingChildrenAreSafe,
        SafeguardingChildrenFeelSafe, SafeguardingQualityOfProvision, SafeguardingLeadershipAndManagement,
    }
}

mirror! {
    /// What a focused visit looked at: the "front door", children in need and child protection,
    /// children in care, permanence, care leavers, harm outside the family, disabled children,
    /// key decisions across services (2020–21), the COVID-19 visits of 2020–21 that name no
    /// narrower theme, or another.
    VisitTheme {
        FrontDoor, ChildrenInNeedAndProtection, ChildrenInCare, Permanence, CareLeavers, ExtraFamilialHarm,
        DisabledChildren, DecisionMaking, Covid19, Other,
    }
}

mirror! {
    /// The kind of Ofsted publication.
    InspectionKind { Inspection, FocusedVisit, MonitoringVisit, LscbReview, Jtai, Other }
}

mirror! {
    /// The inspection framework: pre-SIF (2012–13), SIF (2013–18) or ILACS (2018 onwards,
    /// including the April 2026 reform, which has no overall effectiveness judgement).
    Framework { PreSif, Sif, Ilacs }
}

mirror! {
    /// ILACS standard (two weeks on site) or short (one week) inspection.
    InspectionType { Standard, Short }
}

mirror! {
    /// What the Department for Education did.
    InterventionKind {
        ImprovementNotice, StatutoryDirection, CommissionerAppointed, AlternativeDelivery,
        PartnershipWithAnotherCouncil, InterventionEnded, ReturnedInHouse, Other, VoluntaryArrangement,
    }
}

mirror! {
    /// Which of a council's services an intervention concerns: children's social care or special
    /// educational needs and disabilities (SEND).
    Service { ChildrensSocialCare, Send }
}

mirror! {
    /// An intervention's state on the `as_at` date: `in_force` only with evidence (a source, or
    /// recent enough for its kind with nothing later contradicting it); `unknown` when no end is
    /// recorded and nothing shows it is still in force; `not_an_intervention` for a council's voluntary
    /// arrangement.
    InterventionStatus { InForce, Ended, Superseded, Unknown, NotStarted, NotAnIntervention }
}

mirror! {
    /// Whether a source is DfE's (or a commissioner's or the council's) own document, a report of
    /// it, or `unsourced` (no document about the council states it).
    SourceClass { Primary, Secondary, Unsourced }
}

/// What kind of thing an intervention's status rests on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema, async_graphql::Enum)]
#[serde(rename_all = "snake_case")]
pub enum EvidenceKind {
    /// Another intervention record (`id`): the one that ended or continued it.
    Intervention,
    /// An Ofsted publication (`id`): a later good or outstanding judgement.
    Inspection,
    /// A document (`url`): a stated end, or a source saying it was still in force.
    Document,
}

/// One thing an intervention's status rests on.
#[derive(Debug, Clone, Serialize, ToSchema, async_graphql::SimpleObject)]
pub struct StatusEvidence {
    /// Intervention, inspection or document.
    pub kind: EvidenceKind,
    /// The record's id, for intervention and inspection evidence.
    pub id: Option<String>,
    /// The document, for document evidence.
    pub url: Option<String>,
    /// The date the evidence speaks of, as precisely as known.
    pub date: Option<String>,
}

impl From<&schema::query::intervention_status::Evidence<'_>> for StatusEvidence {
    fn from(e: &schema::query::intervention_status::Evidence<'_>) -> Self {
        use schema::query::intervention_status::Evidence;
        match *e {
            Evidence::Intervention(i) => StatusEvidence {
                kind: EvidenceKind::Intervention,
                id: Some(i.id.clone()),
                url: None,
                date: i.start_date.map(|d| d.to_string()),
            },
            Evidence::Inspection(i) => StatusEvidence {
                kind: EvidenceKind::Inspection,
                id: Some(i.id.clone()),
                url: None,
                date: Some(i.published.to_string()),
            },
            Evidence::Document { url, date } => StatusEvidence {
                kind: EvidenceKind::Document,
                id: None,
                url: (!url.is_empty()).then(|| url.to_owned()),
                date: date.map(|d| d.to_string()),
            },
        }
    }
}

/// GOV.UK's withdrawal of a source page: when and why. A withdrawn page is still DfE's record of
/// what it did; it ends nothing unless the explanation says so.
#[derive(Debug, Clone, Serialize, ToSchema, async_graphql::SimpleObject)]
pub struct DocumentWithdrawal {
    /// When GOV.UK withdrew it (RFC 3339).
    pub at: Option<String>,
    /// GOV.UK's explanation.
    pub explanation: Option<String>,
}

impl From<&schema::domain::Withdrawal> for DocumentWithdrawal {
    fn from(w: &schema::domain::Withdrawal) -> Self {
        DocumentWithdrawal {
            at: w.at.map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
            explanation: w.explanation.clone(),
        }
    }
}

mirror! {
    /// The kind of council.
    LaType { County, MetropolitanDistrict, LondonBorough, UnitaryAuthority }
}

mirror! {
    /// How precise a date is.
    DatePrecision { Day, Month, Year }
}

// One enum for both surfaces: REST and GraphQL publish the same events.
/// What a timeline entry records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema, async_graphql::Enum)]
#[serde(rename_all = "snake_case")]
pub enum TimelineEventType {
    /// Ofsted published an inspection or visit.
    InspectionPublished,
    /// An intervention began.
    InterventionStarted,
    /// An intervention ended.
    InterventionEnded,
    /// An official figure for the council (`include=indicators`).
    Figure,
}

impl From<&schema::query::records::TimelineEvent<'_>> for TimelineEventType {
    fn from(event: &schema::query::records::TimelineEvent<'_>) -> Self {
        use schema::query::records::TimelineEvent;
        match event {
            TimelineEvent::Inspection(_) => TimelineEventType::InspectionPublished,
            TimelineEvent::InterventionStarted(_) => TimelineEventType::InterventionStarted,
            TimelineEvent::InterventionEnded(_) => TimelineEventType::InterventionEnded,
            TimelineEvent::Figure(_) => TimelineEventType::Figure,
        }
    }
}

/// The format of a list: `json` (the default) or `csv`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ToSchema)]
#[schema(rename_all = "snake_case")]
pub enum ListFormat {
    /// The `{data, links, meta}` envelope.
    Json,
    /// RFC 4180 CSV with a header row.
    Csv,
}

mirror! {
    /// What an indicator's values measure: `percent`, `count`, `cases_per_worker` (cases per
    /// case-holding social worker, FTE), `per_10000_children` (per 10,000 children under 18),
    /// `gbp_thousand` (£ thousand), `gbp` (pounds).
    IndicatorUnit {
        Percent,
        Count,
        CasesPerWorker,
        #[serde(rename = "per_10000_children")]
        #[graphql(name = "PER_10000_CHILDREN")]
        Per10000Children,
        GbpThousand,
        Gbp,
    }
}

mirror! {
    /// The kind of period figures are for: a statistical `reporting_year` named by the year it
    /// ends (`2025`), or a `financial_year` April to March (`2023-24`).
    PeriodType { ReportingYear, FinancialYear }
}
