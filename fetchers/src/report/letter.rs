//! Reading the letters of focused and monitoring visits: the council, the days on site, the
//! letter's date, every inspector named and the one who signed it (the lead), and what the visit
//! looked at.
//!
//! Every focused-visit letter (2018–2026) opens with the same sentence: "This letter summarises
//! the findings of a focused visit to <council> children's services on <dates>." The team follows
//! in the next sentence, in a dozen wordings ("The inspectors were …, Her Majesty's Inspectors",
//! "His Majesty's Inspectors for this visit were …", "The visit was carried out by …"), and the
//! theme in the one after ("Inspectors looked at the local authority's arrangements for …").
//! The letter is signed by the lead inspector. `pdf-extract` sometimes puts the letterhead (with
//! the letter's date) after the first page's body, so the date is looked for as a line of its own.

use std::sync::LazyLock;

use chrono::{Datelike, NaiveDate};
use regex::Regex;
use schema::domain::{InspectionKind, VisitTheme};

use super::parsed::Period;
use super::text::{Text, date_text, parse_periods, re};

/// What a visit letter says beyond its kind.
#[derive(Debug, Default)]
pub(super) struct Letter {
    pub local_authority: Option<String>,
    pub periods: Vec<Period>,
    pub date: Option<NaiveDate>,
    pub inspectors: Vec<String>,
    pub lead_inspectors: Vec<String>,
    pub theme: Option<VisitTheme>,
    pub theme_text: Option<String>,
    pub notes: Vec<String>,
}

const DATE_WORD: &str = r"(?:\d{4}|\d{1,2}(?:st|nd|rd|th)?|January|February|March|April|May|June|July|August|September|October|November|December|Sept?|and|to|-)\b";

/// Reads a letter whose normalised text is `t` and raw text `raw`.
pub(super) fn read(t: &Text, raw: &str, kind: InspectionKind) -> Letter {
    static OPENING: LazyLock<Regex> = LazyLock::new(|| {
        re(&format!(
            r"(?i)(?:focused|monitoring) visit (?:to|of) (.{{2,160}}?) (on|between|from) (\d{{1,2}}(?:st|nd|rd|th)?(?: {DATE_WORD})*)"
        ))
    });
    let mut letter = Letter { date: letter_date(t, raw), ..Letter::default() };
    let head = t.head(8000);
    let Some(opening) = OPENING.captures(head) else {
        letter.local_authority = council(head, None);
        letter.lead_inspectors = signed(&t.all).into_iter().collect();
        letter.inspectors = letter.lead_inspectors.clone();
        return letter;
    };
    letter.local_authority = council(head, Some(&opening[1]));
    let dates = opening[3].trim_end_matches([' ', '-']).trim_end_matches(" and").trim_end_matches(" to");
    letter.periods = visit_periods(&opening[2], dates, letter.date, &mut letter.notes);
    let after = &head[opening.get(0).map_or(0, |m| m.end())..];
    letter.inspectors = team(after);
    let lead = signed(&t.all);
    letter.lead_inspectors = match lead {
        Some(l) => {
            // The signature's spelling may differ from the list's ("Maire"/"Máire"): the list's wins.
            let same = letter.inspectors.iter().find(|n| same_name(n, &l)).cloned();
            vec![same.unwrap_or(l)]
        }
        None => letter.inspectors.first().cloned().into_iter().collect(),
    };
    if letter.inspectors.is_empty() {
        letter.inspectors = letter.lead_inspectors.clone();
    } else if let Some(l) = letter.lead_inspectors.first()
        && !letter.inspectors.contains(l)
    {
        letter.inspectors.insert(0, l.clone());
    }
    if kind == InspectionKind::FocusedVisit {
        (letter.theme, letter.theme_text) = theme(after);
    }
    letter
}

fn same_name(a: &str, b: &str) -> bool {
    let fold = |s: &str| -> String {
        s.chars()
            .filter(|c| c.is_alphanumeric())
            .map(|c| match c {
                'á' | 'à' | 'â' | 'ä' => 'a',
                'é' | 'è' | 'ê' | 'ë' => 'e',
                'í' | 'ï' => 'i',
                'ó' | 'ö' | 'ô' => 'o',
                'ú' | 'ü' => 'u',
                c => c,
            })
            .flat_map(char::to_lowercase)
            .collect()
    };
    fold(a) == fold(b)
}

