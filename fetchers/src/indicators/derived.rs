//! Figures lacs computes from two published ones (catalogue rows with `source_file` `derived`).
//! One today: spending per child, the council's net current expenditure on children's social
//! care (RO3, £ thousand) over the under-18 population DfE divides by for its rates per 10,000
//! children. A financial year runs to 31 March, so 2023-24 takes the population of the year to
//! 31 March 2024 (reporting year `2024`): the same 31 March, the same denominator DfE used for
//! that year's children-looked-after rate.

use std::collections::HashMap;

use schema::domain::IndicatorValue;

/// A figure computed as `numerator × scale ÷ denominator`, rounded to a whole unit.
pub struct Derived {
    /// The computed indicator.
    pub id: &'static str,
    /// The spending (or other amount) indicator, per financial year.
    pub numerator: &'static str,
    /// The population indicator, per reporting year.
    pub denominator: &'static str,
    /// Converts the numerator's unit to the result's (£ thousand → £).
    pub scale: f64,
}

/// Every computed indicator.
pub const DERIVED: [Derived; 1] = [Derived {
    id: "csc_spend_per_child",
    numerator: "csc_spend_total",
    denominator: "child_population",
    scale: 1000.0,
}];

/// The indicators every computed one reads.
pub fn inputs() -> impl Iterator<Item = &'static str> {
    DERIVED.iter().flat_map(|d| [d.numerator, d.denominator])
}

/// The reporting year a financial year ends in: `2023-24` → `2024`.
fn year_ending(financial_year: &str) -> Option<String> {
    let (start, end) = financial_year.split_once('-')?;
    let start: u32 = start.parse().ok()?;
    let end: u32 = end.parse().ok()?;
    (end == (start + 1) % 100).then(|| (start + 1).to_string())
}

/// The computed figures for every area and period where both inputs have a figure. Either input
/// suppressed makes the result suppressed with that input's symbol; an input with no figure at
/// all (no population for that area and year) gives no result, never a guess. The result keeps
/// the numerator's provenance; the denominator's is on its own figure of the same area and year.
pub fn derive(values: &[IndicatorValue]) -> Vec<IndicatorValue> {
    let mut out = Vec::new();
    for d in &DERIVED {
        let denominators: HashMap<(&str, &str), &IndicatorValue> = values
            .iter()
            .filter(|v| v.indicator == d.denominator)
            .map(|v| ((v.area_code.as_str(), v.period.as_str()), v))
            .collect();
        for n in values.iter().filter(|v| v.indicator == d.numerator) {
            let Some(year) = year_ending(&n.period) else { continue };
            let Some(p) = denominators.get(&(n.area_code.as_str(), year.as_str())) else { continue };
            let suppressed = n.suppressed.clone().or_else(|| p.suppressed.clone());
            let value = match (suppressed.is_none(), n.number(), p.number()) {
                (true, Some(amount), Some(population)) if population > 0.0 => {
                    Some(format!("{:.0}", amount * d.scale / population))
                }
                (true, ..) => continue,
                (false, ..) => None,
            };
            out.push(IndicatorValue {
                indicator: d.id.to_owned(),
                value,
                suppressed,
                published: n.published.zip(p.published).map(|(a, b)| a.max(b)),
                ..n.clone()
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_financial_year_ends_in_the_reporting_year_after_it_starts() {
        assert_eq!(year_ending("2023-24").as_deref(), Some("2024"));
        assert_eq!(year_ending("1999-00").as_deref(), Some("2000"));
        assert_eq!(year_ending("2023-25"), None);
        assert_eq!(year_ending("2024"), None);
    }
}
