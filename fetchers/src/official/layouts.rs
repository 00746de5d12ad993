//! The three layouts of Ofsted's statistics, read into one row per inspection or visit.
//!
//! - The "LA inspection outcomes as at 31 March" editions (2024, 2025): a sheet of each council's
//!   latest judgements, one of the year's inspections and visits, and the ILACS history. Long
//!   tables (one row per inspection); the 2025 edition names councils by GSS code, the 2024 one by
//!   name only; the 2024 history is wide (first and second ILACS inspection side by side, by
//!   publication date only).
//! - The 2023 "Children's social care data in England" underlying data, sheet
//!   `LA_inspections_2009-2023`: one wide row per council, one group of columns per inspection
//!   (pre-SIF, SIF, ILACS), publication dates only, councils by name.
//!
//! Tables are found by their header row (first cell `Web link`) and read by header text, never
//! by position: a renamed column is an error, not a silent shift. A sheet may hold two tables
//! (current councils, then those that no longer exist).

use chrono::NaiveDate;
use schema::domain::{Area, Framework, Grade, InspectionKind, InspectionType, Judgement, VisitTheme};

use super::OfficialError;
use super::workbook::Sheet;

/// One inspection or visit as one row of the statistics states it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfficialRow {
    /// The sheet.
    pub sheet: String,
    /// The row (1-based, as a spreadsheet shows it).
    pub row: u32,
    /// The council's GSS code, where the sheet gives one.
    pub gss_code: Option<String>,
    /// The council's name as written.
    pub council: String,
    /// Inspection, focused visit or monitoring visit.
    pub kind: InspectionKind,
    /// The framework.
    pub framework: Framework,
    /// ILACS standard or short, where stated.
    pub inspection_type: Option<InspectionType>,
    /// The statistics' own name for it (`ILACS Short Inspection`, `SLAC`, `First SIF` …).
    pub label: String,
    /// First day on site, where the sheet states it.
    pub start_date: Option<NaiveDate>,
    /// Publication date, where the sheet states it.
    pub published: Option<NaiveDate>,
    /// The judgements stated, in the order of [`Area`].
    pub judgements: Vec<Judgement>,
    /// A visit's theme, where stated.
    pub theme: Option<VisitTheme>,
}

/// Whether lacs reads a sheet of that name: the inspection tables of every edition, not the
/// cover, notes or provider-level sheets.
pub fn is_inspection_sheet(name: &str) -> bool {
    [
        "Inspections_as_at",
        "Inspections_31_March",
        "In-year_inspections",
        "Inspections_in_year",
        "ILACS_insp",
        "LA_inspections_",
    ]
    .iter()
    .any(|p| name.starts_with(p))
}

/// A group of columns stating one inspection: the date columns, the type, and each graded area.
struct Group {
    label: &'static str,
    framework: Framework,
    published: String,
    inspection_type: Option<String>,
    grades: Vec<(String, Area)>,
}

fn ilacs_group(label: &'static str, prefix: &str) -> Group {
    let p = |s: &str| format!("{prefix} {s}");
    Group {
        label,
        framework: Framework::Ilacs,
        published: p("publication date"),
        inspection_type: Some(p("inspection type")),
        grades: vec![
            (p("overall effectiveness"), Area::OverallEffectiveness),
            (p("impact of leaders"), Area::ImpactOfLeaders),
            (p("experiences and progress of children who need help and protection"), Area::HelpAndProtection),
            (p("experiences and progress of children in care and care leavers"), Area::ChildrenInCareAndCareLeavers),
            (p("experiences and progress of children in care"), Area::ChildrenInCare),
            (p("experiences and progress of care leavers"), Area::CareLeavers),
        ],
    }
}

fn sif_group(label: &'static str, prefix: &str, published: &str, lscb: bool) -> Group {
    let p = |s: &str| format!("{prefix} {s}");
    let mut grades = vec![
        (p("Overall Judgement (OE)"), Area::OverallEffectiveness),
        (p("children who need help and protection"), Area::HelpAndProtection),
        (p("children looked after and achieving permanence"), Area::ChildrenInCare),
        (p("CLA Sub: Adoption Performance"), Area::Adoption),
        (p("CLA Sub: Experiences and progress of care leavers"), Area::CareLeavers),
        (p("leadership, management and governance"), Area::LeadershipManagementGovernance),
    ];
    if lscb {
        grades.push(("LSCB Overall Effectiveness".into(), Area::Lscb));
    }
    Group { label, framework: Framework::Sif, published: published.into(), inspection_type: None, grades }
}

