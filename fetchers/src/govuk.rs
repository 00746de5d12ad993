//! Reading DfE's intervention documents on GOV.UK: what a title and a body say (the kind of
//! intervention, the council, the dates, the commissioner, the service area). Pure functions over
//! text, so every pattern in `research/interventions.md` is unit-tested; the fetcher that walks the
//! Content and Search APIs builds on them.

use std::sync::LazyLock;

use chrono::NaiveDate;
use regex::Regex;
use schema::domain::{DatePrecision, InterventionKind, PartialDate};

fn re(pattern: &str) -> Regex {
    // The patterns are constants of this module, checked by its tests.
    Regex::new(pattern).unwrap_or_else(|e| panic!("bad pattern {pattern}: {e}"))
}

/// What a document's title says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TitleFacts {
    /// Improvement notice, statutory direction, commissioner/adviser appointment …
    pub kind: InterventionKind,
    /// The council as the title names it.
    pub council: String,
    /// A revised direction (it replaces an earlier one).
    pub revised: bool,
    /// A page of several directions ("Directions issued to …"), one per attachment.
    pub several: bool,
    /// The month in the title, when there is one ("…: July 2024", "… (December 2020)").
    pub month: Option<PartialDate>,
}

const MONTHS: &str = "January|February|March|April|May|June|July|August|September|October|November|December";

/// "on 9 November 2015" or "in October 2017": captures 1, or 2 and 3.
fn when() -> String {
    format!(r"(?:on (\d{{1,2}} (?:{MONTHS}) \d{{4}})|in ({MONTHS}) (\d{{4}}))")
}

fn month_date(month: &str, year: &str) -> Option<PartialDate> {
    let first_day = NaiveDate::parse_from_str(&format!("1 {month} {year}"), "%d %B %Y").ok()?;
    Some(PartialDate { first_day, precision: DatePrecision::Month })
}

/// Reads a title such as "Improvement notice issued to Cheshire East Council: July 2024",
/// "Revised direction issued to West Sussex County Council (December 2020)" or
/// "Somerset county council: advisers appointed". `None` for titles of other documents.
pub fn title(text: &str) -> Option<TitleFacts> {
    static ISSUED: LazyLock<Regex> = LazyLock::new(|| {
        re(&format!(
            r"(?i)^\s*(revised )?(improvement notice|directions?|statutory directions?) issued to (.+?)\s*(?::\s*|\()?(?:({MONTHS}) (\d{{4}}))?\)?\s*$"
        ))
    });
    static ADVISERS: LazyLock<Regex> =
        LazyLock::new(|| re(r"(?i)^\s*(.+?):\s*(?:advisers?|commissioner) appointed\s*$"));
    if let Some(c) = ISSUED.captures(text) {
        let kind = if c[2].to_lowercase().starts_with("improvement") {
            InterventionKind::ImprovementNotice
        } else {
            InterventionKind::StatutoryDirection
        };
        let month = match (c.get(4), c.get(5)) {
            (Some(m), Some(y)) => month_date(m.as_str(), y.as_str()),
            _ => None,
        };
        return Some(TitleFacts {
            kind,
            council: c[3].trim().to_owned(),
            revised: c.get(1).is_some(),
            several: c[2].ends_with(['s', 'S']),
            month,
        });
    }
    ADVISERS.captures(text).map(|c| TitleFacts {
        kind: InterventionKind::CommissionerAppointed,
        council: c[1].trim().to_owned(),
        revised: false,
        several: false,
        month: None,
    })
}

/// What a document's body says about dates and people.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BodyFacts {
    /// When the notice or direction was issued.
    pub issued: Option<PartialDate>,
    /// When it was lifted, closed or revoked (with nothing said to replace it).
    pub ended: Option<PartialDate>,
    /// A direction replaced it.
    pub replaced_by_direction: bool,
    /// When the direction that replaced it was issued.
    pub replaced_on: Option<PartialDate>,
    /// When the earlier direction this one replaces was issued.
    pub replaces: Option<PartialDate>,
    /// The commissioner named.
    pub commissioner: Option<String>,
}

fn day_date(text: &str) -> Option<PartialDate> {
    NaiveDate::parse_from_str(text.trim(), "%d %B %Y").ok().map(PartialDate::day)
}

