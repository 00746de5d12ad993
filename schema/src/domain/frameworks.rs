//! What each inspection framework judges. The one rule behind refusing a judgement a framework
//! does not give (at import, for every source) and behind saying why an inspection has no overall
//! grade. A framework's judgements changed twice within ILACS, by the first day on site, not the
//! publication date: care leavers were judged apart from children in care for inspections starting
//! from January 2023, and overall effectiveness was dropped for inspections starting from 1 April
//! 2026.

use chrono::NaiveDate;

use super::{Area, Framework, Inspection, InspectionKind, Judgement, Statement};

/// The set of judgements one framework gave over one period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum JudgementSet {
    /// Before the single inspection framework: the separate safeguarding and looked-after
    /// children inspections, and the 2012–13 framework.
    PreSif,
    /// The single inspection framework (November 2013 – 2018).
    Sif,
    /// ILACS inspections starting before January 2023: four judgements, children in care and
    /// care leavers judged together.
    Ilacs2018,
    /// ILACS inspections starting from January 2023 to March 2026: five judgements.
    Ilacs2023,
    /// ILACS inspections starting from 1 April 2026: four judgements and no overall effectiveness.
    Ilacs2026,
}

/// The first day on site from which ILACS judged care leavers on their own.
pub fn care_leavers_split() -> NaiveDate {
    NaiveDate::from_ymd_opt(2023, 1, 1).unwrap_or(NaiveDate::MIN)
}

/// The first day on site from which ILACS gives no overall effectiveness.
pub fn overall_dropped() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 4, 1).unwrap_or(NaiveDate::MIN)
}

impl JudgementSet {
    /// The areas this set judges.
    pub fn areas(self) -> &'static [Area] {
        use Area::*;
        match self {
            JudgementSet::PreSif => &[
                OverallEffectiveness,
                CapacityToImprove,
                OutcomesForLookedAfterChildren,
                QualityOfProvision,
                LeadershipAndManagement,
                SafeguardingOverallEffectiveness,
                SafeguardingCapacityToImprove,
                SafeguardingChildrenAreSafe,
                SafeguardingChildrenFeelSafe,
                SafeguardingQualityOfProvision,
                SafeguardingLeadershipAndManagement,
            ],
            JudgementSet::Sif => &[
                OverallEffectiveness,
                HelpAndProtection,
                ChildrenInCare,
                Adoption,
                CareLeavers,
                LeadershipManagementGovernance,
                Lscb,
            ],
            JudgementSet::Ilacs2018 => {
                &[OverallEffectiveness, ImpactOfLeaders, HelpAndProtection, ChildrenInCareAndCareLeavers]
            }
            JudgementSet::Ilacs2023 => {
                &[OverallEffectiveness, ImpactOfLeaders, HelpAndProtection, ChildrenInCare, CareLeavers]
            }
            JudgementSet::Ilacs2026 => &[ImpactOfLeaders, HelpAndProtection, ChildrenInCare, CareLeavers],
        }
    }

    /// Whether the set judges `area`.
    pub fn judges(self, area: Area) -> bool {
        self.areas().contains(&area)
    }

    /// The sets an inspection under `framework` may have been judged by, given what is known of
    /// its dates: one where the dates decide, two where they straddle a change (an ILACS report
    /// published in 2023 whose first day on site is not known).
    pub fn possible(framework: Framework, start: Option<NaiveDate>, published: NaiveDate) -> &'static [JudgementSet] {
        match framework {
            Framework::PreSif => &[JudgementSet::PreSif],
            Framework::Sif => &[JudgementSet::Sif],
            Framework::Ilacs => {
                // Without a start date, the publication date bounds it from above.
                let (earliest, latest) = start.map_or((None, published), |s| (Some(s), s));
                let (split, dropped) = (care_leavers_split(), overall_dropped());
                if latest < split {
                    &[JudgementSet::Ilacs2018]
                } else if earliest.is_some_and(|s| s >= dropped) {
                    &[JudgementSet::Ilacs2026]
                } else if earliest.is_some_and(|s| s >= split) && latest < dropped {
                    &[JudgementSet::Ilacs2023]
                } else if latest < dropped {
                    &[JudgementSet::Ilacs2018, JudgementSet::Ilacs2023]
                } else if earliest.is_some_and(|s| s >= split) {
                    &[JudgementSet::Ilacs2023, JudgementSet::Ilacs2026]
                } else {
                    &[JudgementSet::Ilacs2018, JudgementSet::Ilacs2023, JudgementSet::Ilacs2026]
                }
            }
        }
    }
}

