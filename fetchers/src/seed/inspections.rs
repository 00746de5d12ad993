//! The inspection files, read and checked: our parser's readings of the report PDFs
//! (`ofsted_inspections.csv`) and of the focused-visit letters (`ofsted_focused_visits.csv`),
//! then the scraper's rows (`ofsted_csc_ilacs_history.csv`) for the
//! reports it has not read.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, NaiveDate, Utc};
use schema::StoreError;
use schema::domain::*;

use super::files::{Problems, SeedFiles, Table, get, non_empty, parse_date};
use super::files::{UPSTREAM, upstream_time};
use super::names::LaIndex;

/// The `source` of the records the scraper's history file publishes.
pub(crate) const HISTORY_SOURCE: &str = "seed:ofsted_csc_ilacs_history.csv";

fn history_grade(text: &str) -> Result<Option<Grade>, String> {
    Ok(Some(match text {
        "outstanding" => Grade::Outstanding,
        "good" => Grade::Good,
        "requires improvement" => Grade::RequiresImprovement,
        "inadequate" => Grade::Inadequate,
        // Markers, not grades: the area was not read, or does not exist for this inspection.
        "" | "data_unreadable" | "inspection_pre_dates_judgement" | "not_reported_post_reform" => {
            return Ok(None);
        }
        other => return Err(format!("`{other}` is not a grade")),
    }))
}

