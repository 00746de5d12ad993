//! Indicators end to end on each backend: the figures the API serves compared cell by cell with
//! the bundled files (read here with the csv crate, independently of lacs's reader), the
//! comparisons (England, region, neighbours' median), suppressions, `as_at`, sorting, CSV,
//! problems, ETags, GraphQL and the change feed.

use std::collections::HashMap;
use std::path::PathBuf;

use serde_json::{Value, json};
use testkit::{Contents, TestDb, TestServer, both_backends_async};

fn context_file(name: &str) -> Vec<HashMap<String, String>> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../data/seed/context").join(name);
    let bytes = std::fs::read(&path).unwrap();
    let text = bytes.strip_prefix(b"\xEF\xBB\xBF".as_slice()).unwrap_or(&bytes);
    let mut reader = csv::Reader::from_reader(text);
    let headers: Vec<String> = reader.headers().unwrap().iter().map(str::to_owned).collect();
    reader.records().map(|r| headers.iter().cloned().zip(r.unwrap().iter().map(str::to_owned)).collect()).collect()
}

/// The API's CSV for one indicator and period: GSS code → (value, suppressed).
async fn served(server: &TestServer, indicator: &str, period: &str) -> HashMap<String, (String, String)> {
    let text =
        server.get(&format!("/v1/indicators/{indicator}?period={period}&format=csv")).await.text().await.unwrap();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    reader.records().map(|r| r.unwrap()).map(|r| (r[0].to_owned(), (r[3].to_owned(), r[4].to_owned()))).collect()
}

/// The code of a file row's council's current record, as the API names it: a former code answers
/// with a pointer at it; lacs matches on the GSS code, then on the DfE code the file gives.
async fn current_code(
    server: &TestServer,
    known: &mut HashMap<String, String>,
    row: &HashMap<String, String>,
) -> String {
    let code = &row["new_la_code"];
    if let Some(gss) = known.get(code) {
        return gss.clone();
    }
    let mut r = server.get(&format!("/v1/local-authorities/{code}")).await;
    if r.status() == 404 {
        r = server.get(&format!("/v1/local-authorities/{}", row.get("old_la_code").map_or("", String::as_str))).await;
    }
    let gss = match r.headers().get("location") {
        Some(to) => to.to_str().unwrap().rsplit('/').next().unwrap().to_owned(),
        None => r.json::<Value>().await.unwrap()["gss_code"].as_str().unwrap().to_owned(),
    };
    known.insert(code.clone(), gss.clone());
    gss
}

/// The file's figure as the API should state it: (value, suppressed).
fn expected(cell: &str) -> (String, String) {
    let number = cell.replace(',', "");
    if number.parse::<f64>().is_ok() { (number, String::new()) } else { (String::new(), cell.to_owned()) }
}

both_backends_async! {
    /// Whole periods of several indicators, every council, compared with the files cell by cell.
    async fn figures_match_the_files_cell_by_cell(backend) {
        let db = TestDb::new(backend, Contents::Seeded);
        let server = TestServer::start(&db);
        let samples = [
            ("csww_indicators_2017_to_2025.csv", "agency_worker_rate", "agency_rate_fte", "2019", None),
            ("csww_indicators_2017_to_2025.csv", "social_worker_turnover_rate", "turnover_rate_fte", "2024", None),
            ("csww_indicators_2017_to_2025.csv", "social_worker_absence_rate", "absence_rate_fte", "2023", None),
            ("cla_number_and_rate_per_10k_children.csv", "children_looked_after_rate", "rate_per_10000", "2025",
                Some(("population_type", "Children looked after on 31 March each year"))),
            ("b1_children_in_need_2013_to_2025.csv", "children_in_need", "At31_episodes", "2014", None),
            ("c1_children_in_need_referrals_and_rereferrals_2013_to_2025.csv", "rereferral_rate", "rereferral_percent", "2021", None),
            ("ro3_2024-25.csv", "csc_spend_looked_after", "RO3-csclkd-net-cur-exp", "2024-25", None),
            ("cla_number_and_rate_per_10k_children.csv", "child_population", "population_estimate", "2024",
                Some(("population_type", "Children looked after on 31 March each year"))),
        ];
        let mut compared = 0;
        let mut suppressed = 0;
        let mut current: HashMap<String, String> = HashMap::new();
        for (file, indicator, column, period, filter) in samples {
            let api = served(&server, indicator, period).await;
            let time_period = period.replace('-', "");
            for row in context_file(file) {
                let code = &row["new_la_code"];
                if row["time_period"] != time_period
                    || row["geographic_level"] != "Local authority"
                    || filter.is_some_and(|(c, v)| row[c] != v)
                    || code.contains(" / ")
                {
                    continue;
                }
                let code = current_code(&server, &mut current, &row).await;
                let got = api.get(&code).unwrap_or_else(|| panic!("{indicator} {period}: no figure for {code}"));
                assert_eq!(got, &expected(&row[column]), "{file} {indicator} {period} {code}");
                compared += 1;
                suppressed += usize::from(!got.1.is_empty());
            }
        }
        assert!(compared > 900, "{compared} figures compared");
        assert!(suppressed > 0, "the sample includes suppressed figures");
    }
}

