//! Reading a document in a process of its own, so that whatever the PDF library does with it is
//! contained: the process caps its own address space at [`Limits::max_memory_bytes`] before it
//! reads a byte, and the parent kills it when its time runs out. A document that exhausts the
//! memory, crashes the process or outlasts its time is that document's error; the parent, and
//! the documents after it, carry on.
//!
//! The protocol: the parent runs `program args… --limits JSON` with the PDF on standard input;
//! the child ([`serve`]) writes `{"Ok": text}` or `{"Err": error}` on standard output and exits 0.
//! Anything else (a death by signal, an abort on a failed allocation) is read from its exit
//! status and the end of its standard error.

use std::ffi::OsString;
use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::{Command, ExitStatus, Stdio};
use std::time::Duration;

use super::{Limits, ReportError, guard};

/// A program that reads one PDF in a process of its own ([`serve`] behind a command line).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Worker {
    /// The program, such as the running `lacs` (`std::env::current_exe()`).
    pub program: PathBuf,
    /// Its arguments before `--limits`, such as `["parse-worker"]`.
    pub args: Vec<OsString>,
}

/// Where documents are read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Isolation {
    /// In this process, on a thread of their own: a document whose time runs out is abandoned,
    /// not stopped, and memory is not bounded. For tests and benchmarks, where no worker
    /// program is built.
    #[default]
    InProcess,
    /// Each in a child process of its own, under the memory bound, stopped when its time runs out.
    Process(Worker),
}

/// The most standard output read from a worker: the text of a document (a report's is under
/// 1 MB), as JSON.
pub const MAX_TEXT_BYTES: u64 = 64 * 1024 * 1024;

/// How long past its own time bound a worker is waited for (its start and its answer) before
/// it is killed.
const GRACE: Duration = Duration::from_secs(2);

/// How much of the end of a worker's standard error is kept, to say why it died.
const STDERR_KEPT: usize = 16 * 1024;

/// The text of `pdf`, read by `worker` in a process of its own within `limits`.
pub(crate) fn text(worker: &Worker, pdf: &[u8], limits: &Limits) -> Result<String, ReportError> {
    let failed = |what: String| ReportError::ReaderUnavailable(what);
    let limits_json = serde_json::to_string(limits).map_err(|e| failed(e.to_string()))?;
    let mut child = Command::new(&worker.program)
        .args(&worker.args)
        .arg("--limits")
        .arg(limits_json)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| failed(format!("cannot start `{}`: {e}", worker.program.display())))?;
    let (Some(mut stdin), Some(stdout), Some(mut stderr)) =
        (child.stdin.take(), child.stdout.take(), child.stderr.take())
    else {
        let _ = child.kill();
        let _ = child.wait();
        return Err(failed("its pipes could not be opened".into()));
    };
    let (done, finished) = std::sync::mpsc::sync_channel(1);
    let (output, stopped) = std::thread::scope(|scope| {
        // A worker that dies early closes its input: what is left unwritten is of no matter.
        scope.spawn(move || {
            let _ = stdin.write_all(pdf);
        });
        let errors = scope.spawn(move || tail(&mut stderr));
        let output = scope.spawn(move || {
            let mut out = Vec::new();
            let read = stdout.take(MAX_TEXT_BYTES + 1).read_to_end(&mut out);
            // Standard output closes when the worker exits (or gives up its output): either way
            // it is done, unless it wrote more than is read.
            let _ = done.send(out.len() as u64 > MAX_TEXT_BYTES);
            read.map(|_| out)
        });
        let finished = finished.recv_timeout(limits.timeout + GRACE);
        let stopped = matches!(finished, Err(std::sync::mpsc::RecvTimeoutError::Timeout));
        // Past its time, or still writing what nobody reads: nothing more is waited for.
        if stopped || finished == Ok(true) {
            let _ = child.kill();
        }
        let status = child.wait();
        let output = output.join().unwrap_or_else(|_| Ok(Vec::new())).unwrap_or_default();
        let errors = errors.join().unwrap_or_default();
        ((status, output, errors), stopped)
    });
    if stopped {
        return Err(ReportError::TimedOut(limits.timeout));
    }
    let (status, output, errors) = output;
    let status = status.map_err(|e| failed(format!("cannot wait for it: {e}")))?;
    if output.len() as u64 > MAX_TEXT_BYTES {
        return Err(ReportError::TextTooLarge(MAX_TEXT_BYTES));
    }
    if status.success()
        && let Ok(answer) = serde_json::from_slice::<Result<String, ReportError>>(&output)
    {
        return answer;
    }
    Err(died(status, &String::from_utf8_lossy(&errors), limits))
}

/// The end of what `from` gives, at most [`STDERR_KEPT`] bytes of it.
fn tail(from: &mut impl Read) -> Vec<u8> {
    let mut kept = Vec::new();
    let mut buffer = [0u8; 8192];
    while let Ok(n) = from.read(&mut buffer) {
        if n == 0 {
            break;
        }
        kept.extend_from_slice(&buffer[..n]);
        if kept.len() > 2 * STDERR_KEPT {
            kept.drain(..kept.len() - STDERR_KEPT);
        }
    }
    kept
}

