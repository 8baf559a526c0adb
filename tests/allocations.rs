//! What a steady-state training step allocates, measured by a counting global allocator.
//!
//! The goal (DESIGN.md) is a step that allocates nothing after the first few: a dropped tape
//! gives its values' storage and node list to a per-thread store of spares, the gradients give
//! theirs back when dropped, and the next step's ops take from it (crates/autograd/src/pool.rs).
//! These tests hold a steady step (arch A, B and C — the CNN — of the benchmarks with Momentum,
//! and the digits MLP with Adam) to **nothing but the gemm crate's own bookkeeping**: each call into that crate
//! allocates a few flags and, for some layouts, a packing buffer, and frees them before it
//! returns; descent cannot hand it memory. The tests measure exactly that by timing nothing:
//! they run each of the step's products alone (same shapes, same transposed views), count what
//! those calls allocate once descent's own storage is warm, and assert that a whole steady step
//! allocates exactly the same bytes in exactly the same number of calls. They prove as well:
//!
//! - nothing leaks: the bytes live after step N+1 equal those after step N, exactly;
//! - every steady step allocates exactly the same;
//! - the optimizer allocates nothing after its first step, inside a real training loop.
//!
//! Counting is per thread, so tests running alongside do not count. The products run on the
//! calling thread here (rayon's budget is set to one thread before anything else), because
//! which half of a split product the helper thread takes varies from step to step.

mod common;

use descent::prelude::*;
use descent_test_support::{CountingAllocator, counts, reset_peak};
use ndarray::{Array2, Ix2};
use rand::{RngExt, SeedableRng, rngs::StdRng};

#[global_allocator]
static GLOBAL: CountingAllocator = CountingAllocator;

/// What one step asked for: calls and bytes, and the peak of live bytes above the start.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Usage {
    calls: u64,
    bytes: u64,
    peak_above_start: i64,
}

/// Runs `f` and returns what it allocated.
fn usage<R>(f: impl FnOnce() -> R) -> (R, Usage) {
    reset_peak();
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
    release: Usage,
    total: Usage,
}

/// A model and its training data, stepped the way `examples/digits_mlp.rs` does.
struct Trainer {
    model: Sequential<f32>,
    variables: Vec<Variable<f32>>,
    optimizer: Box<dyn Optimizer<f32>>,
    x: Array2<f32>,
    y: Vec<usize>,
    batches: Batches,
    batch_x: Tensor<f32>,
    batch_y: Tensor<usize>,
    /// The shape the model takes each batch in (`[batch, 784]`, or `[batch, 1, 28, 28]`).
    input_shape: Vec<usize>,
}

impl Trainer {
    fn new(
        model: Sequential<f32>,
        optimizer: Box<dyn Optimizer<f32>>,
        data: Data,
        batch: usize,
    ) -> Self {
        let (x, y) = data;
        let variables = common::variables(&model);
        // Full batches only, so that every step has the same shapes.
        let batches = Batches::new(x.nrows(), batch).shuffle(42).drop_last(true);
        let (batch_x, batch_y) = (
            Tensor::zeros(&[batch, x.ncols()]),
            Tensor::full(&[batch], 0),
        );
        let input_shape = batch_x.shape().to_vec();
        Trainer {
            model,
            variables,
            optimizer,
            x,
            y,
            batches,
            batch_x,
            batch_y,
            input_shape,
        }
    }

