//! The bundled seed: exact counts and spot checks against the files, idempotence, and bad rows
//! rejected with file, line and reason while the database stays as it was.

use chrono::NaiveDate;
use fetchers::seed::{self, SeedFiles};
use schema::Dataset;
use schema::domain::*;
use schema::stored;
use testkit::{Contents, TestDb, both_backends};

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

both_backends! {
    fn imports_every_row_of_the_seed_files(backend) {
        let db = TestDb::new(backend, Contents::Seeded);
        let mut conn = db.conn();
        let data = Dataset::load(&mut conn).unwrap();
        // 156 lookup rows + Bournemouth + Dorset County Council; 497 publications of the history
        // (455 read from their PDFs, 42 the scraper's rows) and 326 focused-visit letters; 142 interventions.
        assert_eq!(data.counts.local_authorities, 158);
        assert_eq!(data.counts.successions, 7);
        assert_eq!(data.counts.inspections, 1069);
        // The two pre-SIF reports carry five judgements each, no longer two.
        assert_eq!(data.counts.judgements, 3006);
        assert_eq!(data.counts.interventions, 142);
        assert_eq!(data.local_authorities.iter().filter(|la| la.valid_to.is_none()).count(), 153, "153 current LAs");

        // Norfolk, published 13 January 2023: good on every judgement, care leavers judged with children in care.
        let norfolk = data.local_authority("norfolk").unwrap();
        assert_eq!((norfolk.gss_code.as_str(), norfolk.dfe_code.as_deref(), norfolk.ofsted_urn.as_deref()), ("E10000020", Some("926"), Some("80418")));
        assert_eq!(data.local_authority("926").unwrap().gss_code, "E10000020");
        let jan_2023 = data.inspection("50204404").unwrap();
        assert_eq!(jan_2023.la, "E10000020");
        assert_eq!(jan_2023.published, date(2023, 1, 13));
        assert_eq!(jan_2023.lead_inspectors, vec!["Margaret Burke".to_owned()]);
        let areas: Vec<(Area, Grade)> = jan_2023.judgements.iter().map(|j| (j.area, j.grade)).collect();
        assert_eq!(areas, vec![
            (Area::OverallEffectiveness, Grade::Good),
            (Area::ImpactOfLeaders, Grade::Good),
            (Area::HelpAndProtection, Grade::Good),
            (Area::ChildrenInCareAndCareLeavers, Grade::Good),
        ]);
        assert_eq!(jan_2023.provenance.source, "seed:ofsted_csc_ilacs_history.csv");
        assert_eq!(jan_2023.provenance.sha256.len(), 64);
        assert_eq!(data.inspections_of("E10000020").count(), 9, "five inspections, two focused visits, and the 2011 and 2013 inspections only Ofsted's statistics state");
        assert_eq!(data.inspection("os-E10000020-2011-07-22").map(|i| i.provenance.source.as_str()), Some("ofsted-stats"));

        // Reports our own pipeline read (scripts/rebuild-seed) carry their PDF's checksum and our
        // parser's version: Norfolk's 2015 SIF report, unreadable to the Python scraper, has all
        // seven judgements.
        let sif = data.inspection("50004306").unwrap();
        assert_eq!(sif.provenance.source, "ofsted");
        assert_eq!(sif.provenance.parser_version, fetchers::report::PARSER_VERSION);
        assert_eq!(sif.framework, Some(Framework::Sif));
        assert_eq!(sif.judgements.len(), 7);
        assert_eq!(sif.grade(Area::OverallEffectiveness), Some(Grade::Inadequate));
        assert_eq!(sif.grade(Area::Lscb), Some(Grade::RequiresImprovement));
        assert_eq!(data.inspections.iter().filter(|i| i.provenance.source == "ofsted").count(), 455);

        // After the April 2026 reform there is no overall effectiveness judgement at all.
        let post_reform = data.inspection("50306548").unwrap();
        assert_eq!(post_reform.grade(Area::OverallEffectiveness), None);
        assert_eq!(post_reform.grade(Area::ImpactOfLeaders), Some(Grade::Outstanding));
        assert_eq!(post_reform.grade(Area::CareLeavers), Some(Grade::Good));
        // The scraper's misreading "to requires improvement" is no grade, with a reason; Ofsted's
        // statistics state the grade, and the record takes it from them.
        let nottingham = data.inspection("50048229").unwrap();
        assert_eq!(nottingham.grade(Area::HelpAndProtection), Some(Grade::RequiresImprovement));
        let notes = nottingham.notes.as_deref().unwrap();
        assert!(notes.contains("help_and_protection_grade") && notes.contains("official statistics"), "{notes}");
        let scraper = nottingham.statements.iter().find(|s| s.source == "seed:ofsted_csc_ilacs_history.csv").unwrap();
        assert!(scraper.judgements.iter().all(|j| j.area != Area::HelpAndProtection), "the scraper's own reading is kept");

        // Cumbria is retired, with two successors from 1 April 2023.
        let cumbria = data.local_authority("E10000006").unwrap();
        assert_eq!(cumbria.valid_to, Some(date(2023, 3, 31)));
        let successors: Vec<&str> = data.successors_of("E10000006").map(|s| s.successor.as_str()).collect();
        assert_eq!(successors, vec!["E06000063", "E06000064"]);
        assert_eq!(data.local_authority("cumberland").unwrap().valid_from, Some(date(2023, 4, 1)));
        // Bournemouth and Poole became BCP in 2019; Bournemouth comes from the checked-in table.
        let predecessors: Vec<&str> = data.predecessors_of("E06000058").map(|s| s.predecessor.as_str()).collect();
        assert_eq!(predecessors, vec!["E06000028", "E06000029"]);
        let bournemouth = data.local_authority("E06000028").unwrap();
        assert_eq!((bournemouth.dfe_code.as_deref(), bournemouth.ofsted_urn.as_deref()), (Some("837"), None));
        assert!(bournemouth.notes.as_deref().unwrap().contains("URN unknown"));
        // North Yorkshire and Somerset keep answering to their pre-2023 codes.
        assert_eq!(data.local_authority("E10000023").unwrap().gss_code, "E06000065");
        assert_eq!(data.local_authority("E10000027").unwrap().gss_code, "E06000066");
        // Corrected rows say what was corrected.
        let bucks = data.local_authority("E06000060").unwrap();
        assert_eq!(bucks.region_name.as_deref(), Some("South East"));
        assert!(bucks.notes.as_deref().unwrap().contains("rgn22cd"));

        // Interventions: names matched to LAs, dates kept at the precision of the source.
        let somerset: Vec<&Intervention> = data.interventions_of("E06000066").collect();
        assert_eq!(somerset.len(), 3);
        assert_eq!(somerset[2].kind, InterventionKind::StatutoryDirection);
        assert_eq!(somerset[2].start_date.unwrap().to_string(), "2015-11-06");
        let warner = data.interventions_of("E08000025")
            .find(|i| i.commissioner.as_deref() == Some("Lord Norman Warner"))
            .unwrap();
        assert_eq!(warner.end_date.unwrap().to_string(), "2015-05");
        assert_eq!(warner.end_date.unwrap().precision, DatePrecision::Month);
        assert!(warner.source_urls[0].starts_with("https://www.theguardian.com/"));
        assert_eq!(data.interventions_of("E10000021").count(), 6, "Northamptonshire County Council");
    }
}

