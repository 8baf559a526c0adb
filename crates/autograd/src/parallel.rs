//! Two cores on one product: `join(a, b)` runs `a` here and offers `b` to a helper thread.
//!
//! The products of a small network take a millisecond or less, too little to wake a sleeping
//! thread pool for (a futex wake and a context switch cost about as much as the half it would
//! take). So descent keeps one helper thread of its own that, after each job, spins for
//! [`SPIN`] watching for the next one before it sleeps: through a training loop it stays awake
//! and takes a posted half within a fraction of a microsecond.
//!
//! The caller never waits for a helper that has not started: after running `a`, it takes `b`
//! back if the helper has not claimed it, and runs it itself. On a machine whose other core is
//! busy the helper seldom gets to run, and descent runs at its one-thread speed instead of
//! stalling. The helper exists when rayon's thread budget (`RAYON_NUM_THREADS`, else the number
//! of cores) is at least two; one caller at a time uses it, others run both halves themselves.

#![allow(unsafe_code)] // the job slot below: a borrowed closure handed to another thread

use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::sync::atomic::{AtomicBool, AtomicPtr, AtomicU8, Ordering::*};
use std::sync::{Mutex, OnceLock};
use std::thread::{self, Thread};
use std::time::{Duration, Instant};

/// How long the helper watches for work after its last job before it sleeps.
const SPIN: Duration = Duration::from_micros(200);

const IDLE: u8 = 0; // no job
const POSTED: u8 = 1; // a job waits; either side may claim it
const RUNNING: u8 = 2; // the helper claimed it
const DONE: u8 = 3; // the helper finished it

/// The one job slot shared with the helper thread.
struct Helper {
    /// Held by the caller that owns the slot for the length of one `join`.
    busy: AtomicBool,
    state: AtomicU8,
    /// The posted job: its data, and the function that runs it on that data.
    data: AtomicPtr<()>,
    run: AtomicPtr<()>,
    /// A panic of the job on the helper thread, for the caller to resume.
    panic: Mutex<Option<Box<dyn std::any::Any + Send>>>,
    sleeping: AtomicBool,
    thread: OnceLock<Thread>,
}

static HELPER: OnceLock<Option<&'static Helper>> = OnceLock::new();

/// The helper, started on first use; `None` when the thread budget is one.
fn helper() -> Option<&'static Helper> {
    *HELPER.get_or_init(|| {
        if rayon::current_num_threads() < 2 {
            return None;
        }
        let helper: &'static Helper = Box::leak(Box::new(Helper {
            busy: AtomicBool::new(false),
            state: AtomicU8::new(IDLE),
            data: AtomicPtr::new(std::ptr::null_mut()),
            run: AtomicPtr::new(std::ptr::null_mut()),
            panic: Mutex::new(None),
            sleeping: AtomicBool::new(false),
            thread: OnceLock::new(),
        }));
        let spawned = thread::Builder::new()
            .name("descent-helper".into())
            .spawn(move || helper.serve());
        let thread = spawned.ok()?.thread().clone();
        helper.thread.set(thread).expect("set once");
        Some(helper)
    })
}

/// Runs `a` and `b`, possibly at the same time (`b` on descent's helper thread, when it is
/// free and awake); returns when both are done. A panic in either reaches the caller.
///
/// descent splits its large products with it, and the optimizers their updates of large
/// variables. It never waits for the helper: on a busy machine the caller runs both.
///
/// ```
/// let (mut left, mut right) = (vec![1.0f32; 1000], vec![2.0f32; 1000]);
/// descent_autograd::join(|| left.iter_mut().for_each(|x| *x *= 2.0), || right.fill(0.0));
/// assert_eq!((left[999], right[0]), (2.0, 0.0));
/// ```
pub fn join<A: FnOnce() + Send, B: FnOnce() + Send>(a: A, b: B) {
    let Some(helper) = helper() else {
        a();
        b();
        return;
    };
    if helper.busy.swap(true, Acquire) {
        a(); // another caller has the helper
        b();
        return;
    }
    let mut job = Some(b);
    helper.data.store((&raw mut job).cast(), Relaxed);
    helper
        .run
        .store(run_job::<B> as fn(*mut ()) as *mut (), Relaxed);
    helper.state.store(POSTED, SeqCst);
    if helper.sleeping.load(SeqCst) {
        helper.thread.get().expect("started").unpark();
    }
    let mut panic = None;
    let settle = Settle(helper, &mut panic);
    a();
    drop(settle);
    if let Some(b) = job.take() {
        b(); // the helper never claimed it
    }
    if let Some(payload) = panic {
        resume_unwind(payload);
    }
}

/// Elementwise work on this many elements or more is worth two threads (a `join` costs about
/// a microsecond; this is some ten of work).
const ELEMENTWISE_SPLIT: usize = 1 << 15;

