//! The change feed (`/v1/changes`) and the Atom feeds built from it.

use std::collections::BTreeMap;

use actix_web::{HttpRequest, HttpResponse, get, web};
use schema::Dataset;
use schema::query::changes::{self, ChangeFilter, EventType};
use schema::query::codes::GssCode;
use schema::query::{Direction, PageRequest};
use schema::rows::Change;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::listing::{self, CsvRow, Listing, text};
use super::params::{self, NoQuery, paging, parse_query};
use super::views::{LaLink, inspection_href, intervention_href, la_href};
use crate::conditional::{json_body, respond};
use crate::error::{ApiError, Problem};
use crate::format::{Format, xml};
use crate::state::AppState;

/// What changed in one field.
#[derive(Debug, Serialize, ToSchema)]
pub struct FieldChange {
    /// The value before.
    pub before: serde_json::Value,
    /// The value after.
    pub after: serde_json::Value,
}

/// The run that made a change.
#[derive(Debug, Serialize, ToSchema)]
pub struct RunRef {
    /// `fetch_runs` id.
    pub id: i64,
}

/// One event of the change feed.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChangeEvent<'a> {
    /// Position in the change log (increasing).
    pub id: i64,
    /// `inspection.published`, `inspection.updated`, `inspection.withdrawn`, `intervention.started`,
    /// `intervention.updated`, `intervention.ended`, `intervention.withdrawn`,
    /// `intervention.corroborated` (another source now states a published intervention; the record
    /// id resolves to it), `local_authority.created` or `local_authority.updated`.
    #[schema(example = "inspection.published")]
    pub event: &'static str,
    /// When the change was recorded.
    pub changed_at: chrono::DateTime<chrono::Utc>,
    /// `inspection`, `intervention` or `local_authority`.
    pub record_type: &'static str,
    /// The record's public id.
    pub record_id: &'a str,
    /// The record's resource.
    pub href: String,
    /// The council concerned.
    pub local_authority: Option<LaLink<'a>>,
    /// The fetch or import run that made the change.
    pub fetch_run: RunRef,
    /// For updates: only the fields that changed, before and after.
    pub changes: Option<BTreeMap<String, FieldChange>>,
    /// The record as it is after the change (as it was, for withdrawals).
    #[schema(value_type = Object)]
    pub record: Option<&'a serde_json::Value>,
    /// The source document, where the record names one.
    pub source_url: Option<&'a str>,
}

/// The resource a change concerns.
pub fn record_href(c: &Change) -> String {
    match c.record_type {
        schema::domain::RecordType::Inspection => inspection_href(&c.record_id),
        schema::domain::RecordType::Intervention => intervention_href(&c.record_id),
        schema::domain::RecordType::LocalAuthority => la_href(&c.record_id),
        schema::domain::RecordType::Indicator => format!("/v1/indicators/{}", c.record_id),
        schema::domain::RecordType::IndicatorPeriod => match c.record_id.split_once('/') {
            Some((indicator, period)) => format!("/v1/indicators/{indicator}?period={period}"),
            None => format!("/v1/indicators/{}", c.record_id),
        },
    }
}

fn source_url(c: &Change) -> Option<&str> {
    let record = c.after.as_ref().or(c.before.as_ref())?;
    record
        .get("report_url")
        .and_then(serde_json::Value::as_str)
        .or_else(|| record.get("source_urls").and_then(|u| u.get(0)).and_then(serde_json::Value::as_str))
        .or_else(|| record.get("source_url").and_then(serde_json::Value::as_str))
}