both_backends! {
    fn importing_the_seed_twice_changes_nothing(backend) {
        let db = TestDb::new(backend, Contents::Seeded);
        let mut conn = db.conn();
        let version = stored::current_version(&mut conn).unwrap().0;
        let changes = stored::change_count(&mut conn).unwrap();
        let report = seed::import(&mut conn, &SeedFiles::bundled()).unwrap();
        let counts = report.run.counts;
        assert_eq!(counts.created + counts.changed + counts.deleted, 0, "{report:?}");
        assert_eq!(report.run.dataset_version, version);
        assert_eq!(stored::change_count(&mut conn).unwrap(), changes);
        assert_eq!(stored::current_version(&mut conn).unwrap().0, version);
    }
}

fn bundled(name: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../data/seed").join(name);
    std::fs::read_to_string(path).unwrap()
}

both_backends! {
    fn a_bad_row_rejects_the_whole_file_and_names_the_line(backend) {
        let db = TestDb::new(backend, Contents::Seeded);
        let mut conn = db.conn();
        let before = Dataset::load(&mut conn).unwrap();

        // Line 3 names a council that does not exist; line 5 has an impossible date. The good
        // lines around them must not be written either.
        let mut lines: Vec<String> = bundled("interventions_seed.csv").lines().map(str::to_owned).collect();
        lines[2] = lines[2].replacen("Birmingham City Council", "Gotham City Council", 1);
        lines[4] = lines[4].replacen("2016", "2016-13", 1);
        lines[1] = lines[1].replacen("Lord Norman Warner", "Lord Warner", 1);
        let files = SeedFiles::bundled().with_file("interventions_seed.csv", lines.join("\n"));
        let err = seed::import(&mut conn, &files).unwrap_err().to_string();
        assert!(err.contains("data/seed/interventions_seed.csv:3: local authority `Gotham City Council`"), "{err}");
        assert!(err.contains("data/seed/interventions_seed.csv:5: date:"), "{err}");

        let after = Dataset::load(&mut conn).unwrap();
        assert_eq!(after.version, before.version);
        assert_eq!(after.interventions, before.interventions);
        assert_eq!(after.counts.changes, before.counts.changes);
        let run = &stored::recent_runs(&mut conn, 1).unwrap()[0];
        assert_eq!((run.source.as_str(), run.status), ("seed", FetchStatus::Failed));
        assert_eq!(run.errors.len(), 2);

        // A grade outside the vocabulary in the inspection history.
        let history = bundled("ofsted_csc_ilacs_history.csv").replacen(",outstanding,outstanding,outstanding,outstanding,good,", ",outstanding,excellent,outstanding,outstanding,good,", 1);
        let err = seed::import(&mut conn, &SeedFiles::bundled().with_file("ofsted_csc_ilacs_history.csv", history)).unwrap_err().to_string();
        assert!(err.contains("data/seed/ofsted_csc_ilacs_history.csv:2: impact_of_leaders_grade: `excellent` is not a grade"), "{err}");
        assert_eq!(stored::current_version(&mut conn).unwrap().0, before.version);
    }
}

