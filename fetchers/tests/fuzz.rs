//! Fuzz-style: the real fixtures (report PDFs, GOV.UK content items, the seed CSVs) mutated with
//! a fixed-seed PRNG (bytes flipped, the file cut short, a chunk duplicated, a range zeroed; and
//! inside a PDF's compressed streams, the content the PDF library parses; for JSON and CSV,
//! values, cells and lines replaced, removed or repeated) and read by the
//! functions the CLI and the fetchers use. For every input: no panic escapes, it
//! finishes within a deadline, and it gives one result or one error. The run is deterministic (the
//! seed is printed with every failure) and bounded: a few hundred inputs, well under 30 seconds
//! in a dev build.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

use fetchers::interventions::{self, Crawl, Document};
use fetchers::report;
use fetchers::seed::{self, SeedFiles};

/// How many times over to mutate each fixture (`LACS_FUZZ_ROUNDS`, default 1) and from which
/// seed (`LACS_FUZZ_SEED`, default fixed), for longer runs by hand.
fn rounds() -> usize {
    std::env::var("LACS_FUZZ_ROUNDS").ok().and_then(|r| r.parse().ok()).unwrap_or(1)
}

fn rng(default: u64) -> Rng {
    Rng(std::env::var("LACS_FUZZ_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(default) | 1)
}

/// xorshift64*: tiny, deterministic, good enough to pick positions and bytes.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// One mutation of `bytes`, and what it was.
fn mutate(bytes: &[u8], rng: &mut Rng) -> (Vec<u8>, String) {
    let mut out = bytes.to_vec();
    let len = out.len().max(1);
    let what = match rng.below(4) {
        0 => {
            let n = 1 + rng.below(16);
            for _ in 0..n {
                let at = rng.below(len);
                if let Some(b) = out.get_mut(at) {
                    *b = rng.next() as u8;
                }
            }
            format!("{n} bytes flipped")
        }
        1 => {
            let at = rng.below(len);
            out.truncate(at);
            format!("cut at {at}")
        }
        2 => {
            let from = rng.below(len);
            let size = 1 + rng.below((len - from).min(4096));
            let to = rng.below(len);
            let chunk: Vec<u8> = out.get(from..from + size).unwrap_or_default().to_vec();
            out.splice(to.min(out.len())..to.min(out.len()), chunk);
            format!("{size} bytes from {from} copied to {to}")
        }
        _ => {
            let from = rng.below(len);
            let size = 1 + rng.below(512);
            for b in out.iter_mut().skip(from).take(size) {
                *b = 0;
            }
            format!("{size} bytes zeroed from {from}")
        }
    };
    (out, what)
}

/// Values a mutation puts in a field or a cell.
const ODD_VALUES: [&str; 12] = [
    "",
    "x",
    "2016-13",
    "31 February 2025",
    "E99999999",
    "-1",
    "inadequate",
    "\"",
    "<a href=\"https://assets.publishing.service.gov.uk/x.pdf\">Direction issued to Slough Borough Council (October 2017)</a>",
    "Direction issued to Gotham City Council",
    "\u{1f600}\u{0}\u{202e}",
    "9999-99-99T99:99:99Z",
];

/// One mutation of a JSON document's structure: a value replaced by another type, an odd
/// string or another part of the document, or a key removed.
fn mutate_json(bytes: &[u8], rng: &mut Rng) -> (Vec<u8>, String) {
    // One fixture is malformed on purpose: its bytes are mutated instead.
    let Ok(mut value) = serde_json::from_slice::<serde_json::Value>(bytes) else { return mutate(bytes, rng) };
    let mut pointers = Vec::new();
    fn walk(v: &serde_json::Value, at: String, out: &mut Vec<String>) {
        match v {
            serde_json::Value::Object(m) => {
                for (k, v) in m {
                    walk(v, format!("{at}/{}", k.replace('~', "~0").replace('/', "~1")), out);
                }
            }
            serde_json::Value::Array(a) => {
                for (i, v) in a.iter().enumerate() {
                    walk(v, format!("{at}/{i}"), out);
                }
            }
            _ => {}
        }
        out.push(at);
    }
    walk(&value, String::new(), &mut pointers);
    let target = pointers[rng.below(pointers.len())].clone();
    let donor = value.pointer(&pointers[rng.below(pointers.len())]).cloned().unwrap_or_default();
    let replacement = match rng.below(6) {
        0 => serde_json::Value::Null,
        1 => serde_json::json!(rng.next() as i64),
        2 => serde_json::json!([]),
        3 => serde_json::json!({}),
        4 => donor,
        _ => serde_json::json!(ODD_VALUES[rng.below(ODD_VALUES.len())]),
    };
    let what = format!("{target} = {}", replacement.to_string().chars().take(60).collect::<String>());
    if let Some(slot) = value.pointer_mut(&target) {
        *slot = replacement;
    }
    (serde_json::to_vec(&value).unwrap(), what)
}

/// One mutation of a CSV file's rows: a line duplicated or removed, a cell replaced.
fn mutate_csv(bytes: &[u8], rng: &mut Rng) -> (Vec<u8>, String) {
    let text = String::from_utf8_lossy(bytes);
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    let at = rng.below(lines.len());
    let what = match rng.below(3) {
        0 => {
            let line = lines[at].clone();
            lines.insert(at, line);
            format!("line {} duplicated", at + 1)
        }
        1 => {
            lines.remove(at);
            format!("line {} removed", at + 1)
        }
        _ => {
            let mut cells: Vec<String> = lines[at].split(',').map(str::to_owned).collect();
            let cell = rng.below(cells.len());
            let odd = ODD_VALUES[rng.below(ODD_VALUES.len())];
            cells[cell] = odd.to_owned();
            lines[at] = cells.join(",");
            format!("line {} cell {} = {odd:?}", at + 1, cell + 1)
        }
    };
    (lines.join("\n").into_bytes(), what)
}

/// One mutation inside a PDF: a Flate stream is inflated, mutated, deflated again and put back
/// in the space it had (padded), so that the file's offsets still hold and the PDF library reads
/// the mutated content itself. Falls back to a byte mutation.
fn mutate_pdf_stream(bytes: &[u8], rng: &mut Rng) -> (Vec<u8>, String) {
    use std::io::{Read, Write};
    let find = |hay: &[u8], needle: &[u8], from: usize| {
        hay.get(from..)?.windows(needle.len()).position(|w| w == needle).map(|p| p + from)
    };
    let mut streams = Vec::new();
    let mut at = 0;
    while let Some(start) = find(bytes, b"stream\n", at).or_else(|| find(bytes, b"stream\r\n", at)) {
        let data = start + if bytes[start + 6] == b'\r' { 8 } else { 7 };
        let Some(end) = find(bytes, b"endstream", data) else { break };
        if !bytes[..start].ends_with(b"end") {
            streams.push((data, end));
        }
        at = end + 9;
    }
    for _ in 0..8 {
        let Some(&(data, end)) = streams.get(rng.below(streams.len())) else { break };
        let mut decoded = Vec::new();
        if flate2::read::ZlibDecoder::new(&bytes[data..end]).read_to_end(&mut decoded).is_err() || decoded.is_empty() {
            continue;
        }
        let (mutated, what) = mutate(&decoded, rng);
        let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
        e.write_all(&mutated).unwrap();
        let packed = e.finish().unwrap();
        if packed.len() > end - data {
            continue;
        }
        let mut out = bytes.to_vec();
        out[data..data + packed.len()].copy_from_slice(&packed);
        out[data + packed.len()..end].fill(b'\n');
        return (out, format!("stream at {data}: {what}"));
    }
    mutate(bytes, rng)
}

/// Runs `read` on its own thread: it must finish within `deadline` without panicking.
fn within<T: Send + 'static>(deadline: Duration, what: &str, read: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    std::thread::Builder::new()
        .stack_size(32 * 1024 * 1024)
        .spawn(move || {
            let _ = tx.send(read());
        })
        .unwrap();
    match rx.recv_timeout(deadline) {
        Ok(result) => result,
        Err(mpsc::RecvTimeoutError::Timeout) => panic!("{what}: no answer within {deadline:?}"),
        Err(mpsc::RecvTimeoutError::Disconnected) => panic!("{what}: panicked"),
    }
}

fn fixtures(dir: &str, ext: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == ext))
        .collect();
    files.sort();
    files
}

