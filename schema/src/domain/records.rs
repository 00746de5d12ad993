//! The records lacs publishes: councils, inspections with their judgements, interventions with
//! their corroborations and discrepancies, and where each came from.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::vocabulary::*;

/// Where a record came from.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Provenance {
    /// The source's name, e.g. `seed:ofsted_csc_ilacs_history.csv` or `ofsted`.
    pub source: String,
    /// The document the facts were read from.
    pub source_url: String,
    /// When the document was retrieved (for bundled files: when they were taken upstream).
    pub retrieved_at: DateTime<Utc>,
    /// SHA-256 (hex) of the bytes the record was read from.
    pub sha256: String,
    /// The version of the parser that read them.
    pub parser_version: String,
}

/// An English local authority with children's services responsibilities, current or retired.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LocalAuthority {
    /// ONS GSS code, the canonical id (`E10000020`).
    pub gss_code: String,
    /// GSS codes this council used before without a change of area (North Yorkshire, Somerset 2023).
    pub former_gss_codes: Vec<String>,
    /// DfE three-digit LA code (`926`).
    pub dfe_code: Option<String>,
    /// Ofsted unique reference number of the council's children's services (`80418`).
    pub ofsted_urn: Option<String>,
    /// ONS name (`Bristol, City of`).
    pub name: String,
    /// The name in everyday use (`Bristol`).
    pub short_name: String,
    /// URL-safe name, unique (`bristol`).
    pub slug: String,
    /// ONS region code (`E12000009`).
    pub region_code: Option<String>,
    /// ONS region name (`South West`).
    pub region_name: Option<String>,
    /// County, metropolitan district, London borough or unitary authority.
    pub la_type: Option<LaType>,
    /// The council's ten statistical neighbours, as DfE LA codes.
    pub statistical_neighbours: Vec<String>,
    /// ONS population aged 0–25.
    pub population_0_25: Option<i64>,
    /// First day the council had children's services responsibilities, where it began in our period.
    pub valid_from: Option<NaiveDate>,
    /// Last day, for a council that no longer exists.
    pub valid_to: Option<NaiveDate>,
    /// The council's web domain.
    pub website: Option<String>,
    /// Why a value is missing or was corrected, in words; `None` when there is nothing to say.
    pub notes: Option<String>,
    /// Where the record came from.
    pub provenance: Provenance,
}

/// A council's GSS code replaced by another for the same council and area (a code change, not a
/// reorganisation): sources that still use the former code mean the same council.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodeChange {
    /// The code sources used before.
    pub former_gss: String,
    /// The council's current code.
    pub gss_code: String,
    /// The first day of the current code, when a source lacs holds says it (ONS's changes of
    /// Barnsley's and Sheffield's codes after their 2021 boundary change are dated in none).
    pub effective: Option<NaiveDate>,
    /// The instrument or the file that states the change.
    pub source_url: String,
    /// What changed and who still uses the former code.
    pub note: Option<String>,
}

impl CodeChange {
    /// The last day the former code was the council's, when known.
    pub fn former_until(&self) -> Option<NaiveDate> {
        self.effective.and_then(|d| d.pred_opt())
    }
}

/// One council taking over (part of) another's area on a date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Succession {
    /// GSS code of the council that ended.
    pub predecessor: String,
    /// GSS code of a council that took over.
    pub successor: String,
    /// First day of the successor's responsibility.
    pub effective: NaiveDate,
    /// The legal instrument or public record stating it.
    pub source_url: String,
}

/// One Ofsted judgement: an area and its grade.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Judgement {
    /// What was judged.
    pub area: Area,
    /// The grade given.
    pub grade: Grade,
}

