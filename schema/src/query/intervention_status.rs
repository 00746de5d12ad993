//! An intervention's status on a date, with the reason and the records it rests on. The one rule
//! behind the REST and GraphQL `status`, the filters, the council's badge and timeline, exports
//! and the change feed.
//!
//! The curated list records many interventions with no end, and most ended quietly: DfE lifts a
//! notice with a letter that is rarely published. So "no end recorded" never means "in force".
//! A record is in force only when a source says so or it is recent enough for its kind and
//! nothing later contradicts it; otherwise its status is `unknown` and the reason says what is
//! known.

use chrono::{Months, NaiveDate};

use crate::Dataset;
use crate::domain::*;

/// The rule, in words, as the API documents it.
pub const RULE: &str = "`not_an_intervention`: a voluntary arrangement (a council choosing to have its services \
run by a company it shares with other councils); never counted as in force. `unknown`: the record has no source \
about its council (`source_class` `unsourced`). `ended`: an end is recorded for it (its own end date has passed, or \
its end is recorded without a date and it is older than its kind's usual life), or a later record lifts it: an \
`intervention_ended` record for the same council and service lifts a notice, a direction or a commissioner, and only \
a `returned_in_house` record (or the arrangement's own recorded end) ends a trust or other alternative delivery, \
because lifting or replacing a direction about a trust does not end the trust. `superseded`: a later record for the \
same council and service continues it (a direction or revised notice after a notice, a revised direction, a new \
commissioner, a trust after a trust) and no good or outstanding judgement came between them. `in_force`: neither, \
and either its stated end date has not come, or its latest evidence (its start, or a later source saying it is \
still in force, such as an Ofsted report naming the trust as the provider) is more recent than its kind's usual life \
(improvement notice 3 years, statutory direction 6, commissioner 2, trust or other alternative delivery 10, \
partnership with another council 6, other 2) and, for children's social care, no good or outstanding overall \
judgement of the council has been published since (a trust runs on after one). `unknown`: anything else; the \
reason says what is known. `not_started`: it began after the date asked about. Records that mark an end \
(`intervention_ended`, `returned_in_house`) are `ended` from the day they happen. A council that succeeded \
another carries its predecessor's trusts and partnerships in force.";

/// How long after its latest evidence an intervention of this kind is still taken to be in
/// force without a source saying so. Figures from the interventions in the curated list: notices
/// were replaced or lifted within about three years, directions within about six (Birmingham's
/// lasted eight), commissioners' terms were one to two years, trusts have run for eight or more.
pub fn usual_life(kind: InterventionKind) -> Option<Months> {
    let years = match kind {
        InterventionKind::ImprovementNotice => 3,
        InterventionKind::StatutoryDirection => 6,
        InterventionKind::CommissionerAppointed => 2,
        InterventionKind::AlternativeDelivery => 10,
        InterventionKind::PartnershipWithAnotherCouncil => 6,
        InterventionKind::Other => 2,
        InterventionKind::InterventionEnded
        | InterventionKind::ReturnedInHouse
        | InterventionKind::VoluntaryArrangement => return None,
    };
    Some(Months::new(12 * years))
}

/// What a status rests on.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Evidence<'a> {
    /// Another intervention record (the one that ended or continued this one).
    Intervention(&'a Intervention),
    /// An Ofsted publication (a later good judgement).
    Inspection(&'a Inspection),
    /// A document: a stated end, or a source saying it was still in force.
    Document {
        /// The document.
        url: &'a str,
        /// The date it speaks of.
        date: Option<PartialDate>,
    },
}

/// An intervention's status on one date.
#[derive(Debug, Clone, PartialEq)]
pub struct StatusOn<'a> {
    /// The status.
    pub status: InterventionStatus,
    /// Why, in words.
    pub reason: String,
    /// What it rests on.
    pub evidence: Vec<Evidence<'a>>,
    /// Whether it rests on a rule of thumb (its kind's usual life) rather than a document.
    pub rule_of_thumb: bool,
}