both_backends_async! {
    /// Spending per child for every council in both RO3 years, computed here from the two files:
    /// the year's net current expenditure (£ thousand) over the population of the year to the
    /// 31 March the financial year ends, in whole pounds; a suppressed spend stays suppressed.
    async fn spend_per_child_is_spend_over_the_population_of_the_year_it_ends(backend) {
        let db = TestDb::new(backend, Contents::Seeded);
        let server = TestServer::start(&db);
        let population: HashMap<(String, String), f64> = context_file("cla_number_and_rate_per_10k_children.csv")
            .into_iter()
            .filter(|r| r["geographic_level"] == "Local authority" && r["population_type"] == "Children looked after on 31 March each year")
            .filter_map(|r| Some(((r["new_la_code"].clone(), r["time_period"].clone()), r["population_estimate"].parse().ok()?)))
            .collect();
        let mut current = HashMap::new();
        let mut computed = 0;
        let mut suppressed = 0;
        for (file, period, year) in [("ro3_2023-24.csv", "2023-24", "2024"), ("ro3_2024-25.csv", "2024-25", "2025")] {
            let api = served(&server, "csc_spend_per_child", period).await;
            for row in context_file(file) {
                let Some(people) = population.get(&(row["new_la_code"].clone(), year.to_owned())) else { continue };
                let code = current_code(&server, &mut current, &row).await;
                let got = api.get(&code).unwrap_or_else(|| panic!("{period}: no figure for {code}"));
                let spend = &row["RO3-csctot-net-cur-exp"];
                let want = match spend.parse::<f64>() {
                    Ok(thousands) => (format!("{:.0}", thousands * 1000.0 / people), String::new()),
                    Err(_) => (String::new(), spend.clone()),
                };
                assert_eq!(got, &want, "{period} {code}");
                computed += 1;
                suppressed += usize::from(!want.1.is_empty());
            }
        }
        assert!(computed > 290, "{computed} figures computed");
        assert!(suppressed > 0, "the sample includes suppressed spending");
        let catalogue = server.get_json("/v1/indicators", 200).await;
        let entry = catalogue["data"].as_array().unwrap().iter().find(|i| i["id"] == "csc_spend_per_child").unwrap();
        assert_eq!(entry["unit"], "gbp");
        assert!(entry["definition"].as_str().unwrap().contains("child_population"), "{entry}");
    }
}

