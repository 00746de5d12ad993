//! The rating distribution over time as an inline SVG: one stacked bar per date, each grade's
//! count written in its band and named in the legend (colour only repeats the text), with a
//! `<title>` and `<desc>` that say what the chart shows. The page puts the same figures in a
//! table below it.

use chrono::NaiveDate;
use maud::{Markup, html};
use schema::domain::Grade;

use crate::words;

/// One bar: a date and the number of councils per grade (`None`: no overall grade).
pub struct Bar {
    /// The date counted.
    pub on: NaiveDate,
    /// Councils per grade, in the order of the chart's bands.
    pub counts: Vec<(Option<Grade>, usize)>,
}

/// A band's fill and the colour of the count written on it. Councils with no overall grade are
/// light grey with dark text, so they are not mistaken for the dark grey of `adequate`.
fn band_colours(grade: Option<Grade>) -> (&'static str, &'static str) {
    match grade {
        None => ("#d4d6d8", "#0b0c0c"),
        Some(g) => (words::grade_fill(Some(g)), "#ffffff"),
    }
}

/// A grade's name in the legend and the table.
pub fn band_name(grade: Option<Grade>) -> &'static str {
    grade.map_or("No overall grade", words::grade)
}

/// The chart. `id` makes its title and description ids unique on the page.
pub fn distribution(id: &str, title: &str, bars: &[Bar]) -> Markup {
    let (width, height, left, top, bottom) = (760.0_f64, 340.0_f64, 44.0_f64, 16.0_f64, 250.0_f64);
    let most = bars.iter().map(|b| b.counts.iter().map(|c| c.1).sum::<usize>()).max().unwrap_or(0).max(1) as f64;
    let slot = (width - left - 10.0) / bars.len().max(1) as f64;
    let bar_width = (slot * 0.7).max(4.0);
    let scale = (bottom - top) / most;
    let bands: Vec<Option<Grade>> = bars.first().map(|b| b.counts.iter().map(|c| c.0).collect()).unwrap_or_default();
    let desc = bars
        .iter()
        .map(|b| {
            let parts: Vec<String> =
                b.counts.iter().map(|(g, n)| format!("{n} {}", band_name(*g).to_lowercase())).collect();
            format!("{}: {}", words::date(b.on), parts.join(", "))
        })
        .collect::<Vec<_>>()
        .join(". ");
    let title_id = format!("{id}-title");
    let desc_id = format!("{id}-desc");
    html! {
        svg.chart xmlns="http://www.w3.org/2000/svg" width=(width) height=(height) viewBox={ "0 0 " (width) " " (height) }
            role="img" aria-labelledby={ (title_id) " " (desc_id) } {
            title id=(title_id) { (title) }
            desc id=(desc_id) { "Councils by their latest overall effectiveness grade. " (desc) "." }
            line x1=(left) y1=(bottom) x2=(width - 10.0) y2=(bottom) stroke="#505a5f" {}
            @for step in axis_steps(most as usize) {
                @let y = bottom - step as f64 * scale;
                line x1=(left - 4.0) y1=(y) x2=(width - 10.0) y2=(y) stroke="#e5e6e7" {}
                text x=(left - 8.0) y=(y + 4.0) font-size="11" text-anchor="end" fill="#0b0c0c" { (step) }
            }
            @for (n, bar) in bars.iter().enumerate() {
                @let x = left + slot * n as f64 + (slot - bar_width) / 2.0;
                g {
                    title { (words::date(bar.on)) }
                    @for (band, (grade, count, y0)) in stacked(bar, bottom, scale).into_iter().enumerate() {
                        @let h = count as f64 * scale;
                        @if count > 0 {
                            rect x=(format!("{x:.1}")) y=(format!("{:.1}", y0 - h)) width=(format!("{bar_width:.1}")) height=(format!("{h:.1}"))
                                fill=(band_colours(grade).0) stroke="#ffffff" stroke-width="0.5" data-band=(band) {}
                            @if h >= 13.0 && bar_width >= 18.0 {
                                text x=(format!("{:.1}", x + bar_width / 2.0)) y=(format!("{:.1}", y0 - h / 2.0 + 4.0)) font-size="10" text-anchor="middle" fill=(band_colours(grade).1) { (count) }
                            }
                        }
                    }
                    text x=(format!("{:.1}", x + bar_width / 2.0)) y=(bottom + 14.0) font-size="10" text-anchor="middle" fill="#0b0c0c" { (bar_label(bar.on)) }
                }
            }
            @for (n, grade) in bands.iter().enumerate() {
                @let x = left + 180.0 * (n % 4) as f64;
                @let y = bottom + 40.0 + 22.0 * (n / 4) as f64;
                rect x=(x) y=(y - 11.0) width="14" height="14" fill=(band_colours(*grade).0) stroke="#505a5f" stroke-width="0.5" {}
                text x=(x + 20.0) y=(y) font-size="12" fill="#0b0c0c" { (band_name(*grade)) }
            }
        }
    }
}

/// A bar's label: the year, or the date itself when it is not the 31 March of a year.
fn bar_label(on: NaiveDate) -> String {
    use chrono::Datelike;
    if (on.month(), on.day()) == (3, 31) { on.year().to_string() } else { on.format("%-d %b %Y").to_string() }
}

/// Each band's grade, count and the y its bottom sits at.
fn stacked(bar: &Bar, bottom: f64, scale: f64) -> Vec<(Option<Grade>, usize, f64)> {
    let mut y = bottom;
    bar.counts
        .iter()
        .map(|&(grade, count)| {
            let at = y;
            y -= count as f64 * scale;
            (grade, count, at)
        })
        .collect()
}

/// Gridline values: about five steps of a round size up to `most`.
fn axis_steps(most: usize) -> Vec<usize> {
    let step = [1, 2, 5, 10, 20, 25, 50, 100].into_iter().find(|s| most / s <= 6).unwrap_or(100);
    (0..=most / step).map(|n| n * step).collect()
}