    /// The trainer with each batch reshaped to `[batch, images...]` before the model.
    fn images(mut self, images: &[usize]) -> Self {
        self.input_shape.truncate(1);
        self.input_shape.extend(images);
        self
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

    /// One step, the way the examples train: the batch gathered into buffers kept across
    /// steps, a new tape, the forward pass and loss, the gradients, the optimizer's update.
    fn step(&mut self, rows: &[usize]) -> Step {
        let ((), input) = usage(|| {
            let mut x = self
                .batch_x
                .view_mut()
                .into_dimensionality::<Ix2>()
                .expect("2-D");
            gather_rows(&self.x, rows, &mut x, |p| p);
            for (label, &row) in self.batch_y.view_mut().iter_mut().zip(rows) {
                *label = self.y[row];
            }
        });
        let tape = Tape::new();
        let (loss, forward) = usage(|| {
            let x = tape.watch(self.batch_x.reshape(&self.input_shape));
            self.model.forward(&x).cross_entropy(&self.batch_y)
        });
        let (grads, gradient) = usage(|| tape.gradient(&loss, &self.variables));
        let ((), optimizer) = usage(|| self.optimizer.apply_gradients(&grads, &self.variables));
        let ((), release) = usage(|| drop((grads, tape)));
        Step {
            input,
            forward,
            gradient,
            optimizer,
            release,
            total: Usage::default(),
        }
    }
}

type Data = (Array2<f32>, Vec<usize>);

/// Random MNIST-shaped data: 1,024 rows of 784 values in [0, 1) and labels below 10.
fn mnist_shaped() -> Data {
    let mut rng = StdRng::seed_from_u64(1);
    let x = Array2::from_shape_fn((1024, 784), |_| rng.random::<f32>());
    let y = (0..1024).map(|_| rng.random_range(0..10)).collect();
    (x, y)
}

/// A ReLU MLP of the given layer sizes, as examples/bench_mnist.rs builds it.
fn mlp(sizes: &[usize]) -> Sequential<f32> {
    let mut rng = StdRng::seed_from_u64(0);
    let mut model = Sequential::new();
    for (i, pair) in sizes.windows(2).enumerate() {
        model = model.push(Dense::new(pair[0], pair[1], &mut rng));
        if i + 2 < sizes.len() {
            model = model.push(Relu);
        }
    }
    model
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
        ("drop tape, grads", steady.release),
    ] {
        println!(
            "{name}:   {phase:15} {:9} bytes in {:4} calls",
            u.bytes, u.calls
        );
    }
    steady
}

/// The products of one training step of a `sizes` MLP, as (m, k, n, a transposed, b
/// transposed): per layer the forward `x·W`, the weight gradient `xᵀ·G`, and (but for the first
/// layer, whose input needs no gradient) the input gradient `G·Wᵀ`.
fn products_of(sizes: &[usize], batch: usize) -> Vec<Product> {
    let mut products = Vec::new();
    for (i, pair) in sizes.windows(2).enumerate() {
        let (fan_in, fan_out) = (pair[0], pair[1]);
        products.push((batch, fan_in, fan_out, false, false));
        products.push((fan_in, batch, fan_out, true, false));
        if i > 0 {
            products.push((batch, fan_out, fan_in, false, true));
        }
    }
    products
}

/// The products of one step of arch C (the CNN of examples/bench_mnist.rs), each with how many
/// times it runs: per image and convolution, the forward `W [O, C·25] · columns [C·25, L]` and
/// the weight gradient `columns · Gᵀ` (written transposed), and for the second convolution the
/// columns' gradient `Wᵀ · G`; then the dense layer's three products.
fn cnn_products(batch: usize) -> Vec<(Product, usize)> {
    let mut products = Vec::new();
    for (i, (channels, outputs, positions)) in [(1, 16, 576), (16, 32, 64)].into_iter().enumerate()
    {
        let k = channels * 25;
        products.push(((outputs, k, positions, false, false), batch));
        products.push(((k, positions, outputs, false, true), batch));
        if i > 0 {
            products.push(((k, outputs, positions, true, false), batch));
        }
    }
    // The dense layer's forward and weight gradient, and its input gradient (the convolutions
    // need it; an MLP's first layer does not).
    let dense = products_of(&[512, 10], batch).into_iter().map(|p| (p, 1));
    products.extend(dense);
    products.push(((batch, 10, 512, false, true), 1));
    products
}

/// A product as (m, k, n, a transposed, b transposed).
type Product = (usize, usize, usize, bool, bool);

/// What the gemm crate allocates for the products of one step: each product runs alone on a
/// tape, once to warm descent's storage, then counted (times the number of times it runs).
fn gemm_bookkeeping(products: &[(Product, usize)]) -> Usage {
    let mut rng = StdRng::seed_from_u64(2);
    let mut total = Usage::default();
    for &((m, k, n, transpose_a, transpose_b), times) in products {
        let mut operand = |rows, cols, transpose| match transpose {
            true => Tensor::<f32>::uniform(&[cols, rows], -1.0, 1.0, &mut rng).transpose(),
            false => Tensor::<f32>::uniform(&[rows, cols], -1.0, 1.0, &mut rng),
        };
        let (a, b) = (operand(m, k, transpose_a), operand(k, n, transpose_b));
        // On a tape, whose drop gives the product's storage back for the next one.
        let product = || {
            let tape = Tape::new();
            tape.watch(a.clone()).matmul(&tape.watch(b.clone()));
        };
        product();
        let ((), used) = usage(product);
        total.calls += used.calls * times as u64;
        total.bytes += used.bytes * times as u64;
    }
    total
}

