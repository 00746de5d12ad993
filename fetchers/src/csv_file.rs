//! The CSV files the importers read (the seed files, the indicator files and the files `lacs
//! fetch dfe-stats` downloads): each bounded in size, its records with the line each starts on
//! (counted alike whatever the line ends), and what every importer refuses, named
//! `file:line: reason`: a malformed record, and a NUL byte anywhere (PostgreSQL cannot store one
//! in text, so it is refused on reading, on both databases, before anything is written).

use std::path::Path;

/// The largest file read from a directory: 32 MiB, forty times the largest bundled file
/// (`official_statements.csv`, 830 kB). A larger file is refused before it is read.
pub const MAX_FILE_BYTES: u64 = 32 * 1024 * 1024;

/// Reads a file of at most [`MAX_FILE_BYTES`]; every error names its path.
pub(crate) fn read_bounded(path: &Path) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let named = |e: std::io::Error| std::io::Error::new(e.kind(), format!("{}: {e}", path.display()));
    let too_large = || {
        std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("{}: the file is larger than the {} MiB a seed file may be", path.display(), MAX_FILE_BYTES >> 20),
        )
    };
    let file = std::fs::File::open(path).map_err(named)?;
    if file.metadata().map_err(named)?.len() > MAX_FILE_BYTES {
        return Err(too_large());
    }
    // The size is checked again as the file is read: it may grow in between.
    let mut bytes = Vec::new();
    file.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes).map_err(named)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(too_large());
    }
    Ok(bytes)
}

/// Reads the header row of `bytes` (a UTF-8 byte-order mark dropped), adding to `problems` one
/// `path:line: reason` for each line that holds a NUL byte; `None` when the header row cannot be
/// read. Then the records, one at a time, each with the line it starts on, or a malformed one's
/// `path:line: reason`.
pub(crate) fn read<'a>(bytes: &'a [u8], path: &'a str, problems: &mut Vec<String>) -> Option<(Vec<String>, Rows<'a>)> {
    let text = bytes.strip_prefix(b"\xEF\xBB\xBF".as_slice()).unwrap_or(bytes);
    let mut lines = Lines { text, at: 0, line: 1 };
    let mut last = 0;
    for (i, _) in text.iter().enumerate().filter(|(_, b)| **b == 0) {
        let line = lines.at(i as u64);
        if line != last {
            problems.push(format!("{path}:{line}: a NUL byte (0x00), which no text may hold"));
            last = line;
        }
    }
    let mut reader = csv::ReaderBuilder::new().from_reader(text);
    let headers = match reader.headers() {
        Ok(h) => h.iter().map(|s| s.trim().to_owned()).collect(),
        Err(e) => {
            problems.push(format!("{path}:1: cannot read the header row: {e}"));
            return None;
        }
    };
    Some((headers, Rows { records: reader.into_records(), lines: Lines { text, at: 0, line: 1 }, path }))
}

/// The records of a CSV file, in order.
pub(crate) struct Rows<'a> {
    records: csv::StringRecordsIntoIter<&'a [u8]>,
    lines: Lines<'a>,
    path: &'a str,
}

impl Iterator for Rows<'_> {
    /// A record and the line it starts on, or why it is malformed (`path:line: reason`).
    type Item = Result<(u64, csv::StringRecord), String>;

    fn next(&mut self) -> Option<Self::Item> {
        let record = self.records.next()?;
        let mut line_of = |p: Option<&csv::Position>| p.map_or(0, |p| self.lines.at(p.byte()));
        Some(match record {
            Ok(r) => Ok((line_of(r.position()), r)),
            Err(e) => Err(format!("{}:{}: malformed CSV: {}", self.path, line_of(e.position()), malformed(&e))),
        })
    }
}

/// Why a record is malformed, without the csv reader's own position (its line count is the one
/// [`Lines`] corrects).
fn malformed(e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::UnequalLengths { expected_len, len, .. } => {
            format!("{len} fields where the header has {expected_len}")
        }
        csv::ErrorKind::Utf8 { err, .. } => format!("not UTF-8 text ({err})"),
        _ => e.to_string(),
    }
}

/// Line numbers of byte offsets taken in increasing order, counted as the text is passed.
struct Lines<'a> {
    text: &'a [u8],
    /// The offset counted up to, and the line it is on.
    at: usize,
    line: u64,
}

impl Lines<'_> {
    /// The line the byte at `byte` (or, at a line end, the record that follows it) starts on.
    /// (The csv reader's own line count is one short in a file with CRLF line ends: a record's
    /// position is taken before the LF that ends the line before it.)
    fn at(&mut self, byte: u64) -> u64 {
        let mut start = usize::try_from(byte).unwrap_or(usize::MAX).min(self.text.len());
        while matches!(self.text.get(start), Some(b'\r' | b'\n')) {
            start += 1;
        }
        if start > self.at {
            let passed = self.text.get(self.at..start).unwrap_or_default();
            self.line += passed.iter().filter(|b| **b == b'\n').count() as u64;
            self.at = start;
        }
        self.line
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines_and_problems(text: &[u8]) -> (Vec<u64>, Vec<String>) {
        let mut problems = Vec::new();
        let (_, rows) = read(text, "f.csv", &mut problems).unwrap();
        let mut lines = Vec::new();
        for row in rows {
            match row {
                Ok((line, _)) => lines.push(line),
                Err(e) => problems.push(e),
            }
        }
        (lines, problems)
    }

    #[test]
    fn lines_are_counted_alike_whatever_the_line_ends() {
        for text in ["a,b\nx,1\n\ny,\"2\n3\"\nz,4\n", "a,b\r\nx,1\r\n\r\ny,\"2\r\n3\"\r\nz,4\r\n"] {
            assert_eq!(lines_and_problems(text.as_bytes()), (vec![2, 4, 6], vec![]), "{text:?}");
        }
    }

    #[test]
    fn nul_bytes_and_malformed_records_are_named_by_line() {
        let (lines, problems) = lines_and_problems(b"a,b\r\nx,1\r\ny,\0\0\r\nz,4,5\r\nw,\"7\0\"\r\nv,\xff\r\n");
        assert_eq!(lines, [2, 3, 5]);
        assert_eq!(
            problems,
            [
                "f.csv:3: a NUL byte (0x00), which no text may hold",
                "f.csv:5: a NUL byte (0x00), which no text may hold",
                "f.csv:4: malformed CSV: 3 fields where the header has 2",
                "f.csv:6: malformed CSV: not UTF-8 text (invalid utf-8: invalid UTF-8 in field 1 near byte index 0)",
            ]
        );
    }
}
