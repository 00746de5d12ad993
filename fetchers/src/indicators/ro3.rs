//! MHCLG's revenue outturn on social care (RO3) spreadsheet → figures in DfE's CSV shape.
//!
//! The RO3 workbook (`RO3_…_data_by_LA.ods`, one a financial year) has a sheet
//! `RO3_LA_Data_<year>` with one row per authority and, for every service line, seven columns
//! (employees, running expenses, total expenditure, sales, other income, total income, net
//! current expenditure), each named by a code in a hidden row (`RO3-csctot-net-cur-exp` …).
//! lacs reads columns by those codes, never by position, and keeps only councils with
//! children's services (GSS codes E06, E08, E09, E10). `lacs indicators trim-ro3` writes the
//! same table as the bundled `data/seed/context/ro3_<year>.csv`, so the seed and the fetcher read
//! the spreadsheet the same way.

use calamine::{Data, Reader};

/// The identifying columns of the CSV written, before the measure columns.
const ID_COLUMNS: [&str; 8] = [
    "time_period",
    "time_identifier",
    "geographic_level",
    "country_code",
    "new_la_code",
    "ro3_e_code",
    "la_name",
    "ro3_class",
];

/// Why a workbook could not be read.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct Ro3Error(String);

fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Int(i) => i.to_string(),
        // The stored number, shortest form that reads back the same (what the sheet holds, not
        // what its cell format displays).
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{f:.0}"),
        Data::Float(f) => f.to_string(),
        Data::String(s) => s.trim().to_owned(),
        Data::Empty => String::new(),
        other => other.to_string(),
    }
}

/// Reads the RO3 workbook and returns its councils' figures for `codes` (column codes such as
/// `RO3-csctot-net-cur-exp`) as CSV, with the financial year it states.
pub fn to_csv(bytes: &[u8], codes: &[&str]) -> Result<(String, String), Ro3Error> {
    let bad = |m: String| Ro3Error(m);
    let mut ods = crate::ods::open(bytes, "an RO3 file").map_err(bad)?;
    let sheet = ods
        .sheet_names()
        .into_iter()
        .find(|n| n.starts_with("RO3_LA_Data"))
        .ok_or_else(|| bad("no sheet named RO3_LA_Data_<year>".into()))?;
    let year = sheet.trim_start_matches("RO3_LA_Data").trim_start_matches('_').to_owned();
    // `RO3_LA_Data_2023-24` or `RO3_LA_Data_202425`.
    let digits: String = year.chars().filter(|c| *c != '-').collect();
    if digits.len() != 6 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad(format!("sheet `{sheet}` does not name a financial year (YYYY-YY)")));
    }
    let time_period = digits;
    let year = format!("{}-{}", &time_period[..4], &time_period[4..]);
    let range = ods.worksheet_range(&sheet).map_err(|e| bad(format!("{sheet}: {e}")))?;
    let rows: Vec<Vec<String>> = range.rows().map(|r| r.iter().map(cell_text).collect()).collect();
    let find_row = |pred: &dyn Fn(&[String]) -> bool| rows.iter().position(|r| pred(r));
    let code_row = find_row(&|r| r.iter().any(|c| c == "RO3-csctot-net-cur-exp"))
        .ok_or_else(|| bad(format!("{sheet}: no row of column codes")))?;
    let header_row = find_row(&|r| r.iter().any(|c| c == "ONS Code"))
        .ok_or_else(|| bad(format!("{sheet}: no header row with `ONS Code`")))?;
    let column_of = |row: usize, name: &str| rows[row].iter().position(|c| c == name);
    let (ons, ecode, name, class) = match (
        column_of(header_row, "ONS Code"),
        column_of(header_row, "E-code"),
        column_of(header_row, "Local authority"),
        column_of(header_row, "Class"),
    ) {
        (Some(a), Some(b), Some(c), Some(d)) => (a, b, c, d),
        _ => return Err(bad(format!("{sheet}: the header row lacks E-code, ONS Code, Local authority or Class"))),
    };
    let mut measure_columns = Vec::new();
    for code in codes {
        let c = column_of(code_row, code).ok_or_else(|| bad(format!("{sheet}: no column with code `{code}`")))?;
        measure_columns.push(c);
    }
    let mut writer = csv::Writer::from_writer(Vec::new());
    let fail = |e: csv::Error| bad(e.to_string());
    let mut header: Vec<&str> = ID_COLUMNS.to_vec();
    header.extend(codes);
    writer.write_record(&header).map_err(fail)?;
    let get = |r: &[String], i: usize| r.get(i).cloned().unwrap_or_default();
    for row in rows.iter().skip(header_row + 1) {
        let code = get(row, ons);
        // Councils only (subtotals of a class are rows coded `E06` …).
        if code.len() != 9 || !["E06", "E08", "E09", "E10"].iter().any(|p| code.starts_with(p)) {
            continue;
        }
        let mut record = vec![
            time_period.clone(),
            "Financial year".to_owned(),
            "Local authority".to_owned(),
            "E92000001".to_owned(),
            code,
            get(row, ecode),
            get(row, name),
            get(row, class),
        ];
        record.extend(measure_columns.iter().map(|&c| get(row, c)));
        writer.write_record(&record).map_err(fail)?;
    }
    let bytes = writer.into_inner().map_err(|e| bad(e.to_string()))?;
    Ok((year, String::from_utf8_lossy(&bytes).into_owned()))
}