/// A day ("9 November 2015") or a month ("October 2017"), from captures 1 and 2 and 3.
fn day_or_month(c: &regex::Captures<'_>) -> Option<PartialDate> {
    match (c.get(1), c.get(2), c.get(3)) {
        (Some(d), _, _) => day_date(d.as_str()),
        (None, Some(m), Some(y)) => month_date(m.as_str(), y.as_str()),
        _ => None,
    }
}

/// Reads the phrases DfE's pages use: "An improvement notice was issued on 3 August 2012", "We
/// lifted the improvement notice on 7 July 2017", "This direction was revoked by DfE on 13 January
/// 2022", "… closed and replaced with a direction issued on 9 November 2015", "A direction issued
/// in October 2017 replaces it", "This direction replaces the earlier statutory direction issued
/// … on 30 August 2024", "… the DfE appointed Children's Services Commissioner, Eleanor Brazil".
pub fn body(text: &str) -> BodyFacts {
    static ISSUED: LazyLock<Regex> = LazyLock::new(|| {
        re(&format!(
            r"(?i)(?:was issued|issued a new improvement notice|issued (?:a|the) (?:revised )?(?:statutory )?direction) on (\d{{1,2}} (?:{MONTHS}) \d{{4}})"
        ))
    });
    static ENDED: LazyLock<Regex> = LazyLock::new(|| {
        re(&format!(
            r"(?i)(?:lifted the improvement notice|lifted the notice|notice was lifted|was revoked(?: by DfE)?|was closed|revoked the direction) on (\d{{1,2}} (?:{MONTHS}) \d{{4}})"
        ))
    });
    static REPLACED_WITH: LazyLock<Regex> = LazyLock::new(|| {
        re(&format!(r"(?i)replaced with an? (?:revised )?(?:statutory )?direction issued {}", when()))
    });
    static REPLACES_IT: LazyLock<Regex> =
        LazyLock::new(|| re(&format!(r"(?i)direction issued {} replaces it", when())));
    static REPLACED: LazyLock<Regex> =
        LazyLock::new(|| re(r"(?i)closed and replaced with a direction|direction (?:issued .{0,40})?replaces it"));
    static REPLACES: LazyLock<Regex> = LazyLock::new(|| {
        re(&format!(
            r"(?i)replaces the (?:earlier|previous) (?:statutory )?direction issued (?:to .{{0,80}}? )?on (\d{{1,2}} (?:{MONTHS}) \d{{4}})"
        ))
    });
    static COMMISSIONER: LazyLock<Regex> = LazyLock::new(|| {
        re(
            r"(?i)(?:Children's Services Commissioner|commissioner for children's services),?\s+([A-Z][a-z]+(?: [A-Z][a-z'-]+){1,3})",
        )
    });
    let text = text.replace(['\u{2019}', '\u{2018}'], "'");
    let replaced_on = REPLACED_WITH.captures(&text).or_else(|| REPLACES_IT.captures(&text));
    BodyFacts {
        issued: ISSUED.captures(&text).and_then(|c| day_date(&c[1])),
        ended: ENDED.captures(&text).and_then(|c| day_date(&c[1])),
        replaced_by_direction: REPLACED.is_match(&text),
        replaced_on: replaced_on.as_ref().and_then(day_or_month),
        replaces: REPLACES.captures(&text).and_then(|c| day_date(&c[1])),
        commissioner: COMMISSIONER.captures(&text).map(|c| c[1].to_owned()),
    }
}

