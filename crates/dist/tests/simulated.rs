//! Data-parallel training simulated in one process, with no MPI: every "process" is a replica
//! of the model with its own optimizer, and the all-reduce is the sum of their packed buffers
//! taken by hand, in rank order. Everything else is the code `DataParallel` runs: the shares
//! ([`Sharded`]), the broadcast ([`flatten`], [`assign_flat`]) and the weighted mean ([`pack`],
//! [`unpack_mean`]).
//!
//! It shows that 300 steps of 2 and 3 processes end at the weights of one process training on
//! the whole batch, to within f32 summation-order error (the bound and why: [`BOUND`]), and
//! that the bound is tight enough to catch the mistakes a data-parallel layer can make: a sum
//! in place of the mean, a missing broadcast, a mean that ignores unequal shares.

use descent_autograd::{Tape, Tensor, Variable};
use descent_data::{Batches, Classification, gather_rows};
use descent_dist::{Layout, Sharded, assign_flat, flatten, pack, unpack_mean};
use descent_layers::{Dense, Module, Relu, Sequential};
use descent_optim::{Momentum, Optimizer};
use ndarray::{Array2, Ix2};
use rand::{SeedableRng, rngs::StdRng};

const STEPS: usize = 300;
const BATCH: usize = 64;

/// The largest difference allowed between the weights of a data-parallel run and of one
/// process, relative to the largest weight: 1e-4.
///
/// Why it holds: a data-parallel step computes the same sums as one process in another order
/// (each process sums over its share, the all-reduce sums the shares), and the weighting by
/// rows is exact for shares of 32 (powers of two) or rounds once. Each summation order is
/// within `n·ε·Σ|terms|` of the exact sum (ε = 2⁻²⁴ for f32, n = 64 terms), about 4e-6 of the
/// terms' magnitude at worst, and such differences accumulate over the steps. The test
/// measures that accumulation for one process whose batches merely have their rows in
/// reverse order (the same mathematics, another order of the sums): 4e-7 of the largest
/// weight here, 8e-6 for MNIST with Adam (tests/ddp.rs), and asserts it within the bound too.
/// Data-parallel runs measure 2e-7 here; a wrong reduction moves the weights by 2e-2 to 1.
const BOUND: f32 = 1e-4;

/// The digits' 64 pixels in 0..1, in the layout of the MNIST examples (rows of f32).
fn digits() -> (Array2<f32>, Vec<usize>) {
    let Classification { inputs, labels, .. } = descent_data::digits();
    (inputs.mapv(|p| (p / 16.0) as f32), labels)
}

fn model(seed: u64) -> Sequential<f32> {
    let mut rng = StdRng::seed_from_u64(seed);
    Sequential::new()
        .push(Dense::new(64, 32, &mut rng))
        .push(Relu)
        .push(Dense::new(32, 10, &mut rng))
}

/// The gradients of the mean cross-entropy over `rows`.
fn gradients(
    model: &Sequential<f32>,
    data: &(Array2<f32>, Vec<usize>),
    rows: &[usize],
) -> Vec<Tensor<f32>> {
    let mut x = Tensor::<f32>::zeros(&[rows.len(), 64]);
    let mut view = x.view_mut().into_dimensionality::<Ix2>().expect("2-D");
    gather_rows(&data.0, rows, &mut view, |p| p);
    let labels = Tensor::from_vec(rows.iter().map(|&r| data.1[r]).collect(), &[rows.len()]);
    let tape = Tape::new();
    let loss = model.forward(&tape.watch(x)).cross_entropy(&labels);
    tape.gradient(&loss, &model.parameters()).into_vec()
}

/// All weights of a model, in order, as one list.
fn weights(model: &Sequential<f32>) -> Vec<f32> {
    model
        .parameters()
        .iter()
        .flat_map(|v: &Variable<f32>| v.value().to_vec())
        .collect()
}

/// One process: `STEPS` steps on whole global batches (rows reversed when `reversed`).
fn one_process(data: &(Array2<f32>, Vec<usize>), reversed: bool) -> Vec<f32> {
    let model = model(0);
    let mut optimizer = Momentum::new(0.1, 0.9);
    let mut batches = Batches::new(data.1.len(), BATCH)
        .shuffle(42)
        .drop_last(true);
    let mut steps = 0;
    while steps < STEPS {
        for rows in batches.epoch().take(STEPS - steps) {
            let mut rows = rows.to_vec();
            if reversed {
                rows.reverse();
            }
            let grads = gradients(&model, data, &rows);
            optimizer.apply_gradients(&grads, &model.parameters());
            steps += 1;
        }
    }
    weights(&model)
}

/// What a simulated data-parallel run gets wrong, if anything.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Fault {
    None,
    /// Every process steps with the sum of the processes' gradients, not their mean.
    SumNotMean,
    /// The processes keep the weights they drew (seeds 0, 1, ...) instead of rank 0's.
    NoBroadcast,
    /// The mean of the processes' gradients, each counted once however many rows it had.
    UnweightedMean,
}

