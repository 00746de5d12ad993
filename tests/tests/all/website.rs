//! The website for people, over HTTP from the real binary: pages are well-formed, accessible
//! HTML that says what the API says, with the API's caching and bounded inputs, errors as pages
//! (the API's stay problem documents), and no broken internal link on any council's page.

use std::collections::{BTreeSet, HashMap};

use testkit::html::Html;
use testkit::{Contents, TestDb, TestServer, both_backends_async};

fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

async fn page(server: &TestServer, path: &str, status: u16) -> Html {
    let response = server.get(path).await;
    assert_eq!(response.status().as_u16(), status, "GET {path}");
    assert_eq!(response.headers()["content-type"], "text/html; charset=utf-8", "GET {path}");
    Html::parse(&response.text().await.unwrap())
}

fn assert_accessible(html: &Html, path: &str) {
    let problems = html.accessibility_problems();
    assert!(problems.is_empty(), "{path}:\n{}", problems.join("\n"));
}

/// The names in the council table's rows a person sees (rows not hidden).
fn visible_councils(html: &Html) -> Vec<String> {
    let rows: Vec<bool> =
        html.all("tr").filter(|r| r.attr("data-search").is_some()).map(|r| r.attr("hidden").is_none()).collect();
    let names: Vec<String> = html
        .all("th")
        .filter(|th| th.attr("data-sort-value").is_some() && th.ancestors.first().is_some_and(|a| a == "tr"))
        .map(|th| th.text.clone())
        .collect();
    assert_eq!(rows.len(), names.len(), "one name per row");
    names.into_iter().zip(rows).filter(|(_, shown)| *shown).map(|(n, _)| n).collect()
}

async fn api_names(server: &TestServer, query: &str) -> Vec<String> {
    let list = server.get_json(&format!("/v1/local-authorities?limit=500&{query}"), 200).await;
    list["data"].as_array().unwrap().iter().map(|la| la["name"].as_str().unwrap().to_owned()).collect()
}

both_backends_async! {
    async fn the_council_list_finds_filters_and_sorts_as_the_api_does(backend) {
        let db = TestDb::new(backend, Contents::Seeded);
        let server = TestServer::start(&db);
        let home = page(&server, "/", 200).await;
        assert_accessible(&home, "/");
        assert_eq!(visible_councils(&home), api_names(&server, "").await, "every current council, by name");
        for link in ["/docs/", "/graphql", "/v1/datasets"] {
            assert!(home.links().iter().any(|l| l == link), "the home page links to {link}");
        }
        for label in ["Find a council", "Region", "Latest overall grade", "DfE intervention"] {
            assert!(home.all("label").any(|l| l.text == label), "a control labelled {label}");
        }

        // Without JavaScript the form's GET filters on the server, with the API's meaning.
        let inadequate = page(&server, "/?q=&region=&rating=inadequate&intervention=", 200).await;
        let expected = api_names(&server, "rating=inadequate").await;
        assert!(!expected.is_empty());
        assert_eq!(visible_councils(&inadequate), expected);
        let london = page(&server, "/?region=London&intervention=none", 200).await;
        assert_eq!(visible_councils(&london), api_names(&server, "region=London&intervention=none").await);
        // Hidden rows stay in the page (the script filters them in place); the count says what shows.
        assert_eq!(home.all("tr").filter(|r| r.attr("data-search").is_some()).count(), visible_councils(&home).len());
        let count = inadequate.by_id("count").unwrap().text.clone();
        assert_eq!(count, format!("Showing {} of {} councils", expected.len(), visible_councils(&home).len()));

        // Sorted by the column links as the API sorts.
        let by_rating = page(&server, "/?sort=rating", 200).await;
        assert_eq!(visible_councils(&by_rating), api_names(&server, "sort=rating").await);
        let th = by_rating.all("th").find(|t| t.attr("data-sort") == Some("rating")).unwrap();
        assert_eq!(th.attr("aria-sort"), Some("ascending"));

        // Search: a whole code or slug goes to the council; part of a name lists the matches.
        let raw = no_redirects();
        for q in ["E06000039", "871", "slough", "  Slough "] {
            let r = raw.get(format!("{}/?q={}", server.base_url, q.replace(' ', "+"))).send().await.unwrap();
            assert_eq!(r.status(), 303, "q={q}");
            assert_eq!(r.headers()["location"], "/councils/slough", "q={q}");
        }
        let north = page(&server, "/?q=north", 200).await;
        let shown = visible_councils(&north);
        assert!(shown.len() >= 5 && shown.iter().all(|n| n.to_lowercase().contains("north")), "{shown:?}");
        // Former councils are found too, and say they were abolished.
        let former = page(&server, "/?q=northampton", 200).await;
        let note = former.all("div").find(|d| d.attr("class") == Some("banner-note")).expect("former councils listed");
        assert!(note.text.contains("Northamptonshire (abolished"), "{}", note.text);
    }
}