impl StatusOn<'_> {
    /// In force on the date.
    pub fn in_force(&self) -> bool {
        self.status == InterventionStatus::InForce
    }
}

fn status<'a>(status: InterventionStatus, reason: String, evidence: Vec<Evidence<'a>>) -> StatusOn<'a> {
    StatusOn { status, reason, evidence, rule_of_thumb: false }
}

fn by_rule_of_thumb(s: StatusOn<'_>) -> StatusOn<'_> {
    StatusOn { rule_of_thumb: true, ..s }
}

/// Whether `later` continues `earlier`: the same council and service, and a kind that takes its
/// place.
fn continues(earlier: &Intervention, later: &Intervention) -> bool {
    use InterventionKind::*;
    let takes_over = match earlier.kind {
        ImprovementNotice => matches!(later.kind, ImprovementNotice | StatutoryDirection),
        StatutoryDirection => later.kind == StatutoryDirection,
        CommissionerAppointed => later.kind == CommissionerAppointed,
        AlternativeDelivery => later.kind == AlternativeDelivery,
        PartnershipWithAnotherCouncil => matches!(later.kind, PartnershipWithAnotherCouncil | AlternativeDelivery),
        Other | InterventionEnded | ReturnedInHouse | VoluntaryArrangement => false,
    };
    let named = later.follows.as_deref() == Some(earlier.id.as_str())
        && !matches!(later.kind, InterventionEnded | ReturnedInHouse);
    later.id != earlier.id && later.la == earlier.la && later.service == earlier.service && (takes_over || named)
}

/// The first good or outstanding overall judgement of the council published after `from` and on
/// or before `to`.
fn good_judgement_between<'a>(ds: &'a Dataset, la: &str, from: NaiveDate, to: NaiveDate) -> Option<&'a Inspection> {
    ds.inspections_of(la).find(|i| {
        i.published > from
            && i.published <= to
            && matches!(i.grade(Area::OverallEffectiveness), Some(Grade::Good | Grade::Outstanding))
    })
}

