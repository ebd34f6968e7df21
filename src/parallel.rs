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

/// `items.map(f)` in order: across the pool when called inside one, else on
/// this thread (outside a pool rayon would start its global one).
pub fn map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync + Send) -> Vec<R> {
    if rayon::current_thread_index().is_some() {
        items.par_iter().map(f).collect()
    } else {
        items.iter().map(f).collect()
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
