//! Figures from a file in DfE's open-data CSV shape (Explore Education Statistics data sets and
//! their downloads): `time_period`, `time_identifier`, `geographic_level`, the area's codes
//! and names, then one column per measure. Each value is kept as the source writes it: a number
//! as its text (so figures match the file exactly), a suppression as its symbol (never 0).

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use chrono::NaiveDate;
use schema::domain::{AreaLevel, ENGLAND, Indicator, IndicatorValue, LocalAuthority, Provenance, suppression_reason};

/// Council codes (GSS, former GSS, DfE) → the GSS code of the council's record; and the codes of
/// councils a source reports that lacs knows it has no record of (their rows are left out).
#[derive(Debug, Clone, Default)]
pub struct AreaIndex(HashMap<String, String>, HashSet<String>);

impl AreaIndex {
    /// Every code of every council.
    pub fn new(las: &[LocalAuthority]) -> AreaIndex {
        let mut map = HashMap::new();
        for la in las {
            map.insert(la.gss_code.clone(), la.gss_code.clone());
            for code in la.former_gss_codes.iter().chain(&la.dfe_code) {
                map.entry(code.clone()).or_insert_with(|| la.gss_code.clone());
            }
        }
        AreaIndex(map, HashSet::new())
    }

    /// Adds codes of councils lacs has no record of (code, why): rows with them are left out
    /// rather than refused. Any other unknown code is still a problem.
    pub fn with_absent(mut self, absent: &[(&str, &str)]) -> AreaIndex {
        self.1
            .extend(absent.iter().filter(|(code, _)| !self.0.contains_key(*code)).map(|(code, _)| (*code).to_owned()));
        self
    }

    /// Whether `code` is one of the councils lacs has no record of.
    pub fn is_absent(&self, code: &str) -> bool {
        self.1.contains(code)
    }

    fn resolve(&self, code: &str) -> Option<&str> {
        self.0.get(code).map(String::as_str)
    }
}

/// The period a row is for, as the source names it: a year (`2025`), or a financial year
/// written `202324` by DfE's files, named `2023-24`.
fn period(time_period: &str, time_identifier: &str) -> Option<String> {
    let digits = time_period.len() == 6 && time_period.bytes().all(|b| b.is_ascii_digit());
    if time_identifier.eq_ignore_ascii_case("Financial year") && digits {
        return Some(format!("{}-{}", &time_period[..4], &time_period[4..]));
    }
    (time_period.len() == 4 && time_period.bytes().all(|b| b.is_ascii_digit())).then(|| time_period.to_owned())
}

/// A cell: the number as written (thousands separators dropped), or the suppression symbol.
fn cell(text: &str) -> Result<(Option<String>, Option<String>), String> {
    let t = text.trim();
    let number = t.replace(',', "");
    let is_number = {
        let body = number.strip_prefix('-').unwrap_or(&number);
        let mut parts = body.splitn(2, '.');
        let whole = parts.next().unwrap_or("");
        let frac = parts.next();
        !whole.is_empty()
            && whole.bytes().all(|b| b.is_ascii_digit())
            && frac.is_none_or(|f| !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()))
    };
    if is_number {
        return Ok((Some(number), None));
    }
    if suppression_reason(t).is_some() {
        return Ok((None, Some(t.to_owned())));
    }
    if t.is_empty() {
        return Err("empty cell (neither a number nor a suppression symbol)".into());
    }
    Err(format!("`{t}` is neither a number nor a known suppression symbol"))
}

