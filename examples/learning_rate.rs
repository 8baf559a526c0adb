//! How do I choose the learning rate? Try a few, watch the loss, and let a stopping rule say
//! what happened.
//!
//! The model is the tutorials' linear regression (y = 4 + 3x + noise, 100 points), fitted by
//! batch gradient descent with three rates: one too small (the loss crawls and the iteration
//! limit arrives first), a good one (the gradient reaches zero), and one too large (the loss
//! grows with every step; the stopping rule reports the divergence instead of printing NaN).
//! A sweep over more rates follows, then the theory: for a quadratic loss, descent is stable
//! only for rates below 2/λ_max, λ_max the largest eigenvalue of the Hessian.
//!
//! Run it with `cargo run --release --example learning_rate`.

use descent::prelude::*;
use descent::rand::{SeedableRng, rngs::StdRng};

const MAX_ITERATIONS: usize = 1000;

/// How one run went.
struct Run {
    /// The loss at every iteration, until the stop.
    losses: Vec<f64>,
    /// Why it stopped.
    stop: Stop,
    /// The final (θ0, θ1).
    theta: (f64, f64),
}

fn main() -> Result<(), PlotError> {
    let mut rng = StdRng::seed_from_u64(42);
    let x = Tensor::<f64>::uniform(&[100, 1], 0.0, 2.0, &mut rng);
    let noise = Tensor::<f64>::normal(&[100, 1], 0.0, 1.0, &mut rng);
    let y = x.mul_scalar(3.0).add_scalar(4.0).add(&noise);

    let (small, good, large) = (0.001, 0.1, 0.5);
    let names = ["too small, 0.001", "good, 0.1", "too large, 0.5"];
    let runs = [small, good, large].map(|rate| descend(&x, &y, rate));
    for (name, run) in names.iter().zip(&runs) {
        let (first, last) = (run.losses[0], run.losses[run.losses.len() - 1]);
        let (t0, t1) = run.theta;
        println!("learning rate {name}");
        println!("  loss {first:.4} → {last:.4}, θ = ({t0:.4}, {t1:.4})");
        println!("  {}\n", run.stop);
    }
    let series: Vec<(&str, &[f64])> = names
        .iter()
        .zip(&runs)
        .map(|(n, r)| (*n, &r.losses[..]))
        .collect();
    let path = "target/plots/learning_rate.svg";
    let title = "Learning rate: too small, good, too large";
    loss_curves(path, title, "iteration", &series, true)?;
    println!("plot: {path}\n");

    // The too-small rate's loss looks nearly done, but θ is still far from the minimum: along
    // the long, flat valley of this loss the gradient is small, and small steps crawl.
    let (crawled, converged) = (runs[0].theta, runs[1].theta);
    let gap = (crawled.0 - converged.0)
        .abs()
        .max((crawled.1 - converged.1).abs());
    println!(
        "after {MAX_ITERATIONS} iterations at {small}, θ is still {gap:.3} from the minimum\n"
    );

    println!("a sweep: rate → how the run ended");
    let rates = [
        0.0003, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 0.45, 0.47, 0.48, 0.5, 1.0,
    ];
    let sweep = rates.map(|rate| (rate, descend(&x, &y, rate).stop));
    for (rate, stop) in &sweep {
        let outcome = match stop {
            Stop::GradientNearZero { iteration, .. } => {
                format!("converged in {} iterations", iteration + 1)
            }
            Stop::Diverged { iteration, .. } => format!("diverged at iteration {iteration}"),
            other => other.to_string(),
        };
        println!("  {rate:>6.4}: {outcome}");
    }

    // J(θ) = mean((θ0 + θ1·x − y)²) has the constant Hessian H = 2·[[1, x̄], [x̄, mean(x²)]];
    // its largest eigenvalue, for the symmetric 2×2 [[a, b], [b, c]]:
    let xs = x.to_vec();
    let n = xs.len() as f64;
    let mean_x = xs.iter().sum::<f64>() / n;
    let mean_x2 = xs.iter().map(|x| x * x).sum::<f64>() / n;
    let (a, b, c) = (2.0, 2.0 * mean_x, 2.0 * mean_x2);
    let lambda_max = (a + c) / 2.0 + (((a - c) / 2.0).powi(2) + b * b).sqrt();
    let edge = 2.0 / lambda_max;
    println!("\ntheory: λ_max(H) = {lambda_max:.3}, so rates above 2/λ_max = {edge:.3} diverge");

    let [crawl, converge, diverge] = runs.map(|run| run.stop);
    assert!(
        matches!(crawl, Stop::MaxIterations { .. }),
        "{small} should crawl: {crawl}"
    );
    assert!(
        gap > 0.2,
        "{small} should still be far from the minimum, not {gap} away"
    );
    assert!(converge.converged(), "{good} should converge: {converge}");
    assert!(diverge.diverged(), "{large} should diverge: {diverge}");
    for (rate, stop) in sweep {
        assert_eq!(
            stop.diverged(),
            rate > edge,
            "rate {rate} disagrees with the theory: {stop}"
        );
    }
    Ok(())
}

/// Batch gradient descent from θ = 0 at a constant `rate` until a stopping rule fires.
fn descend(x: &Tensor<f64>, y: &Tensor<f64>, rate: f64) -> Run {
    let model = Dense::from_tensors(Tensor::zeros(&[1, 1]), Some(Tensor::zeros(&[1])));
    let variables = model.parameters();
    let mut optimizer = Sgd::new(rate);
    let mut stopping = Stopping::new()
        .gradient_norm_below(1e-4)
        .max_iterations(MAX_ITERATIONS);
    let mut losses = vec![];
    for iteration in 0.. {
        let tape = Tape::new();
        let loss = model
            .forward(&tape.watch(x.clone()))
            .mse(&tape.watch(y.clone()));
        let grads = tape.gradient(&loss, &variables);
        losses.push(loss.item());
        let norm = gradient_norm(&grads);
        if let Some(stop) = stopping.check(iteration, loss.item(), Some(norm), None) {
            let theta = (variables[1].value().item(), variables[0].value().item());
            return Run {
                losses,
                stop,
                theta,
            };
        }
        optimizer.apply_gradients(&grads, &variables); // θ ← θ − α∇J(θ)
    }
    unreachable!("the iteration limit stops the loop")
}
