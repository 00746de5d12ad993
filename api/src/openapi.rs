//! The OpenAPI document, built from the same route registrations the server uses.

use actix_web::App;
use utoipa::OpenApi;
use utoipa_actix_web::{AppExt, scope};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "lacs: English local authority children's services",
        description = "Ofsted judgements of every English council's children's services and what the Department for \
Education did about them (improvement notices, statutory directions, commissioners, trusts). Every record \
links to the document it came from.\n\nConventions: JSON in snake_case; lists return `{data, links, meta}` with \
opaque cursor pagination (`cursor`, `limit` ≤ 500, `next` also in a `Link` header); CSV via `format=csv` or \
`Accept: text/csv`; `as_at=YYYY-MM-DD` describes the state on that date; errors are RFC 9457 problem \
documents; unknown parameters are refused with 400. Responses carry a strong `ETag` (dataset version and \
request) and honour `If-None-Match`.\n\nData: Ofsted and DfE, Open Government Licence v3.0. Contains public \
sector information licensed under the Open Government Licence v3.0.\n\nThe same data as one graph: [GraphQL and GraphiQL at /graphql](/graphql).",
        license(name = "Open Government Licence v3.0 (data)", url = "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"),
        contact(name = "lacs maintainers"),
    ),
    tags(
        (name = "local authorities", description = "Councils, their derived status on a date, and their stories"),
        (name = "inspections", description = "Ofsted inspections and visits, with judgements"),
        (name = "interventions", description = "DfE interventions"),
        (name = "stats", description = "Counts behind the headlines"),
        (name = "meta", description = "About the dataset"),
    )
)]
struct ApiDoc;

/// The rendered document, shared by the server and `lacs openapi`.
pub struct Spec {
    /// Pretty-printed JSON with a trailing newline.
    pub json: String,
}

/// The OpenAPI document.
pub fn document() -> utoipa::openapi::OpenApi {
    let (_, doc) = App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .service(scope("/v1").configure(crate::rest::v1))
        .split_for_parts();
    doc
}

/// The document as committed in `openapi/openapi.json`.
pub fn document_json() -> String {
    let mut json = document().to_pretty_json().unwrap_or_default();
    json.push('\n');
    json
}