/// Reads the figures of `indicators` (all from this file) from `bytes`. `path` names the file in
/// messages; `published` is the publication date of every period in it, when the source says.
/// Rows for areas that are not councils, regions or England (e.g. Inner London) are skipped.
pub fn read_values(
    bytes: &[u8],
    path: &str,
    provenance: &Arc<Provenance>,
    published: Option<NaiveDate>,
    indicators: &[&Indicator],
    areas: &AreaIndex,
    problems: &mut Vec<String>,
) -> Vec<IndicatorValue> {
    let Some((headers, records)) = crate::csv_file::read(bytes, path, problems) else {
        return Vec::new();
    };
    let col = |name: &str| headers.iter().position(|h| h == name);
    let mut required: Vec<&str> = vec!["time_period", "time_identifier", "geographic_level"];
    required.extend(indicators.iter().map(|i| i.source_column.as_str()));
    for i in indicators {
        if let Some((c, _)) = i.source_filter.as_deref().and_then(|f| f.split_once('=')) {
            required.push(c);
        }
    }
    let missing: Vec<&str> = required.iter().copied().filter(|c| col(c).is_none()).collect();
    if !missing.is_empty() {
        problems.push(format!("{path}:1: missing columns {}", missing.join(", ")));
        return Vec::new();
    }
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    for record in records {
        let (line, record) = match record {
            Ok(r) => r,
            Err(e) => {
                problems.push(e);
                continue;
            }
        };
        let get = |name: &str| col(name).and_then(|i| record.get(i)).unwrap_or("").trim();
        let Some(period) = period(get("time_period"), get("time_identifier")) else {
            problems.push(format!("{path}:{line}: `{}` is not a period", get("time_period")));
            continue;
        };
        let (level, code, name, given) = match get("geographic_level") {
            "National" => (AreaLevel::National, ENGLAND.to_owned(), "England".to_owned(), get("country_code")),
            "Regional" => {
                let code = get("region_code");
                // Inner and Outer London (E13) are not regions the councils are filed under.
                if !code.starts_with("E12") {
                    continue;
                }
                (AreaLevel::Regional, code.to_owned(), get("region_name").to_owned(), code)
            }
            // Two councils reported together (`E09000021 / E09000027`, Kingston and Richmond, who
            // share a children's services trust): a joint figure, kept under the joint code and
            // never attributed to either council.
            "Local authority" if get("new_la_code").contains(" / ") => {
                let given = get("new_la_code");
                (AreaLevel::LocalAuthority, given.to_owned(), get("la_name").to_owned(), given)
            }
            "Local authority" => {
                let old = get("old_la_code");
                // A file that gives only DfE codes (section 251 outturn) names the council by it.
                let given = match get("new_la_code") {
                    "" => old,
                    new => new,
                };
                match areas.resolve(given).or_else(|| areas.resolve(old)) {
                    Some(gss) => (AreaLevel::LocalAuthority, gss.to_owned(), get("la_name").to_owned(), given),
                    None if areas.is_absent(old) || areas.is_absent(given) => continue,
                    None => {
                        problems.push(format!(
                            "{path}:{line}: no council has the code `{given}` (DfE code `{old}`, `{}`)",
                            get("la_name")
                        ));
                        continue;
                    }
                }
            }
            other => {
                problems.push(format!("{path}:{line}: unknown geographic_level `{other}`"));
                continue;
            }
        };
        if level == AreaLevel::National && given != ENGLAND {
            problems.push(format!("{path}:{line}: a national row for `{given}`, not England"));
            continue;
        }
        for indicator in indicators {
            if let Some((c, v)) = indicator.source_filter.as_deref().and_then(|f| f.split_once('='))
                && get(c) != v
            {
                continue;
            }
            let (value, suppressed) = match cell(get(&indicator.source_column)) {
                Ok(v) => v,
                Err(reason) => {
                    problems.push(format!("{path}:{line}: {}: {reason}", indicator.source_column));
                    continue;
                }
            };
            if !seen.insert((indicator.id.clone(), code.clone(), period.clone())) {
                problems.push(format!("{path}:{line}: a second figure of {} for {code} in {period}", indicator.id));
                continue;
            }
            out.push(IndicatorValue {
                indicator: indicator.id.clone(),
                area_code: code.clone(),
                period: period.clone(),
                area_level: level,
                area_name: name.clone(),
                source_area_code: (given != code && !given.is_empty()).then(|| given.to_owned()),
                value,
                suppressed,
                published,
                provenance: provenance.clone(),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_keep_the_source_text_and_symbols() {
        assert_eq!(cell("11.8").unwrap(), (Some("11.8".into()), None));
        assert_eq!(cell("1,095,929").unwrap(), (Some("1095929".into()), None));
        assert_eq!(cell("-12").unwrap(), (Some("-12".into()), None));
        assert_eq!(cell("c").unwrap(), (None, Some("c".into())));
        assert_eq!(cell("low").unwrap(), (None, Some("low".into())));
        assert!(cell("").is_err());
        assert!(cell("12.").is_err());
        assert!(cell("n/a").is_err());
    }

    #[test]
    fn periods_as_the_source_names_them() {
        assert_eq!(period("2025", "Reporting year").as_deref(), Some("2025"));
        assert_eq!(period("202324", "Financial year").as_deref(), Some("2023-24"));
        assert_eq!(period("20", "Reporting year"), None);
    }
}
