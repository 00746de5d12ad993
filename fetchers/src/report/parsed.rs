//! What one publication says, typed, and its stable JSON line.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use schema::domain::{Area, Framework, Grade, InspectionKind, InspectionType, VisitTheme};
use serde::Serialize;

/// One period on site.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Period {
    /// First day, when printed (one SIF report prints only the last day).
    pub start: Option<NaiveDate>,
    /// Last day.
    pub end: NaiveDate,
}

/// What one publication says.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ParsedReport {
    /// Inspection, focused visit, monitoring visit, LSCB review …
    pub kind: InspectionKind,
    /// The framework.
    pub framework: Option<Framework>,
    /// ILACS standard or short, from the length of the first period on site.
    pub inspection_type: Option<InspectionType>,
    /// A SIF re-inspection.
    pub reinspection: bool,
    /// The council's name as printed.
    pub local_authority: Option<String>,
    /// Every period on site, in order.
    pub on_site_periods: Vec<Period>,
    /// The publication date, or a letter's date, where printed.
    pub published: Option<NaiveDate>,
    /// Lead inspector(s), names only (a visit letter's: the inspector who signed it).
    pub lead_inspectors: Vec<String>,
    /// Every inspector a visit letter names, in the letter's order (a signatory it does not list
    /// comes first); inspection reports: empty, they name only the lead.
    pub inspectors: Vec<String>,
    /// What a focused visit looked at, in our vocabulary.
    pub theme: Option<VisitTheme>,
    /// The letter's sentence saying what the visit looked at, as printed.
    pub theme_text: Option<String>,
    /// What the parser corrected or could not settle (a misprinted year, a date without one).
    pub notes: Vec<String>,
    /// Every judgement printed.
    pub judgements: BTreeMap<Area, Grade>,
}

impl ParsedReport {
    /// The stable JSON line of `lacs parse-report --json` for `file`.
    pub fn to_json(&self, file: &str) -> serde_json::Value {
        let date = |d: Option<NaiveDate>| d.map(|d| d.to_string());
        serde_json::json!({
            "file": file,
            "kind": self.kind.as_str(),
            "framework": self.framework.map(|f| f.as_str()),
            "inspection_type": self.inspection_type.map(|t| t.as_str()),
            "reinspection": self.reinspection,
            "local_authority": self.local_authority,
            "inspection_start": date(self.inspection_start()),
            "inspection_end": date(self.inspection_end()),
            "on_site_periods": self.on_site_periods.iter()
                .map(|p| serde_json::json!({"start": date(p.start), "end": p.end.to_string()}))
                .collect::<Vec<_>>(),
            "published": date(self.published),
            "lead_inspectors": self.lead_inspectors,
            "inspectors": self.inspectors,
            "theme": self.theme.map(|t| t.as_str()),
            "theme_text": self.theme_text,
            "notes": self.notes,
            "judgements": self.judgements.iter().map(|(a, g)| (a.as_str(), g.as_str())).collect::<BTreeMap<_, _>>(),
            "error": null,
        })
    }

    /// The first day on site.
    pub fn inspection_start(&self) -> Option<NaiveDate> {
        self.on_site_periods.first().and_then(|p| p.start)
    }

    /// The last day on site (of the last period).
    pub fn inspection_end(&self) -> Option<NaiveDate> {
        self.on_site_periods.last().map(|p| p.end)
    }
}