#[test]
fn mutated_report_pdfs_are_read_or_refused() {
    let mut rng = rng(0x005e_ed0f_1ac5);
    let (mut read, mut refused) = (0, 0);
    let pdfs = fixtures("tests/fixtures/ofsted-reports", "pdf");
    assert_eq!(pdfs.len(), 62, "every labelled fixture is mutated");
    for path in &pdfs {
        let bytes = std::fs::read(path).unwrap();
        for n in 0..6 * rounds() {
            let (mutated, what) =
                if n % 2 == 0 { mutate(&bytes, &mut rng) } else { mutate_pdf_stream(&bytes, &mut rng) };
            let label = format!("{} #{n} ({what})", path.display());
            // The parser's own time bound is the one `lacs parse-report` has; the deadline is wider.
            let result = within(Duration::from_secs(60), &label, move || report::parse(&mutated));
            match result {
                Ok(_) => read += 1,
                Err(e) => {
                    assert!(!e.to_string().is_empty(), "{label}");
                    refused += 1;
                }
            }
        }
    }
    assert_eq!(read + refused, 6 * pdfs.len() * rounds());
    eprintln!("report PDFs: {read} read, {refused} refused");
}

#[test]
fn mutated_govuk_documents_are_read_or_refused() {
    let las = seed::read(&SeedFiles::bundled()).unwrap().local_authorities;
    let names = std::sync::Arc::new(seed::CouncilNames::new(&las).unwrap());
    let mut rng = rng(0x0600_f0c5);
    let (mut read, mut refused) = (0, 0);
    let files: Vec<PathBuf> = fixtures("tests/fixtures/govuk", "json")
        .into_iter()
        .filter(|p| p.file_name().is_some_and(|n| n.to_string_lossy().starts_with("doc-")))
        .collect();
    assert!(files.len() >= 10);
    for path in files {
        let bytes = std::fs::read(&path).unwrap();
        for n in 0..20 * rounds() {
            let (mutated, what) = if n % 2 == 0 { mutate(&bytes, &mut rng) } else { mutate_json(&bytes, &mut rng) };
            let label = format!("{} #{n} ({what})", path.display());
            let names = names.clone();
            let result = within(Duration::from_secs(10), &label, move || {
                let url = "https://www.gov.uk/api/content/fuzz";
                Document::read(url, None, &mutated).map(|doc| {
                    let crawl = Crawl { documents: vec![doc], ..Crawl::default() };
                    interventions::records(&crawl, &names, &[])
                })
            });
            match result {
                Ok((records, errors)) => {
                    // A document that reads gives its records or says why it gives none.
                    assert!(!records.is_empty() || errors.len() == 1, "{label}: {records:?} {errors:?}");
                    read += 1;
                }
                Err(e) => {
                    assert!(e.to_string().contains("malformed content item"), "{label}: {e}");
                    refused += 1;
                }
            }
        }
    }
    eprintln!("GOV.UK documents: {read} read, {refused} refused");
}

#[test]
fn mutated_seed_files_are_read_or_rejected_with_the_file_named() {
    let mut rng = rng(0x05ee_dc5b);
    let (mut read, mut rejected) = (0, 0);
    for name in seed::FILES {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../data/seed").join(name);
        let bytes = std::fs::read(&path).unwrap();
        for n in 0..12 * rounds() {
            let (mutated, what) = if n % 2 == 0 { mutate(&bytes, &mut rng) } else { mutate_csv(&bytes, &mut rng) };
            let label = format!("{name} #{n} ({what})");
            let result = within(Duration::from_secs(20), &label, move || {
                seed::read(&SeedFiles::bundled().with_file(name, mutated)).map(|d| d.inspections.len())
            });
            match result {
                Ok(_) => read += 1,
                Err(e) => {
                    let e = e.to_string();
                    assert!(e.contains("rejected") && e.contains("data/seed/"), "{label}: {e}");
                    rejected += 1;
                }
            }
        }
    }
    assert_eq!(read + rejected, 12 * seed::FILES.len() * rounds());
    eprintln!("seed files: {read} read, {rejected} rejected");
}