both_backends_async! {
    /// A council's series: its figures, England's, its region's and its neighbours' median.
    async fn a_council_series_has_its_comparisons(backend) {
        let db = TestDb::new(backend, Contents::Seeded);
        let server = TestServer::start(&db);
        let body = server.get_json("/v1/local-authorities/slough/indicators?indicator=agency_worker_rate&from=2019&to=2021", 200).await;
        let series = &body["data"][0]["series"];
        let periods: Vec<&str> = series.as_array().unwrap().iter().map(|p| p["period"].as_str().unwrap()).collect();
        assert_eq!(periods, ["2019", "2020", "2021"]);
        let rows = context_file("csww_indicators_2017_to_2025.csv");
        let find = |level: &str, key: &str, code: &str| {
            rows.iter()
                .find(|r| r["time_period"] == "2020" && r["geographic_level"] == level && r[key] == code)
                .map(|r| r["agency_rate_fte"].parse::<f64>().unwrap())
                .unwrap()
        };
        let p = &series[1];
        assert_eq!(p["value"].as_f64(), Some(find("Local authority", "new_la_code", "E06000039")));
        assert_eq!(p["england"]["value"].as_f64(), Some(find("National", "country_code", "E92000001")));
        assert_eq!(p["region"]["code"], "E12000008");
        assert_eq!(p["region"]["value"].as_f64(), Some(find("Regional", "region_code", "E12000008")));
        // The neighbours' median, computed here from the file and the council's neighbour list.
        let la = server.get_json("/v1/local-authorities/slough", 200).await;
        let mut numbers: Vec<f64> = la["statistical_neighbours"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|n| n["gss_code"].as_str())
            .filter_map(|gss| rows.iter().find(|r| r["time_period"] == "2020" && r["new_la_code"] == gss))
            .filter_map(|r| r["agency_rate_fte"].parse::<f64>().ok())
            .collect();
        numbers.sort_by(f64::total_cmp);
        let n = numbers.len();
        assert!(n >= 5, "{n} neighbours with figures");
        let median = if n % 2 == 1 { numbers[n / 2] } else { (numbers[n / 2 - 1] + numbers[n / 2]) / 2.0 };
        assert!((p["statistical_neighbours"]["median"].as_f64().unwrap() - median).abs() < 1e-9, "{p}");
        assert_eq!(p["statistical_neighbours"]["used"], n);
        assert_eq!(p["provenance"]["sha256"], "9e058bac193cc5b03f0d21ebe4259c8935d236dbf59f09d90b3e0916bfbca95f");
        // The seed's files do not say when each period was first published: as_at leaves them out and says so.
        let body = server.get_json("/v1/local-authorities/slough/indicators?indicator=agency_worker_rate&as_at=2026-01-01", 200).await;
        assert_eq!(body["data"][0]["series"].as_array().unwrap().len(), 0);
        assert_eq!(body["data"][0]["unknown_publication"], 9);
        // CSV: one row per period.
        let csv = server.get("/v1/local-authorities/E06000039/indicators?indicator=agency_worker_rate,csc_spend_total&format=csv").await.text().await.unwrap();
        assert!(csv.starts_with("indicator,unit,period,value,suppressed,reason"), "{csv}");
        assert_eq!(csv.lines().filter(|l| l.starts_with("agency_worker_rate,")).count(), 9);
        assert_eq!(csv.lines().filter(|l| l.starts_with("csc_spend_total,")).count(), 2);
    }
}

both_backends_async! {
    /// Suppressed figures are null with the symbol and its meaning; sorting puts them last.
    async fn suppressed_figures_are_never_zero(backend) {
        let db = TestDb::new(backend, Contents::Seeded);
        let server = TestServer::start(&db);
        // A suppressed cell of the file, found here rather than written into the test.
        let rows = context_file("csww_indicators_2017_to_2025.csv");
        let row = rows
            .iter()
            .find(|r| r["geographic_level"] == "Local authority" && r["agency_rate_fte"] == "x" && !r["new_la_code"].contains(" / "))
            .unwrap();
        let (period, code) = (&row["time_period"], &row["new_la_code"]);
        for sort in ["value", "-value"] {
            let body = server.get_json(&format!("/v1/indicators/agency_worker_rate?period={period}&sort={sort}&limit=500"), 200).await;
            let data = body["data"].as_array().unwrap();
            let last = data.last().unwrap();
            assert!(last["value"].is_null(), "suppressed last for {sort}");
            let it = data.iter().find(|f| f["local_authority"]["gss_code"] == code.as_str()).unwrap();
            assert!(it["value"].is_null());
            assert_eq!(it["suppressed"], "x");
            assert!(it["reason"].as_str().unwrap().contains("not available"));
            let numbers: Vec<f64> = data.iter().filter_map(|f| f["value"].as_f64()).collect();
            let mut sorted = numbers.clone();
            sorted.sort_by(f64::total_cmp);
            if sort == "-value" {
                sorted.reverse();
            }
            assert_eq!(numbers, sorted);
        }
        // Each council's latest grade comes with its figure.
        let body = server.get_json("/v1/indicators/social_worker_turnover_rate?period=2024&limit=500", 200).await;
        let graded = body["data"].as_array().unwrap().iter().filter(|f| f["latest_inspection"]["overall_effectiveness"].is_string()).count();
        assert!(graded > 100, "{graded}");
    }
}

