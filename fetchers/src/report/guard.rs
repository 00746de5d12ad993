//! Defences against hostile PDFs, before and around the PDF library: a bound on the file's size,
//! a bound on what its streams decompress to (measured before the library inflates anything),
//! a time bound, and library panics turned into errors without a word on stderr.
//!
//! The decompressed size is measured on the raw bytes: every `/Filter` entry in the file is read
//! (every one, nested or not, in strings and comments too, with `#xx` escapes decoded: whatever
//! disguise its dictionary wears, the chain the library obeys for a stream is among them), every
//! `stream` keyword is found, and the stream is decoded with each of those filter chains as lopdf
//! would decode it (Flate with its raw-deflate fallback,
//! LZW with either code-size switch, ASCII85), counting the output into a reusable buffer and
//! stopping as soon as the document's total passes the bound. A stream with no filter named is
//! tried as zlib all the same (uncompressed and image data fail the zlib header at once). The
//! largest of the 785 real reports (`80563/2761258`, 896 kB) decompresses to 2.49 MB, the
//! median one to 0.59 MB; the bound, 32 MiB, is 13 times the largest. Encrypted documents are
//! refused: their streams can only be measured after decryption, which the library does while it
//! loads them. None of the real reports is encrypted.
//!
//! The same reading counts the objects lopdf would build from the file and from what its streams
//! decompress to (`objects`).
//!
//! The time and panic guards are in `isolate`; the memory and time caps of a worker process in
//! `worker`.

use std::time::Duration;

use super::objects;

/// Bounds on the work one document may cause. The figures of the real reports are from the 785
/// in the project's research corpus (docs/parser-accuracy.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Limits {
    /// The largest file read, checked before reading. The largest real report is 0.9 MB.
    pub max_file_bytes: u64,
    /// The most that all of a document's streams may decompress to, and the most content its
    /// pages may draw (a stream counted each time it is drawn). The most a real report
    /// decompresses to is 2.49 MB.
    pub max_decoded_bytes: u64,
    /// The most content operators its pages may draw, each counted each time it is drawn. The
    /// extractor holds some 600 bytes per operator while it reads a page.
    pub max_operators: u64,
    /// The most operands (numbers, names, strings, arrays …) its pages may draw, counted the
    /// same way; some 120 bytes each.
    pub max_operands: u64,
    /// The most objects (numbers, names, strings, arrays, dictionaries …) the file and what its
    /// streams decompress to may hold, counted before the PDF library loads them: it holds some
    /// 120 bytes for each. The most a real report holds is 244,647 (median 56,392), nearly
    /// all of them its pages' content.
    pub max_objects: u64,
    /// The most entries the fonts' character maps (CMaps) may hold: the codes their ranges span
    /// and the values their streams lex into, each map counted for every page whose fonts use
    /// it (the extractor builds it again on each). Some 150 bytes each. The most in a real
    /// report is 10,075 (median 896).
    pub max_cmap_entries: u64,
    /// The longest a document may take to read (a real report takes tens of milliseconds).
    pub timeout: Duration,
    /// The most memory (address space) the process that reads a document may take, where it
    /// is read in a process of its own: past it the process dies, and only that document
    /// fails. Reading the largest real report takes under 192 MiB (a development build).
    pub max_memory_bytes: u64,
}

/// 32 MiB files, 32 MiB decompressed, 500,000 operators, 2,000,000 operands, 2,000,000 objects,
/// 1,000,000 CMap entries, 30 seconds, 512 MiB of memory.
pub const LIMITS: Limits = Limits {
    max_file_bytes: 32 * MIB,
    max_decoded_bytes: 32 * MIB,
    max_operators: 500_000,
    max_operands: 2_000_000,
    max_objects: 2_000_000,
    max_cmap_entries: 1_000_000,
    timeout: Duration::from_secs(30),
    max_memory_bytes: 512 * MIB,
};

impl Default for Limits {
    fn default() -> Limits {
        LIMITS
    }
}

const MIB: u64 = 1024 * 1024;

