//! Ofsted inspections and visits: the `Inspection` node and the root fields that find them.

use async_graphql::{Context, InputObject, Object, Result};
use schema::query::records::{self, InspectionFilter, InspectionSort};
use schema::query::{Direction, today};

use super::common::*;
use super::nodes::{Inspection, LocalAuthority, council_of};
use crate::wire::*;

#[Object]
impl<'a> Inspection<'a> {
    /// The Ofsted file id (a bundled focused-visit letter whose file id is not known yet:
    /// `fv-<URN>-<letter date>`).
    async fn id(&self) -> &str {
        &self.record.id
    }
    /// The council inspected, as it stands today.
    async fn local_authority(&self, as_at: Option<Date>) -> Result<LocalAuthority<'a>> {
        council_of(self.ds, &self.record.la, as_at.map_or_else(today, |d| d.0))
    }
    /// Full inspection, focused visit, monitoring visit …
    async fn kind(&self) -> InspectionKind {
        self.record.kind.into()
    }
    /// The framework, where known.
    async fn framework(&self) -> Option<Framework> {
        self.record.framework.map(Into::into)
    }
    /// ILACS standard or short, where known.
    async fn inspection_type(&self) -> Option<InspectionType> {
        self.record.inspection_type.map(Into::into)
    }
    /// First day on site.
    async fn start_date(&self) -> Option<Date> {
        self.record.start_date.map(Date)
    }
    /// Last day on site.
    async fn end_date(&self) -> Option<Date> {
        self.record.end_date.map(Date)
    }
    /// Start of a second on-site period.
    async fn second_start_date(&self) -> Option<Date> {
        self.record.second_start_date.map(Date)
    }
    /// End of the second on-site period.
    async fn second_end_date(&self) -> Option<Date> {
        self.record.second_end_date.map(Date)
    }
    /// Publication date.
    async fn published(&self) -> Date {
        Date(self.record.published)
    }
    /// Lead inspector(s) as printed (a visit letter's: the inspector who signed it).
    async fn lead_inspectors(&self) -> &[String] {
        &self.record.lead_inspectors
    }
    /// Every inspector a visit letter names, in its order (inspection reports name only their lead).
    async fn inspectors(&self) -> &[String] {
        &self.record.inspectors
    }
    /// What a focused visit looked at.
    async fn theme(&self) -> Option<VisitTheme> {
        self.record.theme.map(Into::into)
    }
    /// Every judgement, in area order; an area not judged is absent.
    async fn judgements(&self) -> Vec<Judgement> {
        judgements(&self.record.judgements)
    }
    /// The grade for one area, if judged.
    async fn grade(&self, area: Area) -> Option<Grade> {
        self.record.grade(area.into()).map(Into::into)
    }
    /// The report.
    async fn report_url(&self) -> &str {
        &self.record.report_url
    }
    /// The council's page on the Ofsted reports site.
    async fn provider_url(&self) -> Option<&str> {
        self.record.provider_url.as_deref()
    }
    /// Why a value is missing, where one is.
    async fn notes(&self) -> Option<&str> {
        self.record.notes.as_deref()
    }
    /// Where the record came from.
    async fn provenance(&self) -> Provenance {
        Provenance::new(self.ds, &self.record.provenance)
    }
    /// Every other source's statement of this publication (Ofsted's official statistics, the
    /// scraper's CSV): where exactly it says it and what it says.
    async fn statements(&self) -> Vec<InspectionStatement> {
        self.record
            .statements
            .iter()
            .map(|s| InspectionStatement {
                source: s.source.clone(),
                source_url: s.source_url.clone(),
                sha256: s.sha256.clone(),
                retrieved_at: timestamp(s.retrieved_at),
                locator: s.locator.clone(),
                start_date: s.start_date.map(Date),
                published: s.published.map(Date),
                judgements: judgements(&s.judgements),
            })
            .collect()
    }
    /// Where those statements disagree with this record (the record keeps its own reading).
    async fn discrepancies(&self) -> Vec<InspectionDiscrepancy> {
        self.record
            .discrepancies()
            .into_iter()
            .map(|d| InspectionDiscrepancy {
                field: d.field,
                value: d.value,
                other_value: d.other_value,
                other_source: d.other_source,
                other_source_url: d.other_source_url,
                other_locator: d.other_locator,
            })
            .collect()
    }
}

