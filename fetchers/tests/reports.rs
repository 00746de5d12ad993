//! The report parser against real Ofsted PDFs with hand-checked labels (`fixtures/ofsted-reports/
//! labels.json`): every field must match exactly.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::path::Path;

use fetchers::report::{self, ParsedReport};
use schema::domain::{Framework, InspectionKind, InspectionType};
use serde_json::Value;

fn fixtures() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/ofsted-reports")
}

/// The label's judgements in our vocabulary: `requires_improvement_to_be_good` is `requires_improvement`.
fn expected_judgements(label: &Value) -> BTreeMap<String, String> {
    label["judgements"]
        .as_object()
        .unwrap()
        .iter()
        .filter_map(|(area, grade)| {
            let g = grade.as_str()?;
            Some((
                area.clone(),
                if g == "requires_improvement_to_be_good" { "requires_improvement" } else { g }.to_owned(),
            ))
        })
        .collect()
}

/// The label's framework and type in our vocabulary: (kind, framework, inspection_type, reinspection).
fn expected_kind(label: &Value) -> (InspectionKind, Option<Framework>, Option<InspectionType>, bool) {
    let t = label["inspection_type"].as_str().unwrap();
    let typ = |t: &str| match t {
        "standard" => Some(InspectionType::Standard),
        "short" => Some(InspectionType::Short),
        _ => None,
    };
    match (label["framework"].as_str().unwrap(), t) {
        ("sif", "reinspection") => (InspectionKind::Inspection, Some(Framework::Sif), None, true),
        ("sif", _) => (InspectionKind::Inspection, Some(Framework::Sif), None, false),
        ("ilacs_standard" | "ilacs_short" | "ilacs_2026", t) => {
            (InspectionKind::Inspection, Some(Framework::Ilacs), typ(t), false)
        }
        ("focused_visit", _) => (InspectionKind::FocusedVisit, Some(Framework::Ilacs), None, false),
        ("other", "lscb_review") => (InspectionKind::LscbReview, Some(Framework::Sif), None, false),
        ("other", "looked_after_children_inspection") => {
            (InspectionKind::Inspection, Some(Framework::PreSif), None, false)
        }
        other => panic!("label vocabulary not mapped: {other:?}"),
    }
}

fn date(v: &Value) -> Option<chrono::NaiveDate> {
    v.as_str().map(|s| s.parse().unwrap())
}