/// `64 MiB`, or the bytes when not a whole number of MiB.
pub(crate) fn size(bytes: u64) -> String {
    if bytes >= MIB && bytes.is_multiple_of(MIB) { format!("{} MiB", bytes / MIB) } else { format!("{bytes} bytes") }
}

/// Why a document is refused before the PDF library reads it, or before it walks its pages.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// The streams decompress to more than the bound.
    TooMuch,
    /// The pages draw more operators or operands than the bounds.
    Content,
    /// The document is encrypted.
    Encrypted,
    /// The file and its streams hold more objects than the bound.
    Objects,
    /// The fonts' character maps hold more entries than the bound.
    CMaps,
    /// A structure the extractor would follow without end.
    Structure(&'static str),
}

/// The filters lopdf decodes (any other stops its decoding with an error).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Filter {
    Flate,
    /// Zlib without lopdf's raw-deflate retry: how a stream with no filter named is tried.
    Zlib,
    Lzw,
    Ascii85,
    /// A filter lopdf does not decode: the chain stops here.
    Other,
}

/// What may still be decompressed.
struct Budget {
    left: u64,
}

impl Budget {
    fn take(&mut self, n: usize) -> Result<(), Refusal> {
        let n = n as u64;
        if n > self.left {
            self.left = 0;
            return Err(Refusal::TooMuch);
        }
        self.left -= n;
        Ok(())
    }
}

/// What a document holds, measured before the PDF library loads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Measured {
    /// What its streams decompress to, in bytes.
    pub decoded: u64,
    /// The objects in the file and in what its streams decompress to ([`objects`]).
    pub objects: u64,
}

/// What `pdf` holds, or why it is refused: its streams may decompress to at most `limits`'
/// `max_decoded_bytes`, and it and they may hold at most `max_objects` objects.
pub(crate) fn measure(pdf: &[u8], limits: &Limits) -> Result<Measured, Refusal> {
    let limit = limits.max_decoded_bytes;
    let mut objects = objects::count(pdf);
    if objects > limits.max_objects {
        return Err(Refusal::Objects);
    }
    if names(pdf).any(|n| n == b"Encrypt") {
        return Err(Refusal::Encrypted);
    }
    // Every filter chain the file names anywhere, in whatever context (strings, comments and
    // all): the one lopdf obeys for a stream is among them, however its dictionary is disguised.
    let mut chains = filter_chains(pdf)?;
    if chains.len() > MAX_CHAINS {
        return Err(Refusal::Structure("its streams name more than 16 different chains of filters"));
    }
    if !chains.contains(&vec![Filter::Flate]) {
        chains.push(vec![Filter::Zlib]);
    }
    let mut total = Budget { left: limit };
    let mut scratch = vec![0u8; 64 * 1024];
    for keyword in memchr::memmem::find_iter(pdf, b"stream") {
        let at = keyword + b"stream".len();
        if pdf[..keyword].ends_with(b"end") {
            continue;
        }
        let mut data = at;
        while matches!(pdf.get(data), Some(b' ' | b'\t')) {
            data += 1;
        }
        match pdf.get(data..data + 2) {
            Some(b"\r\n") => data += 2,
            _ if matches!(pdf.get(data), Some(b'\n' | b'\r')) => data += 1,
            _ => {}
        }
        // The stream costs what its costliest reading costs (only one of them is real).
        let (mut cost, mut held) = (0, 0);
        for chain in &chains {
            let mut budget = Budget { left: total.left };
            let objects = decode_chain(chain, &pdf[data..], &mut budget, &mut scratch)?;
            cost = cost.max(total.left - budget.left);
            held = held.max(objects);
        }
        total.left -= cost;
        objects += held;
        if objects > limits.max_objects {
            return Err(Refusal::Objects);
        }
    }
    Ok(Measured { decoded: limit - total.left, objects })
}

fn is_delimiter(b: u8) -> bool {
    b.is_ascii_whitespace()
        || b == 0
        || matches!(b, b'(' | b')' | b'<' | b'>' | b'[' | b']' | b'{' | b'}' | b'/' | b'%')
}

