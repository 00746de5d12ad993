//! Reading a report's extracted text: normalised, classified by era and kind, then its dates,
//! council, inspectors and judgement table read with the patterns of each era.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use chrono::{Datelike, NaiveDate};
use regex::Regex;
use schema::domain::{Area, Framework, Grade, InspectionKind, InspectionType};

use super::parsed::{ParsedReport, Period};

pub(super) fn re(pattern: &str) -> Regex {
    // The patterns are constants of this module, checked by its tests.
    Regex::new(pattern).unwrap_or_else(|e| panic!("bad pattern {pattern}: {e}"))
}

const GRADE: &str = r"(?i)\b(outstanding|good|requires? improvement(?: to be good)?|inadequate|not judged|adequate)\b";

fn grade(word: &str) -> Option<Grade> {
    let w = word.to_lowercase();
    Some(match w.as_str() {
        "outstanding" => Grade::Outstanding,
        "good" => Grade::Good,
        "inadequate" => Grade::Inadequate,
        "not judged" => Grade::NotJudged,
        "adequate" => Grade::Adequate,
        _ if w.starts_with("require") => Grade::RequiresImprovement,
        _ => return None,
    })
}

/// One space between words; plain apostrophes, quotes and dashes.
fn normalise(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        let c = match c {
            '\u{2018}' | '\u{2019}' | '`' => '\'',
            '\u{201c}' | '\u{201d}' => '"',
            '\u{2010}'..='\u{2015}' | '\u{2500}' | '\u{2212}' => '-',
            c if c.is_whitespace() => ' ',
            c => c,
        };
        if c == ' ' && out.ends_with(' ') {
            continue;
        }
        out.push(c);
    }
    out.trim().to_owned()
}

/// The report's text, normalised, with the part the title, dates and table are in.
pub(super) struct Text {
    pub(super) all: String,
}

impl Text {
    pub(super) fn head(&self, n: usize) -> &str {
        let mut end = self.all.len().min(n);
        while !self.all.is_char_boundary(end) {
            end -= 1;
        }
        &self.all[..end]
    }
}

/// Reads already-extracted text.
pub fn parse_text(raw: &str) -> ParsedReport {
    let t = Text { all: normalise(raw) };
    let head = t.head(2500);
    let (kind, framework, reinspection) = classify(head);
    if matches!(kind, InspectionKind::FocusedVisit | InspectionKind::MonitoringVisit) {
        let letter = super::letter::read(&t, raw, kind);
        return ParsedReport {
            kind,
            framework,
            inspection_type: None,
            reinspection,
            local_authority: letter.local_authority,
            on_site_periods: letter.periods,
            published: letter.date,
            lead_inspectors: letter.lead_inspectors,
            inspectors: letter.inspectors,
            theme: letter.theme,
            theme_text: letter.theme_text,
            notes: letter.notes,
            judgements: BTreeMap::new(),
        };
    }
    let on_site_periods = periods(&t, kind);
    let mut judgements = BTreeMap::new();
    match (kind, framework) {
        (InspectionKind::Inspection, Some(Framework::Ilacs)) => ilacs_table(t.head(3000), &mut judgements),
        (InspectionKind::Inspection, Some(Framework::Sif)) => {
            sif_table(t.head(5000), &mut judgements);
            if head.to_lowercase().contains("review of the effectiveness of the local safeguarding children board") {
                lscb(&t.all, &mut judgements);
            }
        }
        (InspectionKind::LscbReview, _) => lscb(&t.all, &mut judgements),
        (InspectionKind::Inspection, Some(Framework::PreSif)) => pre_sif(&t.all, &mut judgements),
        _ => {}
    }
    let inspection_type = match (kind, framework, on_site_periods.first()) {
        (InspectionKind::Inspection, Some(Framework::Ilacs), Some(Period { start: Some(s), end })) => {
            Some(if (*end - *s).num_days() < 7 { InspectionType::Short } else { InspectionType::Standard })
        }
        _ => None,
    };
    ParsedReport {
        kind,
        framework,
        inspection_type,
        reinspection,
        local_authority: local_authority(head),
        on_site_periods,
        published: published(&t),
        lead_inspectors: lead_inspectors(&t),
        inspectors: Vec::new(),
        theme: None,
        theme_text: None,
        notes: Vec::new(),
        judgements,
    }
}

