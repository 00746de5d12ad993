//! Running the PDF library at arm's length: its panics become that document's error without a
//! word on stderr, and a document gets a time bound on a thread of its own.

use std::cell::{Cell, RefCell};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Once};
use std::time::Duration;

thread_local! {
    /// Set while this thread runs the PDF library: its panics are errors, not messages.
    static IN_PARSER: Cell<bool> = const { Cell::new(false) };
    /// The message of the last panic inside the library on this thread.
    static PANIC_MESSAGE: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Installs, once, a panic hook that stays quiet for panics inside the PDF library (they become
/// that document's error) and hands every other panic to the hook that was there before.
fn install_quiet_hook() {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if IN_PARSER.with(Cell::get) {
                let payload = info.payload();
                let message = payload
                    .downcast_ref::<&str>()
                    .map(|s| (*s).to_owned())
                    .or_else(|| payload.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "no message".to_owned());
                PANIC_MESSAGE.with(|m| *m.borrow_mut() = Some(message));
            } else {
                previous(info);
            }
        }));
    });
}

/// Runs `f` (a call into the PDF library) with its panics caught and kept off stderr; a panic
/// comes back as its message.
pub(crate) fn quietly<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    install_quiet_hook();
    IN_PARSER.with(|p| p.set(true));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    IN_PARSER.with(|p| p.set(false));
    result.map_err(|_| PANIC_MESSAGE.with(|m| m.borrow_mut().take()).unwrap_or_else(|| "no message".to_owned()))
}

/// Documents whose time ran out and whose worker thread is still running.
static ABANDONED: AtomicUsize = AtomicUsize::new(0);

/// How many abandoned workers may still be running before no new document is started: each
/// holds at most a bounded amount of memory, but they must not pile up.
pub(crate) const MAX_ABANDONED: usize = 4;

/// Why a document was not read in time.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Late<E> {
    /// The work itself failed.
    Failed(E),
    /// It took longer than the timeout (its thread is left to finish and is counted).
    TimedOut,
    /// Too many earlier documents are still running after their time ran out.
    Busy(usize),
    /// No thread could be started for it.
    NoThread(String),
}

/// Runs `work` on its own thread and waits at most `timeout` for it.
pub(crate) fn with_timeout<T: Send + 'static, E: Send + 'static>(
    timeout: Duration,
    work: impl FnOnce() -> Result<T, E> + Send + 'static,
) -> Result<T, Late<E>> {
    let running = ABANDONED.load(Ordering::SeqCst);
    if running >= MAX_ABANDONED {
        return Err(Late::Busy(running));
    }
    let (tx, rx) = std::sync::mpsc::sync_channel(1);
    let abandoned = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mine = abandoned.clone();
    let spawned = std::thread::Builder::new()
        .name("lacs-pdf".into())
        // The library recurses over the document's structure.
        .stack_size(16 * 1024 * 1024)
        .spawn(move || {
            let result = work();
            // Counted out under the same flag it was counted in with: the waiter either got the
            // result or gave up, never both.
            if mine.swap(true, Ordering::SeqCst) {
                ABANDONED.fetch_sub(1, Ordering::SeqCst);
            } else {
                let _ = tx.send(result);
            }
        });
    if let Err(e) = spawned {
        return Err(Late::NoThread(e.to_string()));
    }
    match rx.recv_timeout(timeout) {
        Ok(result) => result.map_err(Late::Failed),
        Err(_) => {
            if abandoned.swap(true, Ordering::SeqCst) {
                // The worker finished just now: its result is in the channel.
                return rx.try_recv().map_err(|_| Late::TimedOut)?.map_err(Late::Failed);
            }
            ABANDONED.fetch_add(1, Ordering::SeqCst);
            Err(Late::TimedOut)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn panics_inside_the_library_become_messages() {
        let result: Result<(), String> = quietly(|| panic!("odd PDF"));
        assert_eq!(result, Err("odd PDF".to_owned()));
        assert_eq!(quietly(|| 7), Ok(7));
    }

    #[test]
    fn work_that_takes_too_long_is_left_behind() {
        let slow = with_timeout(Duration::from_millis(10), || -> Result<(), ()> {
            std::thread::sleep(Duration::from_millis(300));
            Ok(())
        });
        assert_eq!(slow, Err(Late::TimedOut));
        assert_eq!(with_timeout(Duration::from_secs(5), || -> Result<u8, ()> { Ok(1) }), Ok(1));
    }
}