/// A name token's bytes after the slash, with `#xx` escapes decoded, and the bytes it takes.
pub(crate) fn name_at(bytes: &[u8]) -> (Vec<u8>, usize) {
    let mut name = Vec::new();
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if is_delimiter(b) {
            break;
        }
        let hex = |j: usize| bytes.get(j).and_then(|c| (*c as char).to_digit(16));
        match (b, hex(i + 1), hex(i + 2)) {
            (b'#', Some(h), Some(l)) => {
                name.push((h * 16 + l) as u8);
                i += 3;
            }
            _ => {
                name.push(b);
                i += 1;
            }
        }
    }
    (name, i)
}

/// Every name token in `bytes`.
fn names(bytes: &[u8]) -> impl Iterator<Item = Vec<u8>> + '_ {
    memchr::memchr_iter(b'/', bytes).map(|slash| name_at(&bytes[slash + 1..]).0)
}

fn skip_space(bytes: &[u8], mut i: usize) -> usize {
    loop {
        match bytes.get(i) {
            Some(b) if b.is_ascii_whitespace() || *b == 0 => i += 1,
            Some(b'%') => {
                while !matches!(bytes.get(i), None | Some(b'\r' | b'\n')) {
                    i += 1;
                }
            }
            _ => return i,
        }
    }
}

fn filter(name: &[u8]) -> Filter {
    match name {
        b"FlateDecode" => Filter::Flate,
        b"LZWDecode" => Filter::Lzw,
        b"ASCII85Decode" => Filter::Ascii85,
        _ => Filter::Other,
    }
}

/// The filter chain of every `/Filter` entry in `dict`: a name, or an array of names (an array
/// holding anything else decodes nothing, as in lopdf), up to the first filter lopdf does not
/// decode. Distinct chains only; a chain longer than [`MAX_STAGES`] is refused.
fn filter_chains(dict: &[u8]) -> Result<Vec<Vec<Filter>>, Refusal> {
    let mut chains: Vec<Vec<Filter>> = Vec::new();
    for slash in memchr::memchr_iter(b'/', dict) {
        let (name, len) = name_at(&dict[slash + 1..]);
        if name != b"Filter" {
            continue;
        }
        let mut i = skip_space(dict, slash + 1 + len);
        let mut chain = Vec::new();
        match dict.get(i) {
            Some(b'/') => chain.push(filter(&name_at(&dict[i + 1..]).0)),
            Some(b'[') => {
                i += 1;
                loop {
                    i = skip_space(dict, i);
                    match dict.get(i) {
                        Some(b'/') => {
                            let (name, len) = name_at(&dict[i + 1..]);
                            chain.push(filter(&name));
                            i += 1 + len;
                        }
                        Some(b']') => break,
                        _ => {
                            chain.clear();
                            break;
                        }
                    }
                }
            }
            _ => {}
        }
        if let Some(other) = chain.iter().position(|f| *f == Filter::Other) {
            chain.truncate(other);
        }
        if chain.len() > MAX_STAGES {
            return Err(Refusal::Structure("a stream has more than 8 filters"));
        }
        if !chain.is_empty() && !chains.contains(&chain) {
            chains.push(chain);
        }
    }
    Ok(chains)
}

/// The most filters one stream may have (the real reports have one).
const MAX_STAGES: usize = 8;

/// The most different filter chains a document may name (the real reports name one).
const MAX_CHAINS: usize = 16;