impl Inspection {
    /// The judgement sets this publication may have been judged by; empty where nothing is
    /// known (a visit, which gives no judgements, or an unknown framework).
    pub fn judgement_sets(&self) -> &'static [JudgementSet] {
        match (self.kind, self.framework) {
            (InspectionKind::Inspection, Some(f)) => JudgementSet::possible(f, self.start_date, self.published),
            _ => &[],
        }
    }

    /// Whether the framework of this publication could have judged `area`. Where nothing is known
    /// of the framework, any area could have been judged.
    pub fn framework_judges(&self, area: Area) -> bool {
        let sets = self.judgement_sets();
        sets.is_empty() || sets.iter().any(|s| s.judges(area))
    }

    /// Refuses the judgements of areas its framework does not judge: a source's misreading (the
    /// scraper reads a care-leavers column for inspections that judged children in care and care
    /// leavers together) is never served as a judgement. What was refused stays with the record
    /// as its own source's statement, so that it is listed among the disagreements.
    pub fn refuse_judgements_outside_framework(&mut self) {
        let (kept, refused): (Vec<Judgement>, Vec<Judgement>) =
            self.judgements.iter().partition(|j| self.framework_judges(j.area));
        if refused.is_empty() {
            return;
        }
        self.judgements = kept;
        let source = &self.provenance.source;
        let stated = |s: &Statement| s.source == *source && refused.iter().all(|r| s.judgements.contains(r));
        if !self.statements.iter().any(stated) {
            let own = Statement {
                source: source.clone(),
                source_url: self.provenance.source_url.clone(),
                sha256: self.provenance.sha256.clone(),
                retrieved_at: self.provenance.retrieved_at,
                locator: REFUSED_LOCATOR.to_owned(),
                start_date: self.start_date,
                published: Some(self.published),
                judgements: refused,
            };
            self.statements.insert(0, own);
        }
    }
}

/// Where a refused judgement is kept: in the record's own source's statement.
pub const REFUSED_LOCATOR: &str = "the record's own reading: areas its framework does not judge";

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn ilacs_sets_follow_the_first_day_on_site() {
        use JudgementSet::*;
        let f = Framework::Ilacs;
        assert_eq!(JudgementSet::possible(f, Some(day(2022, 7, 11)), day(2022, 9, 5)), &[Ilacs2018]);
        assert_eq!(JudgementSet::possible(f, None, day(2022, 9, 5)), &[Ilacs2018]);
        assert_eq!(JudgementSet::possible(f, Some(day(2022, 12, 5)), day(2023, 2, 1)), &[Ilacs2018]);
        assert_eq!(JudgementSet::possible(f, None, day(2023, 2, 1)), &[Ilacs2018, Ilacs2023]);
        assert_eq!(JudgementSet::possible(f, Some(day(2026, 2, 9)), day(2026, 5, 1)), &[Ilacs2023]);
        assert_eq!(JudgementSet::possible(f, None, day(2026, 5, 1)), &[Ilacs2018, Ilacs2023, Ilacs2026]);
        assert_eq!(JudgementSet::possible(f, Some(day(2026, 4, 27)), day(2026, 6, 1)), &[Ilacs2026]);
        assert!(!Ilacs2026.judges(Area::OverallEffectiveness));
        assert!(!Ilacs2018.judges(Area::CareLeavers));
    }
}