/// Whether a document concerns special educational needs and disabilities rather than
/// children's social care.
pub fn is_send(text: &str) -> bool {
    static SEND: LazyLock<Regex> =
        // "SEND" only in capitals: "send quarterly reports" is not about SEND.
        LazyLock::new(|| re(r"\bSEND\b|(?i:special educational needs)"));
    SEND.is_match(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn month(y: i32, m: u32) -> Option<PartialDate> {
        Some(PartialDate { first_day: NaiveDate::from_ymd_opt(y, m, 1).unwrap(), precision: DatePrecision::Month })
    }

    fn day(y: i32, m: u32, d: u32) -> Option<PartialDate> {
        Some(PartialDate { first_day: NaiveDate::from_ymd_opt(y, m, d).unwrap(), precision: DatePrecision::Day })
    }

    #[test]
    fn every_title_pattern_of_the_research_note() {
        let t = title("Improvement notice issued to Cumbria county council").unwrap();
        assert_eq!(
            (t.kind, t.council.as_str(), t.revised, t.month),
            (InterventionKind::ImprovementNotice, "Cumbria county council", false, None)
        );
        let t = title("Improvement notice issued to Cheshire East Council: July 2024").unwrap();
        assert_eq!((t.council.as_str(), t.month), ("Cheshire East Council", month(2024, 7)));
        let t = title("Direction issued to West Sussex county council").unwrap();
        assert_eq!((t.kind, t.council.as_str()), (InterventionKind::StatutoryDirection, "West Sussex county council"));
        let t = title("Direction issued to Sunderland City Council: March 2024").unwrap();
        assert_eq!(t.month, month(2024, 3));
        let t = title("Directions issued to Slough Borough Council").unwrap();
        assert_eq!((t.kind, t.council.as_str()), (InterventionKind::StatutoryDirection, "Slough Borough Council"));
        assert!(t.several && !title("Direction issued to Slough Borough Council (October 2017)").unwrap().several);
        let t = title("Revised direction issued to West Sussex County Council (December 2020)").unwrap();
        assert_eq!((t.revised, t.council.as_str(), t.month), (true, "West Sussex County Council", month(2020, 12)));
        let t = title("Revised direction issued to Halton Borough Council: February 2025").unwrap();
        assert_eq!((t.revised, t.council.as_str(), t.month), (true, "Halton Borough Council", month(2025, 2)));
        let t = title("Revised direction issued to Northamptonshire county council").unwrap();
        assert!(t.revised && t.month.is_none());
        let t = title("Somerset county council: advisers appointed").unwrap();
        assert_eq!((t.kind, t.council.as_str()), (InterventionKind::CommissionerAppointed, "Somerset county council"));
        assert!(title("Report into children's services, Stoke-on-Trent City Council: September 2019").is_none());
        assert!(title("Improvement notices and directions").is_none());
    }

    #[test]
    fn body_phrases_give_dates_and_commissioners() {
        assert_eq!(body("An improvement notice was issued on 3 August 2012.").issued, day(2012, 8, 3));
        assert_eq!(body("Ministers issued a new improvement notice on 7 January 2014.").issued, day(2014, 1, 7));
        let b = body("This improvement notice was closed and replaced with a direction issued on 9 November 2015.");
        assert_eq!((b.ended, b.replaced_on), (None, day(2015, 11, 9)));
        assert!(b.replaced_by_direction);
        assert_eq!(body("This improvement notice was closed on 2 May 2019.").ended, day(2019, 5, 2));
        assert_eq!(body("We lifted the improvement notice on 7 July 2017.").ended, day(2017, 7, 7));
        assert_eq!(body("This direction was revoked by DfE on 13 January 2022.").ended, day(2022, 1, 13));
        let b = body("This direction is now closed. A direction issued in October 2017 replaces it.");
        assert!(b.replaced_by_direction);
        assert_eq!(b.replaced_on, month(2017, 10));
        let b = body(
            "A statutory direction was issued on 3 August 2018. A revised direction issued on 13 December 2018 replaces it.",
        );
        assert_eq!((b.issued, b.replaced_on), (day(2018, 8, 3), day(2018, 12, 13)));
        let b = body(
            "This direction replaces the earlier statutory direction issued to Halton Borough Council on 30 August 2024.",
        );
        assert_eq!((b.issued, b.replaces), (None, day(2024, 8, 30)));
        assert_eq!(
            body("The Secretary of State issued a statutory direction on 9 November 2015.").issued,
            day(2015, 11, 9)
        );
        assert_eq!(
            body("… cooperating with the DfE appointed Children’s Services Commissioner, Eleanor Brazil, in …")
                .commissioner
                .as_deref(),
            Some("Eleanor Brazil")
        );
        assert_eq!(body("Nothing to see here."), BodyFacts::default());
    }

    #[test]
    fn send_documents_are_told_apart() {
        assert!(is_send("A statutory direction issued to BCP Council about its SEND services."));
        assert!(is_send("special educational needs and disabilities"));
        assert!(!is_send("due to poor performance in children's social care services"));
        assert!(!is_send("requiring the improvement board chair to send quarterly reports"));
    }
}
