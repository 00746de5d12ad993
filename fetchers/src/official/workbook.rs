//! An ODS workbook's sheets as grids of cell text, within bounds: the archive's own sizes are
//! checked before anything is inflated, and only the sheets asked for are kept.

use calamine::{Data, Reader};

use super::OfficialError;

/// One sheet: its name, and its cells as text by (0-based) row and column of the sheet.
#[derive(Debug, Clone)]
pub struct Sheet {
    /// The sheet's name.
    pub name: String,
    /// Row number (1-based, as a spreadsheet shows it) and the row's cells from column A.
    pub rows: Vec<(u32, Vec<String>)>,
}

/// A cell as text: dates as `YYYY-MM-DD` (the stored value, not its display), text trimmed,
/// whole numbers without a fraction.
fn cell_text(cell: &Data) -> String {
    match cell {
        Data::DateTimeIso(s) => s.get(..10).unwrap_or(s).to_owned(),
        Data::String(s) => s.split_whitespace().collect::<Vec<_>>().join(" "),
        Data::Int(i) => i.to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{f:.0}"),
        Data::Float(f) => f.to_string(),
        Data::Empty => String::new(),
        other => other.to_string(),
    }
}

/// The sheets of `bytes` whose names `wanted` accepts, in workbook order.
pub fn sheets(bytes: &[u8], wanted: impl Fn(&str) -> bool) -> Result<Vec<Sheet>, OfficialError> {
    let bad = |m: String| OfficialError(m);
    let mut ods = crate::ods::open(bytes, "an official workbook").map_err(bad)?;
    let mut out = Vec::new();
    for name in ods.sheet_names().into_iter().filter(|n| wanted(n)) {
        let range = ods.worksheet_range(&name).map_err(|e| bad(format!("{name}: {e}")))?;
        let (first_row, first_col) = range.start().unwrap_or((0, 0));
        let pad = vec![String::new(); first_col as usize];
        let rows = range
            .rows()
            .enumerate()
            .map(|(i, r)| {
                let mut cells = pad.clone();
                cells.extend(r.iter().map(cell_text));
                (first_row + i as u32 + 1, cells)
            })
            .collect();
        out.push(Sheet { name, rows });
    }
    Ok(out)
}