both_backends_async! {
    async fn a_council_page_tells_its_story_on_a_date(backend) {
        let db = TestDb::new(backend, Contents::Seeded);
        let server = TestServer::start(&db);
        let today = chrono::Utc::now().date_naive();
        let html = page(&server, "/councils/slough", 200).await;
        assert_accessible(&html, "/councils/slough");
        assert_eq!(html.first("h1").unwrap().text, "Slough");
        // One entry per timeline entry the API gives on the same day.
        let timeline = server.get_json(&format!("/v1/local-authorities/slough/timeline?limit=500&as_at={today}"), 200).await;
        let entries = html.all("li").filter(|li| li.ancestors.first().is_some_and(|a| a == "ol")).count();
        assert_eq!(entries, timeline["meta"]["total"].as_u64().unwrap() as usize);
        // Every inspection links to its report; every intervention states its status and reason.
        let inspections = server.get_json("/v1/local-authorities/slough/inspections?limit=500", 200).await;
        for i in inspections["data"].as_array().unwrap() {
            assert!(html.links().iter().any(|l| l == i["report_url"].as_str().unwrap()), "{}", i["id"]);
        }
        let interventions = server.get_json(&format!("/v1/local-authorities/slough/interventions?limit=500&as_at={today}"), 200).await;
        for i in interventions["data"].as_array().unwrap() {
            let li = html.by_id(&format!("intervention-{}", i["id"].as_str().unwrap())).expect("each intervention has its entry");
            assert!(li.text.contains(i["status_reason"].as_str().unwrap()), "{}: {}", i["id"], li.text);
        }
        // The failure tests with DfE's definitions, the badge with its embed code, the chart.
        for definition in ["more than once within five years", "inadequate on every judgement"] {
            assert!(html.all("p").any(|p| p.text.contains(definition)), "{definition}");
        }
        let embed = html.by_id("embed").unwrap();
        assert!(embed.text.contains(&format!("{}/v1/local-authorities/E06000039/badge.svg", server.base_url)), "{}", embed.text);
        assert!(html.all("img").any(|i| i.attr("src") == Some("/v1/local-authorities/E06000039/timeline.svg")));
        for format in ["/timeline?format=csv", "/feed.atom", "/inspections?format=csv"] {
            let link = format!("/v1/local-authorities/E06000039{format}");
            assert!(html.links().contains(&link), "{link}");
        }

        // As it stood on a day: the status and story of then, as the API gives them.
        let past = page(&server, "/councils/slough?as_at=2015-06-01", 200).await;
        assert_accessible(&past, "/councils/slough?as_at=2015-06-01");
        assert_eq!(past.by_id("summary").unwrap().text, "On 1 June 2015");
        let then = server.get_json("/v1/local-authorities/slough?as_at=2015-06-01", 200).await;
        let grade = then["status"]["latest_grades"]["overall_effectiveness"].as_str().unwrap().replace('_', " ");
        let dd = past.all("dd").next().unwrap();
        assert!(dd.text.to_lowercase().starts_with(&grade), "{grade} in {}", dd.text);
        let published: Vec<&str> = past.all("time").filter_map(|t| t.attr("datetime")).collect();
        assert!(!published.is_empty() && published.iter().all(|d| *d <= "2015-06-01"), "{published:?}");
        assert_eq!(past.by_id("as_at").unwrap().attr("value"), Some("2015-06-01"));

        // Any code answers at the slug's address, keeping the date.
        let raw = no_redirects();
        let r = raw.get(format!("{}/councils/871?as_at=2015-06-01", server.base_url)).send().await.unwrap();
        assert_eq!(r.status(), 308);
        assert_eq!(r.headers()["location"], "/councils/slough?as_at=2015-06-01");

        // The same ETag and 304 as the API, HEAD too; the response cache serves it again.
        let first = server.get("/councils/slough").await;
        let etag = first.headers()["etag"].to_str().unwrap().to_owned();
        assert!(first.headers()["cache-control"].to_str().unwrap().contains("max-age"));
        let again = server.client.get(format!("{}/councils/slough", server.base_url)).header("if-none-match", &etag).send().await.unwrap();
        assert_eq!(again.status(), 304);
        let head = server.client.head(format!("{}/councils/slough", server.base_url)).send().await.unwrap();
        assert_eq!(head.status(), 200);
        assert_eq!(head.headers()["etag"].to_str().unwrap(), etag);
    }
}

