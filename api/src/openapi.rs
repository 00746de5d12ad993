//! The OpenAPI document, built from the same route registrations the server uses.

use actix_web::{App, HttpResponse, web};
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
        (name = "indicators", description = "The numbers behind the grades: spending (MHCLG RO3), workforce, children looked after, children in need and referrals (DfE), per council, region and England"),
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

/// `GET /v1/openapi.json`: the document, exactly as committed in `openapi/openapi.json`.
pub async fn get_openapi(spec: web::Data<Spec>) -> HttpResponse {
    HttpResponse::Ok().content_type("application/json").body(spec.json.clone())
}

/// The OpenAPI document.
pub fn document() -> utoipa::openapi::OpenApi {
    let (_, mut doc) = App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .service(scope("/v1").configure(crate::rest::v1))
        .split_for_parts();
    add_common_responses(&mut doc);
    // The status rule is written once, in the query layer that applies it.
    if let Some(description) = doc.info.description.as_mut() {
        description.push_str(
            "\n\nAn intervention's `status` on `as_at` (`active` is a deprecated alias of `status = in_force`, \
            kept for this version): ",
        );
        description.push_str(schema::query::intervention_status::RULE);
    }
    doc
}

/// What any operation can answer besides its own responses: the client's copy is current, a
/// bad parameter, and the limits every request is held to (written once, here).
fn add_common_responses(doc: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
    let problem = |description: &str| {
        ResponseBuilder::new()
            .description(description)
            .content(
                "application/problem+json",
                ContentBuilder::new().schema(Some(Ref::from_schema_name("Problem"))).build(),
            )
            .build()
    };
    let common = [
        ("304", ResponseBuilder::new().description("Not modified: the `If-None-Match` validator is current").build()),
        ("400", problem("A query parameter is unknown, repeated or has a bad value")),
        ("414", problem("The path is longer than 2 KiB or the query string longer than 64 KiB")),
        ("429", problem("Too many requests from this address; see `Retry-After` and the `RateLimit-*` headers")),
        ("431", problem("A header is longer than 8 KiB, or all of them longer than 32 KiB")),
    ];
    for item in doc.paths.paths.values_mut() {
        for operation in [&mut item.get, &mut item.head].into_iter().flatten() {
            for (status, response) in &common {
                operation.responses.responses.entry((*status).to_owned()).or_insert_with(|| response.clone().into());
            }
        }
    }
}

/// The document as committed in `openapi/openapi.json`.
pub fn document_json() -> String {
    let mut json = document().to_pretty_json().unwrap_or_default();
    json.push('\n');
    json
}
