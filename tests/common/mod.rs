//! Set-up shared by the workspace-level tests: the digits MLP of `examples/digits_mlp.rs`
//! (pixels scaled to [0, 1], the 80% training split with seed 7, 64-64-10 with ReLU) and one
//! training step.
#![allow(dead_code)] // each test file uses part of this

use descent::prelude::*;
use ndarray::{Array2, Axis};
use rand::{SeedableRng, rngs::StdRng};

/// The digits training split: inputs `[1437, 64]` in [0, 1] and their labels.
pub fn digits_train() -> (Array2<f32>, Vec<usize>) {
    let digits = descent::data::digits();
    let (train, _) = train_test_split(digits.len(), 0.2, 7);
    let x = digits
        .inputs
        .mapv(|p| (p / 16.0) as f32)
        .select(Axis(0), &train);
    let y = train.iter().map(|&i| digits.labels[i]).collect();
    (x, y)
}

/// A `sizes[0]`-`sizes[1]`-`sizes[2]` ReLU MLP with weights drawn from `seed`.
pub fn mlp(sizes: [usize; 3], seed: u64) -> Sequential<f32> {
    let mut rng = StdRng::seed_from_u64(seed);
    Sequential::new()
        .push(Dense::new(sizes[0], sizes[1], &mut rng))
        .push(Relu)
        .push(Dense::new(sizes[1], sizes[2], &mut rng))
}

/// The model's trainable variables, in order.
pub fn variables(model: &Sequential<f32>) -> Vec<Variable<f32>> {
    model.parameters()
}

/// One training step on the rows `rows` of `(x, y)`, recorded on `tape`; returns the loss.
pub fn train_step(
    tape: Tape<f32>,
    model: &Sequential<f32>,
    optimizer: &mut dyn Optimizer<f32>,
    (x, y): (&Array2<f32>, &[usize]),
    rows: &[usize],
) -> f32 {
    let mut batch = Array2::zeros((rows.len(), x.ncols()));
    gather_rows(x, rows, &mut batch, |p| p);
    let labels = Tensor::from_vec(rows.iter().map(|&r| y[r]).collect(), &[rows.len()]);
    let variables = variables(model);
    let loss = model
        .forward(&tape.watch(Tensor::from(batch)))
        .cross_entropy(&labels);
    let grads = tape.gradient(&loss, &variables);
    optimizer.apply_gradients(&grads, &variables);
    loss.item()
}

/// Every weight's bits, by name: `==` on this is bit-identity.
pub fn weight_bits(model: &Sequential<f32>) -> Vec<(String, Vec<u32>)> {
    let bits = |v: &Variable<f32>| v.value().to_vec().iter().map(|x| x.to_bits()).collect();
    model
        .variables()
        .into_iter()
        .map(|(name, v)| (name, bits(&v)))
        .collect()
}