both_backends_async! {
    async fn errors_are_pages_for_people_and_problems_for_the_api(backend) {
        let db = TestDb::new(backend, Contents::Seeded);
        let server = TestServer::start(&db);
        // An unknown council: a 404 page that offers the search, with what it finds.
        let missing = page(&server, "/councils/northampton", 404).await;
        assert_accessible(&missing, "/councils/northampton");
        let suggestions: Vec<&str> = missing.all("a").filter(|a| a.attr("href").is_some_and(|h| h.starts_with("/councils/"))).map(|a| a.text.as_str()).collect();
        assert!(suggestions.contains(&"North Northamptonshire") && suggestions.contains(&"West Northamptonshire"), "{suggestions:?}");
        assert_eq!(missing.by_id("q").unwrap().attr("value"), Some("northampton"));

        // Bounded inputs, each refused with a page naming what to change.
        let long = "x".repeat(101);
        for (path, parameter) in [
            ("/councils/slough?as_at=2015-13-01", "as_at"),
            ("/councils/slough?as_at=1999-12-31", "as_at"),
            ("/councils/slough?colour=red", "colour"),
            (&*format!("/?q={long}"), "q"),
            ("/?rating=brilliant", "rating"),
            ("/?region=Atlantis", "region"),
            ("/?sort=colour", "sort"),
            ("/england?as_at=tomorrow", "as_at"),
            ("/regions/south-west?as_at=2015-02-30", "as_at"),
        ] {
            let html = page(&server, path, 400).await;
            assert_accessible(&html, path);
            assert!(html.all("code").any(|c| c.text == parameter), "{path} names {parameter}");
        }
        page(&server, "/regions/atlantis", 404).await;
        page(&server, "/assets/missing.js", 404).await;

        // Other layers' errors on a page's path are pages too, with the headers that explain them.
        let post = server.client.post(format!("{}/", server.base_url)).send().await.unwrap();
        assert_eq!(post.status(), 405);
        assert_eq!(post.headers()["content-type"], "text/html; charset=utf-8");
        assert_eq!(post.headers()["allow"], "GET, HEAD");
        let too_long = server.get(&format!("/councils/{}", "a".repeat(3000))).await;
        assert_eq!(too_long.status(), 414);
        assert_eq!(too_long.headers()["content-type"], "text/html; charset=utf-8");

        // The API is as it was: problem documents.
        for path in ["/v1/local-authorities/northampton", "/v1/nothing-here", "/nothing-here"] {
            let r = server.get(path).await;
            assert_eq!(r.status(), 404, "{path}");
            assert_eq!(r.headers()["content-type"], "application/problem+json", "{path}");
        }
    }
}

both_backends_async! {
    async fn a_rate_limited_person_gets_a_page_that_says_when_to_come_back(backend) {
        let db = TestDb::new(backend, Contents::Seeded);
        let server = TestServer::start_with(&db, &[("LACS_RATE_LIMIT", "1"), ("LACS_RATE_LIMIT_BURST", "1")]);
        assert_eq!(server.get("/").await.status(), 200);
        let refused = server.get("/").await;
        assert_eq!(refused.status(), 429);
        assert_eq!(refused.headers()["content-type"], "text/html; charset=utf-8");
        assert!(refused.headers().contains_key("retry-after") && refused.headers().contains_key("ratelimit-limit"));
        let api = server.get("/v1/meta").await;
        assert_eq!(api.headers()["content-type"], "application/problem+json");
    }
}

