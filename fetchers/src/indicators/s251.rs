//! DfE's section 251 outturn, 2008-09 to 2013-14 → figures in DfE's CSV shape.
//!
//! Each year's file (`outturn_0809.csv` … `outturn_1314.csv`, as DfE published them and
//! BenGoodair/childrens_social_care_data keeps them) has one row per council and line of the
//! section 251 form: the council's DfE code and name, the line's number and description, then
//! the expenditure columns in pounds. The form changed every year or two: lines were renumbered,
//! merged, moved between subtotals and renamed, and the files write their descriptions with
//! Windows-1252 bytes, stray tabs and runs of spaces. So each year has its own small table
//! (`YEARS`): which line, by number *and* description, gives which column of lacs's table, and
//! which of the file's columns hold the code, the name, the line and the net current expenditure.
//! A row is used only when both its number and its description match; a council without such a
//! row, or with two, is an error, never a guess.
//!
//! `lacs indicators trim-s251` writes that table (`data/seed/context/s251/outturn_<year>.csv`):
//! one row per council with, for each line used, the net current expenditure as the file writes
//! it and the line's number and description (so every figure can be checked against its line).

/// One line of the form lacs reads in a year.
#[derive(Debug, Clone, Copy)]
pub struct Line {
    /// The column of the table written (and the catalogue's `source_column`).
    pub column: &'static str,
    /// The line's number on that year's form.
    pub number: u32,
    /// Its description on that year's form (compared after `normalise`).
    pub description: &'static str,
}

/// One year's file: its name, which columns hold what, and the lines used.
#[derive(Debug, Clone, Copy)]
pub struct Year {
    /// The financial year, `2008-09`.
    pub period: &'static str,
    /// The file's name upstream.
    pub file: &'static str,
    /// The column of the DfE LA code.
    pub code_column: &'static str,
    /// The column of the council's name.
    pub name_column: &'static str,
    /// The column of the line number; none in 2008-09, whose descriptions begin with it.
    pub line_column: Option<&'static str>,
    /// The column of the line's description.
    pub description_column: &'static str,
    /// The column of net current expenditure (total expenditure less income), pounds.
    pub net_column: &'static str,
    /// The lines read.
    pub lines: [Line; 3],
}

/// The columns of the table written: the total of children looked after, the safeguarding (or,
/// until 2010-11, "safety") subtotal, and family support services.
pub const LOOKED_AFTER: &str = "cla_total_net";
/// Until 2010-11: Total Children and Young People's Safety (no social work in it).
pub const SAFETY: &str = "safety_total_net";
/// From 2011-12: the subtotal that includes social work.
pub const SAFEGUARDING: &str = "safeguarding_total_net";
/// Total Family Support Services.
pub const FAMILY_SUPPORT: &str = "family_support_total_net";

const fn line(column: &'static str, number: u32, description: &'static str) -> Line {
    Line { column, number, description }
}