both_backends_async! {
    /// The endpoints behave like every other: problems, 404s, ETags, limits, the catalogue.
    async fn indicator_endpoints_follow_the_conventions(backend) {
        let db = TestDb::new(backend, Contents::Seeded);
        let server = TestServer::start(&db);
        for (path, parameter) in [
            ("/v1/indicators?colour=red", "colour"),
            ("/v1/indicators/vacancy_rate?period=1999", "period"),
            ("/v1/indicators/vacancy_rate?sort=colour", "sort"),
            ("/v1/indicators/vacancy_rate?limit=501", "limit"),
            ("/v1/local-authorities/slough/indicators?indicator=nope", "indicator"),
            ("/v1/local-authorities/slough/indicators?from=20x9", "from"),
            ("/v1/local-authorities/slough/indicators?from=2024&to=2020", "from"),
            ("/v1/local-authorities/slough/indicators?as_at=tomorrow", "as_at"),
        ] {
            let r = server.get(path).await;
            assert_eq!(r.status(), 400, "{path}");
            assert_eq!(r.headers()["content-type"], "application/problem+json", "{path}");
            let body: Value = r.json().await.unwrap();
            assert_eq!(body["parameter"], parameter, "{path}: {body}");
        }
        assert_eq!(server.get("/v1/indicators/nope").await.status(), 404);
        assert_eq!(server.get("/v1/local-authorities/nowhere/indicators").await.status(), 404);
        let r = server.get("/v1/indicators/vacancy_rate").await;
        let etag = r.headers()["etag"].to_str().unwrap().to_owned();
        let again = server.client.get(format!("{}/v1/indicators/vacancy_rate", server.base_url)).header("If-None-Match", &etag).send().await.unwrap();
        assert_eq!(again.status(), 304);
        let catalogue = server.get_json("/v1/indicators", 200).await;
        let ids: Vec<&str> = catalogue["data"].as_array().unwrap().iter().map(|i| i["id"].as_str().unwrap()).collect();
        for id in ["social_worker_turnover_rate", "agency_worker_rate", "vacancy_rate", "caseload_average",
                   "children_looked_after_rate", "csc_spend_total", "csc_spend_looked_after"] {
            assert!(ids.contains(&id), "{id}");
        }
        let page = server.get_json("/v1/indicators/vacancy_rate?limit=2", 200).await;
        assert_eq!(page["data"].as_array().unwrap().len(), 2);
        let next = page["links"]["next"].as_str().unwrap();
        let second = server.get_json(next, 200).await;
        assert_ne!(second["data"][0]["local_authority"], page["data"][0]["local_authority"]);
        assert!(page["meta"]["total"].as_u64().unwrap() > 140);
    }
}

both_backends_async! {
    /// GraphQL answers from the same query layer as REST; the change feed announced each period.
    async fn graphql_and_the_change_feed(backend) {
        let db = TestDb::new(backend, Contents::Seeded);
        let server = TestServer::start(&db);
        let query = r#"{ localAuthority(id: "slough") { indicators(ids: ["agency_worker_rate"], from: "2020", to: "2020") {
              indicator { id unit } points { period figure { value valueText suppressed } england { value } neighbourMedian } } }
            indicator(id: "vacancy_rate") { periods values(period: "2024", first: 3, orderBy: VALUE, direction: DESC) { totalCount edges { node { localAuthority { gssCode } figure { value } } } } } }"#;
        let r = server.client.post(format!("{}/graphql", server.base_url)).json(&json!({ "query": query })).send().await.unwrap();
        let body: Value = r.json().await.unwrap();
        assert!(body.get("errors").is_none(), "{body}");
        let rest = server.get_json("/v1/local-authorities/slough/indicators?indicator=agency_worker_rate&from=2020&to=2020", 200).await;
        let point = &body["data"]["localAuthority"]["indicators"][0]["points"][0];
        assert_eq!(point["figure"]["value"], rest["data"][0]["series"][0]["value"]);
        assert_eq!(point["england"]["value"], rest["data"][0]["series"][0]["england"]["value"]);
        assert_eq!(point["neighbourMedian"], rest["data"][0]["series"][0]["statistical_neighbours"]["median"]);
        let top = server.get_json("/v1/indicators/vacancy_rate?period=2024&sort=-value&limit=3", 200).await;
        let gql_top: Vec<&Value> = body["data"]["indicator"]["values"]["edges"].as_array().unwrap().iter().map(|e| &e["node"]["localAuthority"]["gssCode"]).collect();
        let rest_top: Vec<&Value> = top["data"].as_array().unwrap().iter().map(|f| &f["local_authority"]["gss_code"]).collect();
        assert_eq!(gql_top, rest_top);
        // The seed import published each indicator's periods once, as typed events.
        let feed = server.get_json("/v1/changes?event=indicator.period_published&limit=500", 200).await;
        let events = feed["data"].as_array().unwrap();
        assert!(events.iter().any(|e| e["record_id"] == "agency_worker_rate/2025" && e["href"] == "/v1/indicators/agency_worker_rate?period=2025"), "{feed}");
        assert!(events.len() >= 100, "{}", events.len());
    }
}

