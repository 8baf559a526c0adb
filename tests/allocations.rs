//! What a steady-state training step allocates, measured by a counting global allocator.
//!
//! The goal (DESIGN.md) is a step that allocates no new tensor memory after the first. descent
//! does not pool buffers yet: every op's output, every gradient and the gemm crate's packing
//! buffers are fresh allocations. So these tests measure and print the bytes and allocation
//! calls of one step, by phase, and hold them to bounds measured with about 20% headroom, so
//! that a regression fails. They also prove what already holds:
//!
//! - nothing leaks: the bytes live after step N+1 equal those after step N, exactly;
//! - every steady step allocates exactly the same (same shapes, same allocations);
//! - the optimizer allocates nothing after its first step, inside a real training loop.
//!
//! Counting is per thread (the thread running the test), so tests running alongside do not
//! count; rayon's pool threads are not counted either (on these shapes every product stays on
//! the calling thread, being under the 2²³ multiply-add threshold; see tests/determinism.rs).
#![allow(unsafe_code)] // the allocator below; the library itself denies unsafe code

mod common;

use descent::prelude::*;
use ndarray::Array2;
use rand::{RngExt, SeedableRng, rngs::StdRng};
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

/// What one thread has asked of the allocator so far.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Counts {
    /// Calls to alloc, alloc_zeroed and realloc.
    calls: u64,
    /// Bytes asked for (a realloc counts its new size).
    bytes: u64,
    /// Bytes given back (a realloc gives back its old size).
    freed: u64,
    /// The most bytes live at once (`bytes - freed`) since the last `reset_peak`.
    peak: i64,
}

impl Counts {
    fn live(&self) -> i64 {
        self.bytes as i64 - self.freed as i64
    }
}

thread_local! {
    static COUNTS: Cell<Counts> = const {
        Cell::new(Counts { calls: 0, bytes: 0, freed: 0, peak: 0 })
    };
}

fn record(asked: usize, given_back: usize) {
    // `try_with`: the slot is gone while a thread is being torn down.
    let _ = COUNTS.try_with(|c| {
        let mut counts = c.get();
        if asked > 0 {
            counts.calls += 1;
            counts.bytes += asked as u64;
        }
        counts.freed += given_back as u64;
        counts.peak = counts.peak.max(counts.live());
        c.set(counts);
    });
}

/// The system allocator, counting what each thread asks for and gives back.
struct Counting;

// SAFETY: every call is forwarded unchanged to the system allocator.
unsafe impl GlobalAlloc for Counting {
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

#[global_allocator]
static GLOBAL: Counting = Counting;

fn counts() -> Counts {
    COUNTS.with(Cell::get)
}

/// What one step asked for: calls and bytes, and the peak of live bytes above the start.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Usage {
    calls: u64,
    bytes: u64,
    peak_above_start: i64,
}

/// Runs `f` and returns what it allocated.
fn usage<R>(f: impl FnOnce() -> R) -> (R, Usage) {
    COUNTS.with(|c| {
        let mut counts = c.get();
        counts.peak = counts.live();
        c.set(counts);
    });
    let before = counts();
    let result = f();
    let after = counts();
    let usage = Usage {
        calls: after.calls - before.calls,
        bytes: after.bytes - before.bytes,
        peak_above_start: after.peak - before.live(),
    };
    (result, usage)
}

/// The allocations of one step, by phase.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Step {
    input: Usage,
    forward: Usage,
    gradient: Usage,
    optimizer: Usage,
    total: Usage,
}

/// A model and its training data, stepped the way `examples/digits_mlp.rs` does.
struct Trainer {
    model: Sequential<f32>,
    variables: Vec<Variable<f32>>,
    optimizer: Adam<f32>,
    x: Array2<f32>,
    y: Vec<usize>,
    batches: Batches,
}

impl Trainer {
    fn new(sizes: [usize; 3], x: Array2<f32>, y: Vec<usize>, batch: usize) -> Self {
        let model = common::mlp(sizes, 0);
        let variables = common::variables(&model);
        // Full batches only, so that every step has the same shapes.
        let batches = Batches::new(x.nrows(), batch).shuffle(42).drop_last(true);
        Trainer {
            model,
            variables,
            optimizer: Adam::new(3e-3),
            x,
            y,
            batches,
        }
    }

    /// Trains `steps` steps (over as many epochs as needed) and returns each step's usage with
    /// the bytes live on this thread after it.
    fn train(&mut self, steps: usize) -> Vec<(Step, i64)> {
        let mut out = Vec::with_capacity(steps);
        while out.len() < steps {
            let epoch: Vec<Vec<usize>> = self.batches.epoch().map(<[usize]>::to_vec).collect();
            for rows in epoch.iter().take(steps - out.len()) {
                let (step, total) = usage(|| self.step(rows));
                out.push((Step { total, ..step }, counts().live()));
            }
        }
        out
    }