/// Another source's statement of the same publication.
#[derive(async_graphql::SimpleObject)]
pub struct InspectionStatement {
    /// `ofsted-stats` (Ofsted's official statistics) or `seed:ofsted_csc_ilacs_history.csv`.
    pub source: String,
    /// The document.
    pub source_url: String,
    /// SHA-256 of the document.
    pub sha256: String,
    /// When it was retrieved (RFC 3339).
    pub retrieved_at: String,
    /// Where in the document (sheet and row, or line).
    pub locator: String,
    /// The first day on site it states.
    pub start_date: Option<Date>,
    /// The publication date it states.
    pub published: Option<Date>,
    /// The grades it states.
    pub judgements: Vec<Judgement>,
}

/// A source states a value of this publication differently.
#[derive(async_graphql::SimpleObject)]
pub struct InspectionDiscrepancy {
    /// `start_date`, `published` or a judgement area.
    pub field: String,
    /// What the record says.
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

/// Filters for inspections (the same as REST's); every condition must hold.
#[derive(InputObject, Default)]
pub struct InspectionFilterInput {
    /// Council: GSS code, DfE code, Ofsted URN or slug.
    pub la: Option<String>,
    /// Region of the council: ONS code or name.
    pub region: Option<String>,
    /// Kind of publication.
    pub kind: Option<InspectionKind>,
    /// Framework.
    pub framework: Option<Framework>,
    /// Published on or after.
    pub published_from: Option<Date>,
    /// Published on or before.
    pub published_to: Option<Date>,
    /// First day on site on or after.
    pub inspected_from: Option<Date>,
    /// First day on site on or before.
    pub inspected_to: Option<Date>,
    /// Grades the inspection gave (all must hold).
    pub grades: Option<Vec<AreaGrade>>,
    /// Lead inspector's name contains this text (any case).
    pub lead_inspector: Option<String>,
}

/// Sort fields for inspections.
#[derive(async_graphql::Enum, Clone, Copy, PartialEq, Eq)]
pub enum InspectionOrderField {
    /// Publication date.
    Published,
    /// First day on site.
    InspectionStart,
    /// Council name, then publication date.
    La,
}

/// How to sort inspections (default: newest publication first).
#[derive(InputObject)]
pub struct InspectionOrder {
    /// The field.
    pub field: InspectionOrderField,
    /// The direction (default ascending).
    pub direction: Option<OrderDirection>,
}

/// The root fields about inspections and visits.
#[derive(Default)]
pub struct InspectionQuery;

#[Object]
impl InspectionQuery {
    /// One inspection or visit by Ofsted file id.
    async fn inspection<'c>(&self, ctx: &Context<'c>, id: String) -> Result<Inspection<'c>> {
        let ds = dataset(ctx)?;
        let i = crate::lookup::inspection(ds, &id).map_err(not_found)?;
        Ok(Inspection::new(ds, i))
    }

    /// Inspections and visits that match the filter (default: newest publication first).
    async fn inspections<'c>(
        &self,
        ctx: &Context<'c>,
        filter: Option<InspectionFilterInput>,
        order_by: Option<InspectionOrder>,
        first: i32,
        after: Option<String>,
    ) -> Result<Conn<Inspection<'c>>> {
        let ds = dataset(ctx)?;
        let f = filter.unwrap_or_default();
        let (sort, direction) = match order_by {
            None => InspectionSort::NEWEST_FIRST,
            Some(o) => (
                match o.field {
                    InspectionOrderField::Published => InspectionSort::Published,
                    InspectionOrderField::InspectionStart => InspectionSort::InspectionStart,
                    InspectionOrderField::La => InspectionSort::La,
                },
                o.direction.map_or(Direction::Ascending, Into::into),
            ),
        };
        let filter = InspectionFilter {
            la: council(ds, f.la)?,
            region: region(ds, f.region)?,
            kind: f.kind.map(Into::into),
            framework: f.framework.map(Into::into),
            published_from: f.published_from.map(|d| d.0),
            published_to: f.published_to.map(|d| d.0),
            inspected_from: f.inspected_from.map(|d| d.0),
            inspected_to: f.inspected_to.map(|d| d.0),
            grades: f.grades.unwrap_or_default().into_iter().map(|g| (g.area.into(), g.grade.into())).collect(),
            lead_inspector: f.lead_inspector,
            sort,
            direction,
        };
        let first_page = after.is_none();
        let page = records::inspections(ds, &filter, &page(first, after)?).map_err(bad_after)?;
        Ok(connection(page, first_page, |i| Inspection::new(ds, i)))
    }
}