/// The council as the letter names it: the heading "Focused visit to <council> children's
/// services", else the opening sentence, without "the", "local authority" or a possessive.
fn council(head: &str, opening: Option<&str>) -> Option<String> {
    static HEADING: LazyLock<Regex> = LazyLock::new(|| {
        re(
            r"(?i)(?:Focused|Monitoring) visit (?:to|of) (.{2,80}?) (?:children's|children and young people's|young people's) services",
        )
    });
    let found = HEADING.captures(head).map(|c| c[1].to_owned()).or_else(|| opening.map(str::to_owned))?;
    let mut name = found.trim();
    for prefix in ["the ", "The "] {
        name = name.strip_prefix(prefix).unwrap_or(name);
    }
    for suffix in [" local authority", "'s", " Council's", " council's"] {
        name = name.strip_suffix(suffix).unwrap_or(name).trim_end();
    }
    let name = name.strip_suffix(" local authority").unwrap_or(name).trim();
    (!name.is_empty()).then(|| name.to_owned())
}

/// The letter's date: the first line that is a date and nothing else (the letterhead), else the
/// first date before "Dear".
fn letter_date(t: &Text, raw: &str) -> Option<NaiveDate> {
    static LINE: LazyLock<Regex> = LazyLock::new(|| {
        re(
            r"(?m)^[ \t\u{a0}]*(\d{1,2} (?:January|February|March|April|May|June|July|August|September|October|November|December) \d{4})[ \t\u{a0}]*$",
        )
    });
    static BEFORE_DEAR: LazyLock<Regex> = LazyLock::new(|| {
        re(r"(\d{1,2} (?:January|February|March|April|May|June|July|August|September|October|November|December) \d{4})")
    });
    if let Some(d) = LINE.captures(raw).and_then(|c| date_text(&c[1])) {
        return Some(d);
    }
    let head = t.head(3000);
    let head = head.find("Dear ").map_or(head, |i| &head[..i]);
    BEFORE_DEAR.captures(head).and_then(|c| date_text(&c[1]))
}

/// The days on site from "on 8 and 9 October 2019", "between 29 September and 1 October 2020" or
/// "on 28 to 29 May 2025". A date printed without a year takes the letter's (the year before when
/// its month is after the letter's). A period the letter prints as longer than a visit can be (a
/// month or more) with a year that differs between its ends is a misprint of the year: read with
/// the year of its first day, and noted.
fn visit_periods(word: &str, dates: &str, letter: Option<NaiveDate>, notes: &mut Vec<String>) -> Vec<Period> {
    static YEAR: LazyLock<Regex> = LazyLock::new(|| re(r"\b\d{4}\b"));
    let mut text = format!("{word} {dates}");
    if !YEAR.is_match(dates)
        && let Some(letter) = letter
    {
        // Which year: that of the last day named, if its month is not after the letter's.
        let last_month = dates.split_whitespace().rev().find_map(super::text::month);
        let year = match last_month {
            Some(m) if m > letter.month() => letter.year() - 1,
            _ => letter.year(),
        };
        text = format!("{text} {year}");
        notes.push(format!("the letter prints the visit's dates without a year (\"{dates}\"): read as {year}"));
    }
    let mut periods = parse_periods(&text, false);
    for p in &mut periods {
        let Some(start) = p.start else { continue };
        if (p.end - start).num_days() > 31 && p.end.year() != start.year() {
            if let Some(fixed) = p.end.with_year(start.year())
                && fixed >= start
                && (fixed - start).num_days() <= 31
            {
                notes.push(format!(
                    "the letter prints the visit as {dates}, a misprint of the year: read as {} to {}",
                    start, fixed
                ));
                p.end = fixed;
            } else if let Some(fixed) = start.with_year(p.end.year())
                && fixed <= p.end
                && (p.end - fixed).num_days() <= 31
            {
                notes.push(format!(
                    "the letter prints the visit as {dates}, a misprint of the year: read as {} to {}",
                    fixed, p.end
                ));
                p.start = Some(fixed);
            }
        }
    }
    if let (Some(last), Some(letter)) = (periods.last(), letter)
        && last.end > letter
    {
        notes
            .push(format!("the letter ({letter}) is dated before the last day of the visit it reports ({})", last.end));
    }
    periods
}