/// `processes` replicas, each drawing its own initial weights (seed = rank), trained `STEPS`
/// steps data-parallel; every replica's weights at the end.
fn data_parallel(
    data: &(Array2<f32>, Vec<usize>),
    processes: usize,
    fault: Fault,
) -> Vec<Vec<f32>> {
    let replicas: Vec<Sequential<f32>> = (0..processes as u64).map(model).collect();
    if fault != Fault::NoBroadcast {
        let state = replicas[0].state();
        let mut buffer = vec![0.0; Layout::of(&state).elements()];
        flatten(&state, &mut buffer);
        replicas[1..]
            .iter()
            .for_each(|r| assign_flat(&buffer, &r.state()));
    }
    let layout = Layout::of(&replicas[0].variables());
    let mut optimizers: Vec<_> = replicas.iter().map(|_| Momentum::new(0.1, 0.9)).collect();
    let mut shares: Vec<Sharded> = (0..processes)
        .map(|rank| {
            let global = Batches::new(data.1.len(), BATCH)
                .shuffle(42)
                .drop_last(true);
            Sharded::new(global, rank, processes)
        })
        .collect();
    let mut buffers = vec![vec![0.0f32; layout.elements() + 1]; processes];
    let mut steps = 0;
    while steps < STEPS {
        let mut epochs: Vec<Vec<Vec<usize>>> = shares
            .iter_mut()
            .map(|s| s.epoch().map(<[usize]>::to_vec).collect())
            .collect();
        for step in 0..epochs[0].len().min(STEPS - steps) {
            let mut grads = Vec::new();
            for (rank, buffer) in buffers.iter_mut().enumerate() {
                let rows = std::mem::take(&mut epochs[rank][step]);
                let g = gradients(&replicas[rank], data, &rows);
                let weight = if fault == Fault::UnweightedMean {
                    1
                } else {
                    rows.len()
                };
                pack(&layout, &g, weight, buffer);
                grads.push(g);
            }
            // The all-reduce: the element-wise sum of the processes' buffers, in rank order.
            let mut sum = buffers[0].clone();
            for buffer in &buffers[1..] {
                sum.iter_mut().zip(buffer).for_each(|(s, b)| *s += b);
            }
            for ((replica, optimizer), g) in replicas.iter().zip(&mut optimizers).zip(&mut grads) {
                unpack_mean(&sum, g);
                if fault == Fault::SumNotMean {
                    g.iter_mut()
                        .for_each(|t| t.view_mut().mapv_inplace(|v| v * processes as f32));
                }
                optimizer.apply_gradients(g, &replica.parameters());
            }
            steps += 1;
        }
    }
    replicas.iter().map(weights).collect()
}

/// The largest element-wise difference, relative to the largest weight of `reference`.
fn relative_difference(weights: &[f32], reference: &[f32]) -> f32 {
    let scale = reference.iter().fold(0.0f32, |m, w| m.max(w.abs()));
    let difference = weights
        .iter()
        .zip(reference)
        .fold(0.0f32, |m, (a, b)| m.max((a - b).abs()));
    difference / scale
}

#[test]
fn data_parallel_runs_end_at_one_process_weights_and_faults_do_not() {
    let data = digits();
    let reference = one_process(&data, false);
    let reordered = relative_difference(&one_process(&data, true), &reference);
    println!("one process, rows of each batch reversed: {reordered:.2e} of the largest weight");
    assert!(
        reordered > 0.0,
        "reversing the rows should change the order of the f32 sums"
    );
    assert!(
        reordered < BOUND,
        "summation order alone moved the weights by {reordered:.2e}"
    );

    for processes in [1, 2, 3] {
        let replicas = data_parallel(&data, processes, Fault::None);
        for replica in &replicas[1..] {
            assert_eq!(replica, &replicas[0], "replicas differ after {STEPS} steps");
        }
        let difference = relative_difference(&replicas[0], &reference);
        println!("{processes} processes: {difference:.2e} of the largest weight");
        if processes == 1 {
            assert_eq!(
                difference, 0.0,
                "one process must be the single-process run exactly"
            );
        }
        assert!(
            difference < BOUND,
            "{processes} processes: {difference:.2e} ≥ {BOUND:.0e}"
        );
    }

    // 3 processes share 64 rows as 22, 21, 21: only then does the weighting matter.
    for (fault, processes) in [
        (Fault::SumNotMean, 2),
        (Fault::NoBroadcast, 2),
        (Fault::UnweightedMean, 3),
    ] {
        let difference =
            relative_difference(&data_parallel(&data, processes, fault)[0], &reference);
        println!("{fault:?} over {processes} processes: {difference:.2e} of the largest weight");
        assert!(
            difference > 10.0 * BOUND,
            "{fault:?} went unnoticed: {difference:.2e}"
        );
    }
}
