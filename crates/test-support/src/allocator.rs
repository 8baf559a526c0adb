//! The system allocator, counting per thread: calls, bytes asked for and given back, the peak
//! of live bytes and the largest single block.
//!
//! Counting is per thread, so that tests running alongside do not count. Each test binary
//! that measures installs it itself:
//!
//! ```standalone_crate
//! use descent_test_support::{CountingAllocator, counts};
//!
//! #[global_allocator]
//! static GLOBAL: CountingAllocator = CountingAllocator;
//!
//! let before = counts();
//! let v = std::hint::black_box(vec![0u8; 100]);
//! let after = counts();
//! assert_eq!((after.calls - before.calls, after.bytes - before.bytes), (1, 100));
//! drop(v);
//! assert_eq!(counts().freed - after.freed, 100);
//! ```

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

/// What one thread has asked of the allocator so far.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    /// Calls to alloc, alloc_zeroed and realloc.
    pub calls: u64,
    /// Bytes asked for (a realloc counts its new size).
    pub bytes: u64,
    /// Bytes given back (a realloc gives back its old size).
    pub freed: u64,
    /// The most bytes live at once (`bytes - freed`) since the last [`reset_peak`].
    pub peak: i64,
    /// The largest single block asked for since the last [`reset_largest`].
    pub largest: usize,
}

impl Counts {
    /// Bytes asked for and not given back.
    pub fn live(&self) -> i64 {
        self.bytes as i64 - self.freed as i64
    }
}

thread_local! {
    static COUNTS: Cell<Counts> = const {
        Cell::new(Counts { calls: 0, bytes: 0, freed: 0, peak: 0, largest: 0 })
    };
}

fn record(asked: usize, given_back: usize) {
    // `try_with`: the slot is gone while a thread is being torn down.
    let _ = COUNTS.try_with(|c| {
        let mut counts = c.get();
        if asked > 0 {
            counts.calls += 1;
            counts.bytes += asked as u64;
            counts.largest = counts.largest.max(asked);
        }
        counts.freed += given_back as u64;
        counts.peak = counts.peak.max(counts.live());
        c.set(counts);
    });
}

/// What this thread has asked of the allocator so far (all zero unless a
/// [`CountingAllocator`] is the global allocator).
pub fn counts() -> Counts {
    COUNTS.with(Cell::get)
}

/// Starts this thread's [`Counts::peak`] afresh at the bytes live now.
pub fn reset_peak() {
    COUNTS.with(|c| {
        let mut counts = c.get();
        counts.peak = counts.live();
        c.set(counts);
    });
}

/// Starts this thread's [`Counts::largest`] afresh at 0.
pub fn reset_largest() {
    COUNTS.with(|c| {
        let mut counts = c.get();
        counts.largest = 0;
        c.set(counts);
    });
}

/// The system allocator, counting what each thread asks for and gives back (see [`counts`]).
pub struct CountingAllocator;

// A global allocator can only be written with `unsafe` (the trait and the system allocator's
// methods are unsafe); the workspace denies unsafe code, and this impl is the one exception:
// every call is forwarded unchanged.
#[allow(unsafe_code)]
// SAFETY: every call is forwarded unchanged to the system allocator.
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        record(layout.size(), 0);
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        record(layout.size(), 0);
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        record(new_size, layout.size());
        unsafe { System.realloc(ptr, layout, new_size) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        record(0, layout.size());
        unsafe { System.dealloc(ptr, layout) }
    }
}
