//! The headlines hold for every record of the bundled dataset, on both databases: one record per
//! publication, only the judgements each framework gives, and England's counts as Ofsted's own
//! statistics give them.

use chrono::NaiveDate;
use schema::Dataset;
use schema::domain::*;
use schema::query::duplicates::possible_duplicates;
use schema::query::local_authorities::status;
use testkit::{Contents, TestDb, TestServer, both_backends, both_backends_async};

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

both_backends! {
    fn each_publication_is_one_record(backend) {
        let db = TestDb::new(backend, Contents::Seeded);
        let data = Dataset::load(&mut db.conn()).unwrap();
        let pairs: Vec<String> = possible_duplicates(&data)
            .iter()
            .map(|(a, b)| format!("{} ({}, {:?}) and {} ({}, {:?})", a.id, a.published, a.start_date, b.id, b.published, b.start_date))
            .collect();
        assert!(pairs.is_empty(), "records of one council published within 100 days, not shown distinct:\n{}", pairs.join("\n"));

        // Nottingham's July 2022 inspection, which two editions of the statistics date 5 November
        // and one 5 September, is one record: the council is not a persistent failure.
        let july_2022 = data.inspection("50192198").unwrap();
        assert_eq!(july_2022.start_date, Some(date(2022, 7, 11)));
        assert_eq!(july_2022.published, date(2022, 9, 5));
        assert!(data.inspection("os-E06000018-2022-11-05").is_none());
        let misdated: Vec<_> = july_2022.discrepancies().into_iter().filter(|d| d.field == "published").collect();
        assert!(misdated.iter().any(|d| d.other_value == "2022-11-05"), "{misdated:?}");
        let nottingham = data.local_authority("nottingham").unwrap();
        let now = status(&data, nottingham, date(2026, 12, 1));
        assert!(!now.persistent_failure(), "{:?}", now.inadequate_within_five_years.iter().map(|i| &i.id).collect::<Vec<_>>());
        assert_eq!(now.inadequate_within_five_years.len(), 1);
    }
}

both_backends! {
    fn judgements_are_those_the_framework_gives(backend) {
        let db = TestDb::new(backend, Contents::Seeded);
        let data = Dataset::load(&mut db.conn()).unwrap();
        let outside: Vec<String> = data
            .inspections
            .iter()
            .flat_map(|i| i.judgements.iter().filter(|j| !i.framework_judges(j.area)).map(move |j| format!("{} {}", i.id, j.area)))
            .collect();
        assert!(outside.is_empty(), "judgements of areas the framework does not give: {outside:?}");
        for i in data.inspections.iter().filter(|i| i.judgement_sets() == [JudgementSet::Ilacs2026]) {
            assert_eq!(i.grade(Area::OverallEffectiveness), None, "{}: no overall grade after the 2026 reform", i.id);
        }

        // Nottingham 2022 began before January 2023: one combined judgement of children in care
        // and care leavers. The scraper's care-leavers reading is refused, and listed.
        let july_2022 = data.inspection("50192198").unwrap();
        assert_eq!(july_2022.grade(Area::CareLeavers), None);
        assert_eq!(july_2022.grade(Area::ChildrenInCareAndCareLeavers), Some(Grade::RequiresImprovement));
        let refused: Vec<_> = july_2022.discrepancies().into_iter().filter(|d| d.field == "care_leavers").collect();
        assert_eq!(refused.len(), 1, "{refused:?}");
        assert_eq!((refused[0].value.as_str(), refused[0].other_value.as_str()), ("", "inadequate"));
        assert_eq!(refused[0].other_source, "seed:ofsted_csc_ilacs_history.csv");
    }
}

/// Ofsted's own counts of councils by overall effectiveness, as at 31 March, from the workbooks
/// in `data/seed/official/` (the as-at sheet of each: `LA_level_at_31_Mar_2023`,
/// `Inspections_31_March_2024`, `Inspections_as_at_31_March`): outstanding, good, requires
/// improvement, inadequate, and the councils not yet inspected.
const OFSTED_AS_AT: [(i32, [usize; 4], &[&str]); 3] = [
    (2023, [25, 65, 48, 14], &[]),
    (2024, [30, 61, 43, 17], &["E06000063", "E06000064"]),
    (2025, [36, 67, 31, 19], &[]),
];

fn counts(body: &serde_json::Value) -> ([usize; 4], Vec<String>) {
    let england = &body["groups"][0];
    let count = |grade: &str| {
        england["grades"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["grade"] == grade)
            .map_or(0, |c| c["count"].as_u64().unwrap() as usize)
    };
    let not_yet = england["not_yet_inspected"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["gss_code"].as_str().unwrap().to_owned())
        .collect();
    ([count("outstanding"), count("good"), count("requires_improvement"), count("inadequate")], not_yet)
}

both_backends_async! {
    async fn england_counts_are_ofsteds(backend) {
        let db = TestDb::new(backend, Contents::Seeded);
        let server = TestServer::start(&db);
        for (year, grades, not_yet) in OFSTED_AS_AT {
            let body = server.get_json(&format!("/v1/stats/ratings?as_at={year}-03-31"), 200).await;
            assert_eq!(body["basis"], "inspected");
            let (ours, not_inspected) = counts(&body);
            assert_eq!(ours, grades, "31 March {year}");
            assert_eq!(not_inspected, not_yet, "31 March {year}");
            let england = &body["groups"][0];
            assert_eq!(england["inspected"].as_u64().unwrap() as usize, grades.iter().sum::<usize>());
            let inadequate = england["grades"].as_array().unwrap().iter().find(|c| c["grade"] == "inadequate").unwrap();
            let share = grades[3] as f64 / grades.iter().sum::<usize>() as f64;
            assert!((inadequate["share"].as_f64().unwrap() - share).abs() < 0.0001, "shares are of the councils inspected");
        }
        // By publication date, inspections carried out by 31 March 2024 but published after it
        // count from their publication.
        let published = server.get_json("/v1/stats/ratings?as_at=2024-03-31&basis=published", 200).await;
        assert_eq!(published["basis"], "published");
        assert_ne!(counts(&published).0, OFSTED_AS_AT[1].1);
        let bad = server.get_json("/v1/stats/ratings?basis=eventually", 400).await;
        assert!(bad["detail"].as_str().unwrap().contains("basis"), "{bad}");
    }
}