/// The inspection files, read and checked: our parser's readings first, the scraper's rows for
/// the rest.
pub(super) fn read(files: &SeedFiles, las: &LaIndex) -> Result<Vec<Inspection>, StoreError> {
    let mut problems = Problems::new("seed inspections");
    const GRADE_COLUMNS: [&str; 5] = [
        "overall_effectiveness_grade",
        "impact_of_leaders_grade",
        "help_and_protection_grade",
        "in_care_grade",
        "care_leavers_grade",
    ];
    let mut required = vec![
        "urn",
        "inspection_link",
        "publication_date",
        "inspection_framework",
        "inspector_name",
        "inspection_start_date",
        "inspection_end_date",
    ];
    required.extend(GRADE_COLUMNS);
    let history = Table::read(files, "ofsted_csc_ilacs_history.csv", &required, &mut problems);
    problems.finish()?;
    let mut problems = Problems::new("seed inspections");
    let source_url = format!("{UPSTREAM}/ofsted_csc_ilacs_history.csv");

    // Our own parser's reading of each report we hold, first; the scraper's row for the rest.
    let mut inspections = read_ofsted_inspections(files, las, &mut problems);
    // The focused-visit letters, under lacs's ids (their Ofsted file ids are not known offline).
    inspections.extend(super::focused_visits::read(files, las, &mut problems));
    let ours: HashSet<String> = inspections.iter().map(|i| i.id.clone()).collect();
    // The scraper's reading of a report our parser read: a statement of that record.
    let mut history_statements: HashMap<String, Vec<Statement>> = HashMap::new();
    let mut history_lines = HashMap::new();
    let mut seen = HashSet::new();
    for (line, row) in &history.rows {
        let mut fail = |reason: String| problems.add(&history.path, *line, reason);
        let urn = get(row, "urn");
        let Some(la) = las.by_urn.get(urn) else {
            fail(format!("URN `{urn}` matches no local authority"));
            continue;
        };
        let link = get(row, "inspection_link");
        let Some(id) = link
            .strip_prefix("https://files.ofsted.gov.uk/v1/file/")
            .filter(|id| !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()))
        else {
            fail(format!("`{link}` is not an Ofsted file link"));
            continue;
        };
        if !seen.insert(id.to_owned()) && !ours.contains(id) {
            fail(format!("file id {id} appears twice"));
            continue;
        }
        let dates = (
            parse_date(get(row, "publication_date"), "%d/%m/%y"),
            parse_date(get(row, "inspection_start_date"), "%d/%m/%Y"),
            parse_date(get(row, "inspection_end_date"), "%d/%m/%Y"),
        );
        let (published, start_date, end_date) = match dates {
            (Ok(Some(p)), Ok(s), Ok(e)) => (p, s, e),
            (Ok(None), _, _) => {
                fail("empty publication_date".into());
                continue;
            }
            (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => {
                fail(e);
                continue;
            }
        };
        let mut grades = [None; 5];
        let mut bad = false;
        for (slot, column) in grades.iter_mut().zip(GRADE_COLUMNS) {
            match (get(row, column), history_grade(get(row, column))) {
                // Two rows hold this misreading of the scraper's: the grade is unknown.
                ("to requires improvement", _) => {}
                (_, Ok(g)) => *slot = g,
                (_, Err(e)) => {
                    fail(format!("{column}: {e}"));
                    bad = true;
                }
            }
        }
        if bad {
            continue;
        }
        let framework_text = get(row, "inspection_framework");
        let inspection_type = match framework_text {
            "standard" => Some(InspectionType::Standard),
            "short" => Some(InspectionType::Short),
            _ => None,
        };
        // The file names ILACS inspection types; otherwise only the date settles the framework:
        // nothing but ILACS has been published since 2019. Earlier rows stay unknown until our own
        // parser reads the report.
        let ilacs_since = NaiveDate::from_ymd_opt(2019, 1, 1).unwrap_or_default();
        let framework = (!framework_text.is_empty() || published >= ilacs_since).then_some(Framework::Ilacs);
        // ILACS inspections starting before 2023 judged children in care and care leavers
        // together; the file then puts it in the in-care column and marks care leavers as not yet
        // judged, or (misreading the report) gives care leavers a grade, which the store refuses.
        let combined = get(row, "care_leavers_grade") == "inspection_pre_dates_judgement"
            || framework.is_some_and(|f| JudgementSet::possible(f, start_date, published) == [JudgementSet::Ilacs2018]);
        let in_care_area = if combined { Area::ChildrenInCareAndCareLeavers } else { Area::ChildrenInCare };
        let areas = [
            Area::OverallEffectiveness,
            Area::ImpactOfLeaders,
            Area::HelpAndProtection,
            in_care_area,
            Area::CareLeavers,
        ];
        let judgements: Vec<Judgement> =
            areas.iter().zip(grades).filter_map(|(&area, g)| g.map(|grade| Judgement { area, grade })).collect();

        let mut notes = Vec::new();
        if framework_text == "inspection duration longer than standard framework" {
            notes.push("the source describes the inspection as longer than a standard inspection".to_owned());
        }
        let unread: Vec<&str> = GRADE_COLUMNS
            .iter()
            .filter(|c| matches!(get(row, c), "" | "data_unreadable" | "to requires improvement"))
            .filter(|c| !(**c == "overall_effectiveness_grade" && get(row, c) == "not_reported_post_reform"))
            .copied()
            .collect();
        if !unread.is_empty() {
            notes.push(format!("the source could not read {} from the report", unread.join(", ")));
        }
        if framework.is_none() {
            notes.push("framework not stated by the source".to_owned());
        }
        // Every row is checked; a row whose report our parser read gives way to that reading.
        if ours.contains(id) {
            history_statements.entry(id.to_owned()).or_default().push(Statement {
                source: HISTORY_SOURCE.to_owned(),
                source_url: source_url.clone(),
                sha256: history.sha256.clone(),
                retrieved_at: upstream_time(),
                locator: format!("line {line}"),
                start_date,
                published: Some(published),
                judgements,
            });
            continue;
        }
        history_lines.insert(id.to_owned(), *line);
        inspections.push(Inspection {
            id: id.to_owned(),
            la: la.clone(),
            kind: InspectionKind::Inspection,
            framework,
            inspection_type,
            start_date,
            end_date,
            second_start_date: None,
            second_end_date: None,
            published,
            lead_inspectors: non_empty(get(row, "inspector_name")).into_iter().collect(),
            inspectors: Vec::new(),
            theme: None,
            report_url: link.to_owned(),
            provider_url: Some(format!("https://reports.ofsted.gov.uk/provider/44/{urn}")),
            judgements,
            notes: (!notes.is_empty()).then(|| notes.join("; ")),
            statements: Vec::new(),
            provenance: history.provenance(&source_url, upstream_time()),
        });
    }
    for i in &mut inspections {
        if let Some(s) = history_statements.remove(&i.id) {
            i.statements.extend(s);
        }
    }
    super::official::merge(files, las, &mut inspections, &history_lines, &mut problems);
    problems.finish()?;
    Ok(inspections)
}