/// One Ofsted publication about a local authority's children's services.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Inspection {
    /// The Ofsted file id from `files.ofsted.gov.uk/v1/file/<id>`; for a bundled visit letter
    /// whose file id is not known offline, `fv-<urn>-<letter date>` (see `data/seed/SOURCES.md`).
    pub id: String,
    /// GSS code of the council inspected.
    pub la: String,
    /// Full inspection, focused visit, monitoring visit …
    pub kind: InspectionKind,
    /// The framework, where known.
    pub framework: Option<Framework>,
    /// ILACS standard or short, where known.
    pub inspection_type: Option<InspectionType>,
    /// First day on site.
    pub start_date: Option<NaiveDate>,
    /// Last day on site.
    pub end_date: Option<NaiveDate>,
    /// A second on-site period, where the inspection was paused and resumed.
    pub second_start_date: Option<NaiveDate>,
    /// End of the second on-site period.
    pub second_end_date: Option<NaiveDate>,
    /// Publication date.
    pub published: NaiveDate,
    /// Lead inspector(s), as printed.
    pub lead_inspectors: Vec<String>,
    /// Every inspector a visit letter names, in its order (reports name only their lead).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub inspectors: Vec<String>,
    /// What a focused visit looked at.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub theme: Option<VisitTheme>,
    /// The report document.
    pub report_url: String,
    /// The council's page on reports.ofsted.gov.uk.
    pub provider_url: Option<String>,
    /// The judgements, in the order of [`Area`]; empty for ungraded visits or unread reports.
    pub judgements: Vec<Judgement>,
    /// Why judgements or dates are missing, where they are.
    pub notes: Option<String>,
    /// Where the record came from.
    pub provenance: Provenance,
    /// Every other source's statement of this publication (Ofsted's statistics, the scraper's
    /// CSV), each with what it says; the record keeps its own source's reading.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub statements: Vec<Statement>,
}

/// The source name of Ofsted's official statistics: a record of this source alone is stated by
/// a row of a spreadsheet, not by a report of its own.
pub const OFFICIAL_STATISTICS: &str = "ofsted-stats";

/// One source's statement of an inspection: where exactly it says it (a spreadsheet's sheet and
/// row, a CSV's line) and what it says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Statement {
    /// The source's name: `ofsted-stats` (Ofsted's official statistics) or
    /// `seed:ofsted_csc_ilacs_history.csv` (the scraper's CSV).
    pub source: String,
    /// The document that states it.
    pub source_url: String,
    /// SHA-256 (hex) of that document.
    pub sha256: String,
    /// When the document was retrieved (for bundled files: when they were taken upstream).
    pub retrieved_at: DateTime<Utc>,
    /// Where in the document: `sheet ILACS_inspection_history row 12` or `line 40`.
    pub locator: String,
    /// The first day on site it states, where it states one.
    pub start_date: Option<NaiveDate>,
    /// The publication date it states, where it states one.
    pub published: Option<NaiveDate>,
    /// The judgements it states (an area it leaves blank is absent).
    pub judgements: Vec<Judgement>,
}

/// A source states a different value for one field of an inspection than the published record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InspectionDiscrepancy {
    /// `start_date`, `published`, or the judgement area (`children_in_care` …).
    pub field: String,
    /// What the published record says (empty: it states nothing).
    pub value: String,
    /// What the other source says.
    pub other_value: String,
    /// The other source.
    pub other_source: String,
    /// The other source's document.
    pub other_source_url: String,
    /// Where in that document.
    pub other_locator: String,
}

impl Inspection {
    /// The grade for an area, if the inspection judged it.
    pub fn grade(&self, area: Area) -> Option<Grade> {
        self.judgements.iter().find(|j| j.area == area).map(|j| j.grade)
    }