fn classify(head: &str) -> (InspectionKind, Option<Framework>, bool) {
    static REINSPECTION: LazyLock<Regex> = LazyLock::new(|| re(r"(?i)\bre-?inspection of services"));
    static LETTER: LazyLock<Regex> = LazyLock::new(|| {
        re(
            r"\bdear [^.]{0,80}?\b(focused|monitoring) visit (?:to|of)\b|this letter summarises the findings of (?:a|the) (focused|monitoring) visit",
        )
    });
    // Titles come first on the page; letters open with an address block. Reports mention other
    // kinds of visit in their text ("since the focused visit to …"), so only the title counts.
    let lower = head.to_lowercase();
    let title: String = lower.chars().take(400).collect();
    let letter: String = lower.chars().take(1500).collect();
    let in_title = |s: &str| title.contains(s);
    // A letter: "Dear …" and then its heading "Focused visit to …" (which may name "local
    // authority children's services", as ILACS titles do).
    if LETTER.is_match(&letter) {
        let focused =
            LETTER.captures(&letter).and_then(|c| c.get(1).or(c.get(2))).is_some_and(|m| m.as_str() == "focused");
        let kind = if focused { InspectionKind::FocusedVisit } else { InspectionKind::MonitoringVisit };
        return (kind, Some(Framework::Ilacs), false);
    }
    if in_title("inspection of services for children in need of help and protection") || REINSPECTION.is_match(&title) {
        (InspectionKind::Inspection, Some(Framework::Sif), REINSPECTION.is_match(&title))
    } else if in_title("inspection of safeguarding and looked after children services")
        || in_title("inspection of looked after children services")
    {
        (InspectionKind::Inspection, Some(Framework::PreSif), false)
    } else if in_title("local authority children's services")
        || in_title("inspection of children's social care services")
    {
        (InspectionKind::Inspection, Some(Framework::Ilacs), false)
    } else if in_title("review of the effectiveness of the local safeguarding children board") {
        (InspectionKind::LscbReview, Some(Framework::Sif), false)
    } else if in_title("joint targeted area inspection") {
        (InspectionKind::Jtai, None, false)
    } else if letter.contains("focused visit to") {
        (InspectionKind::FocusedVisit, Some(Framework::Ilacs), false)
    } else if letter.contains("monitoring visit to") || letter.contains("monitoring visit of") {
        (InspectionKind::MonitoringVisit, Some(Framework::Ilacs), false)
    } else if lower.contains("judgement grade") && lower.contains("the impact of leaders") {
        (InspectionKind::Inspection, Some(Framework::Ilacs), false)
    } else {
        (InspectionKind::Other, None, false)
    }
}

const MONTHS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

pub(super) fn month(word: &str) -> Option<u32> {
    let w = word.to_lowercase();
    let w = w.trim_end_matches('.');
    if w.len() < 3 {
        return None;
    }
    MONTHS
        .iter()
        .position(|m| m.starts_with(w) && (w.len() == 3 || m.len() == w.len() || w == "sept"))
        .map(|i| i as u32 + 1)
}

/// A date as far as it is written: `9`, `9 November`, `9 November 2017` or `9/11/2017`.
#[derive(Debug, Clone, Copy)]
struct Partial {
    day: u32,
    month: Option<u32>,
    year: Option<i32>,
}