both_backends! {
    fn the_gaps_report_lists_what_the_rules_say(backend) {
        let db = TestDb::new(backend, Contents::Seeded);
        let (ok, out, err) = testkit::run_lacs(&db, &["report", "interventions"]);
        assert!(ok, "{err}");
        assert!(out.starts_with("# Gaps in the intervention data"));
        let data = Dataset::load(&mut db.conn()).unwrap();
        let gaps = schema::query::gaps::gaps(&data);
        assert!(out.contains(&format!("no known intervention ({})", gaps.inadequate_without_intervention.len())));
        assert!(out.contains(&format!("no inadequate judgement before them ({})", gaps.intervention_without_inadequate.len())));
        // Every listed judgement is inadequate overall. Cheshire East's of May 2024, followed by an
        // improvement notice in July 2024, is not listed; Devon's of May 2025, with nothing after it
        // in the curated list, is.
        for i in &gaps.inadequate_without_intervention {
            assert_eq!(i.grade(Area::OverallEffectiveness), Some(Grade::Inadequate));
            assert!(out.contains(&i.report_url));
        }
        assert!(!gaps.inadequate_without_intervention.is_empty() && !gaps.intervention_without_inadequate.is_empty());
        assert!(gaps.inadequate_without_intervention.iter().all(|i| i.id != "50247203"));
        assert!(gaps.inadequate_without_intervention.iter().any(|i| i.id == "50276862"));
    }
}