/// Why a worker that gave no answer died.
fn died(status: ExitStatus, stderr: &str, limits: &Limits) -> ReportError {
    use std::os::unix::process::ExitStatusExt;
    // Rust's allocator says so before it aborts; so does a thread the memory bound kept from starting.
    if stderr.contains("memory allocation of") || stderr.contains("failed to spawn thread") {
        return ReportError::OutOfMemory(limits.max_memory_bytes);
    }
    let how = match (status.code(), status.signal()) {
        (_, Some(signal)) => format!("was killed by signal {signal}{}", signal_name(signal)),
        (Some(code), None) => format!("exited with status {code}"),
        (None, None) => format!("ended: {status}"),
    };
    let last = stderr.lines().rev().find(|l| !l.trim().is_empty()).map(str::trim).unwrap_or_default();
    let last: String = last.chars().take(300).collect();
    ReportError::ReaderFailed(if last.is_empty() { how } else { format!("{how} ({last})") })
}

fn signal_name(signal: i32) -> &'static str {
    match signal {
        6 => " (SIGABRT)",
        9 => " (SIGKILL)",
        11 => " (SIGSEGV)",
        _ => "",
    }
}

/// The worker's side, behind a command line: caps this process's address space at
/// `limits.max_memory_bytes` (or lower, where a lower hard limit is already set), reads one PDF
/// from standard input, and writes its text or its error as JSON on standard output. Returns
/// the exit status: 0 when the answer was written.
pub fn serve(limits: &Limits) -> i32 {
    let answer = cap_memory(limits.max_memory_bytes).and_then(|cap| {
        // Under the cap, a read or a thread that finds no memory is this document's want of it.
        let out_of_memory = ReportError::OutOfMemory(cap);
        let mut pdf = Vec::new();
        std::io::stdin().take(limits.max_file_bytes.saturating_add(1)).read_to_end(&mut pdf).map_err(|e| {
            if e.kind() == std::io::ErrorKind::OutOfMemory {
                out_of_memory.clone()
            } else {
                ReportError::Io(e.to_string())
            }
        })?;
        if pdf.len() as u64 > limits.max_file_bytes {
            return Err(ReportError::TooLarge { size: pdf.len() as u64, limit: limits.max_file_bytes });
        }
        super::extract_text_with(&pdf, limits).map_err(|e| match e {
            ReportError::ReaderUnavailable(_) => out_of_memory,
            e => e,
        })
    });
    let mut out = std::io::stdout().lock();
    let written = serde_json::to_writer(&mut out, &answer).map_err(std::io::Error::from).and_then(|()| out.flush());
    if written.is_ok() { 0 } else { 1 }
}

/// Caps this process's address space at `bytes`, or at the hard limit already set when lower;
/// returns the cap.
fn cap_memory(bytes: u64) -> Result<u64, ReportError> {
    use rlimit::Resource;
    let unavailable = |what: String| ReportError::ReaderUnavailable(what);
    let (_, hard) = Resource::AS.get().map_err(|e| unavailable(format!("cannot read its memory limit: {e}")))?;
    let cap = bytes.min(hard);
    Resource::AS
        .set(cap, cap)
        .map_err(|e| unavailable(format!("cannot limit its memory to {}: {e}", guard::size(cap))))?;
    Ok(cap)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A worker that is a shell script, standing in for `lacs parse-worker` where it is not built.
    fn sh(script: &str) -> Worker {
        Worker { program: "sh".into(), args: vec!["-c".into(), script.into(), "sh".into()] }
    }

    fn limits(timeout_ms: u64) -> Limits {
        Limits { timeout: Duration::from_millis(timeout_ms), ..super::super::LIMITS }
    }

    #[test]
    fn a_worker_answers_or_its_death_is_the_documents_error() {
        // It reads its input whole, then answers.
        let echo = sh(r#"cat >/dev/null; printf '{"Ok":"the text"}'"#);
        assert_eq!(text(&echo, b"%PDF-1.7", &limits(5000)), Ok("the text".to_owned()));
        let refused = sh(r#"cat >/dev/null; printf '{"Err":"NoText"}'"#);
        assert_eq!(text(&refused, b"%PDF-1.7", &limits(5000)), Err(ReportError::NoText));
        // Rust's words when an allocation fails, then the abort.
        let oom = sh("echo 'memory allocation of 4294967296 bytes failed' >&2; kill -ABRT $$");
        assert_eq!(text(&oom, b"%PDF", &limits(5000)), Err(ReportError::OutOfMemory(512 << 20)));
        let crash = sh("echo 'Segmentation fault' >&2; kill -SEGV $$");
        assert_eq!(
            text(&crash, b"%PDF", &limits(5000)),
            Err(ReportError::ReaderFailed("was killed by signal 11 (SIGSEGV) (Segmentation fault)".into()))
        );
        let nonsense = sh("echo not json; exit 3");
        assert_eq!(
            text(&nonsense, b"%PDF", &limits(5000)),
            Err(ReportError::ReaderFailed("exited with status 3".into()))
        );
        // It writes more than is read: killed, and refused.
        let endless = sh("cat >/dev/null; printf '{\"Ok\":\"'; exec yes");
        assert_eq!(text(&endless, b"%PDF", &limits(60_000)), Err(ReportError::TextTooLarge(MAX_TEXT_BYTES)));
        let missing = Worker { program: "/nonexistent/lacs".into(), args: Vec::new() };
        assert!(
            matches!(text(&missing, b"%PDF", &limits(5000)), Err(ReportError::ReaderUnavailable(m)) if m.starts_with("cannot start"))
        );
    }

    #[test]
    fn a_worker_past_its_time_is_killed() {
        let started = std::time::Instant::now();
        // It would sleep a minute; it is killed after its 100 ms and the grace.
        let sleeper = sh("exec sleep 60");
        assert_eq!(
            text(&sleeper, &vec![b' '; 1 << 20], &limits(100)),
            Err(ReportError::TimedOut(Duration::from_millis(100)))
        );
        assert!(started.elapsed() < Duration::from_secs(10), "{:?}", started.elapsed());
    }
}
