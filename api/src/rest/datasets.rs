//! Releases (`/v1/datasets`): the whole dataset of a version as files, cut by the server into its
//! data directory, and the archive of source documents (`/v1/archive`).

use std::path::Path;

use actix_web::{HttpRequest, HttpResponse, get, web};
use schema::export::Manifest;
use serde::Serialize;
use utoipa::ToSchema;

use super::params::{NoQuery, parse_query};
use crate::conditional::{json_body, respond_live};
use crate::error::{ApiError, Problem};
use crate::state::AppState;
use crate::storage::is_sha256;

/// A release and where to download its files.
#[derive(Debug, Serialize, ToSchema)]
pub struct Release {
    /// The manifest: version, time, row counts, checksums, change cursor, licence and sources.
    #[schema(value_type = Object)]
    pub manifest: Manifest,
    /// Download address of each file, by name.
    pub files: std::collections::BTreeMap<String, String>,
}

/// The releases on this server.
#[derive(Debug, Serialize, ToSchema)]
pub struct Releases {
    /// Newest first; the first is `latest`.
    pub data: Vec<Release>,
    /// The data's licence.
    pub licence: &'static str,
    /// The attribution to give.
    pub attribution: &'static str,
}

/// Releases of the whole dataset: CSV, newline-delimited JSON and SQLite, with checksums.
///
/// Download everything once from `latest`, then follow `/v1/changes?since=<change_cursor>`.
#[utoipa::path(tag = "datasets", responses((status = 200, description = "Releases, newest first", body = Releases)))]
#[get("/datasets")]
pub async fn list_datasets(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    parse_query::<NoQuery>(&req, &[])?;
    let dataset = state.dataset();
    let storage = &state.storage;
    // The releases on disk, not the version alone: a new version's release is cut just after
    // the version is served, so the listing is validated by its body and never kept.
    let data = storage
        .versions()
        .into_iter()
        .rev()
        .filter_map(|v| storage.manifest(v))
        .map(|manifest| Release {
            files: manifest
                .files
                .iter()
                .chain(std::iter::once(&schema::export::FileEntry {
                    name: "manifest.json".into(),
                    bytes: 0,
                    sha256: String::new(),
                }))
                .map(|f| (f.name.clone(), format!("/v1/datasets/{}/{}", manifest.dataset_version, f.name)))
                .collect(),
            manifest,
        })
        .collect();
    let body = json_body(&Releases { data, licence: schema::LICENCE, attribution: schema::ATTRIBUTION })?;
    respond_live(&req, &dataset, body)
}

fn content_type(name: &str) -> &'static str {
    match Path::new(name).extension().and_then(|e| e.to_str()) {
        Some("csv") => "text/csv; charset=utf-8",
        Some("ndjson") => "application/x-ndjson",
        Some("json") => "application/json",
        Some("sqlite") => "application/vnd.sqlite3",
        Some("pdf") => "application/pdf",
        _ => "application/octet-stream",
    }
}

fn serve(req: &HttpRequest, path: &Path, name: &str) -> Result<HttpResponse, ApiError> {
    super::files::serve(req, path, name, content_type(name))
}

/// One file of a release: `latest` or a version number, and a file name from its manifest.
/// Supports one `Range` (`bytes=a-b`, `a-`, `-n`) with `If-Range`; other `Range` values are
/// ignored and the whole file is sent. `ETag` and `Content-Length` are set.
#[utoipa::path(
    tag = "datasets",
    params(
        ("version" = String, Path, description = "`latest` or a dataset version", example = "latest"),
        ("file" = String, Path, description = "File name", example = "inspections.csv"),
    ),
    responses(
        (status = 200, description = "The file", content(
            (String = "text/csv"), (String = "application/x-ndjson"), (String = "application/json"),
            (String = "application/vnd.sqlite3"))),
        (status = 206, description = "Part of the file, for a `Range` request", content(
            (String = "text/csv"), (String = "application/x-ndjson"), (String = "application/json"),
            (String = "application/vnd.sqlite3"))),
        (status = 304, description = "Not modified (`If-None-Match`)"),
        (status = 404, description = "No such release or file", body = Problem, content_type = "application/problem+json"),
        (status = 416, description = "The range starts past the end of the file", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/datasets/{version}/{file}")]
pub async fn get_dataset_file(
    req: HttpRequest,
    path: web::Path<(String, String)>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let (version, file) = path.into_inner();
    let storage = &state.storage;
    let version = match version.as_str() {
        "latest" => storage.versions().last().copied(),
        v => v.parse().ok().filter(|v| storage.versions().contains(v)),
    }
    .ok_or_else(|| ApiError::NotFound(format!("no release `{version}`; see /v1/datasets")))?;
    let known =
        file == "manifest.json" || storage.manifest(version).is_some_and(|m| m.files.iter().any(|f| f.name == file));
    if !known {
        return Err(ApiError::NotFound(format!("release {version} has no file `{file}`; see /v1/datasets")));
    }
    serve(&req, &storage.release_dir(version).join(&file), &file)
}

/// Our archived copy of a source document, by SHA-256.
#[utoipa::path(
    tag = "datasets",
    params(("file" = String, Path, description = "`<sha256>.pdf`")),
    responses(
        (status = 200, description = "The document", body = String, content_type = "application/pdf"),
        (status = 206, description = "Part of the document, for a `Range` request", body = String, content_type = "application/pdf"),
        (status = 304, description = "Not modified (`If-None-Match`)"),
        (status = 404, description = "Not in the archive", body = Problem, content_type = "application/problem+json"),
        (status = 416, description = "The range starts past the end of the document", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/archive/{file}")]
pub async fn get_archived(
    req: HttpRequest,
    file: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let sha = file.strip_suffix(".pdf").filter(|s| is_sha256(s)).ok_or_else(|| {
        ApiError::NotFound(format!("`{file}` is not an archived document name (<sha256>.pdf, lower-case hex)"))
    })?;
    serve(&req, &state.storage.archive.join(format!("{sha}.pdf")), &file)
}