impl<'a> ChangeEvent<'a> {
    /// Renders one change.
    pub fn new(dataset: &'a Dataset, c: &'a Change) -> Self {
        let event = changes::event_type(dataset, c);
        let is_update = c.action == schema::domain::ChangeAction::Update;
        ChangeEvent {
            id: c.id,
            event: event.as_str(),
            changed_at: c.changed_at,
            record_type: c.record_type.as_str(),
            record_id: &c.record_id,
            href: record_href(c),
            local_authority: changes::local_authority_of(c).map(|la| LaLink::new(dataset, la)),
            fetch_run: RunRef { id: c.fetch_run_id },
            changes: is_update.then(|| {
                changes::changed_fields(c)
                    .into_iter()
                    .map(|(k, (before, after))| (k, FieldChange { before, after }))
                    .collect()
            }),
            record: c.after.as_ref().or(c.before.as_ref()),
            source_url: source_url(c),
        }
    }
}

impl CsvRow for ChangeEvent<'_> {
    fn header() -> Vec<&'static str> {
        vec![
            "id",
            "event",
            "changed_at",
            "record_type",
            "record_id",
            "href",
            "la_gss_code",
            "fetch_run_id",
            "changed_fields",
            "source_url",
        ]
    }

    fn record(&self) -> Vec<String> {
        vec![
            self.id.to_string(),
            self.event.to_owned(),
            self.changed_at.to_rfc3339(),
            self.record_type.to_owned(),
            self.record_id.to_owned(),
            self.href.clone(),
            self.local_authority.as_ref().map(|l| l.gss_code.to_owned()).unwrap_or_default(),
            self.fetch_run.id.to_string(),
            self.changes.as_ref().map(|c| c.keys().cloned().collect::<Vec<_>>().join(";")).unwrap_or_default(),
            self.source_url.unwrap_or_default().to_owned(),
        ]
    }
}

/// Query parameters of `GET /v1/changes`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListChangesQuery {
    /// Resume after this cursor: a `links.next` value, or a release's `change_cursor`. Without
    /// it the feed starts at the beginning.
    since: Option<String>,
    /// Only this event type, e.g. `inspection.published`.
    #[param(example = "inspection.updated")]
    event: Option<String>,
    /// Only changes concerning this council: GSS code, DfE code, Ofsted URN or slug.
    la: Option<String>,
    /// Events per page, 1–500 (default 50; CSV without `limit` returns every event).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 500)]
    limit: Option<String>,
    /// `json` (default) or `csv`.
    #[param(value_type = Option<crate::wire::ListFormat>)]
    format: Option<String>,
}

fn event_filter(value: Option<&str>) -> Result<Vec<EventType>, ApiError> {
    let Some(value) = value else { return Ok(Vec::new()) };
    let found = EventType::ALL.iter().find(|e| e.as_str() == value).ok_or_else(|| {
        let all: Vec<&str> = EventType::ALL.iter().map(|e| e.as_str()).collect();
        ApiError::invalid("event", format!("event: `{value}` is not one of {}", all.join(", ")))
    })?;
    Ok(vec![*found])
}