/// Section 251 outturn: each year's lines, written here from the six upstream files (number and
/// description), independently of lacs's own mapping: (period, indicator, column, line, description).
const S251_LINES: [(&str, &str, &str, &str, &str); 18] = [
    ("2008-09", "s251_spend_looked_after", "cla_total_net", "14", "14 Total Children Looked After"),
    ("2008-09", "s251_spend_child_safety", "safety_total_net", "19", "19 Total Children and Young Peoples Safety"),
    ("2008-09", "s251_spend_family_support", "family_support_total_net", "28", "28 Total Family Support Services"),
    ("2009-10", "s251_spend_looked_after", "cla_total_net", "17", "Total Children Looked After"),
    ("2009-10", "s251_spend_child_safety", "safety_total_net", "22", "Total Children and Young People's Safety"),
    ("2009-10", "s251_spend_family_support", "family_support_total_net", "31", "Total Family Support Services"),
    ("2010-11", "s251_spend_looked_after", "cla_total_net", "19", "Total Children Looked After"),
    ("2010-11", "s251_spend_child_safety", "safety_total_net", "23", "Total Children and Young People's Safety"),
    ("2010-11", "s251_spend_family_support", "family_support_total_net", "30", "Total Family Support Services"),
    ("2011-12", "s251_spend_looked_after", "cla_total_net", "12", "Total Children Looked After"),
    (
        "2011-12",
        "s251_spend_safeguarding",
        "safeguarding_total_net",
        "16",
        "Total Children and Young People's Safety/children social care",
    ),
    ("2011-12", "s251_spend_family_support", "family_support_total_net", "23", "Total Family Support Services"),
    ("2012-13", "s251_spend_looked_after", "cla_total_net", "15", "15 Total Children Looked After"),
    (
        "2012-13",
        "s251_spend_safeguarding",
        "safeguarding_total_net",
        "20",
        "20 Total Safeguarding Children and Young Peoples Services",
    ),
    ("2012-13", "s251_spend_family_support", "family_support_total_net", "26", "26 Total Family Support Services"),
    ("2013-14", "s251_spend_looked_after", "cla_total_net", "16", "16 Total Children Looked After"),
    (
        "2013-14",
        "s251_spend_safeguarding",
        "safeguarding_total_net",
        "21",
        "21 Total Safeguarding Children and Young Peoples Services",
    ),
    ("2013-14", "s251_spend_family_support", "family_support_total_net", "27", "27 Total Family Support Services"),
];

