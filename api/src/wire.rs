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
        PartnershipWithAnotherCouncil, InterventionEnded, ReturnedInHouse, Other,
    }
}

mirror! {
    /// Which of a council's services an intervention concerns: children's social care or special
    /// educational needs and disabilities (SEND).
    Service { ChildrensSocialCare, Send }
}

mirror! {
    /// The kind of council.
    LaType { County, MetropolitanDistrict, LondonBorough, UnitaryAuthority }
}

mirror! {
    /// How precise a date is.
    DatePrecision { Day, Month, Year }
}

// One enum for both surfaces: REST and GraphQL publish the same three events.
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
}

impl From<&schema::query::records::TimelineEvent<'_>> for TimelineEventType {
    fn from(event: &schema::query::records::TimelineEvent<'_>) -> Self {
        use schema::query::records::TimelineEvent;
        match event {
            TimelineEvent::Inspection(_) => TimelineEventType::InspectionPublished,
            TimelineEvent::InterventionStarted(_) => TimelineEventType::InterventionStarted,
            TimelineEvent::InterventionEnded(_) => TimelineEventType::InterventionEnded,
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