fn pre_sif_group(label: &'static str, published: &str, grades: &[(&str, Area)]) -> Group {
    Group {
        label,
        framework: Framework::PreSif,
        published: published.into(),
        inspection_type: None,
        grades: grades.iter().map(|(h, a)| ((*h).to_owned(), *a)).collect(),
    }
}

/// Every group of the wide layouts (the 2023 underlying data and the 2024 ILACS history); a
/// table holds some of them.
fn wide_groups() -> Vec<Group> {
    vec![
        pre_sif_group(
            "SLAC",
            "Safeguarding & Looked After Children (SLAC) Inspection publication date",
            &[
                ("SLAC Safeguarding Overall effectiveness (OE)", Area::SafeguardingOverallEffectiveness),
                ("SLAC Looked After Children Overall Effectiveness (OE)", Area::OverallEffectiveness),
            ],
        ),
        pre_sif_group(
            "SLAC re-inspection of safeguarding",
            "SLAC re-inspection of Safeguarding publication date",
            &[("SLAC re-inspection Safeguarding OE", Area::SafeguardingOverallEffectiveness)],
        ),
        pre_sif_group(
            "SLAC re-inspection of services for children looked after",
            "SLAC re-inspection of services for Children Looked After publication date",
            &[("SLAC re-inspection of services Children Looked After OE", Area::OverallEffectiveness)],
        ),
        pre_sif_group(
            "CPI",
            "Child Protection Inspections (CPI) publication date",
            &[("CPI Overall Effectiveness (OE)", Area::OverallEffectiveness)],
        ),
        pre_sif_group(
            "CPRI",
            "Child Protection Re-Inspection (CPRI) publication date",
            &[("CPRI Overall Effectiveness (OE)", Area::OverallEffectiveness)],
        ),
        pre_sif_group(
            "TLAC",
            "Targeted Looked After Children (TLAC) inspection publication date",
            &[("TLAC Overall Effectiveness (OE)", Area::OverallEffectiveness)],
        ),
        sif_group(
            "First SIF",
            "First SIF",
            "Single Inspection of LA Children's Services (SIF) First SIF publication date",
            true,
        ),
        sif_group(
            "SIF re-inspection",
            "SIF Re-inspection",
            "Single Inspection of LA Children's Services (SIF) SIF Re-inspection publication date",
            false,
        ),
        ilacs_group("First ILACS", "First ILACS framework"),
        ilacs_group("Second ILACS", "Second ILACS framework"),
        ilacs_group("ILACS", "ILACS framework"),
        ilacs_group("First ILACS", "First ILACS"),
        ilacs_group("Second ILACS", "Second ILACS"),
    ]
}