both_backends_async! {
    async fn the_england_and_region_pages_count_as_the_stats_do(backend) {
        let db = TestDb::new(backend, Contents::Seeded);
        let server = TestServer::start(&db);
        let england = page(&server, "/england?as_at=2024-03-31", 200).await;
        assert_accessible(&england, "/england");
        let stats = server.get_json("/v1/stats/ratings?as_at=2024-03-31", 200).await;
        let group = &stats["groups"][0];
        // The councils in each cell, as the stats list them.
        for cell in group["grades"].as_array().unwrap() {
            let count = cell["count"].as_u64().unwrap();
            let heading = format!("{count} of {} inspected", group["inspected"]);
            assert!(england.all("h3").any(|h| h.text.contains(&heading)), "a cell of {heading}");
        }
        // Cumberland and Westmorland and Furness, not yet inspected on 31 March 2024, are listed apart.
        assert_eq!(group["not_yet_inspected"].as_array().unwrap().len(), 2);
        assert!(england.all("h3").any(|h| h.text == "Not yet inspected: 2"));
        assert!(england.all("p").any(|p| p.text.contains("as Ofsted's official statistics count")), "the page says which basis it counts on");
        // The chart's last bar is the day asked for, in the table too.
        let svg = england.first("svg").unwrap();
        assert_eq!(svg.attr("role"), Some("img"));
        let last_row = england.all("tr").filter(|r| r.text.starts_with("31 March 2024")).count();
        assert_eq!(last_row, 1, "31 March 2024 is one row of the table");

        let regions = server.get_json("/v1/stats/ratings?as_at=2024-03-31&by=region", 200).await;
        let south_west = regions["groups"].as_array().unwrap().iter().find(|g| g["label"] == "South West").unwrap();
        let region = page(&server, "/regions/south-west?as_at=2024-03-31", 200).await;
        assert_accessible(&region, "/regions/south-west");
        assert_eq!(region.first("h1").unwrap().text, "Ratings in South West");
        let listed = region.all("a").filter(|a| a.ancestors.get(1).is_some_and(|u| u == "ul") && a.attr("href").is_some_and(|h| h.starts_with("/councils/"))).count();
        assert_eq!(listed as u64, south_west["total"].as_u64().unwrap());
    }
}

both_backends_async! {
    async fn every_council_page_is_accessible_and_no_internal_link_is_broken(backend) {
        let db = TestDb::new(backend, Contents::Seeded);
        let server = TestServer::start(&db);
        let all = server.get_json("/v1/local-authorities?status=all&limit=500", 200).await;
        let mut pages: Vec<String> = all["data"].as_array().unwrap().iter().map(|la| format!("/councils/{}", la["slug"].as_str().unwrap())).collect();
        pages.extend(["/".to_owned(), "/england".to_owned(), "/councils/slough?as_at=2016-01-01".to_owned()]);
        assert!(pages.len() > 150);
        let mut links: BTreeSet<String> = BTreeSet::new();
        let mut seen_regions = BTreeSet::new();
        let mut i = 0;
        while i < pages.len() {
            let path = pages[i].clone();
            i += 1;
            let html = page(&server, &path, 200).await;
            assert_accessible(&html, &path);
            let ids: std::collections::HashSet<&str> = html.elements.iter().filter_map(|e| e.attr("id")).collect();
            for link in html.links() {
                if let Some(fragment) = link.strip_prefix('#') {
                    assert!(ids.contains(fragment), "{path}: #{fragment} names nothing on the page");
                } else if link.starts_with('/') {
                    let target = link.split('#').next().unwrap().to_owned();
                    if target.starts_with("/regions/") && seen_regions.insert(target.clone()) {
                        pages.push(target.clone());
                    }
                    links.insert(target);
                }
            }
        }
        assert!(seen_regions.len() >= 9, "{seen_regions:?}");
        // Each council page links to its own JSON, CSV, feed, badge and chart, and its neighbours.
        assert!(links.len() > 8 * 150, "{} internal links", links.len());
        let mut broken: HashMap<String, u16> = HashMap::new();
        for link in &links {
            let status = server.get(link).await.status().as_u16();
            if status != 200 {
                broken.insert(link.clone(), status);
            }
        }
        assert!(broken.is_empty(), "{} of {} internal links are broken: {broken:?}", broken.len(), links.len());
    }
}

#[test]
fn the_html_checks_find_what_they_look_for() {
    let broken = Html::parse(
        "<html><head></head><body><h1>A</h1><h3>Skipped</h3><img src=x.png><input name=q><svg></svg><p id=a></p><p id=a><a href=/x></a></body></html>",
    );
    let problems = broken.accessibility_problems().join("\n");
    for expected in [
        "HTML parse error",
        "lang=\"en-GB\"",
        "no <title>",
        "<main>",
        "h3 follows h1",
        "has no label",
        "has no alt text",
        "no <title>",
        "used twice",
        "has no text",
    ] {
        assert!(problems.contains(expected), "{expected} not found in:\n{problems}");
    }
}