/// The status of `record` on `day`.
pub fn status_on<'a>(ds: &'a Dataset, record: &'a Intervention, day: NaiveDate) -> StatusOn<'a> {
    use InterventionStatus::*;
    if record.kind == InterventionKind::VoluntaryArrangement {
        return status(
            NotAnIntervention,
            "a voluntary arrangement of the council, not a DfE intervention".into(),
            record
                .source_urls
                .first()
                .map(|url| Evidence::Document { url, date: record.start_date })
                .into_iter()
                .collect(),
        );
    }
    if record.source_class == SourceClass::Unsourced {
        return status(
            Unknown,
            "unsourced: no document we hold or cite about this council states it".into(),
            Vec::new(),
        );
    }
    let stated_end = |end: Option<PartialDate>| Evidence::Document {
        url: record.end_source_url.as_deref().or(record.source_urls.first().map(String::as_str)).unwrap_or_default(),
        date: end,
    };
    // A recorded end ends it even where no start is known.
    if let Some(end) = record.end_date.filter(|e| e.last_day() < day)
        && !matches!(record.kind, InterventionKind::InterventionEnded | InterventionKind::ReturnedInHouse)
    {
        return status(Ended, format!("its end, {end}, is recorded"), vec![stated_end(Some(end))]);
    }
    let Some(start) = record.start_date else {
        if let Some(end) = record.end_date.filter(|e| e.last_day() < day) {
            return status(Ended, format!("this record marks an end, on {end}"), vec![stated_end(Some(end))]);
        }
        return status(Unknown, "no start date is recorded".into(), Vec::new());
    };
    if start.first_day > day {
        return status(NotStarted, format!("it began on {start}, after {day}"), Vec::new());
    }
    if matches!(record.kind, InterventionKind::InterventionEnded | InterventionKind::ReturnedInHouse) {
        let ended = record.follows.as_deref().and_then(|id| ds.intervention(id));
        return status(
            Ended,
            format!("this record marks the end of an intervention, on {start}"),
            ended.map(Evidence::Intervention).into_iter().collect(),
        );
    }
    let others: Vec<&Intervention> = ds.interventions_of(&record.la).collect();
    // Lifting or replacing a direction about a trust does not end the trust: only its return
    // to the council does.
    let arrangement = record.kind == InterventionKind::AlternativeDelivery;
    let ends_it = if arrangement { InterventionKind::ReturnedInHouse } else { InterventionKind::InterventionEnded };
    let lifted = others.iter().find(|o| {
        o.kind == ends_it
            && o.service == record.service
            && o.start_date.is_some_and(|e| e.first_day >= start.first_day && e.last_day() < day)
    });
    if let Some(lifted) = lifted {
        let on = lifted.start_date.map(|d| d.to_string()).unwrap_or_default();
        return status(Ended, format!("a record of {on} says it was lifted"), vec![Evidence::Intervention(lifted)]);
    }
    let later = others
        .iter()
        .filter(|o| continues(record, o))
        .filter(|o| o.start_date.is_some_and(|s| s > start && s.first_day <= day))
        .min_by_key(|o| o.start_date);
    // A good judgement is when DfE lifts a notice, a direction or a commissioner; a trust runs on.
    let social_care = record.service == Service::ChildrensSocialCare;
    let lifted_by_good = social_care && record.kind != InterventionKind::AlternativeDelivery;
    if let Some(later) = later {
        let on = later.start_date.map(|d| d.first_day).unwrap_or(day);
        let between = good_judgement_between(ds, &record.la, start.first_day, on).filter(|_| lifted_by_good);
        let later_start = later.start_date.map(|d| d.to_string()).unwrap_or_default();
        let what = later.kind.as_str().replace('_', " ");
        return match between {
            None => status(
                Superseded,
                format!("continued by the {what} of {later_start}"),
                vec![Evidence::Intervention(later)],
            ),
            Some(good) => status(
                Unknown,
                format!(
                    "no end recorded; the council was judged {} on {} before the {what} of {later_start}",
                    grade_words(good),
                    good.published
                ),
                vec![Evidence::Inspection(good), Evidence::Intervention(later)],
            ),
        };
    }
    if let Some(end) = record.end_date {
        return status(InForce, format!("its stated end, {end}, has not come"), vec![stated_end(Some(end))]);
    }
    let confirmed = record.in_force_confirmed.as_ref().filter(|c| c.on <= day && c.on >= start.first_day);
    let (evidence_day, evidence, said) = match confirmed {
        Some(c) => (
            c.on,
            Evidence::Document { url: &c.source_url, date: Some(PartialDate::day(c.on)) },
            format!("a source says it was in force on {}", c.on),
        ),
        None => (
            start.first_day,
            Evidence::Document { url: record.source_urls.first().map_or("", String::as_str), date: Some(start) },
            format!("it began on {start}"),
        ),
    };
    let life = usual_life(record.kind);
    let within_life = life.and_then(|l| evidence_day.checked_add_months(l)).is_some_and(|until| until >= day);
    let kind = record.kind.as_str().replace('_', " ");
    let years = life.map_or(0, |l| l.as_u32() / 12);
    // An end recorded without a date: ended once the record is older than its kind lasts.
    if let Some(url) = record.end_source_url.as_deref().filter(|_| record.end_date.is_none()) {
        let evidence = vec![Evidence::Document { url, date: None }];
        return by_rule_of_thumb(if within_life {
            status(
                Unknown,
                format!(
                    "{url} records its end without a date; {said}, within the usual life of its kind ({kind}: {years} years)"
                ),
                evidence,
            )
        } else {
            status(
                Ended,
                format!(
                    "{url} records its end without a date; {said}, longer ago than its kind usually lasts ({kind}: {years} years)"
                ),
                evidence,
            )
        });
    }
    if let Some(good) = good_judgement_between(ds, &record.la, evidence_day, day).filter(|_| lifted_by_good) {
        return status(
            Unknown,
            format!("no end recorded; the council was judged {} on {}", grade_words(good), good.published),
            vec![Evidence::Inspection(good)],
        );
    }
    by_rule_of_thumb(if within_life {
        status(
            InForce,
            format!("{said}, within the usual life of its kind ({kind}: {years} years), and nothing later ends it"),
            vec![evidence],
        )
    } else {
        status(
            Unknown,
            format!("no end recorded; {said}, longer ago than its kind usually lasts ({kind}: {years} years)"),
            vec![evidence],
        )
    })
}

