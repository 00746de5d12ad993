//! The website in a real headless Chromium, used as a person would: type in the search box and
//! watch the list narrow, submit, click through to a council, pick a date and press Show, sort
//! by a column; each step asserts what is on screen against what the API says. With
//! `LACS_SCREENSHOTS=<dir>` it also saves the screenshots the README shows (`scripts/screenshots`).

use chromiumoxide::cdp::browser_protocol::emulation::SetScriptExecutionDisabledParams;
use testkit::browser::{Chromium, eval, screenshot, text, type_date, wait_until, within};
use testkit::html::Html;
use testkit::{Contents, TestDb, TestServer, both_backends_async};

/// How long one browser test may take.
const BROWSER_TEST_BUDGET: std::time::Duration = std::time::Duration::from_secs(180);

/// The names in the rows a person sees.
const VISIBLE_ROWS: &str = "Array.from(document.querySelectorAll('#councils tbody tr')).filter(r => !r.hidden).map(r => r.cells[0].innerText.trim())";

async fn loaded(page: &chromiumoxide::Page, path: &str) {
    wait_until(
        page,
        &format!("location.pathname + location.search === {path:?} && document.readyState === 'complete'"),
    )
    .await;
}

fn shots() -> Option<std::path::PathBuf> {
    let dir = std::path::PathBuf::from(std::env::var_os("LACS_SCREENSHOTS")?);
    let dir =
        if dir.is_relative() { std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(dir) } else { dir };
    std::fs::create_dir_all(&dir).unwrap();
    Some(dir)
}

both_backends_async! {
    async fn a_person_finds_a_council_and_sees_it_as_it_stood_on_a_day(backend) {
        // A stuck browser fails the test instead of holding the build queue.
        tokio::time::timeout(BROWSER_TEST_BUDGET, async move {
            let db = TestDb::new(backend, Contents::Seeded);
            let server = TestServer::start(&db);
            let total = server.get_json("/v1/local-authorities?limit=1", 200).await["meta"]["total"].as_u64().unwrap();
            let chromium = Chromium::launch().await;

            // The list, whole.
            let page = chromium.open(&format!("{}/", server.base_url)).await;
            assert_eq!(text(&page, "h1").await, "Children's services in every English council");
            assert_eq!(text(&page, "#count").await, format!("Showing {total} of {total} councils"));
            if let Some(dir) = shots() {
                screenshot(&page, &dir.join("home.png")).await;
            }

            // Typing narrows the list in place, and the address follows.
            page.find_element("#q").await.unwrap().click().await.unwrap().type_str("slou").await.unwrap();
            wait_until(&page, &format!("document.getElementById('count').textContent === 'Showing 1 of {total} councils'")).await;
            assert_eq!(eval(&page, VISIBLE_ROWS).await, serde_json::json!(["Slough"]));
            assert_eq!(eval(&page, "location.search").await, "?q=slou");

            // Enter submits the search; the server's answer lists the same council; a click opens it.
            page.find_element("#q").await.unwrap().press_key("Enter").await.unwrap();
            // A form sends its empty choices too.
            loaded(&page, "/?q=slou&region=&rating=&intervention=").await;
            assert_eq!(eval(&page, VISIBLE_ROWS).await, serde_json::json!(["Slough"]));
            page.find_element("#councils tbody tr:not([hidden]) a").await.unwrap().click().await.unwrap();
            loaded(&page, "/councils/slough").await;
            assert_eq!(text(&page, "h1").await, "Slough");
            assert_eq!(text(&page, "#summary").await, "Today");
            if let Some(dir) = shots() {
                screenshot(&page, &dir.join("council.png")).await;
            }

            // A day typed into the date picker, and Show.
            let day = chrono::NaiveDate::from_ymd_opt(2015, 6, 1).unwrap();
            type_date(&page, "#as_at", day).await;
            assert_eq!(eval(&page, "document.getElementById('as_at').value").await, "2015-06-01");
            page.find_element("form.as-at button").await.unwrap().click().await.unwrap();
            loaded(&page, "/councils/slough?as_at=2015-06-01").await;
            assert_eq!(text(&page, "#summary").await, "On 1 June 2015");
            let then = server.get_json("/v1/local-authorities/slough?as_at=2015-06-01", 200).await;
            let grade = then["status"]["latest_grades"]["overall_effectiveness"].as_str().unwrap().replace('_', " ");
            let shown = text(&page, "dl.facts dd").await.to_lowercase();
            assert!(shown.starts_with(&grade), "the page shows {shown:?}, the API says {grade}");
            let later = eval(&page, "Array.from(document.querySelectorAll('.story time')).map(t => t.getAttribute('datetime')).filter(d => d > '2015-06-01').length").await;
            assert_eq!(later, 0, "nothing published after the day is shown");

            // Sorting by a column in place: best grade first, as the API sorts.
            page.goto(format!("{}/", server.base_url)).await.unwrap();
            loaded(&page, "/").await;
            page.find_element("th[data-sort=rating] a").await.unwrap().click().await.unwrap();
            wait_until(&page, "document.querySelector('th[data-sort=rating]').getAttribute('aria-sort') === 'ascending'").await;
            let sorted = server.get_json("/v1/local-authorities?sort=rating&limit=500", 200).await;
            let first: Vec<&str> = sorted["data"].as_array().unwrap().iter().take(5).map(|la| la["name"].as_str().unwrap()).collect();
            let on_screen = eval(&page, &format!("{VISIBLE_ROWS}.slice(0, 5)")).await;
            assert_eq!(on_screen, serde_json::json!(first));
            assert_eq!(eval(&page, "location.search").await, "?sort=rating");

            // England's chart is drawn, with the figures beside it.
            page.goto(format!("{}/england", server.base_url)).await.unwrap();
            loaded(&page, "/england").await;
            let width = eval(&page, "document.querySelector('svg.chart').getBoundingClientRect().width").await;
            assert!(width.as_f64().unwrap() > 300.0, "the chart is drawn: {width}");
            assert_eq!(text(&page, "h1").await, "Ratings in England");
            if let Some(dir) = shots() {
                screenshot(&page, &dir.join("england.png")).await;
            }
        })
        .await
        .expect("the browser test finishes within its budget");
    }
}

