//! Course, lesson 1: gradient descent, θ ← θ − α∇J(θ).
//!
//! First y = 2x + 1 with no noise: descent must find w = 2, b = 1 exactly (to 1e-9). Then the
//! tutorials' data, y = 4 + 3x + Gaussian noise (100 points, seeded): descent must arrive at
//! the least-squares answer of the normal equation θ = (XᵀX)⁻¹Xᵀy, which the noise has moved
//! away from (4, 3).
//!
//! Run it with `cargo run --release --example course_01_gradient_descent`.

use descent::prelude::*;
use descent::rand::rngs::StdRng;

fn main() {
    // Part 1: y = 2x + 1 on x = 0, 0.2, …, 1.8, exactly.
    let x = Tensor::<f64>::arange(0.0, 2.0, 0.2).reshape(&[10, 1]);
    let y = x.mul_scalar(2.0).add_scalar(1.0);
    println!("y = 2x + 1, 10 points, no noise, α = 0.1:");
    let (w, b) = descend(&x, &y, 0.1, 2000);
    println!("  found w = {w:.10}, b = {b:.10}\n");
    assert!(
        (w - 2.0).abs() < 1e-9 && (b - 1.0).abs() < 1e-9,
        "descent did not find y = 2x + 1: w = {w}, b = {b}"
    );

    // Part 2: y = 4 + 3x + N(0, 1), x uniform in [0, 2), 100 points.
    let mut rng = StdRng::seed_from_u64(42);
    let x = Tensor::<f64>::uniform(&[100, 1], 0.0, 2.0, &mut rng);
    let noise = Tensor::<f64>::normal(&[100, 1], 0.0, 1.0, &mut rng);
    let y = x.mul_scalar(3.0).add_scalar(4.0).add(&noise);
    println!("y = 4 + 3x + noise, 100 points, α = 0.1:");
    let (w, b) = descend(&x, &y, 0.1, 2000);
    let (b_exact, w_exact) = normal_equation(&x.to_vec(), &y.to_vec());
    println!("  gradient descent: θ0 = {b:.8}, θ1 = {w:.8}");
    println!("  normal equation:  θ0 = {b_exact:.8}, θ1 = {w_exact:.8}");
    println!("  the true line:    θ0 = 4,          θ1 = 3 (the noise moves the best fit)");
    let gap = (w - w_exact).abs().max((b - b_exact).abs());
    println!("  largest difference from the normal equation: {gap:.1e}");
    assert!(gap < 1e-8, "descent stopped {gap} from the normal equation");
    assert!((b_exact - 4.0).abs() < 0.5 && (w_exact - 3.0).abs() < 0.5);
}

/// Fits y ≈ w·x + b by `iterations` steps of batch gradient descent at rate `alpha`, the
/// update written by hand; prints the loss now and then, returns (w, b).
fn descend(x: &Tensor<f64>, y: &Tensor<f64>, alpha: f64, iterations: usize) -> (f64, f64) {
    let w = Variable::named("w", Tensor::zeros(&[1, 1]));
    let b = Variable::named("b", Tensor::zeros(&[1]));
    for iteration in 0..iterations {
        let tape = Tape::new();
        let prediction = tape
            .watch(x.clone())
            .matmul(&tape.read(&w))
            .add(&tape.read(&b));
        let loss = prediction.mse(&tape.watch(y.clone())); // J(θ) = mean((ŷ − y)²)
        if iteration == 0 || iteration.is_power_of_two() || iteration == iterations - 1 {
            println!(
                "  iteration {iteration:4}  w {:.6}  b {:.6}  loss {:.10}",
                w.value().item(),
                b.value().item(),
                loss.item()
            );
        }
        let grads = tape.gradient(&loss, &[&w, &b]); // ∇J(θ)
        for (theta, grad) in [&w, &b].into_iter().zip(&grads) {
            theta.update(|mut value| value.scaled_add(-alpha, &grad.view())); // θ ← θ − α∇J(θ)
        }
    }
    (w.value().item(), b.value().item())
}

/// The normal equation θ = (XᵀX)⁻¹Xᵀy for X = [1, x], solved as a 2×2 system; returns (θ0, θ1).
fn normal_equation(x: &[f64], y: &[f64]) -> (f64, f64) {
    let n = x.len() as f64;
    let (sx, sy) = (x.iter().sum::<f64>(), y.iter().sum::<f64>());
    let sxx: f64 = x.iter().map(|x| x * x).sum();
    let sxy: f64 = x.iter().zip(y).map(|(x, y)| x * y).sum();
    // XᵀX = [[n, sx], [sx, sxx]], Xᵀy = [sy, sxy]; Cramer's rule.
    let det = n * sxx - sx * sx;
    ((sxx * sy - sx * sxy) / det, (n * sxy - sx * sy) / det)
}