/// A word-bounded slug of a name or an address: "Isles of Scilly" → "-isles-of-scilly-".
fn slug(text: &str) -> String {
    let lower = text.to_lowercase().replace('&', " and ");
    let words: Vec<&str> = lower.split(|c: char| !c.is_ascii_alphanumeric()).filter(|w| !w.is_empty()).collect();
    format!("-{}-", words.join("-"))
}

/// The documents a record cites that are not about its council, each with why: an Ofsted report
/// we hold of another council (neither a predecessor nor a successor), or an address that names
/// another council and not this one (for records served as primary-sourced). Checked for the
/// primary source, the end's source and the in-force source.
pub fn sources_about_another_council<'a>(ds: &'a Dataset, record: &'a Intervention) -> Vec<(&'a str, String)> {
    let family: Vec<&str> = std::iter::once(record.la.as_str())
        .chain(ds.predecessors_of(&record.la).map(|s| s.predecessor.as_str()))
        .chain(ds.successors_of(&record.la).map(|s| s.successor.as_str()))
        .collect();
    let own: Vec<String> =
        family.iter().filter_map(|gss| ds.local_authority(gss)).map(|la| slug(&la.short_name)).collect();
    let cited = record
        .source_urls
        .iter()
        .map(String::as_str)
        .chain(record.end_source_url.as_deref())
        .chain(record.in_force_confirmed.as_ref().map(|c| c.source_url.as_str()));
    let mut wrong = Vec::new();
    for url in cited {
        if let Some(report) = ds.inspections.iter().find(|i| i.report_url == url) {
            if !family.contains(&report.la.as_str()) {
                wrong.push((url, format!("an Ofsted report of {}", report.la)));
            }
            continue;
        }
        // A press address may name a neighbour it also writes about: addresses are checked for
        // records served as primary-sourced.
        if record.source_class != SourceClass::Primary {
            continue;
        }
        let address = slug(url);
        let names_own = own.iter().any(|o| address.contains(o.as_str()));
        let other = ds.local_authorities.iter().map(|la| slug(&la.short_name)).find(|o| {
            address.contains(o.as_str())
                && !own.iter().any(|mine| mine.contains(o.as_str()) || o.contains(mine.as_str()))
        });
        if let Some(other) = other.filter(|_| !names_own) {
            wrong.push((url, format!("its address names {}", other.trim_matches('-'))));
        }
    }
    wrong
}

fn grade_words(i: &Inspection) -> &'static str {
    match i.grade(Area::OverallEffectiveness) {
        Some(Grade::Outstanding) => "outstanding",
        _ => "good",
    }
}

#[cfg(test)]
mod tests {
    use chrono::DateTime;

    use super::*;

    const LA: &str = "E10000006";

    fn provenance() -> Provenance {
        Provenance {
            source: "seed".into(),
            source_url: "https://example.org/".into(),
            retrieved_at: DateTime::UNIX_EPOCH,
            sha256: String::new(),
            parser_version: String::new(),
        }
    }

    fn record(id: &str, kind: InterventionKind, start: &str) -> Intervention {
        crate::domain::test_intervention(id, LA, kind, start, "seed")
    }