fn partial(text: &str) -> Option<Partial> {
    let text = text.trim().trim_end_matches('.');
    if let Some((d, rest)) = text.split_once('/') {
        let (m, y) = rest.split_once('/')?;
        let year: i32 = y.trim().parse().ok()?;
        return Some(Partial { day: d.trim().parse().ok()?, month: Some(m.trim().parse().ok()?), year: Some(year) });
    }
    let mut words = text.split_whitespace();
    let day: u32 = words.next()?.trim_end_matches(|c: char| c.is_alphabetic()).parse().ok()?;
    let month = match words.next() {
        Some(w) => Some(month(w)?),
        None => None,
    };
    let year = match words.next() {
        Some(w) => Some(w.trim_end_matches([',', '.']).parse().ok()?),
        None => None,
    };
    if words.next().is_some() {
        return None;
    }
    Some(Partial { day, month, year })
}

/// Periods from text such as `7 to 18 October 2024`, `6 July 2015 - 30 July 2015`,
/// `30 September to 11 October 2024 and 13 to 16 January 2025` or `31 January and 1 February 2024`.
/// A single date of a full inspection is its last day (the first is not printed).
pub(super) fn parse_periods(text: &str, single_date_is_end: bool) -> Vec<Period> {
    let mut cleaned = text.trim().replace(" - ", " to ").replace('-', " to ");
    // "between 20 October and 22 October" is one range.
    if let Some(rest) = cleaned.strip_prefix("between ") {
        cleaned = rest.replacen(" and ", " to ", 1);
    }
    let cleaned = cleaned.trim_start_matches("on ");
    // Each part is one date or a range; endpoints take their missing month and year from the
    // endpoints that follow them.
    let mut parts: Vec<Vec<Partial>> = Vec::new();
    for part in cleaned.split(" and ") {
        let ends: Option<Vec<Partial>> = part.split(" to ").map(partial).collect();
        match ends {
            Some(ends) if !ends.is_empty() && ends.len() <= 2 => parts.push(ends),
            _ => return Vec::new(),
        }
    }
    let mut flat: Vec<&mut Partial> = parts.iter_mut().flatten().collect();
    let (mut month, mut year) = (None, None);
    for p in flat.iter_mut().rev() {
        month = p.month.or(month);
        year = p.year.or(year);
        p.month = p.month.or(month);
        p.year = p.year.or(year);
    }
    let date = |p: &Partial| NaiveDate::from_ymd_opt(p.year?, p.month?, p.day);
    let mut periods: Vec<Period> = Vec::new();
    for part in &parts {
        let (Some(mut first), Some(last)) = (part.first().and_then(date), part.last().and_then(date)) else {
            return Vec::new();
        };
        // "30 December to 3 January 2025": the first day took the year of the last.
        if first > last {
            first = first.with_year(first.year() - 1).unwrap_or(first);
        }
        let single = part.len() == 1;
        match periods.last_mut() {
            // "31 January and 1 February": consecutive single days are one visit.
            Some(prev) if single && (first - prev.end).num_days() == 1 => prev.end = first,
            _ => periods.push(Period { start: Some(first), end: last }),
        }
    }
    if single_date_is_end && parts.len() == 1 && parts[0].len() == 1 {
        for p in &mut periods {
            p.start = None;
        }
    }
    periods
}

fn periods(t: &Text, kind: InspectionKind) -> Vec<Period> {
    static PRINTED: LazyLock<Regex> = LazyLock::new(|| {
        re(
            r"(?i)Inspection dates?:\s*(.+?)\s*(?:Lead inspector|Report published|Published|Reporting inspector|Judgement|Age group|The overall judgement|The Local Safeguarding|Children's services in|Inspection of|$)",
        )
    });
    PRINTED.captures(t.head(3000)).map(|c| parse_periods(&c[1], kind == InspectionKind::Inspection)).unwrap_or_default()
}

pub(super) fn date_text(text: &str) -> Option<NaiveDate> {
    let p = partial(text)?;
    NaiveDate::from_ymd_opt(p.year?, p.month?, p.day)
}