    /// Where the other sources' statements disagree with the record: a date both state
    /// differently, or an area both grade differently. Ofsted's statistics write the pre-SIF
    /// grade 3 (`adequate`) as "requires improvement"; grades with the same score agree. A value
    /// only one of them states is not a disagreement, except a grade for an area the record's
    /// framework does not judge (refused at import; listed with an empty `value`).
    pub fn discrepancies(&self) -> Vec<InspectionDiscrepancy> {
        let mut out = Vec::new();
        for s in &self.statements {
            let mut differ = |field: String, value: String, other_value: String| {
                out.push(InspectionDiscrepancy {
                    field,
                    value,
                    other_value,
                    other_source: s.source.clone(),
                    other_source_url: s.source_url.clone(),
                    other_locator: s.locator.clone(),
                })
            };
            if let (Some(a), Some(b)) = (self.start_date, s.start_date)
                && a != b
            {
                differ("start_date".into(), a.to_string(), b.to_string());
            }
            if let Some(b) = s.published
                && b != self.published
            {
                differ("published".into(), self.published.to_string(), b.to_string());
            }
            for j in &s.judgements {
                match self.grade(j.area) {
                    Some(g) if g == j.grade || (g.score().is_some() && g.score() == j.grade.score()) => {}
                    Some(g) => differ(j.area.to_string(), g.to_string(), j.grade.to_string()),
                    // An area the framework does not judge: refused at import, kept as listed.
                    None if !self.framework_judges(j.area) => {
                        differ(j.area.to_string(), String::new(), j.grade.to_string())
                    }
                    None => {}
                }
            }
        }
        out
    }
}

/// One DfE intervention in a council's children's services.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Intervention {
    /// Deterministic id, stable across re-imports of the same source line.
    pub id: String,
    /// GSS code of the council.
    pub la: String,
    /// What DfE did.
    pub kind: InterventionKind,
    /// Children's social care or SEND.
    #[serde(default = "default_service")]
    pub service: Service,
    /// When it started, as precisely as the source says.
    pub start_date: Option<PartialDate>,
    /// When it ended, as precisely as the source says.
    pub end_date: Option<PartialDate>,
    /// The commissioner or adviser named.
    pub commissioner: Option<String>,
    /// The document's title, where it has one.
    pub title: Option<String>,
    /// What the source says, paraphrased.
    pub summary: Option<String>,
    /// The documents that state it.
    pub source_urls: Vec<String>,
    /// The intervention this one continues: the notice a direction replaced, the direction a
    /// revised direction revised, the direction a revocation ended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub follows: Option<String>,
    /// As stored: the record of another source that states the same event. Such records are
    /// published folded into that one, as a [`Corroboration`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub same_as: Option<String>,
    /// When the source document last changed (GOV.UK's `public_updated_at`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document_updated_at: Option<DateTime<Utc>>,
    /// Whether `source_urls` are DfE's (or a commissioner's or the council's) own documents.
    #[serde(default = "default_source_class")]
    pub source_class: SourceClass,
    /// Secondary reports of the same event (press, trade press), kept beside the sources.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub see_also: Vec<String>,
    /// The document that states the end (or says it was lifted), where one is known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_source_url: Option<String>,
    /// Where the end is stated, or why no end date is known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_note: Option<String>,
    /// The latest source saying the intervention was still in force.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub in_force_confirmed: Option<InForceConfirmation>,
    /// GOV.UK's notice that the source page was withdrawn, when it was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document_withdrawn: Option<Withdrawal>,
    /// As published: the other sources that state the same event, with what each says.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub corroborations: Vec<Corroboration>,
    /// Where the record came from.
    pub provenance: Provenance,
}

/// GOV.UK's withdrawal of a page: when, and why in its own words. A withdrawn page is still DfE's
/// record of what it did; the withdrawal is not an end date unless the explanation says so.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Withdrawal {
    /// When GOV.UK withdrew it.
    pub at: Option<DateTime<Utc>>,
    /// GOV.UK's explanation, as text.
    pub explanation: Option<String>,
}

/// A source saying, on a date, that an intervention was still in force.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InForceConfirmation {
    /// The date the source speaks of.
    pub on: NaiveDate,
    /// The source.
    pub source_url: String,
}

fn default_source_class() -> SourceClass {
    SourceClass::Secondary
}

fn default_service() -> Service {
    Service::ChildrensSocialCare
}