/// The six years, each mapped by hand from its file (README and `data/seed/SOURCES.md` list what
/// each subtotal covers in each year).
pub const YEARS: [Year; 6] = [
    Year {
        period: "2008-09",
        file: "outturn_0809.csv",
        code_column: "LEA Number:",
        name_column: "LA Name:",
        line_column: None,
        description_column: "S52 Line Reference:",
        net_column: "NET Current Expenditure (m)",
        lines: [
            line(LOOKED_AFTER, 14, "Total Children Looked After"),
            line(SAFETY, 19, "Total Children and Young Peoples Safety"),
            line(FAMILY_SUPPORT, 28, "Total Family Support Services"),
        ],
    },
    Year {
        period: "2009-10",
        file: "outturn_0910.csv",
        code_column: "LEA",
        name_column: "LEA Name",
        line_column: Some("Line"),
        description_column: "S52 Line Reference",
        net_column: "NET Current Expenditure (m)",
        lines: [
            line(LOOKED_AFTER, 17, "Total Children Looked After"),
            line(SAFETY, 22, "Total Children and Young People's Safety"),
            line(FAMILY_SUPPORT, 31, "Total Family Support Services"),
        ],
    },
    Year {
        period: "2010-11",
        file: "outturn_1011.csv",
        code_column: "LA",
        name_column: "LA Name",
        line_column: Some("Line"),
        description_column: "S52 Line Reference",
        net_column: "NET Current Expenditure (m)",
        lines: [
            line(LOOKED_AFTER, 19, "Total Children Looked After"),
            line(SAFETY, 23, "Total Children and Young People's Safety"),
            line(FAMILY_SUPPORT, 30, "Total Family Support Services"),
        ],
    },
    Year {
        period: "2011-12",
        file: "outturn_1112.csv",
        code_column: "LA",
        name_column: "LA Name",
        line_column: Some("LineNumber"),
        description_column: "CYPServiceDescription",
        net_column: "NetCurrentExpenditure",
        lines: [
            line(LOOKED_AFTER, 12, "Total Children Looked After"),
            line(SAFEGUARDING, 16, "Total Children and Young People's Safety/children social care"),
            line(FAMILY_SUPPORT, 23, "Total Family Support Services"),
        ],
    },
    Year {
        period: "2012-13",
        file: "outturn_1213.csv",
        code_column: "LA",
        name_column: "LA Name",
        line_column: Some("LineNumber"),
        description_column: "CYPServiceDescription",
        net_column: "NetCurrentExpenditure",
        lines: [
            line(LOOKED_AFTER, 15, "15 Total Children Looked After"),
            line(SAFEGUARDING, 20, "20 Total Safeguarding Children and Young Peoples Services"),
            line(FAMILY_SUPPORT, 26, "26 Total Family Support Services"),
        ],
    },
    Year {
        period: "2013-14",
        file: "outturn_1314.csv",
        code_column: "LA",
        name_column: "LA Name",
        line_column: Some("LineNumber"),
        description_column: "CYPServiceDescription",
        net_column: "NetCurrentExpenditure",
        lines: [
            line(LOOKED_AFTER, 16, "16 Total Children Looked After"),
            line(SAFEGUARDING, 21, "21 Total Safeguarding Children and Young Peoples Services"),
            line(FAMILY_SUPPORT, 27, "27 Total Family Support Services"),
        ],
    },
];

/// Councils the 2008-09 file reports that lacs has no record of, with why: their rows are left
/// out (and listed here), never attributed to a successor.
pub const NOT_IN_LOOKUP: [(&str, &str); 2] = [
    (
        "820",
        "Bedfordshire County Council (2008-09 only): abolished on 1 April 2009, succeeded by Bedford (822) and \
         Central Bedfordshire (823); lacs's council lookup has no record of it",
    ),
    (
        "875",
        "Cheshire County Council (2008-09 only): abolished on 1 April 2009, succeeded by Cheshire East (895) and \
         Cheshire West and Chester (896); lacs's council lookup has no record of it",
    ),
];

/// Written for a cell the source leaves empty: a suppression symbol, never 0.
pub const BLANK: &str = "[blank]";

/// Why a file could not be read.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct S251Error(String);

/// The year whose upstream file is called `file` (`outturn_0809.csv`).
pub fn year_of_file(file: &str) -> Option<&'static Year> {
    YEARS.iter().find(|y| y.file == file)
}

/// The year of a bundled file (`s251/outturn_2008-09.csv`).
pub fn year_of_bundled(name: &str) -> Option<&'static Year> {
    let period = name.strip_prefix("s251/outturn_")?.strip_suffix(".csv")?;
    YEARS.iter().find(|y| y.period == period)
}

/// Windows-1252 bytes as text (the files are not UTF-8: `’` is byte 0x92).
pub fn decode_windows_1252(bytes: &[u8]) -> String {
    const HIGH: [char; 32] = [
        '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8d}', 'Ž', '\u{8f}', '\u{90}', '‘',
        '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9d}', 'ž', 'Ÿ',
    ];
    bytes
        .iter()
        .map(|&b| match b {
            0x80..=0x9f => HIGH[usize::from(b - 0x80)],
            _ => char::from(b),
        })
        .collect()
}

