//! The workspace's dependency rule: `schema` depends on neither `api` nor `fetchers`, and
//! `fetchers` does not depend on `api`.

use std::process::Command;

fn dependencies_of(metadata: &serde_json::Value, package: &str) -> Vec<String> {
    let packages = metadata["packages"].as_array().expect("packages");
    let p = packages.iter().find(|p| p["name"] == package).unwrap_or_else(|| panic!("no package {package}"));
    p["dependencies"].as_array().unwrap().iter().map(|d| d["name"].as_str().unwrap().to_owned()).collect()
}

#[test]
fn dependencies_point_one_way() {
    let out = Command::new(env!("CARGO"))
        .args(["metadata", "--format-version", "1", "--no-deps", "--offline"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo metadata");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let metadata: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let schema = dependencies_of(&metadata, "schema");
    for forbidden in ["api", "fetchers", "integration-tests"] {
        assert!(!schema.contains(&forbidden.to_owned()), "schema must not depend on {forbidden}: {schema:?}");
    }
    let fetchers = dependencies_of(&metadata, "fetchers");
    assert!(fetchers.contains(&"schema".to_owned()));
    assert!(!fetchers.contains(&"api".to_owned()), "fetchers must not depend on api");
    let api = dependencies_of(&metadata, "api");
    assert!(api.contains(&"schema".to_owned()));
}