both_backends_async! {
    async fn without_javascript_the_form_and_the_column_links_still_work(backend) {
        // A stuck browser fails the test instead of holding the build queue.
        tokio::time::timeout(BROWSER_TEST_BUDGET, async move {
            let db = TestDb::new(backend, Contents::Seeded);
            let server = TestServer::start(&db);
            let chromium = Chromium::launch().await;
            let page = chromium.open("about:blank").await;
            within("disabling scripts", page.execute(SetScriptExecutionDisabledParams::new(true))).await.unwrap();
            within("opening /", page.goto(format!("{}/", server.base_url))).await.unwrap();
            // With the keyboard only: choose a region, move to Search and press Enter.
            let region = within("finding the region", page.find_element("#region")).await.unwrap();
            within("choosing London", async { region.focus().await?.type_str("London").await.map(|_| ()) }).await.unwrap();
            let search = within("finding Search", page.find_element("#filters button")).await.unwrap();
            within("pressing Search", async { search.focus().await?.press_key("Enter").await.map(|_| ()) }).await.unwrap();
            wait_until(&page, "location.search.includes('region=') && document.readyState === 'complete'").await;
            let url = within("reading the address", page.url()).await.unwrap().unwrap_or_default();
            // The form's own GET (the script would only have rewritten the address, without `q=`).
            assert!(url.ends_with("/?q=&region=E12000007&rating=&intervention="), "{url}");
            // The server answered: the rows shown are London's, as the API lists them.
            let html = Html::parse(&within("reading the page", page.content()).await.unwrap());
            let shown: Vec<String> = html
                .all("tr")
                .filter(|r| r.attr("data-region").is_some() && r.attr("hidden").is_none())
                .map(|r| r.attr("data-region").unwrap().to_owned())
                .collect();
            let london = server.get_json("/v1/local-authorities?region=London&limit=500", 200).await;
            assert_eq!(shown.len(), london["data"].as_array().unwrap().len());
            assert!(shown.iter().all(|r| r == "E12000007"));

            // A column's link asks the server to sort, keeping the region.
            let column = within("finding the grade column", page.find_element("th[data-sort=rating] a")).await.unwrap();
            within("following it", async { column.focus().await?.press_key("Enter").await.map(|_| ()) }).await.unwrap();
            wait_until(&page, "location.search.includes('sort=') && document.readyState === 'complete'").await;
            let url = within("reading the address", page.url()).await.unwrap().unwrap_or_default();
            assert!(url.contains("region=E12000007") && url.ends_with("sort=rating"), "{url}");
            let html = Html::parse(&within("reading the page", page.content()).await.unwrap());
            let names: Vec<String> = html
                .all("th")
                .filter(|th| th.attr("data-sort-value").is_some() && th.ancestors.first().is_some_and(|a| a == "tr"))
                .zip(html.all("tr").filter(|r| r.attr("data-region").is_some()))
                .filter(|(_, row)| row.attr("hidden").is_none())
                .map(|(th, _)| th.text.clone())
                .collect();
            let sorted = server.get_json("/v1/local-authorities?region=London&sort=rating&limit=500", 200).await;
            let expected: Vec<&str> = sorted["data"].as_array().unwrap().iter().map(|la| la["name"].as_str().unwrap()).collect();
            assert_eq!(names, expected);
        })
        .await
        .expect("the browser test finishes within its budget");
    }
}
