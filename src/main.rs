//! Entry point: parse arguments, run, map the outcome to an exit code
//! (0 clean, 1 findings at/above the threshold or unparsable files, 2 usage or
//! configuration errors).
use std::process::ExitCode;

use clap::Parser;
use soclint::cli::Cli;
use soclint::commands::{self, Fatal, EXIT_USAGE};

fn main() -> ExitCode {
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
