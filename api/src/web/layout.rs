//! The shell every page shares: `lang="en-GB"`, a skip link, the banner with the site's
//! navigation, one `main` landmark, and the footer with the licence and the dataset version.
//! Nothing is loaded from elsewhere: one stylesheet and one small script, both from `/assets`.

use maud::{DOCTYPE, Markup, html};
use schema::Dataset;

/// Where the stylesheet is served (by `assets`).
pub const STYLESHEET_PATH: &str = "/assets/site.css";
/// Where the script is served (by `assets`).
pub const SCRIPT_PATH: &str = "/assets/site.js";

/// What a page says about itself.
pub struct Page<'a> {
    /// The `<title>`, before " – lacs".
    pub title: &'a str,
    /// A one-line description for search engines and link previews.
    pub description: &'a str,
    /// The snapshot the page was made from (absent on error pages made outside a handler).
    pub dataset: Option<&'a Dataset>,
}

/// A whole HTML document around `main`.
pub fn document(page: &Page<'_>, main: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en-GB" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="description" content=(page.description);
                title { (page.title) " – lacs" }
                link rel="stylesheet" href=(STYLESHEET_PATH);
                script src=(SCRIPT_PATH) defer {}
            }
            body {
                a.skip href="#main" { "Skip to main content" }
                header.banner {
                    div.wrap {
                        a.brand href="/" { "lacs" }
                        span.tagline { "Children's services in England's councils: Ofsted and DfE, as open data" }
                        nav aria-label="Site" {
                            ul {
                                li { a href="/" { "Councils" } }
                                li { a href="/england" { "England" } }
                                li { a href="/docs/" { "API docs" } }
                                li { a href="/graphql" { "GraphiQL" } }
                                li { a href="/v1/datasets" { "Downloads" } }
                            }
                        }
                    }
                }
                main #main.wrap tabindex="-1" { (main) }
                footer.wrap {
                    p {
                        "Contains public sector information from Ofsted and the Department for Education, licensed under the "
                        a href="https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/" { "Open Government Licence v3.0" }
                        "."
                    }
                    @if let Some(ds) = page.dataset {
                        p { "Dataset version " (ds.version) ", last changed " (crate::words::date(ds.updated_at.date_naive())) ". "
                            a href="/v1/meta" { "Sources and freshness" } }
                    }
                }
            }
        }
    }
}