/// Another source's statement of an intervention, kept whole so that where the sources
/// disagree both are visible.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Corroboration {
    /// The id of the record as that source states it (it resolves to the published record).
    pub id: String,
    /// What that source says DfE did.
    pub kind: InterventionKind,
    /// When that source says it started.
    pub start_date: Option<PartialDate>,
    /// When that source says it ended.
    pub end_date: Option<PartialDate>,
    /// The commissioner that source names.
    pub commissioner: Option<String>,
    /// The title of that source's document.
    pub title: Option<String>,
    /// That source's documents.
    pub source_urls: Vec<String>,
    /// When that source's document last changed.
    pub document_updated_at: Option<DateTime<Utc>>,
    /// GOV.UK's withdrawal of that source's page, when it was withdrawn.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document_withdrawn: Option<Withdrawal>,
    /// Where it came from.
    pub provenance: Provenance,
}

/// Two sources state different values for one field of the same intervention.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Discrepancy {
    /// `kind`, `start_date`, `end_date` or `commissioner`.
    pub field: &'static str,
    /// What the published record says.
    pub value: String,
    /// What the other source says.
    pub other_value: String,
    /// The other source.
    pub other_source: String,
    /// The other source's document.
    pub other_source_url: String,
}

impl Intervention {
    /// Where the sources folded into this record disagree with it. Dates disagree only when
    /// neither can be the other stated less precisely.
    pub fn discrepancies(&self) -> Vec<Discrepancy> {
        fn text<T: ToString>(v: &Option<T>) -> String {
            v.as_ref().map_or_else(String::new, ToString::to_string)
        }
        let dates_differ = |a: &Option<PartialDate>, b: &Option<PartialDate>| match (a, b) {
            (Some(a), Some(b)) => !a.agrees_with(b),
            _ => false,
        };
        let mut out = Vec::new();
        for c in &self.corroborations {
            let mut differ = |field, value: String, other_value: String| {
                out.push(Discrepancy {
                    field,
                    value,
                    other_value,
                    other_source: c.provenance.source.clone(),
                    other_source_url: c.provenance.source_url.clone(),
                })
            };
            if c.kind != self.kind {
                differ("kind", self.kind.to_string(), c.kind.to_string());
            }
            if dates_differ(&self.start_date, &c.start_date) {
                differ("start_date", text(&self.start_date), text(&c.start_date));
            }
            if dates_differ(&self.end_date, &c.end_date) {
                differ("end_date", text(&self.end_date), text(&c.end_date));
            }
            if let (Some(a), Some(b)) = (&self.commissioner, &c.commissioner) {
                let (la, lb) = (a.to_lowercase(), b.to_lowercase());
                if !la.contains(&lb) && !lb.contains(&la) {
                    differ("commissioner", a.clone(), b.clone());
                }
            }
        }
        out
    }

    /// Folds another source's record of the same event into this one: its documents join this
    /// record's, and what this record leaves unknown (an end date, a commissioner, the link to
    /// the intervention it continues) is taken from it. Values both state are kept as this
    /// record states them; [`Intervention::discrepancies`] shows where they differ.
    pub fn fold_in(&mut self, other: Intervention) {
        for url in &other.source_urls {
            if !self.source_urls.contains(url) {
                self.source_urls.push(url.clone());
            }
        }
        self.end_date = self.end_date.or(other.end_date);
        self.commissioner = self.commissioner.take().or_else(|| other.commissioner.clone());
        self.title = self.title.take().or_else(|| other.title.clone());
        self.follows = self.follows.take().or_else(|| other.follows.clone());
        self.document_updated_at = self.document_updated_at.or(other.document_updated_at);
        // DfE's own page among the sources makes the record's sources primary.
        self.source_class = self.source_class.min(other.source_class);
        for url in &other.see_also {
            if !self.see_also.contains(url) {
                self.see_also.push(url.clone());
            }
        }
        self.end_source_url = self.end_source_url.take().or_else(|| other.end_source_url.clone());
        self.end_note = self.end_note.take().or_else(|| other.end_note.clone());
        self.in_force_confirmed = match (self.in_force_confirmed.take(), other.in_force_confirmed.clone()) {
            (Some(a), Some(b)) => Some(if b.on > a.on { b } else { a }),
            (a, b) => a.or(b),
        };
        self.corroborations.push(Corroboration {
            id: other.id,
            kind: other.kind,
            start_date: other.start_date,
            end_date: other.end_date,
            commissioner: other.commissioner,
            title: other.title,
            source_urls: other.source_urls,
            document_updated_at: other.document_updated_at,
            document_withdrawn: other.document_withdrawn,
            provenance: other.provenance,
        });
    }
}