/// Joins a name broken at a hyphen by the text layer ("Thomson- Jones", "Jenny -ellen").
fn join_hyphens(text: &str) -> String {
    static BROKEN: LazyLock<Regex> = LazyLock::new(|| re(r"(\p{L}) ?- ?(\p{L})"));
    BROKEN.replace_all(text, "$1-$2").into_owned()
}

/// Names in a list: "A, HMI, and B, HMI", "A and B, Her Majesty's Inspectors", "Her Majesty's
/// Inspectors (HMIs) A, B and C", "A, B and C (HMI designate)".
fn listed_names(text: &str) -> Vec<String> {
    static TITLES: LazyLock<Regex> = LazyLock::new(|| {
        re(
            r"(?i)\b(?:all of whom are|both|two of)\b|(?:Her|His) Majesty's Inspectors?(?: \(HMIs?\))?(?: Social Care)?|\((?:HMI )?designate\)|\(HMIs?\)|\(Lead Inspector\)|Senior HMI|\bHMIs?\b|\bdesignate\b",
        )
    });
    let text = join_hyphens(text);
    let cleaned = TITLES.replace_all(&text, ",");
    cleaned
        .split(',')
        .flat_map(|part| part.split(" and "))
        .map(|n| n.trim().trim_start_matches("and ").trim().trim_end_matches('.').trim())
        .filter(|n| {
            let words: Vec<&str> = n.split_whitespace().collect();
            (2..=4).contains(&words.len())
                && words.iter().all(|w| {
                    w.chars().next().is_some_and(char::is_uppercase) || ["de", "van", "von", "le", "la"].contains(w)
                })
        })
        .map(str::to_owned)
        .collect()
}

/// Every inspector the sentences after the dates name: the team, then anyone who shadowed it.
fn team(after: &str) -> Vec<String> {
    static SENTENCE: LazyLock<Regex> = LazyLock::new(|| re(r"(?s)^(.*?[a-z)\p{L}])\.(?:\s+|$)"));
    static NAMES_START: LazyLock<Regex> = LazyLock::new(|| {
        re(
            r"(?i)^(?:.*?\b(?:were|carried out by|conducted by|undertaken by)|.*?Inspectors? \(designate\)|\s*,?\s*carried out by)\s+(.*)$",
        )
    });
    static INSPECTORS: LazyLock<Regex> = LazyLock::new(|| {
        re(r"(?i)inspectors?\b.*\bwere\b|carried out by|conducted by|undertaken by|shadowed this visit")
    });
    static NOT_NAMES: LazyLock<Regex> =
        LazyLock::new(|| re(r"(?i)\s*(?:shadowed this visit|Inspectors (?:looked|considered|reviewed|evaluated)).*$"));
    let mut names: Vec<String> = Vec::new();
    let mut rest = after.trim_start_matches([',', '.', ' ']);
    // The opening sentence itself may go on: "… on 26 and 27 June 2018 carried out by A and B."
    for (i, _) in (0..3).enumerate() {
        let Some(c) = SENTENCE.captures(rest) else { break };
        let sentence = c.get(1).map_or("", |m| m.as_str());
        let whole = c.get(0).map_or(0, |m| m.end());
        let is_team = INSPECTORS.is_match(sentence) || (i == 0 && sentence.trim_start().starts_with("carried out by"));
        if is_team && let Some(n) = NAMES_START.captures(sentence) {
            let list = NOT_NAMES.replace(&n[1], "");
            for name in listed_names(&list) {
                if !names.contains(&name) {
                    names.push(name);
                }
            }
        } else if !names.is_empty() {
            break;
        }
        rest = &rest[whole..];
    }
    names
}

/// The signatory: "Yours sincerely Nigel Parkes Her Majesty's Inspector".
fn signed(all: &str) -> Option<String> {
    static SIGNED: LazyLock<Regex> = LazyLock::new(|| {
        re(
            r"Yours? (?:sincerely|faithfully),?\s*(.{3,120}?)\.?\s*(?:\(Lead Inspector\)\s*)?(?:(?:His|Her) Majesty's Inspector|Senior HMI|\bHMI\b|Ofsted|$)",
        )
    });
    let name = join_hyphens(SIGNED.captures(all)?.get(1)?.as_str().trim());
    let words = name.split_whitespace().count();
    ((2..=4).contains(&words) && name.chars().next().is_some_and(char::is_uppercase)).then_some(name)
}