/// Decodes `input` through `chain`, every stage's output counted against `budget`, and returns
/// the objects the last stage's output holds. Only the output of a stage that another follows
/// is kept; the last is counted through `scratch`.
fn decode_chain(chain: &[Filter], input: &[u8], budget: &mut Budget, scratch: &mut [u8]) -> Result<u64, Refusal> {
    let stages = chain.len();
    let mut current: std::borrow::Cow<'_, [u8]> = input.into();
    let mut held = 0;
    for (n, stage) in chain.iter().take(stages).enumerate() {
        let keep = n + 1 < stages;
        let mut out = Vec::new();
        let mut counter = objects::Counter::default();
        match stage {
            Filter::Flate | Filter::Zlib => {
                let mut sink = |bytes: &[u8]| {
                    budget.take(bytes.len())?;
                    if keep {
                        out.extend_from_slice(bytes);
                    } else {
                        counter.feed(bytes);
                    }
                    Ok(())
                };
                if *stage == Filter::Flate {
                    flate(&current, scratch, &mut sink)?;
                } else {
                    zlib(&current, scratch, &mut sink)?;
                }
                held = counter.finish();
            }
            Filter::Lzw => {
                // EarlyChange is not read: the costlier of its two readings counts.
                let mut costlier = (0usize, Vec::new());
                for early_change in [true, false] {
                    let (mut count, mut bytes, left) = (0usize, Vec::new(), budget.left);
                    let mut counter = objects::Counter::default();
                    lzw(&current, early_change, scratch, &mut |b| {
                        count += b.len();
                        if keep {
                            bytes.extend_from_slice(b);
                        } else {
                            counter.feed(b);
                        }
                        if count as u64 > left { Err(Refusal::TooMuch) } else { Ok(()) }
                    })?;
                    held = held.max(counter.finish());
                    if count >= costlier.0 {
                        costlier = (count, bytes);
                    }
                }
                budget.take(costlier.0)?;
                out = costlier.1;
            }
            Filter::Ascii85 => {
                out = ascii85(&current, budget)?;
                held = objects::count(&out);
            }
            Filter::Other => return Ok(held),
        }
        current = out.into();
    }
    Ok(held)
}

/// Inflates FlateDecode data as lopdf does. lopdf reads zlib and, when that fails before
/// producing anything, reads the data after the two header bytes again as raw deflate; either
/// way what comes out is the raw deflate reading of the data after the header (a checksum that
/// does not match fails only once everything is out).
fn flate(input: &[u8], scratch: &mut [u8], sink: &mut dyn FnMut(&[u8]) -> Result<(), Refusal>) -> Result<(), Refusal> {
    match input.get(2..) {
        Some(deflate) if !deflate.is_empty() => inflate(deflate, scratch, sink),
        _ => Ok(()),
    }
}

/// A stream with no filter named, tried as zlib: only data with a zlib header is inflated.
fn zlib(input: &[u8], scratch: &mut [u8], sink: &mut dyn FnMut(&[u8]) -> Result<(), Refusal>) -> Result<(), Refusal> {
    match input {
        [cmf, flg, ..] if cmf & 0x0f == 8 && (u16::from(*cmf) << 8 | u16::from(*flg)) % 31 == 0 => {
            flate(input, scratch, sink)
        }
        _ => Ok(()),
    }
}

/// Inflates raw deflate data until it ends, turns out bad or the input runs out.
fn inflate(
    input: &[u8],
    scratch: &mut [u8],
    sink: &mut dyn FnMut(&[u8]) -> Result<(), Refusal>,
) -> Result<(), Refusal> {
    let mut inflater = flate2::Decompress::new(false);
    loop {
        let (in_before, out_before) = (inflater.total_in(), inflater.total_out());
        let at = usize::try_from(in_before).unwrap_or(usize::MAX).min(input.len());
        let status = inflater.decompress(&input[at..], scratch, flate2::FlushDecompress::None);
        let out = usize::try_from(inflater.total_out() - out_before).unwrap_or(usize::MAX).min(scratch.len());
        sink(&scratch[..out])?;
        let progress = inflater.total_in() != in_before || out > 0;
        match status {
            Ok(flate2::Status::Ok | flate2::Status::BufError) if progress => {}
            _ => return Ok(()),
        }
    }
}