/// A bare intervention for the crate's unit tests: `kind` in `la` from `start`, stated by `source`.
#[cfg(test)]
pub(crate) fn test_intervention(id: &str, la: &str, kind: InterventionKind, start: &str, source: &str) -> Intervention {
    Intervention {
        id: id.into(),
        la: la.into(),
        kind,
        service: Service::ChildrensSocialCare,
        start_date: Some(start.parse().expect("a test date")),
        end_date: None,
        commissioner: None,
        title: None,
        summary: None,
        source_urls: vec![format!("https://example.org/{id}")],
        follows: None,
        same_as: None,
        document_updated_at: None,
        source_class: SourceClass::Secondary,
        see_also: Vec::new(),
        end_source_url: None,
        end_note: None,
        in_force_confirmed: None,
        document_withdrawn: None,
        corroborations: Vec::new(),
        provenance: Provenance {
            source: source.into(),
            source_url: format!("https://example.org/{id}"),
            retrieved_at: DateTime::UNIX_EPOCH,
            sha256: String::new(),
            parser_version: String::new(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vocabularies_round_trip_and_reject_unknown_values() {
        for g in Grade::ALL {
            assert_eq!(g.as_str().parse::<Grade>(), Ok(*g));
        }
        let err = "requires improvement".parse::<Grade>().unwrap_err();
        assert!(err.to_string().contains("requires_improvement"), "{err}");
    }

    #[test]
    fn dates_agree_when_one_can_be_the_other_less_precisely() {
        let d = |s: &str| s.parse::<PartialDate>().unwrap();
        assert!(d("2015-07").agrees_with(&d("2015-07-20")));
        assert!(d("2015-07-20").agrees_with(&d("2015")));
        assert!(!d("2015-07-20").agrees_with(&d("2015-08-04")));
        assert!(!d("2015-07").agrees_with(&d("2015-08")));
    }

    #[test]
    fn folding_keeps_the_record_and_shows_where_sources_disagree() {
        let record = |id: &str, start: &str, source: &str| {
            test_intervention(id, "E08000024", InterventionKind::StatutoryDirection, start, source)
        };
        let mut seed = record("iv-seed", "2015-07-20", "seed");
        let mut other = record("iv-govuk", "2015-08-04", "govuk");
        other.end_date = Some("2017-04".parse().unwrap());
        other.title = Some("Direction issued to Sunderland city council".into());
        seed.fold_in(other);
        assert_eq!(seed.start_date.unwrap().to_string(), "2015-07-20", "kept, not overwritten");
        assert_eq!(seed.end_date.unwrap().to_string(), "2017-04", "unknown, so taken from the other source");
        assert_eq!(seed.source_urls, ["https://example.org/iv-seed", "https://example.org/iv-govuk"]);
        let d = seed.discrepancies();
        assert_eq!(d.len(), 1);
        assert_eq!(
            (d[0].field, d[0].value.as_str(), d[0].other_value.as_str()),
            ("start_date", "2015-07-20", "2015-08-04")
        );
        assert_eq!(d[0].other_source, "govuk");
    }

    #[test]
    fn partial_dates_keep_their_precision() {
        let month: PartialDate = "2015-02".parse().unwrap();
        assert_eq!(month.to_string(), "2015-02");
        assert_eq!(month.last_day(), NaiveDate::from_ymd_opt(2015, 2, 28).unwrap());
        let year: PartialDate = "2016".parse().unwrap();
        assert_eq!(year.last_day(), NaiveDate::from_ymd_opt(2016, 12, 31).unwrap());
        assert!("2016-13".parse::<PartialDate>().is_err());
        assert!("16".parse::<PartialDate>().is_err());
    }
}