fn check(label: &Value, parsed: &ParsedReport) -> Vec<String> {
    let mut wrong = Vec::new();
    let mut expect = |field: &str, ok: bool, got: String, want: String| {
        if !ok {
            wrong.push(format!("{field}: got {got}, label says {want}"));
        }
    };
    let (kind, framework, typ, reinspection) = expected_kind(label);
    expect("kind", parsed.kind == kind, format!("{:?}", parsed.kind), format!("{kind:?}"));
    expect("framework", parsed.framework == framework, format!("{:?}", parsed.framework), format!("{framework:?}"));
    expect(
        "inspection_type",
        parsed.inspection_type == typ,
        format!("{:?}", parsed.inspection_type),
        format!("{typ:?}"),
    );
    expect(
        "reinspection",
        parsed.reinspection == reinspection,
        parsed.reinspection.to_string(),
        reinspection.to_string(),
    );
    let start = date(&label["inspection_start"]);
    let end = date(&label["inspection_end"]);
    expect(
        "inspection_start",
        parsed.inspection_start() == start,
        format!("{:?}", parsed.inspection_start()),
        format!("{start:?}"),
    );
    expect(
        "inspection_end",
        parsed.inspection_end() == end,
        format!("{:?}", parsed.inspection_end()),
        format!("{end:?}"),
    );
    let published = date(&label["published"]).or_else(|| date(&label["letter_date"]));
    expect("published", parsed.published == published, format!("{:?}", parsed.published), format!("{published:?}"));
    let leads: Vec<String> =
        label["lead_inspectors"].as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_owned()).collect();
    expect(
        "lead_inspectors",
        parsed.lead_inspectors == leads,
        format!("{:?}", parsed.lead_inspectors),
        format!("{leads:?}"),
    );
    let got: BTreeMap<String, String> =
        parsed.judgements.iter().map(|(a, g)| (a.as_str().to_owned(), g.as_str().to_owned())).collect();
    let want = expected_judgements(label);
    expect("judgements", got == want, format!("{got:?}"), format!("{want:?}"));
    if let Some(as_printed) = label.get("local_authority_as_printed").and_then(Value::as_str) {
        // Visit letters: the council exactly as the heading names it (less "the", "local
        // authority" and a possessive).
        expect(
            "local_authority",
            parsed.local_authority.as_deref() == Some(as_printed),
            format!("{:?}", parsed.local_authority),
            as_printed.to_owned(),
        );
    } else {
        // The name as printed contains the lookup's name, give or take "City of", "Council" and the like.
        let printed = parsed.local_authority.as_deref().map(fetchers::seed::normalise_name).unwrap_or_default();
        let named = fetchers::seed::normalise_name(label["local_authority"].as_str().unwrap());
        expect("local_authority", printed.contains(&named), format!("{:?}", parsed.local_authority), named.clone());
    }
    // Visit letters name every inspector, and say what the visit looked at.
    if let Some(named) = label.get("inspectors_named").and_then(Value::as_array) {
        let named: Vec<String> = named.iter().map(|v| v.as_str().unwrap().to_owned()).collect();
        expect("inspectors", parsed.inspectors == named, format!("{:?}", parsed.inspectors), format!("{named:?}"));
    }
    if let Some(theme) = label.get("theme") {
        let got = parsed.theme.map(|t| t.as_str());
        expect("theme", got == theme.as_str(), format!("{got:?}"), theme.to_string());
        let text = label["theme_text"].as_str();
        expect(
            "theme_text",
            parsed.theme_text.as_deref() == text,
            format!("{:?}", parsed.theme_text),
            format!("{text:?}"),
        );
    }
    let notes: Vec<&str> = label
        .get("parser_notes")
        .and_then(Value::as_array)
        .map(|n| n.iter().map(|v| v.as_str().unwrap()).collect())
        .unwrap_or_default();
    expect("notes", parsed.notes == notes, format!("{:?}", parsed.notes), format!("{notes:?}"));
    wrong
}

#[test]
fn every_labelled_report_parses_exactly_as_labelled() {
    let labels: Vec<Value> = serde_json::from_slice(&std::fs::read(fixtures().join("labels.json")).unwrap()).unwrap();
    assert_eq!(labels.len(), 62);
    let visits = labels.iter().filter(|l| l["framework"] == "focused_visit").count();
    assert_eq!(visits, 42, "focused-visit letters labelled");
    let mut failures = Vec::new();
    for label in &labels {
        let file = label["file"].as_str().unwrap();
        let bytes = std::fs::read(fixtures().join(file)).unwrap();
        match report::parse(&bytes) {
            Ok(parsed) => {
                for w in check(label, &parsed) {
                    failures.push(format!("{file}: {w}"));
                }
            }
            Err(e) => failures.push(format!("{file}: {e}")),
        }
    }
    assert!(failures.is_empty(), "{} mismatches:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn truncated_and_random_bytes_are_errors_not_panics() {
    let real = std::fs::read(fixtures().join("80418-2026-05-18.pdf")).unwrap();
    for cut in [10, 1000, real.len() / 2, real.len() - 10] {
        let result = report::parse(&real[..cut]);
        assert!(result.is_err() || result.is_ok_and(|r| r.judgements.len() <= 5), "cut at {cut}");
    }
    let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
    for n in 0..50 {
        let mut bytes = b"%PDF-1.4\n".to_vec();
        for _ in 0..(n * 37) {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            bytes.push(seed as u8);
        }
        let _ = report::parse(&bytes);
    }
}
