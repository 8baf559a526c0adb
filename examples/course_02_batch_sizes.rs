//! Course, lesson 2: batch, stochastic and mini-batch gradient descent on the same data.
//!
//! y = 4 + 3x + N(0, 1), 100 points. The three methods differ only in how many samples each
//! update looks at: all 100 (batch), 1 (stochastic) or 16 (mini-batch). Each runs 100 epochs
//! (passes over the data); after every update the example records the loss on all the data
//! and the training time so far (the time spent measuring the loss is left out). One SVG shows
//! the loss above its minimum against the number of updates and against wall time.
//!
//! Stochastic and mini-batch steps follow a few samples' gradient, so with a constant rate
//! they never settle; the tutorials shrink the rate, α_t = 5 / (t + 50), written here as a
//! `Schedule`.
//!
//! Run it with `cargo run --release --example course_02_batch_sizes`.

#[path = "course/line.rs"]
mod line;
#[path = "course/plot.rs"]
mod plot;

use descent::prelude::*;
use descent::rand::rngs::StdRng;
use plot::{Axis, Chart, Line};
use std::time::{Duration, Instant};

const N: usize = 100;
const EPOCHS: usize = 100;

/// One run: after each update, (updates so far, seconds of training so far, loss on all data).
struct Run {
    name: &'static str,
    batch_size: usize,
    trace: Vec<(usize, f64, f64)>,
    theta: (f64, f64),
}

fn main() -> Result<(), String> {
    let mut rng = StdRng::seed_from_u64(42);
    let x = Tensor::<f64>::uniform(&[N, 1], 0.0, 2.0, &mut rng);
    let noise = Tensor::<f64>::normal(&[N, 1], 0.0, 1.0, &mut rng);
    let y = x.mul_scalar(3.0).add_scalar(4.0).add(&noise);
    let (xs, ys) = (x.to_vec(), y.to_vec());
    let best = line::least_squares(&xs, &ys);
    let best_loss = full_loss(&xs, &ys, best);
    println!(
        "least squares: θ0 = {:.4}, θ1 = {:.4}, loss {best_loss:.4}\n",
        best.0, best.1
    );

    let shrinking = InverseTime { t0: 5.0, t1: 50.0 };
    let runs = [
        fit("batch", N, &0.1, &x, &y),
        fit("stochastic", 1, &shrinking, &x, &y),
        fit("mini-batch", 16, &shrinking, &x, &y),
    ];

    // How many updates, epochs and milliseconds each took to come within 1% of the best loss and stay there.
    let target = best_loss * 1.01;
    println!("to settle within 1% of the least-squares loss ({target:.4}):");
    println!(
        "{:>10} {:>6} {:>8} {:>7} {:>10} {:>13}   final θ",
        "method", "batch", "updates", "epochs", "time", "after 1 epoch"
    );
    let mut reached = vec![];
    for run in &runs {
        // The update after which the loss stays within 1% for the rest of the run (a noisy
        // method can dip below the line by luck long before it settles there).
        let settled = run.trace.iter().rposition(|&(_, _, loss)| loss >= target);
        let settled = settled.map_or(0, |last_above| last_above + 1);
        let (updates, seconds, _) = *run
            .trace
            .get(settled)
            .ok_or(format!("{} did not settle within 1%", run.name))?;
        let epochs = updates as f64 * run.batch_size as f64 / N as f64;
        let one_epoch = run.trace[N.div_ceil(run.batch_size)].2; // the loss after one pass
        println!(
            "{:>10} {:>6} {updates:>8} {epochs:>7.2} {:>8.3}ms {one_epoch:>13.4}   ({:.4}, {:.4})",
            run.name,
            run.batch_size,
            seconds * 1e3,
            run.theta.0,
            run.theta.1
        );
        reached.push((updates, epochs, one_epoch));
    }

    // Drawn: the loss above the least-squares loss, which a log scale shows all the way down.
    let lines = |pick: fn(&(usize, f64, f64)) -> f64| -> Vec<Line> {
        runs.iter()
            .map(|run| {
                let points = run
                    .trace
                    .iter()
                    .map(|t| (pick(t), t.2 - best_loss))
                    .collect();
                Line::new(format!("{} ({})", run.name, run.batch_size), points)
            })
            .collect()
    };
    let path = "target/plots/course_02_batch_sizes.svg";
    plot::save(
        path,
        &[
            Chart {
                title: "Loss against updates",
                x: Axis::log("updates"),
                y: Axis::log("loss − least-squares loss"),
                lines: lines(|t| t.0 as f64),
            },
            Chart {
                title: "Loss against wall time",
                x: Axis::log("training time (s)"),
                y: Axis::log("loss − least-squares loss"),
                lines: lines(|t| t.1),
            },
        ],
    )?;
    println!("\nplot: {path}");

    // Per update, batch descent is surest: it needs the fewest updates, stochastic the most.
    // Per pass over the data, the sampling methods are faster: each epoch is many updates.
    // (Wall time is printed and plotted, not asserted: it depends on the machine's load.)
    let [batch, sgd, mini] = [0, 1, 2].map(|i| reached[i]);
    assert!(batch.0 < mini.0 && mini.0 < sgd.0, "updates: {reached:?}");
    assert!(sgd.1 < batch.1 && mini.1 < batch.1, "epochs: {reached:?}");
    assert!(
        sgd.2 < batch.2 && mini.2 < batch.2,
        "one epoch: {reached:?}"
    );
    for run in &runs {
        let gap = (run.theta.0 - best.0)
            .abs()
            .max((run.theta.1 - best.1).abs());
        assert!(gap < 0.05, "{} ended {gap} from least squares", run.name);
    }
    Ok(())
}

