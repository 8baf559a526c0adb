//! Course, lesson 13: second order. Newton's method, θ ← θ − H⁻¹∇J(θ), with the Hessian H
//! taken from the tape, against gradient descent.
//!
//! The problem is logistic regression on 200 points of two overlapping classes in the plane
//! (seeded), θ = (w1, w2, b), J the mean binary cross-entropy. Its Hessian is
//! Xᵀ·diag(p(1 − p))·X / n. The tape finds it without that formula: `gradient_vars` records
//! the backward pass as vars on a persistent tape, so each component of the gradient can be
//! differentiated again, one Hessian row per component.
//!
//! Newton's method uses the curvature and converges quadratically (the number of correct
//! digits doubles per step near the minimum); gradient descent converges linearly, at a rate
//! set by the Hessian's condition number.
//!
//! Run it with `cargo run --release --example course_13_newton`.

use descent::prelude::*;
use rand::{SeedableRng, rngs::StdRng};

const N: usize = 200;
const D: usize = 3;

fn main() {
    // Class 0 around (−1, 0), class 1 around (1, 0.5), both with standard deviation 1.
    let mut rng = StdRng::seed_from_u64(3);
    let noise = Tensor::<f64>::normal(&[N, 2], 0.0, 1.0, &mut rng).to_vec();
    let mut x = vec![];
    let mut y = vec![];
    for i in 0..N {
        let class = (i % 2) as f64;
        let centre = if class == 1.0 {
            (1.0, 0.5)
        } else {
            (-1.0, 0.0)
        };
        x.extend([centre.0 + noise[2 * i], centre.1 + noise[2 * i + 1], 1.0]); // 1: the bias
        y.push(class);
    }
    let x = Tensor::from_vec(x, &[N, D]);
    let y = Tensor::from_vec(y, &[N, 1]);

    // The Hessian from the tape at θ = (0.5, −0.5, 0.2), against the formula.
    let theta = Variable::named("θ", Tensor::from_vec(vec![0.5, -0.5, 0.2], &[D, 1]));
    let (_, _, hessian) = derivatives(&x, &y, &theta);
    let formula = hessian_formula(&x, &theta);
    let worst = (0..D * D)
        .map(|k| (hessian[k / D][k % D] - formula[k]).abs())
        .fold(0.0, f64::max);
    println!("Hessian from the tape at θ = (0.5, −0.5, 0.2):");
    for row in &hessian {
        println!("  [{:>9.6} {:>9.6} {:>9.6}]", row[0], row[1], row[2]);
    }
    println!("largest difference from Xᵀ·diag(p(1 − p))·X / n: {worst:.1e}\n");
    assert!(worst < 1e-12);

    // Newton's method from θ = 0.
    println!("Newton's method:");
    let theta = Variable::named("θ", Tensor::zeros(&[D, 1]));
    let mut newton_steps = 0;
    let mut norms = vec![];
    for step in 0..20 {
        let (loss, gradient, hessian) = derivatives(&x, &y, &theta);
        let norm = gradient.iter().map(|g| g * g).sum::<f64>().sqrt();
        println!("  step {step}  loss {loss:.12}  gradient norm {norm:.3e}");
        norms.push(norm);
        if norm < 1e-12 {
            newton_steps = step;
            break;
        }
        let delta = solve(hessian, gradient); // H·δ = ∇J
        theta.update(|mut t| t.iter_mut().zip(&delta).for_each(|(t, d)| *t -= d));
    }
    let newton_theta = theta.value().to_vec();

    // Gradient descent from θ = 0 at a good constant rate, until the gradient norm is as small.
    let theta = Variable::named("θ", Tensor::zeros(&[D, 1]));
    let variables = [theta.clone()];
    let mut optimizer = Sgd::new(4.0);
    let mut stopping = Stopping::new()
        .gradient_norm_below(1e-12)
        .max_iterations(100_000);
    let stop = (0..)
        .find_map(|iteration| {
            let tape = Tape::new();
            let logits = tape.watch(x.clone()).matmul(&tape.read(&theta));
            let loss = logits.binary_cross_entropy_with_logits(&tape.watch(y.clone()));
            let grads = tape.gradient(&loss, &variables);
            let stop = stopping.check(iteration, loss.item(), Some(gradient_norm(&grads)), None);
            optimizer.apply_gradients(&grads, &variables);
            stop
        })
        .expect("the iteration limit stops the loop");
    println!("\ngradient descent, rate 4: {stop}");
    let gd_theta = theta.value().to_vec();
    println!("θ by Newton:           {newton_theta:.9?}");
    println!("θ by gradient descent: {gd_theta:.9?}");

    assert!(stop.converged(), "{stop}");
    assert!(
        newton_steps > 0 && newton_steps <= 8,
        "Newton took {newton_steps} steps"
    );
    assert!(
        stop.iteration() > 20 * newton_steps,
        "gradient descent was not much slower"
    );
    let gap = newton_theta
        .iter()
        .zip(&gd_theta)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0, f64::max);
    assert!(gap < 1e-9, "the two methods disagree by {gap}");
}

/// The loss, its gradient and its Hessian at `theta`, all from one persistent tape.
fn derivatives(
    x: &Tensor<f64>,
    y: &Tensor<f64>,
    theta: &Variable<f64>,
) -> (f64, Vec<f64>, Vec<Vec<f64>>) {
    let tape = Tape::persistent();
    let t = tape.read(theta);
    let loss = tape
        .watch(x.clone())
        .matmul(&t)
        .binary_cross_entropy_with_logits(&tape.watch(y.clone()));
    let gradient = tape.gradient_vars(&loss, &[t]).remove(0); // a var: differentiable again
    let hessian = (0..D)
        .map(|i| {
            tape.gradient(&gradient.slice(0, i, i + 1).sum(&[], false), &[t])
                .remove(0)
                .to_vec()
        })
        .collect();
    (loss.item(), gradient.value().to_vec(), hessian)
}

/// Xᵀ·diag(p(1 − p))·X / n, row-major, with p = σ(X·θ).
fn hessian_formula(x: &Tensor<f64>, theta: &Variable<f64>) -> Vec<f64> {
    let (x, theta) = (x.to_vec(), theta.value().to_vec());
    let mut h = vec![0.0; D * D];
    for row in x.chunks(D) {
        let z: f64 = row.iter().zip(&theta).map(|(a, b)| a * b).sum();
        let p = 1.0 / (1.0 + (-z).exp());
        for j in 0..D {
            for k in 0..D {
                h[j * D + k] += p * (1.0 - p) * row[j] * row[k] / N as f64;
            }
        }
    }
    h
}

/// Solves H·δ = g by Gaussian elimination with partial pivoting (H is 3×3).
fn solve(mut h: Vec<Vec<f64>>, mut g: Vec<f64>) -> Vec<f64> {
    for col in 0..D {
        let pivot = (col..D)
            .max_by(|&a, &b| h[a][col].abs().total_cmp(&h[b][col].abs()))
            .expect("rows");
        h.swap(col, pivot);
        g.swap(col, pivot);
        for row in col + 1..D {
            let factor = h[row][col] / h[col][col];
            let pivot_row = h[col].clone();
            for (entry, above) in h[row][col..].iter_mut().zip(&pivot_row[col..]) {
                *entry -= factor * above;
            }
            g[row] -= factor * g[col];
        }
    }
    let mut delta = vec![0.0; D];
    for row in (0..D).rev() {
        let rest: f64 = (row + 1..D).map(|k| h[row][k] * delta[k]).sum();
        delta[row] = (g[row] - rest) / h[row][row];
    }
    delta
}
