//! An ODS workbook's sheets as grids of cell text, within bounds: the archive's own sizes are
//! checked before anything is inflated, and only the sheets asked for are kept.

use std::io::Cursor;

use calamine::{Data, Reader};

use super::OfficialError;

/// The most an official workbook may unpack to. The largest (the 2023 underlying data, 2 MB)
/// unpacks to 40 MB of XML; four times that is refused before anything is inflated.
pub const MAX_UNPACKED_BYTES: u64 = 160 * 1024 * 1024;

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
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| bad(format!("not an ODS file: {e}")))?;
    let mut unpacked = 0u64;
    for i in 0..archive.len() {
        let entry = archive.by_index_raw(i).map_err(|e| bad(format!("not an ODS file: {e}")))?;
        unpacked = unpacked.saturating_add(entry.size());
    }
    if unpacked > MAX_UNPACKED_BYTES {
        return Err(bad(format!(
            "the workbook unpacks to {unpacked} bytes, more than the {MAX_UNPACKED_BYTES} an official workbook may: not read"
        )));
    }
    let mut ods = calamine::Ods::new(Cursor::new(bytes)).map_err(|e| bad(format!("not an ODS file: {e}")))?;
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