/// What the visit looked at: the sentence saying so, as printed (to its first full stop), and
/// its theme in our vocabulary.
fn theme(after: &str) -> (Option<VisitTheme>, Option<String>) {
    static THEME: LazyLock<Regex> = LazyLock::new(|| {
        re(
            r"Inspectors looked at (?:the|its)\b[^.]*\.|(?:Inspectors (?:reviewed|considered|evaluated|focused on)|The focus of (?:this|the) visit was|During this visit, inspectors evaluated|The inspectors focused on|(?:This|The) visit (?:looked at|focused on))[^.]*?(?:arrangements|\bon\b|\bat\b|quality)[^.]*\.",
        )
    });
    static COVID: LazyLock<Regex> = LazyLock::new(|| {
        re(
            r"(?i)(?:adapted to reflect the COVID|within the context of the restrictions placed on society during the COVID)",
        )
    });
    let window = &after[..floor(after, 2500)];
    if let Some(m) = THEME.find(window) {
        // A sentence introducing a list ends at its colon: the list is not the theme's sentence.
        let sentence = m.as_str().split('◼').next().unwrap_or_default().trim();
        let text = unbreak(sentence);
        return (Some(classify(&text)), Some(text));
    }
    if COVID.is_match(window) {
        return (Some(VisitTheme::Covid19), None);
    }
    (None, None)
}

fn floor(s: &str, n: usize) -> usize {
    let mut end = s.len().min(n);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    end
}

/// Words the text layer broke at a line-end hyphen ("decision- making"), joined; "16- and
/// 17-year-old" and "single- and multi-agency" kept.
fn unbreak(text: &str) -> String {
    static BROKEN: LazyLock<Regex> = LazyLock::new(|| re(r"(\p{L})- (\p{L}+)"));
    BROKEN
        .replace_all(text, |c: &regex::Captures| {
            if matches!(&c[2], "and" | "or" | "to") { c[0].to_owned() } else { format!("{}-{}", &c[1], &c[2]) }
        })
        .into_owned()
}