fn published(t: &Text) -> Option<NaiveDate> {
    static PRINTED: LazyLock<Regex> =
        LazyLock::new(|| re(r"(?i)(?:Report )?published:\s*(\d{1,2}/\d{1,2}/\d{4}|\d{1,2} [A-Za-z]+\.? \d{4})"));
    PRINTED.captures(t.head(3000)).and_then(|c| date_text(&c[1]))
}

/// Names without titles: "Lisa Walsh, His Majesty's Inspector" → "Lisa Walsh".
fn names(text: &str) -> Vec<String> {
    static TITLES: LazyLock<Regex> = LazyLock::new(|| {
        re(r"(?i),?\s*(?:\(Lead Inspector\)|(?:His|Her) Majesty's Inspector|\(HMI\)|Senior HMI|\bHMI\b)")
    });
    let cleaned = TITLES.replace_all(text, ",");
    cleaned
        .split(',')
        .flat_map(|part| part.split(" and "))
        .map(|n| n.trim().trim_start_matches("and ").trim().to_owned())
        .filter(|n| n.split_whitespace().count() >= 2 && n.chars().next().is_some_and(char::is_uppercase))
        .collect()
}

fn lead_inspectors(t: &Text) -> Vec<String> {
    static LEAD: LazyLock<Regex> = LazyLock::new(|| {
        re(
            r"Lead inspectors?(?: on site)?:\s*(.{3,160}?)\s*(?:Judgement|Deputy lead|Deputy|Team inspectors?|Inspection team|Quality assurance|Shadow|Inspectors?:|Report author|Age group|Inspection date|$)",
        )
    });
    static REPORTING: LazyLock<Regex> =
        LazyLock::new(|| re(r"Reporting inspector:?\s*(.{3,80}?)\s*(?:HMI\b|Age group|$)"));
    let found = LEAD.captures(&t.all).or_else(|| REPORTING.captures(&t.all)).map(|c| c[1].to_owned());
    found.map(|f| names(&f)).unwrap_or_default()
}

fn local_authority(head: &str) -> Option<String> {
    static ILACS: LazyLock<Regex> =
        LazyLock::new(|| re(r"Inspection of (.{2,80}?) local authority children's services"));
    static BEFORE_TITLE: LazyLock<Regex> =
        LazyLock::new(|| re(r"^(?:\d+ )?(.{2,80}?) (?:Inspection of|Re-?inspection of|Review of the effectiveness)"));
    // Pre-SIF reports print the council after the title.
    static PRE_SIF: LazyLock<Regex> = LazyLock::new(|| {
        re(r"^Inspection of (?:safeguarding and )?looked after children services (.{2,80}?) Inspection dates")
    });
    ILACS
        .captures(head)
        .or_else(|| PRE_SIF.captures(head))
        .or_else(|| BEFORE_TITLE.captures(head))
        .map(|c| c[1].trim().to_owned())
}

/// Finds `label` followed by a grade in `text` and records it for `area`.
fn row(text: &str, label: &str, area: Area, judgements: &mut BTreeMap<Area, Grade>) -> bool {
    let pattern = re(&format!(r"(?i){label}\s*[:.]?\s*{}", &GRADE[4..]));
    match pattern.captures(text).and_then(|c| grade(&c[1])) {
        Some(g) => {
            judgements.insert(area, g);
            true
        }
        None => false,
    }
}

fn ilacs_table(head: &str, judgements: &mut BTreeMap<Area, Grade>) {
    let table = head.find("Judgement Grade").map_or(head, |i| &head[i..]);
    row(
        table,
        r"The impact of leaders on (?:social work )?practice with children and families",
        Area::ImpactOfLeaders,
        judgements,
    );
    row(
        table,
        r"The experiences and progress of children who need help and protection",
        Area::HelpAndProtection,
        judgements,
    );
    if !row(
        table,
        r"The experiences and progress of children in care and care leavers",
        Area::ChildrenInCareAndCareLeavers,
        judgements,
    ) {
        row(table, r"The experiences and progress of children in care", Area::ChildrenInCare, judgements);
        row(table, r"The experiences and progress of (?:children )?care leavers", Area::CareLeavers, judgements);
    }
    row(table, r"Overall effectiveness", Area::OverallEffectiveness, judgements);
}

