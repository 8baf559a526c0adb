//! The classic first gradient-descent program: fit y = 2x + 1 to 100 noisy points.
//!
//! The update θ ← θ − α∇J(θ) is written by hand, so every step of the algorithm is visible:
//! a tape records the forward pass, `tape.gradient` applies the chain rule, and the two
//! parameters move against their gradients.
//!
//! Run it with `cargo run --release --example linear_regression`.

use descent::prelude::*;
use descent::rand::{SeedableRng, rngs::StdRng};

fn main() {
    // Data: x uniform in [0, 2), y = 2x + 1 + noise with standard deviation 0.1.
    let mut rng = StdRng::seed_from_u64(42);
    let x = Tensor::<f64>::uniform(&[100, 1], 0.0, 2.0, &mut rng);
    let noise = Tensor::<f64>::normal(&[100, 1], 0.0, 0.1, &mut rng);
    let y = x.mul_scalar(2.0).add_scalar(1.0).add(&noise);

    // Parameters θ = (w, b), starting at zero.
    let w = Variable::named("w", Tensor::zeros(&[1, 1]));
    let b = Variable::named("b", Tensor::zeros(&[1]));
    let learning_rate = 0.1;

    for iteration in 0..=1000 {
        let tape = Tape::new();
        let prediction = tape
            .watch(x.clone())
            .matmul(&tape.read(&w))
            .add(&tape.read(&b));
        let loss = prediction.mse(&tape.watch(y.clone())); // J(θ) = mean((ŷ − y)²)
        let grads = tape.gradient(&loss, &[&w, &b]); // ∇J(θ)
        for (theta, grad) in [&w, &b].into_iter().zip(&grads) {
            theta.update(|mut value| value.scaled_add(-learning_rate, &grad.view())); // θ ← θ − α∇J(θ)
        }
        if iteration % 100 == 0 {
            println!("iteration {iteration:4}  loss {:.6}", loss.item());
        }
    }

    let (w, b) = (w.value().item(), b.value().item());
    println!("fitted y = {w:.4}x + {b:.4}  (true: y = 2x + 1)");
    assert!(
        (w - 2.0).abs() < 0.05 && (b - 1.0).abs() < 0.05,
        "the fit did not converge"
    );
}