    fn step(&mut self, rows: &[usize]) -> Step {
        let width = self.x.ncols();
        let ((x, y), input) = usage(|| {
            let mut x = Array2::zeros((rows.len(), width));
            gather_rows(&self.x, rows, &mut x, |p| p);
            let y: Vec<usize> = rows.iter().map(|&r| self.y[r]).collect();
            (Tensor::from(x), Tensor::from_vec(y, &[rows.len()]))
        });
        let tape = Tape::new();
        let (loss, forward) = usage(|| self.model.forward(&tape.watch(x)).cross_entropy(&y));
        let (grads, gradient) = usage(|| tape.gradient(&loss, &self.variables));
        let ((), optimizer) = usage(|| self.optimizer.apply_gradients(&grads, &self.variables));
        Step {
            input,
            forward,
            gradient,
            optimizer,
            total: Usage::default(),
        }
    }
}

fn digits() -> Trainer {
    let (x, y) = common::digits_train();
    Trainer::new([64, 64, 10], x, y, 32)
}

fn mnist_shaped() -> Trainer {
    let mut rng = StdRng::seed_from_u64(1);
    let x = Array2::from_shape_fn((1024, 784), |_| rng.random::<f32>());
    let y = (0..1024).map(|_| rng.random_range(0..10)).collect();
    Trainer::new([784, 128, 10], x, y, 64)
}

const WARM_UP: usize = 3;

/// Trains, prints the figures, checks the invariants, and returns the steady step's usage.
fn measure(name: &str, mut trainer: Trainer, steps: usize) -> Step {
    let before = counts().live();
    let record = trainer.train(steps);
    let (first, live_after_first) = record[0];
    println!(
        "{name}: step 1 allocated {} bytes in {} calls (optimizer {} bytes in {} calls); \
         {} bytes stay live after it",
        first.total.bytes,
        first.total.calls,
        first.optimizer.bytes,
        first.optimizer.calls,
        live_after_first - before
    );
    let (steady, live) = record[WARM_UP];
    for (i, &(step, live_after)) in record.iter().enumerate().skip(1) {
        let n = i + 1;
        assert_eq!(
            step.optimizer,
            Usage::default(),
            "{name}: the optimizer allocated at step {n}"
        );
        if i >= WARM_UP {
            assert_eq!(step, steady, "{name}: step {n} allocated differently");
            assert_eq!(live_after, live, "{name}: bytes live after step {n}");
        }
    }
    let total = steady.total;
    println!(
        "{name}: steady step: {} bytes in {} calls, peak {} bytes live above the start; all \
         freed by the step's end (live bytes after steps {}..={steps} all {})",
        total.bytes,
        total.calls,
        total.peak_above_start,
        WARM_UP + 1,
        live - before
    );
    for (phase, u) in [
        ("input", steady.input),
        ("forward + loss", steady.forward),
        ("gradient", steady.gradient),
        ("optimizer", steady.optimizer),
    ] {
        println!(
            "{name}:   {phase:15} {:9} bytes in {:4} calls",
            u.bytes, u.calls
        );
    }
    steady
}

/// Fails when `found` exceeds `bound` (a measured figure plus about 20%).
fn at_most(name: &str, what: &str, found: u64, bound: u64) {
    assert!(
        found <= bound,
        "{name}: a steady step {what} {found}, more than the bound {bound} (measured figure + 20%)"
    );
}

#[test]
fn digits_mlp_steady_step_allocations() {
    let steady = measure("digits 64-64-10, batch 32", digits(), 100);
    at_most(
        "digits",
        "allocated bytes",
        steady.total.bytes,
        DIGITS_BYTES,
    );
    at_most(
        "digits",
        "allocation calls",
        steady.total.calls,
        DIGITS_CALLS,
    );
}

#[test]
fn mnist_shaped_mlp_steady_step_allocations() {
    let steady = measure("784-128-10, batch 64", mnist_shaped(), 20);
    at_most(
        "784-128-10",
        "allocated bytes",
        steady.total.bytes,
        WIDE_BYTES,
    );
    at_most(
        "784-128-10",
        "allocation calls",
        steady.total.calls,
        WIDE_CALLS,
    );
}

// Bounds: the figures measured (docs/reliability.md) plus about 20%. Measured steady steps:
// digits 153,816 bytes in 74 calls; 784-128-10 1,131,032 bytes in 74 calls.
const DIGITS_BYTES: u64 = 185_000;
const DIGITS_CALLS: u64 = 89;
const WIDE_BYTES: u64 = 1_360_000;
const WIDE_CALLS: u64 = 89;