/// A description as compared: whitespace runs (tabs, no-break spaces) made one space, curly
/// apostrophes straight, case ignored.
pub fn normalise(description: &str) -> String {
    description
        .replace(['’', '‘'], "'")
        .split(|c: char| c.is_whitespace() || c == '\u{a0}')
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// The text written for a description: whitespace runs made one space.
fn tidy(text: &str) -> String {
    text.split(|c: char| c.is_whitespace() || c == '\u{a0}').filter(|w| !w.is_empty()).collect::<Vec<_>>().join(" ")
}

/// A line found in a council's rows: its number, its description, its net current expenditure.
type Found = (u32, String, String);

/// The identifying columns of the table written, before the lines' columns.
const ID_COLUMNS: [&str; 7] =
    ["time_period", "time_identifier", "geographic_level", "country_code", "old_la_code", "new_la_code", "la_name"];

/// The columns written for one line: the figure, the line's number, its description.
pub fn line_columns(column: &str) -> [String; 3] {
    [column.to_owned(), format!("{column}_line"), format!("{column}_description")]
}

/// Reads one year's file and returns its councils' figures for the year's lines as CSV, one row
/// per council in the file's order. The files state no England or regional totals.
pub fn to_csv(bytes: &[u8], year: &Year) -> Result<String, S251Error> {
    let bad = |m: String| S251Error(format!("{}: {m}", year.file));
    let text = decode_windows_1252(bytes);
    let mut reader = csv::ReaderBuilder::new().flexible(false).from_reader(text.as_bytes());
    let headers: Vec<String> =
        reader.headers().map_err(|e| bad(format!("header row: {e}")))?.iter().map(|h| h.trim().to_owned()).collect();
    let col = |name: &str| {
        headers.iter().position(|h| h == name).ok_or_else(|| bad(format!("no column `{name}` (header: {headers:?})")))
    };
    let (code_c, name_c, desc_c, net_c) =
        (col(year.code_column)?, col(year.name_column)?, col(year.description_column)?, col(year.net_column)?);
    let line_c = year.line_column.map(col).transpose()?;
    // Council code → (name, the row of each line).
    let mut councils: Vec<(String, String, Vec<Option<Found>>)> = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| bad(format!("malformed CSV: {e}")))?;
        let at = record.position().map_or(0, |p| p.line());
        let get = |i: usize| record.get(i).unwrap_or("");
        let code = get(code_c).trim().to_owned();
        if code.len() != 3 || !code.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad(format!("line {at}: `{code}` is not a DfE LA code")));
        }
        let description = get(desc_c);
        // The number: its own column, or (2008-09) the description's first word.
        let number_text = match line_c {
            Some(c) => get(c).trim().to_owned(),
            None => description.split_whitespace().next().unwrap_or("").to_owned(),
        };
        let Ok(number) = number_text.parse::<u32>() else {
            return Err(bad(format!("line {at}: `{number_text}` is not a line number")));
        };
        let index = match councils.iter().position(|(c, _, _)| *c == code) {
            Some(i) => i,
            None => {
                councils.push((code.clone(), tidy(get(name_c)), vec![None; year.lines.len()]));
                councils.len() - 1
            }
        };
        let (with_number, without_number) = {
            let d = normalise(description);
            let stripped = d.strip_prefix(&format!("{number} ")).map(str::to_owned);
            (d, stripped)
        };
        for (k, wanted) in year.lines.iter().enumerate() {
            if wanted.number != number {
                continue;
            }
            let expected = normalise(wanted.description);
            if with_number != expected && without_number.as_deref() != Some(expected.as_str()) {
                return Err(bad(format!(
                    "line {at}: council {code}'s line {number} is `{}`, not `{}`: the form differs from the mapping",
                    tidy(description),
                    wanted.description
                )));
            }
            let slot = &mut councils[index].2[k];
            if slot.is_some() {
                return Err(bad(format!("line {at}: council {code} has line {number} twice")));
            }
            let net = get(net_c).trim();
            let net = if net.is_empty() { BLANK.to_owned() } else { net.to_owned() };
            *slot = Some((number, tidy(description), net));
        }
    }
    if councils.is_empty() {
        return Err(bad("no councils".into()));
    }
    let mut writer = csv::Writer::from_writer(Vec::new());
    let fail = |e: csv::Error| bad(e.to_string());
    let mut header: Vec<String> = ID_COLUMNS.iter().map(|c| (*c).to_owned()).collect();
    for l in &year.lines {
        header.extend(line_columns(l.column));
    }
    writer.write_record(&header).map_err(fail)?;
    let time_period: String = year.period.chars().filter(|c| *c != '-').collect();
    for (code, name, lines) in &councils {
        let mut record = vec![
            time_period.clone(),
            "Financial year".to_owned(),
            "Local authority".to_owned(),
            "E92000001".to_owned(),
            code.clone(),
            String::new(),
            name.clone(),
        ];
        for (k, l) in lines.iter().enumerate() {
            let Some((number, description, net)) = l else {
                return Err(bad(format!(
                    "council {code} ({name}) has no line {} `{}`",
                    year.lines[k].number, year.lines[k].description
                )));
            };
            record.extend([net.clone(), number.to_string(), description.clone()]);
        }
        writer.write_record(&record).map_err(fail)?;
    }
    let bytes = writer.into_inner().map_err(|e| bad(e.to_string()))?;
    String::from_utf8(bytes).map_err(|e| bad(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn descriptions_compare_without_their_quirks() {
        assert_eq!(decode_windows_1252(b"Children\x92s"), "Children’s");
        assert_eq!(
            normalise("20 Total  Safeguarding Children and Young Peoples Services\t"),
            "20 total safeguarding children and young peoples services"
        );
        assert_eq!(normalise("Children’s\u{a0}Centres"), "children's centres");
    }

    const FILE_2012: &[u8] =
        b"LA,LA Name,LineNumber,CYPServiceDescription,ReportGroup,TotalExpenditure,Income,NetCurrentExpenditure\r\n\
        202,Camden,15,15 Total Children Looked After,CHILDREN LOOKED AFTER,1,0,11901768\r\n\
        202,Camden,20,20 Total  Safeguarding Children and Young Peoples Services,X,1,0,11317688\r\n\
        202,Camden,26,26 Total Family Support Services,\"FAMILY SUPPORT\t\r\n\",1,0,\r\n";

    #[test]
    fn a_year_is_read_by_number_and_description() {
        let csv = to_csv(FILE_2012, &YEARS[4]).unwrap();
        let mut lines = csv.lines();
        assert_eq!(
            lines.next().unwrap(),
            "time_period,time_identifier,geographic_level,country_code,old_la_code,new_la_code,la_name,\
             cla_total_net,cla_total_net_line,cla_total_net_description,\
             safeguarding_total_net,safeguarding_total_net_line,safeguarding_total_net_description,\
             family_support_total_net,family_support_total_net_line,family_support_total_net_description"
        );
        assert_eq!(
            lines.next().unwrap(),
            "201213,Financial year,Local authority,E92000001,202,,Camden,11901768,15,15 Total Children Looked After,\
             11317688,20,20 Total Safeguarding Children and Young Peoples Services,[blank],26,26 Total Family Support Services"
        );
    }

    #[test]
    fn a_line_that_means_something_else_is_refused() {
        let moved =
            String::from_utf8_lossy(FILE_2012).replace("15 Total Children Looked After", "15 Fostering services");
        let e = to_csv(moved.as_bytes(), &YEARS[4]).unwrap_err().to_string();
        assert!(e.contains("not `15 Total Children Looked After`"), "{e}");
        let missing = String::from_utf8_lossy(FILE_2012).replace(",26,26 Total", ",27,27 Total");
        let e = to_csv(missing.as_bytes(), &YEARS[4]).unwrap_err().to_string();
        assert!(e.contains("has no line 26"), "{e}");
    }
}
