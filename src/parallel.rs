//! Where work runs in parallel. A command decides once whether a scan is big
//! enough for a thread pool ([`in_pool`]); the stages below only ask whether
//! they run inside one ([`map`]). Spawning threads costs more than a small
//! scan takes (start-up on an empty directory went from ~8 ms to ~5 ms).
use rayon::prelude::*;

/// Fewer files than this are scanned on the calling thread.
pub const MIN_FILES: usize = 16;

/// Runs `work` inside a pool of `threads` when there are at least
/// [`MIN_FILES`] files (or an unknown number: `None`), else on this thread.
pub fn in_pool<R: Send>(
    threads: usize,
    files: Option<usize>,
    work: impl FnOnce() -> R + Send,
) -> Result<R, String> {
    if threads <= 1 || files.is_some_and(|n| n < MIN_FILES) {
        return Ok(work());
    }
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| e.to_string())?;
    Ok(pool.install(work))
}

/// A pool of `threads` kept by a caller that scans again and again (the
/// language server): its threads keep what they memoise between scans
/// (parsed expressions, variable defaults). `None` for one thread.
pub fn kept_pool(threads: usize) -> Option<rayon::ThreadPool> {
    if threads <= 1 {
        return None;
    }
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .ok()
}

/// `items.map(f)` in order: across the pool when called inside one, else on
/// this thread (outside a pool rayon would start its global one).
pub fn map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync + Send) -> Vec<R> {
    if rayon::current_thread_index().is_some() {
        items.par_iter().map(f).collect()
    } else {
        items.iter().map(f).collect()
    }
}

/// `(a(), b())`: side by side when called inside a pool, else one after the other.
pub fn join<A: Send, B: Send>(
    a: impl FnOnce() -> A + Send,
    b: impl FnOnce() -> B + Send,
) -> (A, B) {
    if rayon::current_thread_index().is_some() {
        rayon::join(a, b)
    } else {
        (a(), b())
    }
}

/// A stable sort: across the pool when called inside one, else on this
/// thread; the order is the same either way.
pub fn sort_by<T: Send>(items: &mut [T], compare: impl Fn(&T, &T) -> std::cmp::Ordering + Sync) {
    if rayon::current_thread_index().is_some() {
        items.par_sort_by(compare)
    } else {
        items.sort_by(compare)
    }
}

/// The order of a stable sort by `compare`, reached by sorting indices and
/// then following the permutation's cycles with swaps: for large items, which
/// a sort would otherwise move about log n times each.
pub fn sort_moving_once<T: Send + Sync>(
    items: &mut [T],
    compare: impl Fn(&T, &T) -> std::cmp::Ordering + Sync,
) {
    // the filter stage sorts again what the scan sorted: one pass over
    // neighbours settles it
    if items.is_sorted_by(|a, b| compare(a, b).is_le()) {
        return;
    }
    let mut order: Vec<usize> = (0..items.len()).collect();
    sort_by(&mut order, |&a, &b| compare(&items[a], &items[b]));
    // position i takes the item now at order[i]; a placed position is marked
    // by order[i] == i
    for start in 0..order.len() {
        let mut at = start;
        while order[at] != start {
            let from = order[at];
            items.swap(at, from);
            order[at] = at;
            at = from;
        }
        order[at] = at;
    }
}

#[cfg(test)]
mod tests {
    /// Same order as a stable sort, duplicates included, on one thread and in a pool.
    #[test]
    fn sorting_indices_equals_a_stable_sort() {
        let mut seed = 7u64;
        let items: Vec<(u8, usize)> = (0..5000)
            .map(|i| {
                seed = seed
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                ((seed >> 59) as u8, i)
            })
            .collect();
        let mut want = items.clone();
        want.sort_by_key(|&(k, _)| k);
        for threads in [1, 2] {
            let mut got = items.clone();
            super::in_pool(threads, None, || {
                super::sort_moving_once(&mut got, |a, b| a.0.cmp(&b.0))
            })
            .unwrap();
            assert_eq!(got, want);
        }
        // sorted input stays as it is (the filter stage sorts sorted findings)
        let mut again = want.clone();
        super::sort_moving_once(&mut again, |a, b| a.0.cmp(&b.0));
        assert_eq!(again, want);
        let mut empty: Vec<u8> = Vec::new();
        super::sort_moving_once(&mut empty, |a, b| a.cmp(b));
        assert!(empty.is_empty());
    }
}