/// Every change to public data, in order, as typed events; resumable with `since`.
///
/// Load a release from `/v1/datasets`, then follow this feed from the release's
/// `change_cursor` to see every later change exactly once. Cursors stay valid as the log grows.
#[utoipa::path(
    tag = "changes",
    params(ListChangesQuery),
    responses(
        (status = 200, description = "A page of events, oldest first", content((Listing<ChangeEvent> = "application/json"), (String = "text/csv"))),
        (status = 400, description = "A bad parameter or a tampered cursor", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/changes")]
pub async fn list_changes(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let q: ListChangesQuery = parse_query(&req, &[])?;
    let dataset = state.dataset();
    let format = Format::of(&req, q.format.as_deref())?;
    let filter = ChangeFilter {
        la: params::la(&dataset, q.la.as_deref())?,
        events: event_filter(q.event.as_deref())?,
        ..Default::default()
    };
    let paging = paging("since", q.since.as_deref(), q.limit.as_deref(), format)?;
    let page = changes::list(&dataset, &filter, &paging.request).map_err(|e| paging.refused(e))?;
    listing::list(&req, &dataset, format, None, &paging, page, |c| ChangeEvent::new(&dataset, c))
}

/// One event of the change feed.
#[utoipa::path(
    tag = "changes",
    params(("id" = i64, Path, description = "Change id", example = 1)),
    responses(
        (status = 200, description = "The event", body = ChangeEvent),
        (status = 404, description = "No change has that id", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/changes/{id}")]
pub async fn get_change(
    req: HttpRequest,
    id: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    parse_query::<NoQuery>(&req, &[])?;
    let dataset = state.dataset();
    let change = id
        .parse::<i64>()
        .ok()
        .and_then(|n| dataset.changes.binary_search_by_key(&n, |c| c.id).ok())
        .map(|i| &dataset.changes[i])
        .ok_or_else(|| ApiError::NotFound(format!("no change has the id `{id}`")))?;
    respond(&req, &dataset, Format::Json, || json_body(&ChangeEvent::new(&dataset, change)))
}

/// Entries per Atom feed: the newest changes.
const ATOM_ENTRIES: usize = 50;

fn entry_title(dataset: &Dataset, c: &Change) -> String {
    let la =
        changes::local_authority_of(c).and_then(|la| dataset.local_authority(la)).map_or("", |la| la.name.as_str());
    let record = c.after.as_ref().or(c.before.as_ref());
    let field = |name: &str| record.and_then(|r| r.get(name)).map(text).unwrap_or_default();
    match changes::event_type(dataset, c) {
        EventType::InspectionPublished => {
            let overall = record
                .and_then(|r| r.get("judgements"))
                .and_then(|js| js.as_array())
                .and_then(|js| js.iter().find(|j| j["area"] == "overall_effectiveness"))
                .map(|j| format!(": overall effectiveness {}", text(&j["grade"]).replace('_', " ")))
                .unwrap_or_default();
            format!("{la}: Ofsted {} published {}{overall}", field("kind").replace('_', " "), field("published"))
        }
        EventType::InspectionUpdated => format!("{la}: Ofsted record {} updated", c.record_id),
        EventType::InterventionStarted => {
            format!("{la}: {} ({})", field("kind").replace('_', " "), field("start_date"))
        }
        EventType::InterventionEnded => {
            format!("{la}: {} ended {}", field("kind").replace('_', " "), field("end_date"))
        }
        other => format!("{la}: {}", other.as_str().replace(['.', '_'], " ")),
    }
}

/// Renders changes as an Atom feed (RFC 4287), newest first.
fn atom(req: &HttpRequest, dataset: &Dataset, title: &str, filter: ChangeFilter) -> Result<Vec<u8>, ApiError> {
    let base = crate::origin::public_base(req)?.url;
    let page = changes::list(
        dataset,
        &ChangeFilter { direction: Direction::Descending, ..filter },
        &PageRequest { limit: Some(ATOM_ENTRIES), after: None },
    )
    .map_err(|e| ApiError::Internal(e.into()))?;
    let updated = page.rows().next().map_or(dataset.updated_at, |c| c.changed_at);
    // The path and query only: an absolute-form request-target's authority is the client's word.
    let self_url = match req.query_string() {
        "" => format!("{base}{}", req.path()),
        query => format!("{base}{}?{query}", req.path()),
    };
    let mut out = String::new();
    out.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\n");
    out.push_str(&format!("  <id>{}</id>\n  <title>{}</title>\n", xml(&self_url), xml(title)));
    out.push_str(&format!("  <updated>{}</updated>\n", updated.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)));
    out.push_str(&format!("  <link rel=\"self\" type=\"application/atom+xml\" href=\"{}\"/>\n", xml(&self_url)));
    out.push_str(&format!("  <link rel=\"alternate\" type=\"text/html\" href=\"{}/docs/\"/>\n", xml(&base)));
    out.push_str("  <author><name>lacs</name></author>\n");
    out.push_str(&format!("  <rights>{}</rights>\n", xml(schema::ATTRIBUTION)));
    for c in page.rows() {
        let title = entry_title(dataset, c);
        out.push_str("  <entry>\n");
        out.push_str(&format!("    <id>{}</id>\n", xml(&format!("{base}/v1/changes/{}", c.id))));
        out.push_str(&format!("    <title>{}</title>\n", xml(&title)));
        out.push_str(&format!(
            "    <updated>{}</updated>\n",
            c.changed_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
        ));
        out.push_str(&format!(
            "    <link rel=\"alternate\" type=\"application/json\" href=\"{}\"/>\n",
            xml(&format!("{base}{}", record_href(c)))
        ));
        if let Some(source) = source_url(c) {
            out.push_str(&format!("    <link rel=\"related\" href=\"{}\"/>\n", xml(source)));
        }
        out.push_str(&format!("    <category term=\"{}\"/>\n", changes::event_type(dataset, c).as_str()));
        out.push_str(&format!("    <summary>{}</summary>\n", xml(&title)));
        out.push_str("  </entry>\n");
    }
    out.push_str("</feed>\n");
    Ok(out.into_bytes())
}

/// Every change, as Atom (newest 50).
#[utoipa::path(tag = "changes", responses((status = 200, description = "Atom feed", body = String, content_type = "application/atom+xml")))]
#[get("/feeds/changes.atom")]
pub async fn changes_feed(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    parse_query::<NoQuery>(&req, &[])?;
    let dataset = state.dataset();
    respond(&req, &dataset, Format::Atom, || atom(&req, &dataset, "lacs: every change", ChangeFilter::default()))
}

/// New inadequate judgements, as Atom (newest 50).
#[utoipa::path(tag = "changes", responses((status = 200, description = "Atom feed", body = String, content_type = "application/atom+xml")))]
#[get("/feeds/inadequate.atom")]
pub async fn inadequate_feed(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    parse_query::<NoQuery>(&req, &[])?;
    let dataset = state.dataset();
    let filter = ChangeFilter { new_inadequate: true, ..Default::default() };
    respond(&req, &dataset, Format::Atom, || atom(&req, &dataset, "lacs: new inadequate judgements", filter))
}

/// Changes concerning councils in one region, as Atom (newest 50).
#[utoipa::path(
    tag = "changes",
    params(("region" = String, Path, description = "ONS region code or name", example = "E12000007")),
    responses(
        (status = 200, description = "Atom feed", body = String, content_type = "application/atom+xml"),
        (status = 400, description = "Not a region", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/regions/{region}/feed.atom")]
pub async fn region_feed(
    req: HttpRequest,
    region: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    parse_query::<NoQuery>(&req, &[])?;
    let dataset = state.dataset();
    let code = schema::query::codes::resolve_region(&dataset, "region", &region)?;
    let name = dataset.local_authorities.iter().find(|la| la.region_code.as_deref() == Some(&*code));
    let title = format!("lacs: changes in {}", name.and_then(|la| la.region_name.as_deref()).unwrap_or(&code));
    let filter = ChangeFilter { region: Some(code), ..Default::default() };
    respond(&req, &dataset, Format::Atom, || atom(&req, &dataset, &title, filter))
}

/// Changes concerning one council, as Atom (newest 50).
#[utoipa::path(
    tag = "changes",
    params(("id" = String, Path, description = "GSS code, DfE code, Ofsted URN or slug", example = "norfolk")),
    responses(
        (status = 200, description = "Atom feed", body = String, content_type = "application/atom+xml"),
        (status = 404, description = "No local authority has that id", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/local-authorities/{id}/feed.atom")]
pub async fn local_authority_feed(
    req: HttpRequest,
    id: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    parse_query::<NoQuery>(&req, &[])?;
    let dataset = state.dataset();
    let la = super::local_authorities::find_la(&dataset, &id)?;
    let title = format!("lacs: {}", la.name);
    let filter = ChangeFilter { la: Some(GssCode::of(la)), ..Default::default() };
    respond(&req, &dataset, Format::Atom, || atom(&req, &dataset, &title, filter))
}
