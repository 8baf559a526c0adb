//! Batch, stochastic and mini-batch gradient descent, side by side, on the tutorials' data:
//! y = 4 + 3x + Gaussian noise, 100 points.
//!
//! The three methods differ only in the batch size given to `Batches`: all 100 samples per
//! step (batch), one sample per step (stochastic) or 16 (mini-batch). Each epoch sees every
//! sample once; the table shows the loss on all 100 points after each epoch (0: before any), and the plot
//! (target/plots/linear_regression_gd.svg) shows the three curves.
//!
//! With a constant learning rate, stochastic and mini-batch descent never settle: each step
//! follows a few samples' gradient, so θ keeps bouncing around the minimum. The tutorials'
//! cure is a learning schedule that shrinks the steps, α_t = t0 / (t + t1), written here as a
//! `Schedule` of our own.
//!
//! Run it with `cargo run --release --example linear_regression_gd`.

use descent::prelude::*;
use descent::rand::{SeedableRng, rngs::StdRng};

const N: usize = 100;
const EPOCHS: usize = 100;

fn main() -> Result<(), PlotError> {
    // Data: x uniform in [0, 2), y = 4 + 3x + noise with standard deviation 1.
    let mut rng = StdRng::seed_from_u64(42);
    let x = Tensor::<f64>::uniform(&[N, 1], 0.0, 2.0, &mut rng);
    let noise = Tensor::<f64>::normal(&[N, 1], 0.0, 1.0, &mut rng);
    let y = x.mul_scalar(3.0).add_scalar(4.0).add(&noise);

    // The exact minimiser of the loss, from the normal equation: where descent should arrive.
    // (The noise moves it away from the true (4, 3).)
    let best = least_squares(&x.to_vec(), &y.to_vec());
    println!(
        "least squares (normal equation): θ0 = {:.4}, θ1 = {:.4}",
        best.0, best.1
    );

    let shrinking = InverseTime { t0: 5.0, t1: 50.0 }; // 0.1 at first, 0.001 after 5,000 steps
    let methods: [(&str, usize, &dyn Schedule); 3] = [
        ("batch", N, &0.1), // a constant rate: every step sees all the data
        ("stochastic", 1, &shrinking),
        ("mini-batch", 16, &shrinking),
    ];
    let mut curves = vec![];
    for (name, batch_size, schedule) in methods {
        let (losses, theta) = fit(&x, &y, batch_size, schedule);
        let steps = EPOCHS * N.div_ceil(batch_size);
        println!(
            "{name:>10} (batch size {batch_size:3}, {steps:5} steps, last rate {:.4}): \
             θ0 = {:.4}, θ1 = {:.4}",
            schedule.rate(steps - 1),
            theta.0,
            theta.1,
        );
        curves.push((name, losses, theta));
    }

    println!("\nloss J(θ) on all {N} points after each epoch:");
    println!(
        "epoch  {:>12}  {:>12}  {:>12}",
        curves[0].0, curves[1].0, curves[2].0
    );
    for epoch in (0..=EPOCHS).filter(|&e| e <= 10 || e % 10 == 0) {
        let row: Vec<String> = curves
            .iter()
            .map(|c| format!("{:12.6}", c.1[epoch]))
            .collect();
        println!("{epoch:5}  {}", row.join("  "));
    }
    println!("(the least-squares loss is {:.6})", loss(&x, &y, best));

    let series: Vec<(&str, &[f64])> = curves.iter().map(|c| (c.0, c.1.as_slice())).collect();
    let path = "target/plots/linear_regression_gd.svg";
    loss_curves(
        path,
        "Batch, stochastic and mini-batch GD",
        "epoch",
        &series,
        true,
    )?;
    println!("\nplot: {path}");

    // Each method ends near the least-squares fit, and so within 0.5 of the true (4, 3).
    for (name, _, (t0, t1)) in &curves {
        let to_best = (t0 - best.0).abs().max((t1 - best.1).abs());
        let to_truth = (t0 - 4.0).abs().max((t1 - 3.0).abs());
        println!("{name:>10}: {to_best:.4} from the least-squares θ, {to_truth:.4} from (4, 3)");
        assert!(
            to_best < 0.05,
            "{name} descent did not converge: θ = ({t0}, {t1})"
        );
        assert!(
            to_truth < 0.5,
            "{name} descent ended far from (4, 3): θ = ({t0}, {t1})"
        );
    }
    Ok(())
}

/// The learning schedule α_t = t0 / (t + t1) for step t: big steps first, then smaller ones.
struct InverseTime {
    t0: f64,
    t1: f64,
}

impl Schedule for InverseTime {
    fn rate(&self, step: usize) -> f64 {
        self.t0 / (step as f64 + self.t1)
    }
}

/// Fits y ≈ θ0 + θ1·x by gradient descent in batches of `batch_size`; returns the loss on all
/// the data after each epoch, and the final (θ0, θ1).
fn fit(
    x: &Tensor<f64>,
    y: &Tensor<f64>,
    batch_size: usize,
    schedule: &dyn Schedule,
) -> (Vec<f64>, (f64, f64)) {
    let model = Dense::from_tensors(Tensor::zeros(&[1, 1]), Some(Tensor::zeros(&[1])));
    let variables = model.parameters();
    let mut optimizer = Sgd::new(schedule.rate(0));
    let mut batches = Batches::new(N, batch_size).shuffle(7);
    let mut progress = Progress::new(EPOCHS, batches.len());
    let mut losses = vec![loss(x, y, (0.0, 0.0))]; // before training, θ = 0
    for _epoch in 0..EPOCHS {
        for batch in batches.epoch() {
            optimizer.set_learning_rate(schedule.rate(optimizer.steps()));
            let rows = Tensor::from_vec(batch.to_vec(), &[batch.len()]);
            let tape = Tape::new();
            let prediction = model.forward(&tape.watch(x.index_select(0, &rows)));
            let loss = prediction.mse(&tape.watch(y.index_select(0, &rows)));
            let grads = tape.gradient(&loss, &variables);
            optimizer.apply_gradients(&grads, &variables); // θ ← θ − α∇J(θ)
            progress.batch(loss.item(), batch.len());
        }
        let theta = (variables[1].value().item(), variables[0].value().item());
        losses.push(loss(x, y, theta));
        progress.epoch_done("");
    }
    progress.finish();
    let theta = (variables[1].value().item(), variables[0].value().item());
    (losses, theta)
}

/// J(θ) = mean((θ0 + θ1·x − y)²) over all the data.
fn loss(x: &Tensor<f64>, y: &Tensor<f64>, (t0, t1): (f64, f64)) -> f64 {
    let residuals = x.mul_scalar(t1).add_scalar(t0).sub(y);
    residuals.mul(&residuals).to_vec().iter().sum::<f64>() / N as f64
}

/// The normal equation for one feature: θ1 = cov(x, y) / var(x), θ0 = ȳ − θ1·x̄.
fn least_squares(x: &[f64], y: &[f64]) -> (f64, f64) {
    let n = x.len() as f64;
    let (mx, my) = (x.iter().sum::<f64>() / n, y.iter().sum::<f64>() / n);
    let cov: f64 = x.iter().zip(y).map(|(a, b)| (a - mx) * (b - my)).sum();
    let var: f64 = x.iter().map(|a| (a - mx) * (a - mx)).sum();
    let t1 = cov / var;
    (my - t1 * mx, t1)
}