both_backends_async! {
    /// Section 251 outturn 2008-09 to 2013-14: every line used is the one its year's form gives
    /// that meaning (number and description, checked in every row of the cut files), and every
    /// figure the API serves is the file's cell, in pounds, under the council's record; the two
    /// 2008-09 county councils lacs has no record of (Bedfordshire 820, Cheshire 875) are left out.
    async fn s251_figures_match_their_lines_cell_by_cell(backend) {
        let db = TestDb::new(backend, Contents::Seeded);
        let server = TestServer::start(&db);
        let catalogue = server.get_json("/v1/indicators", 200).await;
        for id in ["s251_spend_looked_after", "s251_spend_child_safety", "s251_spend_safeguarding", "s251_spend_family_support"] {
            let entry = catalogue["data"].as_array().unwrap().iter().find(|i| i["id"] == id).unwrap_or_else(|| panic!("{id}"));
            assert_eq!(entry["unit"], "gbp", "{id}");
            assert_eq!(entry["period_type"], "financial_year", "{id}");
        }
        // DfE code → the GSS code of the council's record, asked of the API once per code.
        let mut gss_of: HashMap<String, Option<String>> = HashMap::new();
        let mut compared = 0;
        let mut unmatched: Vec<(String, String)> = Vec::new();
        for (period, indicator, column, line, description) in S251_LINES {
            let rows = context_file(&format!("s251/outturn_{period}.csv"));
            assert!(rows.len() >= 150, "{period}: {} councils", rows.len());
            let api = served(&server, indicator, period).await;
            for row in &rows {
                let dfe = &row["old_la_code"];
                assert_eq!(row[&format!("{column}_line")], line, "{period} {dfe} {column}");
                // Whitespace runs (tabs, double spaces) are made one space by the cut.
                assert_eq!(row[&format!("{column}_description")], description, "{period} {dfe} {column}");
                if !gss_of.contains_key(dfe) {
                    let r = server.get(&format!("/v1/local-authorities/{dfe}")).await;
                    let gss = match r.status().as_u16() {
                        404 => None,
                        _ => match r.headers().get("location") {
                            Some(to) => Some(to.to_str().unwrap().rsplit('/').next().unwrap().to_owned()),
                            None => Some(r.json::<Value>().await.unwrap()["gss_code"].as_str().unwrap().to_owned()),
                        },
                    };
                    gss_of.insert(dfe.clone(), gss);
                }
                let Some(gss) = &gss_of[dfe] else {
                    unmatched.push((period.to_owned(), dfe.clone()));
                    continue;
                };
                let got = api.get(gss).unwrap_or_else(|| panic!("{indicator} {period}: no figure for {gss} ({dfe})"));
                assert_eq!(got, &expected(&row[column]), "{indicator} {period} {gss} ({dfe})");
                compared += 1;
            }
            let matched = rows.iter().filter(|r| gss_of[&r["old_la_code"]].is_some()).count();
            assert_eq!(api.len(), matched, "{indicator} {period}: one figure per council matched, nothing else");
        }
        assert_eq!(compared, 2724);
        unmatched.sort();
        unmatched.dedup();
        assert_eq!(unmatched, [("2008-09".to_owned(), "820".to_owned()), ("2008-09".to_owned(), "875".to_owned())]);
        // Camden's six years, each with the provenance of its own file.
        let camden = server.get_json("/v1/local-authorities/202/indicators?indicator=s251_spend_looked_after", 200).await;
        let series = camden["data"][0]["series"].as_array().unwrap();
        let periods: Vec<&str> = series.iter().map(|p| p["period"].as_str().unwrap()).collect();
        assert_eq!(periods, ["2008-09", "2009-10", "2010-11", "2011-12", "2012-13", "2013-14"]);
        assert_eq!(series[0]["provenance"]["sha256"], "d6794a9d7927b25869a24e3a6e090a2bf4a51f98d600672fe9754064d666e3d8");
        assert_eq!(series[0]["provenance"]["source"], "seed:context/s251/outturn_2008-09.csv");
        // Pounds as the file writes them (2009-10's figures have pence), never rounded.
        assert_eq!(series[1]["value"].as_f64(), Some(21822454.15));
        assert_eq!(series[1]["provenance"]["source"], "seed:context/s251/outturn_2009-10.csv");
    }
}