    fn judged(id: &str, published: &str, grade: Grade) -> Inspection {
        Inspection {
            id: id.into(),
            la: LA.into(),
            kind: InspectionKind::Inspection,
            framework: Some(Framework::Ilacs),
            inspection_type: None,
            start_date: None,
            end_date: None,
            second_start_date: None,
            second_end_date: None,
            published: day(published),
            lead_inspectors: Vec::new(),
            inspectors: Vec::new(),
            theme: None,
            report_url: format!("https://files.ofsted.gov.uk/v1/file/{id}"),
            provider_url: None,
            judgements: vec![Judgement { area: Area::OverallEffectiveness, grade }],
            notes: None,
            statements: Vec::new(),
            provenance: provenance(),
        }
    }

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn dataset(inspections: Vec<Inspection>, interventions: Vec<Intervention>) -> Dataset {
        Dataset::build(1, DateTime::UNIX_EPOCH, vec![], inspections, interventions, vec![], 0, vec![], vec![])
    }

    fn status(ds: &Dataset, id: &str, on: &str) -> (InterventionStatus, String) {
        let s = status_on(ds, ds.intervention(id).unwrap(), day(on));
        (s.status, s.reason)
    }

    #[test]
    fn recent_is_in_force_old_is_unknown_and_a_source_renews_it() {
        let mut renewed = record("iv-renewed", InterventionKind::ImprovementNotice, "2012-05");
        renewed.in_force_confirmed =
            Some(InForceConfirmation { on: day("2024-04-09"), source_url: "https://www.gov.uk/x".into() });
        let ds = dataset(vec![], vec![record("iv-notice", InterventionKind::ImprovementNotice, "2012-05"), renewed]);
        assert_eq!(status(&ds, "iv-notice", "2014-05-01").0, InterventionStatus::InForce);
        let (old, why) = status(&ds, "iv-notice", "2026-12-01");
        assert_eq!(old, InterventionStatus::Unknown);
        assert!(why.contains("longer ago than its kind usually lasts (improvement notice: 3 years)"), "{why}");
        assert_eq!(status(&ds, "iv-notice", "2012-04-30").0, InterventionStatus::NotStarted);
        let (renewed, why) = status(&ds, "iv-renewed", "2026-12-01");
        assert_eq!(renewed, InterventionStatus::InForce, "{why}");
        assert!(why.starts_with("a source says it was in force on 2024-04-09"), "{why}");
        assert_eq!(status(&ds, "iv-renewed", "2027-05-01").0, InterventionStatus::Unknown);
    }

    #[test]
    fn a_good_judgement_since_its_last_evidence_contradicts_it() {
        let ds = dataset(
            vec![judged("1", "2023-06-01", Grade::Good)],
            vec![record("iv-direction", InterventionKind::StatutoryDirection, "2022-01")],
        );
        assert_eq!(status(&ds, "iv-direction", "2023-05-31").0, InterventionStatus::InForce);
        let (s, why) = status(&ds, "iv-direction", "2023-06-02");
        assert_eq!(s, InterventionStatus::Unknown);
        assert_eq!(why, "no end recorded; the council was judged good on 2023-06-01");
        // A trust is not ended by a good judgement.
        let ds = dataset(
            vec![judged("1", "2023-06-01", Grade::Good)],
            vec![record("iv-trust", InterventionKind::AlternativeDelivery, "2022-01")],
        );
        assert_eq!(status(&ds, "iv-trust", "2024-01-01").0, InterventionStatus::InForce);
    }

