//! The text patterns of each era, on text as the extractor gives it.

use super::*;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

#[test]
fn date_ranges_in_every_printed_form() {
    let p = |t: &str| parse_periods(&normalise(t), true);
    let one = |s, e| vec![Period { start: Some(s), end: e }];
    assert_eq!(p("7 to 18 November 2022"), one(d(2022, 11, 7), d(2022, 11, 18)));
    assert_eq!(p("16 April to 27 April 2018"), one(d(2018, 4, 16), d(2018, 4, 27)));
    assert_eq!(p("6 July 2015 – 30 July 2015"), one(d(2015, 7, 6), d(2015, 7, 30)));
    assert_eq!(p("4 July 2016–28 July 2016"), one(d(2016, 7, 4), d(2016, 7, 28)));
    assert_eq!(p("20 June 2017 ─ 13 July 2017"), one(d(2017, 6, 20), d(2017, 7, 13)));
    assert_eq!(p("18 Feb 2014 – 12 March 2014"), one(d(2014, 2, 18), d(2014, 3, 12)));
    assert_eq!(p("1/06/2015 – 25/06/2015"), one(d(2015, 6, 1), d(2015, 6, 25)));
    assert_eq!(p("12/09/2016 to 06/10/2016"), one(d(2016, 9, 12), d(2016, 10, 6)));
    assert_eq!(p("9–24 November 2017"), one(d(2017, 11, 9), d(2017, 11, 24)));
    assert_eq!(p("28 July 2016"), vec![Period { start: None, end: d(2016, 7, 28) }]);
    assert_eq!(
        p("30 September to 11 October 2024 and 13 to 16 January 2025"),
        vec![
            Period { start: Some(d(2024, 9, 30)), end: d(2024, 10, 11) },
            Period { start: Some(d(2025, 1, 13)), end: d(2025, 1, 16) }
        ]
    );
    assert_eq!(parse_periods("on 31 January and 1 February 2024", false), one(d(2024, 1, 31), d(2024, 2, 1)));
    assert_eq!(parse_periods("between 20 October and 22 October 2020", false), one(d(2020, 10, 20), d(2020, 10, 22)));
    assert_eq!(p("30 December to 3 January 2025"), one(d(2024, 12, 30), d(2025, 1, 3)));
    assert!(p("sometime in spring").is_empty());
}

#[test]
fn monitoring_visits_and_jtais_keep_their_kind() {
    // The shape of a monitoring visit letter (none is in the archive): the letter path reads it.
    let r = parse_text(
        "Ofsted Piccadilly Gate\n\n12 March 2020\n\nJane Doe\nDirector\n\nDear Ms Doe\n\nMonitoring visit to Anytown children's services\n\nThis letter summarises the findings of the monitoring visit to Anytown children's services on 11 and 12 February 2020. This was the fourth monitoring visit since the local authority was judged inadequate. The inspectors were Alex Smith and Sam Jones, Her Majesty's Inspectors.\n\nYours sincerely\n\nAlex Smith\nHer Majesty's Inspector",
    );
    assert_eq!((r.kind, r.framework), (InspectionKind::MonitoringVisit, Some(Framework::Ilacs)));
    assert_eq!(r.local_authority.as_deref(), Some("Anytown"));
    assert_eq!(r.on_site_periods, vec![Period { start: Some(d(2020, 2, 11)), end: d(2020, 2, 12) }]);
    assert_eq!(r.published, Some(d(2020, 3, 12)));
    assert_eq!(
        (r.lead_inspectors.as_slice(), r.inspectors.as_slice()),
        (["Alex Smith".to_owned()].as_slice(), ["Alex Smith".to_owned(), "Sam Jones".to_owned()].as_slice())
    );
    assert_eq!(r.theme, None, "only focused visits have a theme");
    let j = parse_text(
        "Joint targeted area inspection of the multi-agency response to children's mental health in Anytown",
    );
    assert_eq!(j.kind, InspectionKind::Jtai);
}

#[test]
fn pre_sif_record_of_main_findings_of_both_kinds() {
    let mut j = BTreeMap::new();
    // As Medway's 2013 report prints it (the contents page names the table first).
    pre_sif(
        "Contents Record of main findings 19 … Record of main findings Services for looked after children Overall effectiveness Inadequate Grade 4 Capacity to improve Adequate Grade 3 Outcomes for looked after children and young people Inadequate Grade 4 Quality of provision Inadequate Grade 4 Leadership and management Inadequate Grade 4",
        &mut j,
    );
    assert_eq!(j.len(), 5);
    assert_eq!(j[&Area::CapacityToImprove], Grade::Adequate);
    assert_eq!(j[&Area::LeadershipAndManagement], Grade::Inadequate);
    // A safeguarding and looked after children inspection: two tables. No such report is in
    // the archive; this is the table's layout in the 2009–12 framework.
    let mut j = BTreeMap::new();
    pre_sif(
        "Record of main findings Safeguarding services Overall effectiveness Adequate Capacity for improvement Good Safeguarding outcomes for children and young people Children and young people are safe: effectiveness of services in taking reasonable steps to ensure that children and young people are safe Adequate Quality of provision Adequate Leadership and management Good Services for looked after children Overall effectiveness Good Capacity for improvement Good How good are outcomes for looked after children and care leavers? Good Quality of provision Outstanding Leadership and management Good",
        &mut j,
    );
    assert_eq!(j[&Area::SafeguardingOverallEffectiveness], Grade::Adequate);
    assert_eq!(j[&Area::SafeguardingCapacityToImprove], Grade::Good);
    assert_eq!(j[&Area::SafeguardingChildrenAreSafe], Grade::Adequate);
    assert_eq!(j[&Area::SafeguardingQualityOfProvision], Grade::Adequate);
    assert_eq!(j[&Area::SafeguardingLeadershipAndManagement], Grade::Good);
    assert_eq!(j[&Area::OverallEffectiveness], Grade::Good);
    assert_eq!(j[&Area::OutcomesForLookedAfterChildren], Grade::Good);
    assert_eq!(j[&Area::QualityOfProvision], Grade::Outstanding);
    assert_eq!(j.len(), 10);
}