/// `f(part, start)` over `values`, where `part` starts at element `start`: in two halves at
/// once when there are [`ELEMENTWISE_SPLIT`] elements or more, else in one call. For work on
/// each element alone, so the result is the same either way. Each half runs under
/// [`crate::vectorized`].
pub(crate) fn halves<T: Send>(values: &mut [T], f: impl Fn(&mut [T], usize) + Sync) {
    if values.len() < ELEMENTWISE_SPLIT {
        return crate::vectorized(|| f(values, 0));
    }
    let mid = (values.len() / 2).next_multiple_of(64);
    let (a, b) = values.split_at_mut(mid);
    join(
        || crate::vectorized(|| f(a, 0)),
        || crate::vectorized(|| f(b, mid)),
    );
}

/// Settles the posted job when dropped, also while `a` unwinds, so that the caller's frame
/// (which holds the job) outlives the helper's use of it: takes the job back if the helper has
/// not claimed it, else waits until the helper is done; then frees the slot.
struct Settle<'a>(
    &'static Helper,
    &'a mut Option<Box<dyn std::any::Any + Send>>,
);

impl Drop for Settle<'_> {
    fn drop(&mut self) {
        let helper = self.0;
        if helper
            .state
            .compare_exchange(POSTED, IDLE, AcqRel, Acquire)
            .is_err()
        {
            let mut spins = 0u32;
            while helper.state.load(Acquire) != DONE {
                spins += 1;
                match spins % 1024 {
                    0 => thread::yield_now(),
                    _ => std::hint::spin_loop(),
                }
            }
            helper.state.store(IDLE, Release);
        }
        *self.1 = helper.panic.lock().map(|mut p| p.take()).unwrap_or(None);
        helper.busy.store(false, Release);
    }
}

/// Runs the job at `data`: the `Option<B>` in the frame of the `join` that posted it.
fn run_job<B: FnOnce()>(data: *mut ()) {
    // SAFETY: `data` points at the posting caller's `Option<B>`, which `Settle` keeps alive
    // until this call has returned and marked the job DONE; only the side that claimed the
    // job (the helper here, by its POSTED → RUNNING exchange) touches it meanwhile.
    let job = unsafe { (*data.cast::<Option<B>>()).take() };
    job.expect("a posted job is there")();
}

impl Helper {
    /// The helper thread's loop: claim and run posted jobs; spin a while between them, then
    /// sleep until a caller wakes it.
    fn serve(&'static self) {
        loop {
            let (mut since, mut spins) = (Instant::now(), 0u32);
            while since.elapsed() < SPIN {
                if self.try_run() {
                    since = Instant::now();
                }
                spins += 1;
                match spins % 256 {
                    0 => thread::yield_now(),
                    _ => std::hint::spin_loop(),
                }
            }
            self.sleeping.store(true, SeqCst);
            if self.state.load(SeqCst) != POSTED {
                thread::park();
            }
            self.sleeping.store(false, SeqCst);
        }
    }

    /// Claims and runs the posted job, if there is one.
    fn try_run(&self) -> bool {
        if self.state.load(Relaxed) != POSTED
            || self
                .state
                .compare_exchange(POSTED, RUNNING, AcqRel, Relaxed)
                .is_err()
        {
            return false;
        }
        let (data, run) = (self.data.load(Relaxed), self.run.load(Relaxed));
        // SAFETY: `run` was stored from `run_job::<B> as fn(*mut ())` with its `data`, both
        // before the POSTED store that the exchange above read (release, then acquire).
        let run: fn(*mut ()) = unsafe { std::mem::transmute(run) };
        if let Err(payload) = catch_unwind(AssertUnwindSafe(|| run(data))) {
            *self.panic.lock().unwrap_or_else(|p| p.into_inner()) = Some(payload);
        }
        self.state.store(DONE, Release);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;

    #[test]
    fn halves_give_each_element_its_own_index_once() {
        for len in [
            0,
            1,
            ELEMENTWISE_SPLIT - 1,
            ELEMENTWISE_SPLIT,
            3 * ELEMENTWISE_SPLIT + 5,
        ] {
            let mut values = vec![usize::MAX; len];
            halves(&mut values, |part, start| {
                part.iter_mut()
                    .enumerate()
                    .for_each(|(i, v)| *v = start + i)
            });
            assert!(values.iter().enumerate().all(|(i, &v)| v == i), "{len}");
        }
    }

    #[test]
    fn both_halves_run_exactly_once() {
        for _ in 0..10_000 {
            let (left, right) = (AtomicUsize::new(0), AtomicUsize::new(0));
            join(
                || _ = left.fetch_add(1, Relaxed),
                || _ = right.fetch_add(1, Relaxed),
            );
            assert_eq!((left.into_inner(), right.into_inner()), (1, 1));
        }
    }

    #[test]
    fn a_panic_in_either_half_reaches_the_caller() {
        let caught = catch_unwind(|| join(|| {}, || panic!("in b")));
        assert!(caught.is_err());
        let caught = catch_unwind(|| join(|| panic!("in a"), || {}));
        assert!(caught.is_err());
        let mut after = 0;
        join(|| {}, || after = 1);
        assert_eq!(after, 1, "the helper still works after a panic");
    }
}
