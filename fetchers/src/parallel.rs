//! Documents read on every core, answers handed on in the order the documents came: the parse
//! step of `lacs parse-report`, the seed rebuild and the Ofsted crawler. Each worker still reads
//! one document at a time through `report::parse_with`, so a document keeps its own thread and
//! time budget and the bound on abandoned threads (`report::isolate`) holds as before.

use std::collections::BTreeMap;
use std::sync::Mutex;

/// How many documents to read at once: one per core.
pub fn workers() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// Runs `work` on each item on up to `workers` threads and gives each result to `emit`, on the
/// calling thread, in the items' order, as soon as it and every result before it are done.
/// With one worker (or one item) nothing is spawned: the sequential loop is the same code path
/// a caller gets on one core.
pub fn for_each_in_order<T, R, W, E>(items: Vec<T>, workers: usize, work: W, mut emit: E)
where
    T: Send,
    R: Send,
    W: Fn(T) -> R + Sync,
    E: FnMut(R),
{
    let workers = workers.clamp(1, items.len().max(1));
    if workers == 1 {
        items.into_iter().for_each(|item| emit(work(item)));
        return;
    }
    let queue = Mutex::new(items.into_iter().enumerate());
    let (tx, rx) = std::sync::mpsc::channel::<(usize, R)>();
    std::thread::scope(|scope| {
        for _ in 0..workers {
            let (tx, queue, work) = (tx.clone(), &queue, &work);
            scope.spawn(move || {
                loop {
                    let next = queue.lock().unwrap_or_else(|e| e.into_inner()).next();
                    let Some((n, item)) = next else { break };
                    if tx.send((n, work(item))).is_err() {
                        break;
                    }
                }
            });
        }
        drop(tx);
        // Results that came before their turn wait here; at most one per item.
        let mut early = BTreeMap::new();
        let mut turn = 0;
        for (n, result) in rx {
            early.insert(n, result);
            while let Some(result) = early.remove(&turn) {
                emit(result);
                turn += 1;
            }
        }
    });
}

/// [`for_each_in_order`], collecting the results.
pub fn map_in_order<T: Send, R: Send>(items: Vec<T>, workers: usize, work: impl Fn(T) -> R + Sync) -> Vec<R> {
    let mut out = Vec::new();
    for_each_in_order(items, workers, work, |r| out.push(r));
    out
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn results_come_in_the_items_order_whatever_finishes_first() {
        // Early items take longest, so later ones finish first on the other workers.
        let items: Vec<u64> = (0..24).collect();
        let slow_first = |n: u64| {
            std::thread::sleep(Duration::from_millis(24 - n));
            n * n
        };
        let expected: Vec<u64> = items.iter().map(|n| n * n).collect();
        for workers in [1, 2, 3, 8, 100] {
            assert_eq!(map_in_order(items.clone(), workers, slow_first), expected, "{workers} workers");
        }
        assert!(map_in_order(Vec::<u8>::new(), 4, |n| n).is_empty());
    }

    #[test]
    fn no_more_than_the_workers_run_at_once() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        let (running, most) = (AtomicUsize::new(0), AtomicUsize::new(0));
        map_in_order((0..32).collect(), 3, |_: i32| {
            let now = running.fetch_add(1, Ordering::SeqCst) + 1;
            most.fetch_max(now, Ordering::SeqCst);
            std::thread::sleep(Duration::from_millis(2));
            running.fetch_sub(1, Ordering::SeqCst);
        });
        let most = most.load(Ordering::SeqCst);
        assert!((1..=3).contains(&most), "{most} at once");
    }
}