/// LZW as lopdf reads it (most significant bit first, 8-bit symbols).
fn lzw(
    input: &[u8],
    early_change: bool,
    scratch: &mut [u8],
    sink: &mut dyn FnMut(&[u8]) -> Result<(), Refusal>,
) -> Result<(), Refusal> {
    use weezl::{BitOrder, LzwStatus, decode::Decoder};
    let mut decoder =
        if early_change { Decoder::with_tiff_size_switch(BitOrder::Msb, 8) } else { Decoder::new(BitOrder::Msb, 8) };
    let mut input = input;
    loop {
        let result = decoder.decode_bytes(input, scratch);
        input = &input[result.consumed_in.min(input.len())..];
        sink(&scratch[..result.consumed_out.min(scratch.len())])?;
        match result.status {
            Ok(LzwStatus::Ok) if result.consumed_in > 0 || result.consumed_out > 0 => {}
            _ => return Ok(()),
        }
    }
}

/// ASCII85 as lopdf reads it: whitespace skipped, `z` for four zeros, stopping at the first
/// byte outside the alphabet or at a bad group; the output counted against `budget`.
fn ascii85(input: &[u8], budget: &mut Budget) -> Result<Vec<u8>, Refusal> {
    let input = input.strip_suffix(b"~>").unwrap_or(input);
    let mut out = Vec::new();
    let (mut word, mut count) = (0u32, 0usize);
    for &c in input {
        match c {
            b'z' if count == 0 => {
                budget.take(4)?;
                out.extend_from_slice(&[0; 4]);
                continue;
            }
            b'z' => return Ok(out),
            c if c.is_ascii_whitespace() => continue,
            b'!'..=b'u' => {}
            _ => break,
        }
        let Some(w) = word.checked_mul(85).and_then(|w| w.checked_add(u32::from(c - b'!'))) else {
            return Ok(out);
        };
        word = w;
        count += 1;
        if count == 5 {
            budget.take(4)?;
            out.extend_from_slice(&word.to_be_bytes());
            (word, count) = (0, 0);
        }
    }
    if count > 0 {
        for _ in count..5 {
            let Some(w) = word.checked_mul(85).and_then(|w| w.checked_add(84)) else {
                return Ok(out);
            };
            word = w;
        }
        budget.take(count - 1)?;
        out.extend_from_slice(&word.to_be_bytes()[..count - 1]);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What `pdf`'s streams decompress to, within `limit`, objects unbounded.
    fn decoded_size(pdf: &[u8], limit: u64) -> Result<u64, Refusal> {
        let limits = Limits { max_decoded_bytes: limit, max_objects: u64::MAX, ..LIMITS };
        measure(pdf, &limits).map(|m| m.decoded)
    }

    #[test]
    fn objects_are_counted_in_the_file_and_in_its_streams() {
        let array = format!("[{}]", "1 ".repeat(1000));
        let limits = |max_objects| Limits { max_objects, ..LIMITS };
        let plain = pdf_with("", array.as_bytes());
        // The array, `/Length`, its value and `<<` (the `1 0` of `1 0 obj` too).
        assert_eq!(measure(&plain, &limits(2000)).map(|m| m.objects), Ok(1001 + 3 + 2));
        assert_eq!(measure(&plain, &limits(1000)), Err(Refusal::Objects));
        // Compressed, the array is counted in what the stream inflates to.
        let packed = pdf_with("/Filter /FlateDecode", &zlib(array.as_bytes()));
        let objects = measure(&packed, &limits(2000)).unwrap().objects;
        assert!((1001..1050).contains(&objects), "{objects}");
        assert_eq!(measure(&packed, &limits(1000)), Err(Refusal::Objects));
    }

    fn zlib(data: &[u8]) -> Vec<u8> {
        use std::io::Write;
        let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::fast());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    fn pdf_with(dict: &str, data: &[u8]) -> Vec<u8> {
        let mut pdf = format!("%PDF-1.7\n1 0 obj\n<< {dict} /Length {} >>\nstream\n", data.len()).into_bytes();
        pdf.extend_from_slice(data);
        pdf.extend_from_slice(b"\nendstream\nendobj\n%%EOF\n");
        pdf
    }

    #[test]
    fn streams_are_measured_through_their_filters() {
        let zeros = vec![0u8; 1_000_000];
        let flate = pdf_with("/Filter /FlateDecode", &zlib(&zeros));
        assert_eq!(decoded_size(&flate, 10_000_000), Ok(1_000_000));
        assert_eq!(decoded_size(&flate, 999_999), Err(Refusal::TooMuch));
        // A name spelt with escapes, and an array.
        let escaped = pdf_with("/Filter [/Fl#61teDecode]", &zlib(&zeros));
        assert_eq!(decoded_size(&escaped, 10_000_000), Ok(1_000_000));
        // A bad zlib header: lopdf reads the rest as raw deflate, and so does the measure.
        let mut raw = zlib(&zeros);
        raw[0] = b'x';
        raw[1] = b'x';
        assert_eq!(decoded_size(&pdf_with("/Filter /FlateDecode", &raw), 10_000_000), Ok(1_000_000));
        // No filter named: tried as zlib all the same.
        assert_eq!(decoded_size(&pdf_with("", &zlib(&zeros)), 10_000_000), Ok(1_000_000));
        // ASCII85 of zlib: both stages count.
        let a85 = pdf_with("/Filter [/ASCII85Decode /FlateDecode]", &ascii85_encode(&zlib(&zeros)));
        let total = decoded_size(&a85, 10_000_000).unwrap();
        assert!(total > 1_000_000, "{total}");
        // A lure in a nested dictionary does not hide the real filter.
        let lure = pdf_with("/DecodeParms << /Filter /ASCII85Decode >> /Filter /FlateDecode", &zlib(&zeros));
        assert!(decoded_size(&lure, 10_000_000).unwrap() >= 1_000_000);
        // A dictionary disguised with keywords in a string still has its filter found.
        // (The `stream` in the string is measured as a stream too: a few bytes more, never less.)
        let disguised = pdf_with("/Filter /FlateDecode /X (endstream stream obj)", &raw);
        let total = decoded_size(&disguised, 10_000_000).unwrap();
        assert!((1_000_000..1_001_000).contains(&total), "{total}");
        // More than 8 filters on a stream, or more than 16 chains, is refused outright.
        let deep = pdf_with(&format!("/Filter [{}]", "/FlateDecode ".repeat(9)), b"");
        assert!(matches!(decoded_size(&deep, 10), Err(Refusal::Structure(_))));
        // Images and plain data cost nothing.
        assert_eq!(decoded_size(&pdf_with("/Filter /DCTDecode", b"\xff\xd8\xff\xe0 jpeg"), 10), Ok(0));
        assert_eq!(decoded_size(&pdf_with("", b"BT (hello) Tj ET"), 10), Ok(0));
        // Encrypted documents are refused, however the name is spelt.
        let mut encrypted = flate.clone();
        encrypted.extend_from_slice(b"trailer << /#45ncrypt 5 0 R >>");
        assert_eq!(decoded_size(&encrypted, 10_000_000), Err(Refusal::Encrypted));
    }

    #[test]
    fn lzw_is_measured() {
        // A valid LZW stream: clear code, then the literal 'a' repeated, then end of data.
        let mut encoder = weezl::encode::Encoder::with_tiff_size_switch(weezl::BitOrder::Msb, 8);
        let data = vec![b'a'; 100_000];
        let encoded = encoder.encode(&data).unwrap();
        assert_eq!(decoded_size(&pdf_with("/Filter /LZWDecode", &encoded), 1_000_000), Ok(100_000));
        assert_eq!(decoded_size(&pdf_with("/Filter /LZWDecode", &encoded), 99_999), Err(Refusal::TooMuch));
    }

    fn ascii85_encode(data: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        for chunk in data.chunks(4) {
            let mut word = [0u8; 4];
            word[..chunk.len()].copy_from_slice(chunk);
            let mut n = u32::from_be_bytes(word);
            let mut digits = [0u8; 5];
            for d in digits.iter_mut().rev() {
                *d = (n % 85) as u8 + b'!';
                n /= 85;
            }
            out.extend_from_slice(&digits[..chunk.len() + 1]);
        }
        out.extend_from_slice(b"~>");
        out
    }
}
