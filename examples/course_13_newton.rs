//! Course, lesson 13: second order. Newton's method, θ ← θ − H⁻¹∇J(θ), with the Hessian H
//! taken from the tape, against gradient descent.
//!
//! The problem is logistic regression on 200 points of two overlapping classes in the plane
//! (seeded), θ = (w1, w2, b), J the mean binary cross-entropy. Its Hessian is
//! Xᵀ·diag(p(1 − p))·X / n. descent's higher-order helpers find it without that formula:
//! `functional::hessian` records the gradient as vars (`Tape::gradient_vars`) and
//! differentiates each of its components again, one Hessian row each; `functional::hvp`
//! gives a Hessian-vector product H·v without forming H.
//!
//! Newton's method uses the curvature and converges quadratically (the number of correct
//! digits doubles per step near the minimum); gradient descent converges linearly, at a rate
//! set by the Hessian's condition number. The plot, target/plots/course_13_newton.svg, shows
//! both gradient norms against the step.
//!
//! Run it with `cargo run --release --example course_13_newton`.

#[path = "course/plot.rs"]
mod plot;

use descent::autograd::functional;
use descent::prelude::*;
use descent::rand::rngs::StdRng;
use plot::{Axis, Chart, Line};

const N: usize = 200;
const D: usize = 3;

fn main() -> Result<(), String> {
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

    // The Hessian from the tape at θ = (0.5, −0.5, 0.2), against the formula; and H·v.
    let theta = Tensor::from_vec(vec![0.5, -0.5, 0.2], &[D, 1]);
    let hessian = functional::hessian(|t| cross_entropy(t, &x, &y), &theta).reshape(&[D, D]); // [3, 1, 3, 1] → [3, 3]
    let formula = hessian_formula(&x, &theta);
    let worst = largest_difference(&hessian.to_vec(), &formula);
    println!("Hessian from functional::hessian at θ = (0.5, −0.5, 0.2):");
    for row in hessian.to_vec().chunks(D) {
        println!("  [{:>9.6} {:>9.6} {:>9.6}]", row[0], row[1], row[2]);
    }
    println!("largest difference from Xᵀ·diag(p(1 − p))·X / n: {worst:.1e}");
    let v = Tensor::from_vec(vec![1.0, 2.0, -1.0], &[D, 1]);
    let (_, hv) = functional::hvp(|t| cross_entropy(t, &x, &y), &theta, &v);
    let hv_gap = largest_difference(&hv.to_vec(), &hessian.matmul(&v).to_vec());
    println!("functional::hvp against H·v: {hv_gap:.1e}\n");
    assert!(worst < 1e-12 && hv_gap < 1e-12);

    // Newton's method from θ = 0: the gradient from a tape, the Hessian from the helper.
    println!("Newton's method:");
    let mut theta = Tensor::zeros(&[D, 1]);
    let mut newton = vec![]; // the gradient norm before each step
    for step in 0..20 {
        let tape = Tape::new();
        let t = tape.watch(theta.clone());
        let value = cross_entropy(&t, &x, &y);
        let gradient = tape.gradient(&value, &[t]).remove(0).to_vec();
        let norm = gradient.iter().map(|g| g * g).sum::<f64>().sqrt();
        println!(
            "  step {step}  loss {:.12}  gradient norm {norm:.3e}",
            value.item()
        );
        newton.push(norm);
        if norm < 1e-12 {
            break;
        }
        let hessian = functional::hessian(|t| cross_entropy(t, &x, &y), &theta).to_vec();
        let delta = solve(hessian.chunks(D).map(<[f64]>::to_vec).collect(), gradient); // H·δ = ∇J
        theta = theta.sub(&Tensor::from_vec(delta, &[D, 1]));
    }
    let newton_theta = theta.to_vec();
    let newton_steps = newton.len() - 1;

    // Gradient descent from θ = 0 at a good constant rate, until the gradient norm is as small.
    let theta = Variable::named("θ", Tensor::zeros(&[D, 1]));
    let variables = [theta.clone()];
    let mut optimizer = Sgd::new(4.0);
    let mut stopping = Stopping::new()
        .gradient_norm_below(1e-12)
        .max_iterations(100_000);
    let mut descent = vec![];
    let stop = (0..)
        .find_map(|iteration| {
            let tape = Tape::new();
            let value = cross_entropy(&tape.read(&theta), &x, &y);
            let grads = tape.gradient(&value, &variables);
            descent.push(gradient_norm(&grads));
            let stop = stopping.check(iteration, value.item(), descent.last().copied(), None);
            optimizer.apply_gradients(&grads, &variables);
            stop
        })
        .expect("the iteration limit stops the loop");
    println!("\ngradient descent, rate 4: {stop}");
    let gd_theta = theta.value().to_vec();
    println!("θ by Newton:           {newton_theta:.9?}");
    println!("θ by gradient descent: {gd_theta:.9?}");

    let path = "target/plots/course_13_newton.svg";
    let steps = |norms: &[f64]| {
        norms
            .iter()
            .enumerate()
            .map(|(i, &n)| (i as f64, n))
            .collect()
    };
    plot::save(
        path,
        &[Chart {
            title: "Gradient norm: Newton against gradient descent",
            x: Axis::linear("step"),
            y: Axis::log("gradient norm"),
            lines: vec![
                Line::new("Newton", steps(&newton)).marked(),
                Line::new("gradient descent, rate 4", steps(&descent)),
            ],
        }],
    )?;
    println!("plot: {path}");

    assert!(stop.converged(), "{stop}");
    assert!(
        newton_steps > 0 && newton_steps <= 8,
        "Newton took {newton_steps} steps"
    );
    // Quadratic convergence: near the minimum each gradient norm is below a constant times the
    // square of the one before (here the constant is about 14).
    for pair in newton.windows(2).filter(|pair| pair[0] < 1e-2) {
        assert!(
            pair[1] < 50.0 * pair[0] * pair[0],
            "not quadratic: {pair:?}"
        );
    }
    assert!(
        stop.iteration() > 20 * newton_steps,
        "gradient descent was not much slower"
    );
    let gap = largest_difference(&newton_theta, &gd_theta);
    assert!(gap < 1e-9, "the two methods disagree by {gap}");
    Ok(())
}

/// J(θ) = mean binary cross-entropy of σ(x·θ) against `y`, on `theta`'s tape.
fn cross_entropy<'t>(theta: &Var<'t, f64>, x: &Tensor<f64>, y: &Tensor<f64>) -> Var<'t, f64> {
    let tape = theta.tape();
    let logits = tape.watch(x.clone()).matmul(theta);
    logits.binary_cross_entropy_with_logits(&tape.watch(y.clone()))
}

/// Xᵀ·diag(p(1 − p))·X / n, row-major, with p = σ(X·θ).
fn hessian_formula(x: &Tensor<f64>, theta: &Tensor<f64>) -> Vec<f64> {
    let (x, theta) = (x.to_vec(), theta.to_vec());
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

fn largest_difference(a: &[f64], b: &[f64]) -> f64 {
    a.iter()
        .zip(b)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0, f64::max)
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