both_backends_async! {
    /// `include=indicators` puts a council's figures in its timeline, each in the year its
    /// period ends, the same figures its series gives; GraphQL's timeline agrees.
    async fn the_timeline_includes_the_figures_year_by_year(backend) {
        let db = TestDb::new(backend, Contents::Seeded);
        let server = TestServer::start(&db);
        let series = server.get_json("/v1/local-authorities/slough/indicators?indicator=agency_worker_rate,csc_spend_total", 200).await;
        let mut expected: Vec<(String, String, Value)> = Vec::new();
        for s in series["data"].as_array().unwrap() {
            for p in s["series"].as_array().unwrap() {
                expected.push((s["indicator"]["id"].as_str().unwrap().to_owned(), p["period"].as_str().unwrap().to_owned(), p["value"].clone()));
            }
        }
        assert!(expected.len() >= 10, "{expected:?}");

        let path = "/v1/local-authorities/slough/timeline?include=indicators&indicator=agency_worker_rate,csc_spend_total&limit=500";
        let timeline = server.get_json(path, 200).await;
        let entries = timeline["data"].as_array().unwrap();
        let mut got: Vec<(String, String, Value)> = entries
            .iter()
            .filter(|e| e["event"] == "figure")
            .map(|e| (e["indicator"].as_str().unwrap().to_owned(), e["period"].as_str().unwrap().to_owned(), e["figure"]["value"].clone()))
            .collect();
        for e in entries.iter().filter(|e| e["event"] == "figure") {
            // A reporting year `2021` is placed in 2021, a financial year `2023-24` in 2024.
            let period = e["period"].as_str().unwrap();
            let year: i32 = match period.split_once('-') {
                Some((start, _)) => start.parse::<i32>().unwrap() + 1,
                None => period.parse().unwrap(),
            };
            assert_eq!((&e["date"], &e["date_precision"]), (&json!(format!("{year}-01-01")), &json!("year")), "{e}");
            assert!(e["href"].as_str().unwrap().ends_with(&format!("/indicators?indicator={}", e["indicator"].as_str().unwrap())));
        }
        got.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
        expected.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
        assert_eq!(got, expected);
        // A figure is placed at the start of its year; an intervention known only to its month or
        // year at the end of that period, never before events it may have followed.
        let placed: Vec<String> = entries
            .iter()
            .filter_map(|e| {
                let date = e["date"].as_str()?;
                Some(match (e["event"].as_str(), e["date_precision"].as_str()) {
                    (Some("figure"), _) => date.to_owned(),
                    (_, Some("year")) => format!("{}-12-31", &date[..4]),
                    (_, Some("month")) => format!("{}-31", &date[..7]),
                    _ => date.to_owned(),
                })
            })
            .collect();
        let mut sorted = placed.clone();
        sorted.sort();
        assert_eq!(placed, sorted, "in date order");
        assert!(entries.iter().any(|e| e["event"] == "inspection_published"), "beside the inspections");

        // Without `include`, no figures; figures on a past date need a known publication date,
        // and the bundled files give none.
        let plain = server.get_json("/v1/local-authorities/slough/timeline?limit=500", 200).await;
        assert!(plain["data"].as_array().unwrap().iter().all(|e| e["event"] != "figure"));
        assert_eq!(plain["data"].as_array().unwrap().len(), entries.len() - got.len());
        let past = server.get_json("/v1/local-authorities/slough/timeline?include=indicators&as_at=2020-01-01&limit=500", 200).await;
        assert!(past["data"].as_array().unwrap().iter().all(|e| e["event"] != "figure"));

        for (query, parameter) in [
            ("include=grades", "include"),
            ("include=indicators&indicator=nonsense", "indicator"),
        ] {
            let p = server.get_json(&format!("/v1/local-authorities/slough/timeline?{query}"), 400).await;
            assert_eq!(p["parameter"], parameter, "{query}: {p}");
        }

        // CSV: one row per entry, the figure in its own columns.
        let csv = server.get(&format!("{path}&format=csv")).await.text().await.unwrap();
        let mut reader = csv::Reader::from_reader(csv.as_bytes());
        let headers = reader.headers().unwrap().clone();
        let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
        let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        assert_eq!(rows.len(), entries.len());
        assert_eq!(rows.iter().filter(|r| &r[col("event")] == "figure" && !r[col("indicator")].is_empty()).count(), got.len());

        let query = r#"{ localAuthority(id: "slough") { timeline(first: 500, indicators: ["agency_worker_rate", "csc_spend_total"]) {
            nodes { event date period indicator { id } figure { value suppressed } } } } }"#;
        let r = server.client.post(format!("{}/graphql", server.base_url)).json(&json!({ "query": query })).send().await.unwrap();
        let body: Value = r.json().await.unwrap();
        let nodes = body["data"]["localAuthority"]["timeline"]["nodes"].as_array().unwrap_or_else(|| panic!("{body}"));
        assert_eq!(nodes.len(), entries.len());
        let figures = nodes.iter().filter(|n| n["event"] == "FIGURE").count();
        assert_eq!(figures, got.len());
        let query = r#"{ localAuthority(id: "slough") { timeline(first: 5, indicators: ["nonsense"]) { nodes { event } } } }"#;
        let r = server.client.post(format!("{}/graphql", server.base_url)).json(&json!({ "query": query })).send().await.unwrap();
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["errors"][0]["extensions"]["argument"], "indicators", "{body}");
    }
}