/// `ofsted_inspections.csv`: what `lacs fetch ofsted` read from each report PDF (see
/// `scripts/rebuild-seed`), with the report's SHA-256, parser version and retrieval time.
fn read_ofsted_inspections(files: &SeedFiles, las: &LaIndex, problems: &mut Problems) -> Vec<Inspection> {
    let table = Table::read(
        files,
        "ofsted_inspections.csv",
        &[
            "id",
            "urn",
            "kind",
            "framework",
            "inspection_type",
            "start_date",
            "end_date",
            "second_start_date",
            "second_end_date",
            "published",
            "lead_inspectors",
            "judgements",
            "report_url",
            "provider_url",
            "notes",
            "retrieved_at",
            "sha256",
            "parser_version",
        ],
        problems,
    );
    let mut out = Vec::new();
    for (line, row) in &table.rows {
        let mut fail = |reason: String| problems.add(&table.path, *line, reason);
        let Some(la) = las.by_urn.get(get(row, "urn")) else {
            fail(format!("URN `{}` matches no local authority", get(row, "urn")));
            continue;
        };
        let date = |c: &str| parse_date(get(row, c), "%Y-%m-%d").map_err(|e| format!("{c}: {e}"));
        let vocab = |c: &str| -> Result<Option<String>, String> { Ok(non_empty(get(row, c))) };
        let parsed = (|| -> Result<Inspection, String> {
            let judgements = get(row, "judgements")
                .split(';')
                .filter(|j| !j.is_empty())
                .map(|j| {
                    let (area, grade) =
                        j.split_once('=').ok_or_else(|| format!("judgements: `{j}` is not area=grade"))?;
                    Ok(Judgement {
                        area: area.parse().map_err(|e: UnknownValue| e.to_string())?,
                        grade: grade.parse().map_err(|e: UnknownValue| e.to_string())?,
                    })
                })
                .collect::<Result<Vec<_>, String>>()?;
            let retrieved_at = DateTime::parse_from_rfc3339(get(row, "retrieved_at"))
                .map_err(|_| format!("retrieved_at: `{}` is not an RFC 3339 time", get(row, "retrieved_at")))?
                .with_timezone(&Utc);
            Ok(Inspection {
                id: get(row, "id").to_owned(),
                la: la.clone(),
                kind: get(row, "kind").parse().map_err(|e: UnknownValue| e.to_string())?,
                framework: vocab("framework")?
                    .map(|f| f.parse())
                    .transpose()
                    .map_err(|e: UnknownValue| e.to_string())?,
                inspection_type: vocab("inspection_type")?
                    .map(|t| t.parse())
                    .transpose()
                    .map_err(|e: UnknownValue| e.to_string())?,
                start_date: date("start_date")?,
                end_date: date("end_date")?,
                second_start_date: date("second_start_date")?,
                second_end_date: date("second_end_date")?,
                published: date("published")?.ok_or("published: empty")?,
                lead_inspectors: get(row, "lead_inspectors")
                    .split("; ")
                    .filter(|n| !n.is_empty())
                    .map(str::to_owned)
                    .collect(),
                inspectors: Vec::new(),
                theme: None,
                report_url: get(row, "report_url").to_owned(),
                provider_url: non_empty(get(row, "provider_url")),
                judgements,
                notes: non_empty(get(row, "notes")),
                statements: Vec::new(),
                provenance: Provenance {
                    source: crate::ofsted::SOURCE.to_owned(),
                    source_url: get(row, "report_url").to_owned(),
                    retrieved_at,
                    sha256: get(row, "sha256").to_owned(),
                    parser_version: get(row, "parser_version").to_owned(),
                },
            })
        })();
        match parsed {
            Ok(i) => out.push(i),
            Err(e) => fail(e),
        }
    }
    out
}