/// Header text as compared: spaces collapsed, case ignored.
fn key(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

/// A table's header: column of each header text.
struct Header(Vec<String>);

impl Header {
    fn column(&self, names: &[&str]) -> Option<usize> {
        names.iter().find_map(|n| self.0.iter().position(|h| *h == key(n)))
    }
}

/// Reads every inspection table of `sheets`. Every bad cell is reported (sheet, row, reason) and
/// fails the whole read.
pub fn read(sheets: &[Sheet]) -> Result<Vec<OfficialRow>, OfficialError> {
    let mut out = Vec::new();
    let mut problems = Vec::new();
    for sheet in sheets.iter().filter(|s| is_inspection_sheet(&s.name)) {
        let mut tables = 0;
        let mut i = 0;
        while i < sheet.rows.len() {
            let (_, cells) = &sheet.rows[i];
            if cells.first().map(|c| key(c)) != Some("web link".into()) {
                i += 1;
                continue;
            }
            tables += 1;
            let header = Header(cells.iter().map(|c| key(c)).collect());
            let end = sheet.rows[i + 1..]
                .iter()
                // A blank row, a title (text in the first cell alone) or the next header ends it.
                .position(|(_, r)| {
                    r.iter().skip(1).all(String::is_empty) || r.first().map(|c| key(c)) == Some("web link".into())
                })
                .map_or(sheet.rows.len(), |p| i + 1 + p);
            let body = &sheet.rows[i + 1..end];
            if header.column(&["Inspection date", "Inspection/Visit date"]).is_some() {
                read_long(sheet, &header, body, &mut out, &mut problems);
            } else {
                read_wide(sheet, &header, body, &mut out, &mut problems);
            }
            i = end;
        }
        if tables == 0 {
            problems.push(format!("{}: no table (no header row beginning `Web link`)", sheet.name));
        }
    }
    if !problems.is_empty() {
        return Err(OfficialError(problems.join("\n")));
    }
    Ok(out)
}

fn cell(row: &[String], col: Option<usize>) -> &str {
    col.and_then(|c| row.get(c)).map_or("", String::as_str)
}

/// A grade as the statistics write it; `None` where the cell is blank (or `-`).
fn grade(text: &str, framework: Framework) -> Result<Option<Grade>, String> {
    Ok(Some(match key(text).as_str() {
        "" | "-" => return Ok(None),
        "outstanding" => Grade::Outstanding,
        "good" => Grade::Good,
        // The statistics write the pre-SIF grade 3, "adequate", in the later framework's words.
        "requires improvement to be good" | "requires improvement" if framework == Framework::PreSif => Grade::Adequate,
        "requires improvement to be good" | "requires improvement" => Grade::RequiresImprovement,
        "adequate" => Grade::Adequate,
        "inadequate" => Grade::Inadequate,
        "not judged" => Grade::NotJudged,
        _ => return Err(format!("`{text}` is not a grade")),
    }))
}

fn date(text: &str) -> Result<Option<NaiveDate>, String> {
    if text.is_empty() || text == "-" {
        return Ok(None);
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(text, "%d/%m/%Y"))
        .map(Some)
        .map_err(|_| format!("`{text}` is not a date"))
}

/// What an `Inspection type` cell says: the kind of publication and, for inspections, the type.
fn kind(text: &str) -> Result<(InspectionKind, Option<InspectionType>), String> {
    Ok(match key(text).as_str() {
        "" => (InspectionKind::Inspection, None),
        "ilacs standard inspection" => (InspectionKind::Inspection, Some(InspectionType::Standard)),
        "ilacs short inspection" => (InspectionKind::Inspection, Some(InspectionType::Short)),
        "ilacs focused visit" => (InspectionKind::FocusedVisit, None),
        "la monitoring visit" | "ilacs monitoring visit" => (InspectionKind::MonitoringVisit, None),
        _ => return Err(format!("`{text}` is not an inspection or visit type")),
    })
}

fn theme(text: &str) -> Option<VisitTheme> {
    Some(match key(text).as_str() {
        "" | "-" => return None,
        "front door" => VisitTheme::FrontDoor,
        "children in need/subject to a plan" => VisitTheme::ChildrenInNeedAndProtection,
        "children in care" => VisitTheme::ChildrenInCare,
        "achieving permanence" => VisitTheme::Permanence,
        "care leavers" => VisitTheme::CareLeavers,
        "vulnerable adolescents" => VisitTheme::ExtraFamilialHarm,
        _ => VisitTheme::Other,
    })
}

/// Before 2023 ILACS judged children in care and care leavers together; the tables put that
/// judgement in the children-in-care column and leave care leavers blank.
fn combine_care(judgements: &mut [Judgement], framework: Framework) {
    if framework == Framework::Ilacs && !judgements.iter().any(|j| j.area == Area::CareLeavers) {
        for j in judgements.iter_mut().filter(|j| j.area == Area::ChildrenInCare) {
            j.area = Area::ChildrenInCareAndCareLeavers;
        }
    }
}

fn read_long(
    sheet: &Sheet,
    h: &Header,
    body: &[(u32, Vec<String>)],
    out: &mut Vec<OfficialRow>,
    problems: &mut Vec<String>,
) {
    let name = h.column(&["Local authority name"]);
    let gss = h.column(&["Local authority area code"]);
    let start = h.column(&["Inspection date", "Inspection/Visit date"]);
    let published = h.column(&["Publication date"]);
    let kind_col = h.column(&["Inspection type", "Inspection/Visit type"]);
    let theme_col = h.column(&["Visit Theme"]);
    let areas = [
        (&["Overall effectiveness"][..], Area::OverallEffectiveness),
        (
            &["The impact of leaders on social work practice with children and families", "Impact of leaders"][..],
            Area::ImpactOfLeaders,
        ),
        (
            &[
                "The experiences and progress of children who need help and protection",
                "Experiences and progress of children who need help and protection",
            ][..],
            Area::HelpAndProtection,
        ),
        (
            &["The experiences and progress of children in care", "Experiences and progress of children in care"][..],
            Area::ChildrenInCare,
        ),
        (
            &["The experiences and progress of care leavers", "Experiences and progress of care leavers"][..],
            Area::CareLeavers,
        ),
    ];
    let grade_cols: Vec<(Option<usize>, Area)> = areas.iter().map(|(n, a)| (h.column(n), *a)).collect();
    if name.is_none() || grade_cols[0].0.is_none() {
        problems.push(format!("{}: the table lacks `Local authority name` or `Overall effectiveness`", sheet.name));
        return;
    }
    for (row, cells) in body {
        let fail = |problems: &mut Vec<String>, e: String| problems.push(format!("{} row {row}: {e}", sheet.name));
        let (kind, inspection_type) = match kind(cell(cells, kind_col)) {
            Ok(k) => k,
            Err(e) => {
                fail(problems, e);
                continue;
            }
        };
        let mut judgements = Vec::new();
        for (col, area) in &grade_cols {
            match grade(cell(cells, *col), Framework::Ilacs) {
                Ok(Some(grade)) => judgements.push(Judgement { area: *area, grade }),
                Ok(None) => {}
                Err(e) => fail(problems, e),
            }
        }
        combine_care(&mut judgements, Framework::Ilacs);
        judgements.sort_by_key(|j| j.area);
        // A council not yet inspected under ILACS (Cumberland, Westmorland and Furness in 2024).
        if key(cell(cells, start)) == "not yet inspected" {
            continue;
        }
        let (start_date, published) = match (date(cell(cells, start)), date(cell(cells, published))) {
            (Ok(s), Ok(p)) => (s, p),
            (Err(e), _) | (_, Err(e)) => {
                fail(problems, e);
                continue;
            }
        };
        if start_date.is_none() {
            fail(problems, "no inspection date".into());
            continue;
        }
        let label = match cell(cells, kind_col) {
            "" => "ILACS inspection".to_owned(),
            t => t.to_owned(),
        };
        out.push(OfficialRow {
            sheet: sheet.name.clone(),
            row: *row,
            gss_code: Some(cell(cells, gss).to_owned()).filter(|g| !g.is_empty()),
            council: cell(cells, name).to_owned(),
            kind,
            framework: Framework::Ilacs,
            inspection_type,
            label,
            start_date,
            published,
            judgements,
            theme: theme(cell(cells, theme_col)),
        });
    }
}

fn read_wide(
    sheet: &Sheet,
    h: &Header,
    body: &[(u32, Vec<String>)],
    out: &mut Vec<OfficialRow>,
    problems: &mut Vec<String>,
) {
    let Some(name) = h.column(&["Local authority name"]) else {
        problems.push(format!("{}: the table lacks `Local authority name`", sheet.name));
        return;
    };
    let groups: Vec<Group> = wide_groups().into_iter().filter(|g| h.column(&[&g.published]).is_some()).collect();
    if groups.is_empty() {
        problems.push(format!("{}: the table has no column of inspection or publication dates lacs knows", sheet.name));
        return;
    }
    for (row, cells) in body {
        for g in &groups {
            let fail = |problems: &mut Vec<String>, e: String| {
                problems.push(format!("{} row {row}: {}: {e}", sheet.name, g.label))
            };
            let published = match date(cell(cells, h.column(&[&g.published]))) {
                Ok(Some(p)) => p,
                Ok(None) => continue,
                Err(e) => {
                    fail(problems, e);
                    continue;
                }
            };
            let type_text = g.inspection_type.as_deref().map_or("", |t| cell(cells, h.column(&[t])));
            let (kind, inspection_type) = match kind(type_text) {
                Ok(k) => k,
                Err(e) => {
                    fail(problems, e);
                    continue;
                }
            };
            let mut judgements = Vec::new();
            for (header, area) in &g.grades {
                match grade(cell(cells, h.column(&[header])), g.framework) {
                    Ok(Some(grade)) => judgements.push(Judgement { area: *area, grade }),
                    Ok(None) => {}
                    Err(e) => fail(problems, e),
                }
            }
            combine_care(&mut judgements, g.framework);
            judgements.sort_by_key(|j| j.area);
            out.push(OfficialRow {
                sheet: sheet.name.clone(),
                row: *row,
                gss_code: None,
                council: cell(cells, Some(name)).to_owned(),
                kind,
                framework: g.framework,
                inspection_type,
                label: if type_text.is_empty() { g.label.to_owned() } else { format!("{}: {type_text}", g.label) },
                start_date: None,
                published: Some(published),
                judgements,
                theme: None,
            });
        }
    }
}