fn sif_table(head: &str, judgements: &mut BTreeMap<Area, Grade>) {
    static HEADLINE: LazyLock<Regex> = LazyLock::new(|| {
        re(&format!(
            r"(?i)(?:Children's services in .{{1,80}}? (?:are|is|were)?\s*|The overall judgement is (?:that children's services (?:are |is )?)?){}",
            &GRADE[4..]
        ))
    });
    if let Some(g) = HEADLINE.captures(head).and_then(|c| grade(&c[1])) {
        judgements.insert(Area::OverallEffectiveness, g);
    }
    row(head, r"(?:\d\.\s*)?Children who need help and protection", Area::HelpAndProtection, judgements);
    row(head, r"(?:\d\.\s*)?Children looked after and achieving permanence", Area::ChildrenInCare, judgements);
    row(head, r"(?:\d\.\d\s*)?Adoption performance", Area::Adoption, judgements);
    row(head, r"(?:\d\.\d\s*)?Experiences and progress of care leavers", Area::CareLeavers, judgements);
    row(head, r"(?:\d\.\s*)?Leadership, management and governance", Area::LeadershipManagementGovernance, judgements);
}

fn lscb(all: &str, judgements: &mut BTreeMap<Area, Grade>) {
    static LSCB: LazyLock<Regex> = LazyLock::new(|| {
        re(&format!(
            r"(?i)The (?:effectiveness of the )?(?:Local Safeguarding Children Board|LSCB)(?: \(LSCB\))? (?:is )?{}",
            &GRADE[4..]
        ))
    });
    if let Some(g) = LSCB.captures(all).and_then(|c| grade(&c[1])) {
        judgements.insert(Area::Lscb, g);
    }
}

/// The "Record of main findings" at the end of a pre-SIF report (the contents page names it
/// first). An inspection of looked after children services has one table of five judgements;
/// an inspection of safeguarding and looked after children services has a table for each, the
/// safeguarding one first, its judgements under their own areas.
fn pre_sif(all: &str, judgements: &mut BTreeMap<Area, Grade>) {
    let findings = all.rfind("Record of main findings").map_or(all, |i| &all[i..]);
    let (safeguarding, looked_after) = match findings.find("Services for looked after children") {
        Some(i) => (&findings[..i], &findings[i..]),
        None => ("", findings),
    };
    const GRADE_NUMBER: &str = r"(?: Grade \d)?\s*\(?";
    if safeguarding.contains("Safeguarding services") {
        for (label, area) in [
            (r"Overall effectiveness", Area::SafeguardingOverallEffectiveness),
            (r"Capacity (?:to|for) improve(?:ment)?", Area::SafeguardingCapacityToImprove),
            (r"Children and young people are safe[^.]{0,160}?", Area::SafeguardingChildrenAreSafe),
            (r"Children and young people feel safe[^.]{0,160}?", Area::SafeguardingChildrenFeelSafe),
            (r"Quality of provision", Area::SafeguardingQualityOfProvision),
            (r"Leadership and management", Area::SafeguardingLeadershipAndManagement),
        ] {
            row(safeguarding, &format!("{label}{GRADE_NUMBER}"), area, judgements);
        }
    }
    for (label, area) in [
        (r"Overall effectiveness", Area::OverallEffectiveness),
        (r"Capacity (?:to|for) improve(?:ment)?", Area::CapacityToImprove),
        (
            r"(?:Outcomes for looked after children and young people|How good are outcomes for looked after children and care leavers\??)",
            Area::OutcomesForLookedAfterChildren,
        ),
        (r"Quality of provision", Area::QualityOfProvision),
        (r"Leadership and management", Area::LeadershipAndManagement),
    ] {
        row(looked_after, &format!("{label}{GRADE_NUMBER}"), area, judgements);
    }
}

#[cfg(test)]
mod tests;