/// Fails unless a steady step allocated exactly what the gemm crate asks for inside its
/// products, and nothing else.
fn allocates_only_gemm_bookkeeping(name: &str, steady: Step, products: &[(Product, usize)]) {
    allocates_gemm_bookkeeping_and(name, steady, products, Usage::default());
}

/// Fails unless a steady step allocated exactly what the gemm crate asks for inside its
/// products, plus `boxes`: the tape boxes each op it records, which allocates for an op that
/// carries state (a convolution's window, a pool's indices) and not for the others.
fn allocates_gemm_bookkeeping_and(
    name: &str,
    steady: Step,
    products: &[(Product, usize)],
    boxes: Usage,
) {
    let mut gemm = gemm_bookkeeping(products);
    println!(
        "{name}: the gemm crate's own bookkeeping in the step's products: {} bytes in {} calls; \
         the tape's boxes of ops with state: {} bytes in {} calls",
        gemm.bytes, gemm.calls, boxes.bytes, boxes.calls
    );
    gemm.calls += boxes.calls;
    gemm.bytes += boxes.bytes;
    assert_eq!(
        (steady.total.bytes, steady.total.calls),
        (gemm.bytes, gemm.calls),
        "{name}: a steady step allocated more than the gemm crate's bookkeeping (by phase: \
         {steady:?})"
    );
}

/// [`products_of`] an MLP, each once.
fn mlp_products(sizes: &[usize], batch: usize) -> Vec<(Product, usize)> {
    products_of(sizes, batch)
        .into_iter()
        .map(|p| (p, 1))
        .collect()
}

/// Keeps every product on the calling thread (see the module doc); the first test to call
/// this sets rayon's budget, the others find it set.
fn one_thread() {
    let _ = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build_global();
}

#[test]
fn digits_mlp_with_adam_steady_step_allocates_only_gemm_bookkeeping() {
    one_thread();
    let model = common::mlp([64, 64, 10], 0);
    let trainer = Trainer::new(model, Box::new(Adam::new(3e-3)), common::digits_train(), 32);
    let steady = measure("digits 64-64-10, batch 32", trainer, 100);
    allocates_only_gemm_bookkeeping("digits", steady, &mlp_products(&[64, 64, 10], 32));
}

#[test]
fn arch_a_steady_step_allocates_only_gemm_bookkeeping() {
    one_thread();
    let optimizer = Box::new(Momentum::new(0.1, 0.9));
    let trainer = Trainer::new(mlp(&[784, 128, 10]), optimizer, mnist_shaped(), 64);
    let steady = measure("arch A 784-128-10, batch 64", trainer, 20);
    allocates_only_gemm_bookkeeping("arch A", steady, &mlp_products(&[784, 128, 10], 64));
}

#[test]
fn arch_b_steady_step_allocates_only_gemm_bookkeeping() {
    one_thread();
    let optimizer = Box::new(Momentum::new(0.05, 0.9));
    let trainer = Trainer::new(mlp(&[784, 512, 512, 10]), optimizer, mnist_shaped(), 128);
    let steady = measure("arch B 784-512-512-10, batch 128", trainer, 12);
    allocates_only_gemm_bookkeeping("arch B", steady, &mlp_products(&[784, 512, 512, 10], 128));
}

#[test]
fn arch_c_cnn_steady_step_allocates_only_gemm_bookkeeping() {
    one_thread();
    let mut rng = StdRng::seed_from_u64(0);
    let cnn = Sequential::new()
        .push(Conv2d::new(1, 16, [5, 5], &mut rng))
        .push(Relu)
        .push(MaxPool2d::new([2, 2]))
        .push(Conv2d::new(16, 32, [5, 5], &mut rng))
        .push(Relu)
        .push(MaxPool2d::new([2, 2]))
        .push(Flatten::default())
        .push(Dense::new(512, 10, &mut rng));
    let optimizer = Box::new(Momentum::new(0.05, 0.9));
    let trainer = Trainer::new(cnn, optimizer, mnist_shaped(), 64).images(&[1, 28, 28]);
    let steady = measure("arch C CNN, batch 64", trainer, 8);
    // Besides the products, the tape's boxes of the four ops that carry state: each Conv2d
    // holds its window (4 pairs of usize, 64 bytes), each MaxPool2d its index buffer (a Vec,
    // 24 bytes). The columns, the indices, the weight-gradient halves and every value and
    // gradient come from the thread's spares.
    let boxes = Usage {
        calls: 4,
        bytes: 2 * 64 + 2 * 24,
        peak_above_start: 0,
    };
    allocates_gemm_bookkeeping_and("arch C", steady, &cnn_products(64), boxes);
}