/// The theme of a visit from the sentence saying what it looked at: the first of the themes'
/// phrases it names (a visit to "older children in care and care leavers" is about children in
/// care), save that decisions across all services, harm outside the family, and work "in the
/// 'front door'" win wherever they are named.
fn classify(text: &str) -> VisitTheme {
    let lower = text.to_lowercase();
    if lower.contains("decision-making across help and protection")
        || lower.contains("decision-making in help and protection")
        || lower
            .contains("decision-making for children who need help and protection, children in care and care leavers")
    {
        return VisitTheme::DecisionMaking;
    }
    if ["extra-familial", "vulnerable adolescents", "exploitation"].iter().any(|p| lower.contains(p)) {
        return VisitTheme::ExtraFamilialHarm;
    }
    // "the quality of help and protection provided … in the 'front door' integrated referral team"
    if lower.contains("in the 'front door'") {
        return VisitTheme::FrontDoor;
    }
    const PHRASES: &[(&str, VisitTheme)] = &[
        ("front door", VisitTheme::FrontDoor),
        ("front-door", VisitTheme::FrontDoor),
        ("contacts and referrals", VisitTheme::FrontDoor),
        ("first point of contact", VisitTheme::FrontDoor),
        ("receiving referrals", VisitTheme::FrontDoor),
        ("contact, referral", VisitTheme::FrontDoor),
        ("considers contacts", VisitTheme::FrontDoor),
        ("permanence", VisitTheme::Permanence),
        ("permanency", VisitTheme::Permanence),
        ("care leavers", VisitTheme::CareLeavers),
        ("care-experienced", VisitTheme::CareLeavers),
        ("leaving care", VisitTheme::CareLeavers),
        ("children in care", VisitTheme::ChildrenInCare),
        ("children looked after", VisitTheme::ChildrenInCare),
        ("come into care", VisitTheme::ChildrenInCare),
        ("coming into care", VisitTheme::ChildrenInCare),
        ("placement decision", VisitTheme::ChildrenInCare),
        ("children in need", VisitTheme::ChildrenInNeedAndProtection),
        ("child in need", VisitTheme::ChildrenInNeedAndProtection),
        ("child-in-need", VisitTheme::ChildrenInNeedAndProtection),
        ("child protection", VisitTheme::ChildrenInNeedAndProtection),
        ("help and protection", VisitTheme::ChildrenInNeedAndProtection),
        ("protection plan", VisitTheme::ChildrenInNeedAndProtection),
        ("disabled children", VisitTheme::DisabledChildren),
    ];
    PHRASES
        .iter()
        .filter_map(|(p, t)| lower.find(p).map(|i| (i, *t)))
        .min_by_key(|(i, _)| *i)
        .map_or(VisitTheme::Other, |(_, t)| t)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn visit_dates_single_days_misprints_and_missing_years() {
        let mut notes = Vec::new();
        let p = visit_periods("on", "5 February 2019", Some(d(2019, 2, 28)), &mut notes);
        assert_eq!(p, vec![Period { start: Some(d(2019, 2, 5)), end: d(2019, 2, 5) }]);
        let p = visit_periods("on", "24 October 2022 to 25 October 2023", Some(d(2022, 11, 30)), &mut notes);
        assert_eq!(p, vec![Period { start: Some(d(2022, 10, 24)), end: d(2022, 10, 25) }]);
        assert!(notes.last().unwrap().contains("misprint"), "{notes:?}");
        let p = visit_periods("on", "11 and 12 December", Some(d(2019, 1, 17)), &mut notes);
        assert_eq!(p, vec![Period { start: Some(d(2018, 12, 11)), end: d(2018, 12, 12) }]);
        assert!(notes.last().unwrap().contains("without a year"), "{notes:?}");
        let p = visit_periods("between", "29 September and 1 October 2020", None, &mut notes);
        assert_eq!(p, vec![Period { start: Some(d(2020, 9, 29)), end: d(2020, 10, 1) }]);
        let p = visit_periods("on", "3 and 4 March and 17 and 18 March 2020", None, &mut notes);
        assert_eq!(
            p,
            vec![
                Period { start: Some(d(2020, 3, 3)), end: d(2020, 3, 4) },
                Period { start: Some(d(2020, 3, 17)), end: d(2020, 3, 18) }
            ]
        );
    }

    #[test]
    fn teams_in_every_wording() {
        let t = |s: &str| team(s);
        assert_eq!(
            t(". The inspectors were Nigel Parkes, HMI, and Marcie Taylor, HMI. Inspectors looked"),
            ["Nigel Parkes", "Marcie Taylor"]
        );
        assert_eq!(
            t(
                ". The inspectors were Her Majesty's Inspectors (HMIs) Jan Edwards, Brenda McLaughlin and Matt Reed. Her"
            ),
            ["Jan Edwards", "Brenda McLaughlin", "Matt Reed"]
        );
        assert_eq!(
            t(
                ". His Majesty's Inspectors for this visit were Matt Reed and Nicholas McMullen. His Majesty's Inspector (designate) Ceri Evans shadowed this visit. Inspectors looked at"
            ),
            ["Matt Reed", "Nicholas McMullen", "Ceri Evans"]
        );
        assert_eq!(
            t(" carried out by Linda Steele and Donna Marriott, Her Majesty's Inspectors. Inspectors"),
            ["Linda Steele", "Donna Marriott"]
        );
        assert_eq!(
            t(
                ". Her Majesty's Inspectors for this visit were Kendra Bell and Teresa Godfrey Inspectors looked at the local authority's arrangements. This"
            ),
            ["Kendra Bell", "Teresa Godfrey"]
        );
        assert_eq!(
            t(
                ". The inspectors were Paula Thomson- Jones, Her Majesty's Inspector, HMI Neil Penswick, Her Majesty's Inspector, and Kathryn Grindrod, Her Majesty's Inspector. Inspectors"
            ),
            ["Paula Thomson-Jones", "Neil Penswick", "Kathryn Grindrod"]
        );
    }

    #[test]
    fn themes_by_the_first_phrase_named() {
        assert_eq!(
            classify("arrangements for older children in care and care leavers under 21."),
            VisitTheme::ChildrenInCare
        );
        assert_eq!(
            classify("arrangements for its care leavers, including the preparation of relevant children in care"),
            VisitTheme::CareLeavers
        );
        assert_eq!(
            classify("arrangements for providing help and protection for vulnerable adolescents."),
            VisitTheme::ExtraFamilialHarm
        );
        assert_eq!(
            classify("arrangements for planning and achieving permanence for children in care."),
            VisitTheme::Permanence
        );
        assert_eq!(
            unbreak("placement decision- making for 16- and 17-year-old"),
            "placement decision-making for 16- and 17-year-old"
        );
    }
}
