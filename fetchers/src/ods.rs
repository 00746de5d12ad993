//! Opening an ODS workbook within bounds: the archive's own entry sizes are summed before
//! anything is inflated, so a small file that unpacks to gigabytes is refused unread. Every
//! reader of ODS files (RO3, Ofsted's statistics) opens them here.

use std::io::Cursor;

use calamine::Reader;

/// The most a workbook may unpack to. The largest lacs reads (RO3, about 35 MB of XML; the 2023
/// Ofsted underlying data, 40 MB) fit four times over.
pub const MAX_UNPACKED_BYTES: u64 = 160 * 1024 * 1024;

/// Opens `bytes` as an ODS workbook; `what` names it in the refusal ("an RO3 file").
pub fn open<'a>(bytes: &'a [u8], what: &str) -> Result<calamine::Ods<Cursor<&'a [u8]>>, String> {
    let not_ods = |e: &dyn std::fmt::Display| format!("not an ODS file: {e}");
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| not_ods(&e))?;
    let mut unpacked = 0u64;
    for i in 0..archive.len() {
        let entry = archive.by_index_raw(i).map_err(|e| not_ods(&e))?;
        unpacked = unpacked.saturating_add(entry.size());
    }
    if unpacked > MAX_UNPACKED_BYTES {
        return Err(format!(
            "the workbook unpacks to {unpacked} bytes, more than the {MAX_UNPACKED_BYTES} {what} may: not read"
        ));
    }
    calamine::Ods::new(Cursor::new(bytes)).map_err(|e| not_ods(&e))
}
