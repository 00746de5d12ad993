//! A real headless Chromium, driven over the DevTools protocol (chromiumoxide), for tests that
//! use the website as a person would: type, click, submit, read what is on screen. Chromium must
//! be installed (`.ci/run` installs Debian's `chromium`); without it these tests fail, saying so.

use std::path::PathBuf;
use std::time::Duration;

use chromiumoxide::browser::{Browser, BrowserConfig};
use chromiumoxide::handler::viewport::Viewport;
use chromiumoxide::page::{Page, ScreenshotParams};
use futures_util::StreamExt;

/// Where Chromium is: `CHROMIUM` if set, else the first of the usual names on `PATH`.
pub fn chromium() -> PathBuf {
    if let Ok(path) = std::env::var("CHROMIUM") {
        assert!(std::path::Path::new(&path).is_file(), "CHROMIUM={path} is not a file: point it at Chromium");
        return PathBuf::from(path);
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    for name in ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"] {
        for dir in std::env::split_paths(&path) {
            let candidate = dir.join(name);
            if candidate.is_file() {
                return candidate;
            }
        }
    }
    panic!(
        "Chromium is not installed, and the website's browser tests need it: install it \
         (Debian/Ubuntu: apt-get install chromium; .ci/run does) or set CHROMIUM to its path"
    )
}

/// A headless Chromium for one test, closed when dropped.
pub struct Chromium {
    browser: Browser,
    handler: tokio::task::JoinHandle<()>,
    _profile: tempfile::TempDir,
}

impl Chromium {
    /// Starts Chromium with a fresh profile and a desktop-sized window.
    pub async fn launch() -> Chromium {
        let profile = tempfile::tempdir().expect("profile dir");
        let viewport = Viewport { width: 1280, height: 900, ..Default::default() };
        let config = BrowserConfig::builder()
            .chrome_executable(chromium())
            .user_data_dir(profile.path())
            .no_sandbox()
            .window_size(1280, 900)
            .viewport(viewport)
            .launch_timeout(Duration::from_secs(60))
            .request_timeout(Duration::from_secs(30))
            .arg("--disable-gpu")
            .arg("--lang=en-GB")
            .build()
            .expect("browser config");
        let (browser, mut events) = Browser::launch(config).await.expect("Chromium starts");
        let handler = tokio::spawn(async move { while events.next().await.is_some() {} });
        Chromium { browser, handler, _profile: profile }
    }

    /// A new tab showing `url`, once it has loaded.
    pub async fn open(&self, url: &str) -> Page {
        let page = within("opening a tab", self.browser.new_page(url)).await.expect("page opens");
        within("loading the page", page.wait_for_navigation()).await.expect("page loads");
        page
    }
}

impl Drop for Chromium {
    fn drop(&mut self) {
        self.handler.abort();
        // Browser's own Drop kills the process it started.
    }
}

/// Awaits a browser step, failing the test (rather than hanging it) after 30 s.
pub async fn within<F: std::future::Future>(what: &str, step: F) -> F::Output {
    tokio::time::timeout(Duration::from_secs(30), step)
        .await
        .unwrap_or_else(|_| panic!("{what}: no answer from Chromium in 30 s"))
}

/// The visible text of the first element matching `selector`.
pub async fn text(page: &Page, selector: &str) -> String {
    let element = page.find_element(selector).await.unwrap_or_else(|e| panic!("no {selector} on the page: {e}"));
    element.inner_text().await.expect("inner text").unwrap_or_default()
}

/// Runs `script` in the page and returns its value as JSON.
pub async fn eval(page: &Page, script: &str) -> serde_json::Value {
    page.evaluate(script).await.expect("script runs").into_value().expect("a JSON value")
}

/// Waits until `script` (a boolean expression) is true in the page, or panics after 10 s.
/// While a navigation replaces the document the script cannot run; that counts as not yet.
pub async fn wait_until(page: &Page, script: &str) {
    for _ in 0..100 {
        let value = page.evaluate(script).await.ok().and_then(|r| r.into_value::<serde_json::Value>().ok());
        if value == Some(serde_json::Value::Bool(true)) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("timed out waiting for `{script}` in {:?}", page.url().await.ok().flatten());
}

/// A PNG of what a person sees first: the window, 1280 by 900 pixels.
pub async fn screenshot(page: &Page, path: &std::path::Path) {
    let params = ScreenshotParams::builder().full_page(false).build();
    let png = page.screenshot(params).await.expect("screenshot");
    std::fs::write(path, png).expect("write screenshot");
}

/// Types `day` into a date input the way this browser's date picker reads it (its locale
/// decides the order of day, month and year, as it does for a person).
pub async fn type_date(page: &Page, selector: &str, day: chrono::NaiveDate) {
    let order = eval(
        page,
        "new Intl.DateTimeFormat().formatToParts(new Date(2015, 5, 1)).filter(p => p.type !== 'literal').map(p => p.type)",
    )
    .await;
    let keys: String = order
        .as_array()
        .expect("date parts")
        .iter()
        .map(|part| match part.as_str() {
            Some("day") => day.format("%d").to_string(),
            Some("month") => day.format("%m").to_string(),
            _ => day.format("%Y").to_string(),
        })
        .collect();
    let input = page.find_element(selector).await.unwrap_or_else(|e| panic!("no {selector}: {e}"));
    input.focus().await.expect("focus").type_str(keys).await.expect("typing");
}
