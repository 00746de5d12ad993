//! The vocabularies in the words people use, dates as people in England write them, and the
//! grade colours: shared by the SVGs (badge, timeline) and the website, so each says a thing
//! one way.

use chrono::NaiveDate;
use schema::domain::{
    Area, DatePrecision, Framework, Grade, InspectionKind, InterventionKind, InterventionStatus, LaType, PartialDate,
    Service,
};

/// The grade in words, capitalised as Ofsted prints it.
pub fn grade(g: Grade) -> &'static str {
    match g {
        Grade::Outstanding => "Outstanding",
        Grade::Good => "Good",
        Grade::RequiresImprovement => "Requires improvement",
        Grade::Inadequate => "Inadequate",
        Grade::Adequate => "Adequate",
        Grade::NotJudged => "Not judged",
    }
}

/// Dark fills, each with white text above a 4.5:1 contrast ratio (WCAG AA).
pub fn grade_fill(g: Option<Grade>) -> &'static str {
    match g {
        Some(Grade::Outstanding) => "#0b5d1e",
        Some(Grade::Good) => "#1d4f91",
        Some(Grade::RequiresImprovement) => "#7a4100",
        Some(Grade::Inadequate) => "#a4000f",
        Some(Grade::Adequate) | Some(Grade::NotJudged) | None => "#4b5358",
    }
}

/// What was judged, in words.
pub fn area(a: Area) -> &'static str {
    match a {
        Area::OverallEffectiveness => "Overall effectiveness",
        Area::ImpactOfLeaders => "Impact of leaders",
        Area::HelpAndProtection => "Help and protection",
        Area::ChildrenInCare => "Children in care",
        Area::CareLeavers => "Care leavers",
        Area::ChildrenInCareAndCareLeavers => "Children in care and care leavers",
        Area::LeadershipManagementGovernance => "Leadership, management and governance",
        Area::Adoption => "Adoption",
        Area::Lscb => "LSCB",
        Area::CapacityToImprove => "Capacity to improve",
        Area::OutcomesForLookedAfterChildren => "Outcomes for looked after children",
        Area::QualityOfProvision => "Quality of provision",
        Area::LeadershipAndManagement => "Leadership and management",
        Area::SafeguardingOverallEffectiveness => "Safeguarding: overall effectiveness",
        Area::SafeguardingCapacityToImprove => "Safeguarding: capacity to improve",
        Area::SafeguardingChildrenAreSafe => "Safeguarding: children are safe",
        Area::SafeguardingChildrenFeelSafe => "Safeguarding: children feel safe",
        Area::SafeguardingQualityOfProvision => "Safeguarding: quality of provision",
        Area::SafeguardingLeadershipAndManagement => "Safeguarding: leadership and management",
    }
}

/// The kind of Ofsted publication, in words.
pub fn inspection_kind(k: InspectionKind) -> &'static str {
    match k {
        InspectionKind::Inspection => "Inspection",
        InspectionKind::FocusedVisit => "Focused visit",
        InspectionKind::MonitoringVisit => "Monitoring visit",
        InspectionKind::LscbReview => "LSCB review",
        InspectionKind::Jtai => "Joint targeted area inspection",
        InspectionKind::Other => "Other publication",
    }
}

/// The inspection framework, in words.
pub fn framework(f: Framework) -> &'static str {
    match f {
        Framework::PreSif => "pre-SIF (2012–13)",
        Framework::Sif => "single inspection framework (SIF)",
        Framework::Ilacs => "ILACS",
    }
}

/// What DfE did, in words.
pub fn intervention_kind(k: InterventionKind) -> &'static str {
    match k {
        InterventionKind::ImprovementNotice => "Improvement notice",
        InterventionKind::StatutoryDirection => "Statutory direction",
        InterventionKind::CommissionerAppointed => "Commissioner appointed",
        InterventionKind::AlternativeDelivery => "Services moved to a trust or other body",
        InterventionKind::PartnershipWithAnotherCouncil => "Partnership with another council",
        InterventionKind::InterventionEnded => "Intervention ended",
        InterventionKind::ReturnedInHouse => "Services returned to the council",
        InterventionKind::Other => "Other intervention",
        InterventionKind::VoluntaryArrangement => "Voluntary arrangement (not a DfE intervention)",
    }
}

/// An intervention's status, in words.
pub fn intervention_status(s: InterventionStatus) -> &'static str {
    match s {
        InterventionStatus::InForce => "In force",
        InterventionStatus::Ended => "Ended",
        InterventionStatus::Superseded => "Superseded",
        InterventionStatus::Unknown => "Status unknown",
        InterventionStatus::NotStarted => "Not started",
        InterventionStatus::NotAnIntervention => "Not a DfE intervention",
    }
}

/// The service an intervention concerns, in words.
pub fn service(s: Service) -> &'static str {
    match s {
        Service::ChildrensSocialCare => "children's social care",
        Service::Send => "special educational needs and disabilities (SEND)",
    }
}

/// The kind of council, in words.
pub fn la_type(t: LaType) -> &'static str {
    match t {
        LaType::County => "County council",
        LaType::MetropolitanDistrict => "Metropolitan district",
        LaType::LondonBorough => "London borough",
        LaType::UnitaryAuthority => "Unitary authority",
    }
}

/// A date as people in England write it: 3 March 2024.
pub fn date(d: NaiveDate) -> String {
    d.format("%-d %B %Y").to_string()
}

/// A date stated as precisely as its source: 3 March 2024, March 2024 or "some time in 2024".
pub fn partial_date(d: PartialDate) -> String {
    match d.precision {
        DatePrecision::Day => date(d.first_day),
        DatePrecision::Month => d.first_day.format("%B %Y").to_string(),
        DatePrecision::Year => d.first_day.format("some time in %Y").to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_read_as_written_in_england() {
        let d = NaiveDate::from_ymd_opt(2024, 3, 3).expect("a date");
        assert_eq!(date(d), "3 March 2024");
        assert_eq!(partial_date(PartialDate { first_day: d, precision: DatePrecision::Month }), "March 2024");
        assert_eq!(partial_date(PartialDate { first_day: d, precision: DatePrecision::Year }), "some time in 2024");
    }
}
