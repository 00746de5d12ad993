//! What real reports hold against each bound of `report::Limits` (how the bounds were chosen):
//! one JSON line per PDF, then the largest of each figure.
//!
//! `cargo run --release -p fetchers --example measure -- DIR_OR_PDF…` (directories are walked).

use std::path::{Path, PathBuf};

fn pdfs(path: &Path, out: &mut Vec<PathBuf>) {
    if path.is_dir() {
        let mut entries: Vec<PathBuf> =
            std::fs::read_dir(path).into_iter().flatten().filter_map(|e| e.ok().map(|e| e.path())).collect();
        entries.sort();
        for entry in entries {
            pdfs(&entry, out);
        }
    } else if path.extension().is_some_and(|x| x.eq_ignore_ascii_case("pdf")) {
        out.push(path.to_owned());
    }
}

fn main() {
    let mut files = Vec::new();
    for arg in std::env::args_os().skip(1) {
        pdfs(Path::new(&arg), &mut files);
    }
    let unbounded =
        fetchers::report::Limits { max_objects: u64::MAX, max_cmap_entries: u64::MAX, ..fetchers::report::LIMITS };
    let mut largest: Vec<(String, u64, String)> = Vec::new();
    let mut read = 0;
    for file in &files {
        let Ok(bytes) = std::fs::read(file) else { continue };
        match fetchers::report::measure(&bytes, &unbounded) {
            Ok(m) => {
                read += 1;
                let value = serde_json::to_value(m).unwrap_or_default();
                println!("{}", serde_json::json!({"file": file, "measures": value}));
                for (name, figure) in value.as_object().into_iter().flatten() {
                    let figure = figure.as_u64().unwrap_or(0);
                    match largest.iter_mut().find(|(n, _, _)| n == name) {
                        Some(entry) if entry.1 >= figure => {}
                        Some(entry) => *entry = (name.clone(), figure, file.display().to_string()),
                        None => largest.push((name.clone(), figure, file.display().to_string())),
                    }
                }
            }
            Err(e) => println!("{}", serde_json::json!({"file": file, "error": e.to_string()})),
        }
    }
    eprintln!("{read} of {} PDFs measured; the largest:", files.len());
    for (name, figure, file) in largest {
        eprintln!("  {name}: {figure} ({file})");
    }
}
