//! Imitations of the upstream sites on 127.0.0.1, for tests that run fetches inside `lacs serve`:
//! a small Ofsted reports site (search, provider pages, files) whose files can be held back, so a
//! run is provably mid-way, and GOV.UK's Content and Search APIs serving the recorded fixtures of
//! `fetchers/tests/fixtures/govuk`.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};

/// Binds an actix app on a random port of 127.0.0.1, runs it on the current runtime, returns
/// its base URL.
pub fn serve<F>(app: F) -> String
where
    F: Fn(&mut web::ServiceConfig) + Send + Clone + 'static,
{
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let server = HttpServer::new(move || App::new().configure(app.clone())).workers(2).listen(listener).unwrap().run();
    tokio::spawn(server);
    base
}

fn fixture(path: &str) -> Option<Vec<u8>> {
    std::fs::read(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fetchers/tests/fixtures").join(path)).ok()
}

/// The Ofsted reports site with one provider and its publications (file id, listing date,
/// fixture PDF of `fetchers/tests/fixtures/ofsted-reports`, or the absolute path of a PDF built
/// by the test).
pub struct OfstedSite {
    /// The provider's URN.
    pub urn: &'static str,
    /// Its publications.
    pub files: Vec<(&'static str, &'static str, &'static str)>,
    /// While set, a file request waits (answering only when it is cleared).
    pub hold: AtomicBool,
    /// File requests that have arrived (held or not).
    pub file_requests: AtomicUsize,
}

impl OfstedSite {
    /// A site for `urn` with `files`, holding its files back when `hold`.
    pub fn new(urn: &'static str, files: Vec<(&'static str, &'static str, &'static str)>, hold: bool) -> Arc<Self> {
        Arc::new(OfstedSite { urn, files, hold: AtomicBool::new(hold), file_requests: AtomicUsize::new(0) })
    }

    /// Serves it; returns the base URL (reports site and file host alike).
    pub fn start(self: &Arc<Self>) -> String {
        let data = web::Data::new(self.clone());
        serve(move |cfg: &mut web::ServiceConfig| {
            cfg.app_data(data.clone())
                .route("/search", web::get().to(ofsted_search))
                .route("/provider/{kind}/{urn}", web::get().to(ofsted_provider))
                .route("/v1/file/{id}", web::get().to(ofsted_file));
        })
    }
}

async fn ofsted_search(req: HttpRequest, site: web::Data<Arc<OfstedSite>>) -> HttpResponse {
    let first_page = !req.query_string().split('&').any(|kv| kv.starts_with("start=") && kv != "start=0");
    let links = if first_page {
        format!(r#"<li><h3><a href="/provider/44/{0}">Council {0}</a></h3></li>"#, site.urn)
    } else {
        String::new()
    };
    HttpResponse::Ok().content_type("text/html").body(format!("<html><body><ul>{links}</ul></body></html>"))
}

async fn ofsted_provider(path: web::Path<(String, String)>, site: web::Data<Arc<OfstedSite>>) -> HttpResponse {
    if path.1 != site.urn {
        return HttpResponse::NotFound().finish();
    }
    provider_page(site.files.iter().map(|(id, date, _)| (*id, *date)))
}

/// A provider's page on the Ofsted reports site as the crawler reads it: the timeline of its
/// reports, each a link to the file host with its publication date.
pub fn provider_page<'a>(reports: impl Iterator<Item = (&'a str, &'a str)>) -> HttpResponse {
    let links: String = reports
        .map(|(id, date)| {
            format!(
                r#"<li class="timeline__day"><div class="event"><a class="publication-link" href="https://files.ofsted.gov.uk/v1/file/{id}" target="_blank">Children's services inspection<span class="nonvisual">Children's services inspection, PDF - {date}</span></a></div></li>"#
            )
        })
        .collect();
    HttpResponse::Ok().content_type("text/html").body(format!("<html><body><ul>{links}</ul></body></html>"))
}

async fn ofsted_file(id: web::Path<String>, site: web::Data<Arc<OfstedSite>>) -> HttpResponse {
    let Some((_, _, name)) = site.files.iter().find(|(i, _, _)| *i == id.as_str()) else {
        return HttpResponse::NotFound().finish();
    };
    site.file_requests.fetch_add(1, Ordering::SeqCst);
    while site.hold.load(Ordering::SeqCst) {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    HttpResponse::Ok()
        .content_type("application/pdf")
        .body(fixture(&format!("ofsted-reports/{name}")).or_else(|| std::fs::read(name).ok()).unwrap_or_default())
}

/// GOV.UK's Content API (the improvement notices collection and its documents) and Search API,
/// answered from the recorded fixtures.
pub fn start_govuk() -> String {
    serve(|cfg: &mut web::ServiceConfig| {
        cfg.route("/api/content/{path:.*}", web::get().to(govuk_content))
            .route("/api/search.json", web::get().to(govuk_search));
    })
}

fn json(bytes: Vec<u8>) -> HttpResponse {
    HttpResponse::Ok().content_type("application/json; charset=utf-8").body(bytes)
}

async fn govuk_content(req: HttpRequest) -> HttpResponse {
    let path = req.path().trim_start_matches("/api/content");
    if path == "/government/collections/improvement-notices-and-directions" {
        return fixture("govuk/collection.json").map_or_else(|| HttpResponse::NotFound().finish(), json);
    }
    let slug = path.rsplit('/').next().unwrap_or_default();
    fixture(&format!("govuk/doc-{slug}.json")).map_or_else(|| HttpResponse::NotFound().finish(), json)
}

async fn govuk_search(req: HttpRequest) -> HttpResponse {
    let start = req.query_string().split('&').find_map(|kv| kv.strip_prefix("start=")).unwrap_or("0");
    let page = match start {
        "0" => "govuk/search-page-0.json",
        "4" => "govuk/search-page-4.json",
        _ => "govuk/search-empty.json",
    };
    fixture(page).map_or_else(|| HttpResponse::NotFound().finish(), json)
}
