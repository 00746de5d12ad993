//! Every code any bundled source uses for a council resolves to it: the DfE lookup (its own,
//! its neighbours'), the councils it lacks, the reorganisations and recodes, and every DfE and
//! MHCLG statistics file lacs reads. A code a source uses and lacs does not know is a 404 to the
//! reader who copied it from that source.

use std::collections::BTreeSet;
use std::path::PathBuf;

use testkit::{Contents, TestDb, TestServer, both_backends_async};

fn rows(relative: &str) -> Vec<csv::StringRecord> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../data/seed").join(relative);
    let bytes = std::fs::read(&path).unwrap();
    let text = bytes.strip_prefix(b"\xEF\xBB\xBF".as_slice()).unwrap_or(&bytes).to_vec();
    let mut reader = csv::Reader::from_reader(text.as_slice());
    let headers = reader.headers().unwrap().clone();
    let mut out = vec![headers];
    out.extend(reader.records().map(Result::unwrap));
    out
}

/// The values of `columns` in a file (`, `-separated lists split), of rows `keep` accepts.
fn codes(
    relative: &str,
    columns: &[&str],
    keep: impl Fn(&csv::StringRecord, &csv::StringRecord) -> bool,
) -> BTreeSet<String> {
    let all = rows(relative);
    let headers = &all[0];
    let mut out = BTreeSet::new();
    for row in all.iter().skip(1).filter(|r| keep(headers, r)) {
        for column in columns {
            let i =
                headers.iter().position(|h| h == *column).unwrap_or_else(|| panic!("{relative}: no column {column}"));
            out.extend(row[i].split(',').map(str::trim).filter(|c| !c.is_empty()).map(str::to_owned));
        }
    }
    out
}

fn local_authority_rows(headers: &csv::StringRecord, row: &csv::StringRecord) -> bool {
    let at = |name: &str| headers.iter().position(|h| h == name).map(|i| &row[i]);
    // Figures DfE reports for two councils together carry a joint code (`E09000021 / E09000027`).
    at("geographic_level") == Some("Local authority") && !at("new_la_code").unwrap_or("").contains(" / ")
}

both_backends_async! {
    async fn every_code_a_source_uses_resolves(backend) {
        let db = TestDb::new(backend, Contents::Seeded);
        let server = TestServer::start(&db);
        let all = |_: &csv::StringRecord, _: &csv::StringRecord| true;
        let mut wanted: Vec<(String, BTreeSet<String>)> = vec![
            ("Provider_data_lookup.csv".into(), codes("Provider_data_lookup.csv", &["urn", "la_code", "la_code_new", "stat_neighbours", "stat_neighbours_la_code"], all)),
            ("extra_local_authorities.csv".into(), codes("extra_local_authorities.csv", &["gss_code", "dfe_code"], all)),
            ("reorganisations.csv".into(), codes("reorganisations.csv", &["predecessor_gss", "successor_gss"], all)),
            ("gss_recodes.csv".into(), codes("gss_recodes.csv", &["former_gss", "current_gss"], all)),
        ];
        for file in [
            "context/csww_indicators_2017_to_2025.csv",
            "context/cla_number_and_rate_per_10k_children.csv",
            "context/b1_children_in_need_2013_to_2025.csv",
            "context/c1_children_in_need_referrals_and_rereferrals_2013_to_2025.csv",
        ] {
            wanted.push((file.into(), codes(file, &["new_la_code", "old_la_code"], local_authority_rows)));
        }
        for file in ["context/ro3_2023-24.csv", "context/ro3_2024-25.csv"] {
            wanted.push((file.into(), codes(file, &["new_la_code"], local_authority_rows)));
        }
        // The two codes Ofsted's 2025 statistics and RO3 use for Barnsley and Sheffield.
        assert!(wanted.iter().any(|(_, c)| c.contains("E08000016")) && wanted.iter().any(|(_, c)| c.contains("E08000019")));

        let mut checked = BTreeSet::new();
        for (file, codes) in &wanted {
            assert!(!codes.is_empty(), "{file}: no codes read");
            for code in codes.iter().filter(|c| checked.insert(c.to_string())) {
                let r = server.get(&format!("/v1/local-authorities/{code}")).await;
                assert_eq!(r.status(), 200, "{file}: `{code}` does not resolve");
                let la: serde_json::Value = r.json().await.unwrap();
                assert!(la["gss_code"].is_string(), "{file}: `{code}`: {la}");
                let r = server.get(&format!("/v1/inspections?la={code}&limit=1")).await;
                assert_eq!(r.status(), 200, "{file}: `la={code}` is refused");
            }
        }
        assert!(checked.len() > 450, "{} codes checked", checked.len());

        // A former code names the council under its current code, and says so.
        let barnsley = server.get_json("/v1/local-authorities/E08000016", 200).await;
        assert_eq!(barnsley["gss_code"], "E08000038");
        assert_eq!(barnsley["former_gss_codes"], serde_json::json!(["E08000016"]));

        // Every recode is listed on its council with its validity: the former code's last day is
        // the day before the file's effective date; undated where the file gives none, and the
        // note says why. REST and GraphQL agree.
        let recodes = rows("gss_recodes.csv");
        let col = |name: &str| recodes[0].iter().position(|h| h == name).unwrap();
        for row in &recodes[1..] {
            let (former, current, effective) = (&row[col("former_gss")], &row[col("current_gss")], &row[col("effective")]);
            let la = server.get_json(&format!("/v1/local-authorities/{current}"), 200).await;
            let listed = la["former_codes"].as_array().unwrap().iter().find(|c| c["code"] == former)
                .unwrap_or_else(|| panic!("{current} does not list {former}: {la}"));
            let until = chrono::NaiveDate::parse_from_str(effective, "%Y-%m-%d").ok().map(|d| d.pred_opt().unwrap().to_string());
            assert_eq!(listed["valid_to"].as_str(), until.as_deref(), "{former}");
            assert_eq!(listed["replaced_on"].as_str(), (!effective.is_empty()).then_some(effective), "{former}");
            assert_eq!(listed["source_url"], row[col("source_url")], "{former}");
            if effective.is_empty() {
                assert!(listed["note"].as_str().unwrap().contains("not in lacs's sources"), "{former}: an undated change says why");
            }
            let query = format!(r#"{{ localAuthority(id: "{current}") {{ formerCodes {{ code validTo replacedOn sourceUrl }} }} }}"#);
            let gql: serde_json::Value = server.client.post(format!("{}/graphql", server.base_url))
                .json(&serde_json::json!({ "query": query })).send().await.unwrap().json().await.unwrap();
            let codes = gql["data"]["localAuthority"]["formerCodes"].as_array().unwrap();
            let same = codes.iter().find(|c| c["code"] == former).unwrap();
            assert_eq!((&same["validTo"], &same["replacedOn"]), (&listed["valid_to"], &listed["replaced_on"]), "{former}");
        }
    }
}