/// The rate α_t = t0 / (t + t1) for update t.
struct InverseTime {
    t0: f64,
    t1: f64,
}

impl Schedule for InverseTime {
    fn rate(&self, step: usize) -> f64 {
        self.t0 / (step as f64 + self.t1)
    }
}

/// Fits y ≈ θ0 + θ1·x from θ = 0 for `EPOCHS` epochs in shuffled batches of `batch_size`.
fn fit(
    name: &'static str,
    batch_size: usize,
    schedule: &dyn Schedule,
    x: &Tensor<f64>,
    y: &Tensor<f64>,
) -> Run {
    let (xs, ys) = (x.to_vec(), y.to_vec());
    let model = Dense::from_tensors(Tensor::zeros(&[1, 1]), Some(Tensor::zeros(&[1])));
    let variables = model.parameters();
    let theta = || (variables[1].value().item(), variables[0].value().item());
    let mut optimizer = Sgd::new(schedule.rate(0));
    let mut batches = Batches::new(N, batch_size).shuffle(7);
    let mut trace = vec![(0, 0.0, full_loss(&xs, &ys, theta()))];
    let mut training = Duration::ZERO;
    for _ in 0..EPOCHS {
        for batch in batches.epoch() {
            let start = Instant::now();
            optimizer.set_learning_rate(schedule.rate(optimizer.steps()));
            let rows = Tensor::from_vec(batch.to_vec(), &[batch.len()]);
            let tape = Tape::new();
            let prediction = model.forward(&tape.watch(x.index_select(0, &rows)));
            let loss = prediction.mse(&tape.watch(y.index_select(0, &rows)));
            let grads = tape.gradient(&loss, &variables);
            optimizer.apply_gradients(&grads, &variables);
            training += start.elapsed();
            let loss = full_loss(&xs, &ys, theta());
            trace.push((optimizer.steps(), training.as_secs_f64(), loss));
        }
    }
    Run {
        name,
        batch_size,
        trace,
        theta: theta(),
    }
}

/// J(θ) = mean((θ0 + θ1·x − y)²) over all the data.
fn full_loss(x: &[f64], y: &[f64], (t0, t1): (f64, f64)) -> f64 {
    let squares = x.iter().zip(y).map(|(x, y)| (t0 + t1 * x - y).powi(2));
    squares.sum::<f64>() / x.len() as f64
}
