//! Entry point: parse arguments, run, map the outcome to an exit code
//! (0 clean, 1 findings at/above the threshold or unparsable files, 2 usage or
//! configuration errors).
use std::process::ExitCode;

use clap::Parser;
use soclint::cli::Cli;
use soclint::commands::{self, Fatal, EXIT_USAGE};

fn main() -> ExitCode {
    return_freed_memory_promptly();
    let cli = Cli::parse();
    let code = match commands::run(&cli) {
        Ok(code) => code,
        Err(Fatal(report)) => {
            eprintln!("{report:?}");
            EXIT_USAGE
        }
    };
    exit_now(code)
}

/// Ends the process without the allocator's exit hook: mimalloc hands every
/// page freed during the run back to the OS one call at a time before the OS
/// reclaims them all anyway (433 `madvise` calls, ~25 ms after a 1M-line
/// scan). Output is flushed first; nothing else is pending at this point.
#[cfg(unix)]
fn exit_now(code: u8) -> ExitCode {
    use std::io::Write;
    let _ = std::io::stdout().flush();
    let _ = std::io::stderr().flush();
    // SAFETY: `_exit` only ends the process; no Rust code runs after it, so
    // no destructor or lock is left half-done
    unsafe { libc::_exit(i32::from(code)) }
}

#[cfg(not(unix))]
fn exit_now(code: u8) -> ExitCode {
    ExitCode::from(code)
}

/// mimalloc's index of its `purge_delay` option (the same in mimalloc 2 and
/// 3; libmimalloc-sys names it only for version 2).
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// How long freed memory stays with mimalloc before it goes back to the OS.
const PURGE_DELAY_MS: std::ffi::c_long = 10;

/// Hands memory the scan frees back to the OS within 10 ms, in 4 KB pages,
/// unless the user set mimalloc's own variables. mimalloc 3 keeps freed
/// pages for a second before purging them, and asks for transparent huge
/// pages: a scan frees each directory's documents as it goes and finishes
/// in about a second, so that memory was never given back and the peak held
/// 2 MB pages half used. bench/README.md ("Issue 19 item 3") has the
/// figures: at 1M lines, 165–169 MB with mimalloc's defaults, 124–128 MB
/// with a 10 ms delay (mimalloc 2's default), 119–124 MB with none, which
/// took twice the system time (6× the `madvise` calls). Disabling huge
/// pages with `prctl` works whatever the system's setting (`always` or
/// `madvise`); mimalloc reads its own `allow_thp` only when it starts,
/// before `main`, and is built with `no_thp` (Cargo.toml) so it never asks
/// for them: `MIMALLOC_ALLOW_THP=1` only skips the `prctl`, leaving huge
/// pages to a system whose setting is `always`.
fn return_freed_memory_promptly() {
    if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
        // SAFETY: sets an option's value; mimalloc reads it on each purge
        unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, PURGE_DELAY_MS) };
    }
    #[cfg(target_os = "linux")]
    if std::env::var_os("MIMALLOC_ALLOW_THP").is_none() {
        // SAFETY: PR_SET_THP_DISABLE takes plain integers and only sets a
        // flag of this process (inherited by no one: soclint runs nothing)
        unsafe { libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0) };
    }
}

// The scan allocates many small nodes on every thread; mimalloc's per-thread
// heaps make that markedly cheaper than the system allocator.
#[global_allocator]
static GLOBAL: Mimalloc = Mimalloc;

/// mimalloc as the global allocator, asked for alignment only when a type
/// needs more than every mimalloc block has. The `mimalloc` crate sends every
/// allocation through `mi_malloc_aligned`, whose fast path gives up whenever
/// the size class's current page is used up: 15% of the scan's allocations
/// then took a slow path that also over-allocated by the alignment.
struct Mimalloc;

/// mimalloc's block sizes are whole machine words, and its pages word-aligned.
const WORD: usize = std::mem::size_of::<usize>();

// SAFETY: each function forwards to the mimalloc function with the same
// contract; `mi_malloc`/`mi_zalloc`/`mi_realloc` return word-aligned blocks,
// so they serve only layouts whose alignment is at most a word.
unsafe impl std::alloc::GlobalAlloc for Mimalloc {
    #[inline]
    unsafe fn alloc(&self, layout: std::alloc::Layout) -> *mut u8 {
        use libmimalloc_sys::{mi_malloc, mi_malloc_aligned};
        if layout.align() <= WORD {
            mi_malloc(layout.size()).cast()
        } else {
            mi_malloc_aligned(layout.size(), layout.align()).cast()
        }
    }

    #[inline]
    unsafe fn alloc_zeroed(&self, layout: std::alloc::Layout) -> *mut u8 {
        use libmimalloc_sys::{mi_zalloc, mi_zalloc_aligned};
        if layout.align() <= WORD {
            mi_zalloc(layout.size()).cast()
        } else {
            mi_zalloc_aligned(layout.size(), layout.align()).cast()
        }
    }

    #[inline]
    unsafe fn dealloc(&self, ptr: *mut u8, _layout: std::alloc::Layout) {
        libmimalloc_sys::mi_free(ptr.cast());
    }

    #[inline]
    unsafe fn realloc(&self, ptr: *mut u8, layout: std::alloc::Layout, new_size: usize) -> *mut u8 {
        use libmimalloc_sys::{mi_realloc, mi_realloc_aligned};
        if layout.align() <= WORD {
            mi_realloc(ptr.cast(), new_size).cast()
        } else {
            mi_realloc_aligned(ptr.cast(), new_size, layout.align()).cast()
        }
    }
}

#[cfg(test)]
mod tests {
    /// The index names mimalloc's purge delay: its default, one second in
    /// mimalloc 3, is what `MIMALLOC_PURGE_DELAY` overrides (fails if a
    /// libmimalloc-sys update moves the option or its default).
    #[test]
    fn purge_delay_option_index() {
        use libmimalloc_sys::{mi_option_get, mi_option_set};
        if std::env::var_os("MIMALLOC_PURGE_DELAY").is_some() {
            return;
        }
        // SAFETY: reads and sets an option's value
        unsafe {
            assert_eq!(mi_option_get(super::MI_OPTION_PURGE_DELAY), 1000);
            mi_option_set(super::MI_OPTION_PURGE_DELAY, super::PURGE_DELAY_MS);
            assert_eq!(mi_option_get(super::MI_OPTION_PURGE_DELAY), 10);
        }
    }
}