    #[test]
    fn ends_and_successors() {
        let mut ended = record("iv-ended", InterventionKind::StatutoryDirection, "2015-11-09");
        ended.end_date = Some("2018-03".parse().unwrap());
        let notice = record("iv-notice", InterventionKind::ImprovementNotice, "2014-01-07");
        let lifted_later = record("iv-lifted", InterventionKind::InterventionEnded, "2019-02-01");
        let ds = dataset(vec![], vec![ended, notice, lifted_later.clone()]);
        // The direction after the notice continues it; the direction's own end ends it.
        let (s, why) = status(&ds, "iv-notice", "2016-01-01");
        assert_eq!(
            (s, why.as_str()),
            (InterventionStatus::Superseded, "continued by the statutory direction of 2015-11-09")
        );
        assert_eq!(
            status(&ds, "iv-ended", "2018-03-31").0,
            InterventionStatus::InForce,
            "its stated end has not passed"
        );
        assert_eq!(status(&ds, "iv-ended", "2018-04-01").0, InterventionStatus::Ended);
        assert_eq!(status(&ds, "iv-lifted", "2019-02-01").0, InterventionStatus::Ended);
        // A lifting record ends what started before it, once it has passed.
        let ds = dataset(
            vec![],
            vec![record("iv-direction", InterventionKind::StatutoryDirection, "2017-01"), lifted_later],
        );
        assert_eq!(status(&ds, "iv-direction", "2019-02-01").0, InterventionStatus::InForce);
        let (s, why) = status(&ds, "iv-direction", "2019-02-02");
        assert_eq!((s, why.as_str()), (InterventionStatus::Ended, "a record of 2019-02-01 says it was lifted"));
        // A good judgement between a notice and a later direction: not a continuation.
        let ds = dataset(
            vec![judged("1", "2016-03-01", Grade::Good)],
            vec![
                record("iv-notice", InterventionKind::ImprovementNotice, "2014-01-07"),
                record("iv-direction", InterventionKind::StatutoryDirection, "2018-11"),
            ],
        );
        let (s, why) = status(&ds, "iv-notice", "2019-01-01");
        assert_eq!(s, InterventionStatus::Unknown);
        assert!(why.contains("judged good on 2016-03-01 before the statutory direction of 2018-11"), "{why}");
    }

    #[test]
    fn a_trust_ends_only_when_services_return() {
        let lifted = record("iv-lifted", InterventionKind::InterventionEnded, "2023-05-26");
        let returned = record("iv-returned", InterventionKind::ReturnedInHouse, "2025-04-01");
        let ds = dataset(
            vec![],
            vec![
                record("iv-direction", InterventionKind::StatutoryDirection, "2019-07-22"),
                record("iv-trust", InterventionKind::AlternativeDelivery, "2018-04"),
                lifted,
                returned,
            ],
        );
        assert_eq!(status(&ds, "iv-direction", "2024-01-01").0, InterventionStatus::Ended);
        let (s, why) = status(&ds, "iv-trust", "2024-01-01");
        assert_eq!(s, InterventionStatus::InForce, "lifting the direction does not end the trust: {why}");
        assert_eq!(status(&ds, "iv-trust", "2025-04-02").0, InterventionStatus::Ended);
    }

    #[test]
    fn every_recorded_end_ends_it() {
        let mut undated = record("iv-undated", InterventionKind::ImprovementNotice, "2015");
        undated.end_source_url = Some("https://example.org/lifted".into());
        let mut no_start = record("iv-no-start", InterventionKind::ImprovementNotice, "2015");
        no_start.start_date = None;
        no_start.end_date = Some("2014-07-22".parse().unwrap());
        let ds = dataset(vec![], vec![undated, no_start]);
        let (s, why) = status(&ds, "iv-undated", "2016-06-01");
        assert_eq!(s, InterventionStatus::Unknown, "within its usual life the undated end may not have come: {why}");
        let (s, why) = status(&ds, "iv-undated", "2026-12-01");
        assert_eq!(s, InterventionStatus::Ended, "{why}");
        assert!(why.starts_with("https://example.org/lifted records its end without a date"), "{why}");
        assert!(status_on(&ds, ds.intervention("iv-undated").unwrap(), day("2026-12-01")).rule_of_thumb);
        assert_eq!(status(&ds, "iv-no-start", "2014-07-23").0, InterventionStatus::Ended);
    }

    #[test]
    fn voluntary_and_unsourced_records_are_never_in_force() {
        let mut unsourced = record("iv-unsourced", InterventionKind::ImprovementNotice, "2026-01");
        unsourced.source_class = SourceClass::Unsourced;
        let ds = dataset(
            vec![],
            vec![record("iv-voluntary", InterventionKind::VoluntaryArrangement, "2017-08-01"), unsourced],
        );
        assert_eq!(status(&ds, "iv-voluntary", "2026-12-01").0, InterventionStatus::NotAnIntervention);
        assert_eq!(status(&ds, "iv-unsourced", "2026-06-01").0, InterventionStatus::Unknown);
    }
}
