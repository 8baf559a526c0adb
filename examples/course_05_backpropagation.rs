//! Course, lesson 5: back-propagation by hand.
//!
//! A two-layer network on 100 digit images, in f64:
//!
//! ```text
//! a = x·W1 + b1     h = tanh(a)     z = h·W2 + b2     J = mean over rows of (logsumexp(z) − z[label])
//! ```
//!
//! Its gradients written out with the chain rule, from the loss back to the first layer:
//!
//! ```text
//! dz  = (softmax(z) − onehot(label)) / n      ∂J/∂z
//! dW2 = hᵀ·dz          db2 = Σ_rows dz
//! dh  = dz·W2ᵀ
//! da  = dh ⊙ (1 − h²)                          tanh' = 1 − tanh²
//! dW1 = xᵀ·da          db1 = Σ_rows da
//! ```
//!
//! computed below in plain Rust loops over `ndarray` arrays (no tape), and asserted equal to
//! the gradients the tape finds for the same network, to 1e-12. Then ten steps of gradient
//! descent with the hand-written gradients, to show they train.
//!
//! Run it with `cargo run --release --example course_05_backpropagation`.

use descent::data::digits;
use descent::prelude::*;
use descent::rand::rngs::StdRng;
use ndarray::{Array1, Array2, Axis, Ix1, Ix2};

const N: usize = 100;
const HIDDEN: usize = 16;

fn main() {
    let data = digits().subset(&(0..N).collect::<Vec<_>>());
    let x: Array2<f64> = data.inputs.mapv(|p| p / 16.0);
    let labels = data.labels.clone();

    let mut rng = StdRng::seed_from_u64(0);
    let model = Sequential::<f64>::new()
        .push(Dense::new(64, HIDDEN, &mut rng))
        .push(Tanh)
        .push(Dense::new(HIDDEN, 10, &mut rng));
    let variables = model.parameters();

    // The tape's gradients.
    let tape = Tape::new();
    let logits = model.forward(&tape.watch(Tensor::from(x.clone().into_dyn())));
    let loss = logits.cross_entropy(&Tensor::from_vec(labels.clone(), &[N]));
    let taped = tape.gradient(&loss, &variables);

    // The same gradients by hand.
    let params = Params::read(&variables);
    let (hand_loss, by_hand) = params.backprop(&x, &labels);
    println!("loss: tape {:.15}, by hand {hand_loss:.15}", loss.item());

    println!(
        "\n{:<8} {:>10} {:>14} {:>24}",
        "gradient", "shape", "norm", "largest |tape − hand|"
    );
    let names = ["dW1", "db1", "dW2", "db2"];
    let mut worst: f64 = 0.0;
    for ((name, tape_grad), hand_grad) in names.iter().zip(&taped).zip(&by_hand) {
        let difference = tape_grad
            .to_vec()
            .iter()
            .zip(hand_grad)
            .map(|(t, h)| (t - h).abs())
            .fold(0.0, f64::max);
        let norm = hand_grad.iter().map(|g| g * g).sum::<f64>().sqrt();
        println!(
            "{name:<8} {:>10} {norm:>14.6} {difference:>24.2e}",
            format!("{:?}", tape_grad.shape())
        );
        worst = worst.max(difference);
    }
    assert!((loss.item() - hand_loss).abs() < 1e-12, "the losses differ");
    assert!(
        worst < 1e-12,
        "hand-written and taped gradients differ by {worst}"
    );

    // Ten steps of gradient descent with the hand-written gradients: θ ← θ − α·∂J/∂θ.
    println!("\ngradient descent with the hand-written gradients, α = 0.5:");
    let mut params = params;
    let mut losses = vec![];
    for step in 0..=10 {
        let (loss, grads) = params.backprop(&x, &labels);
        losses.push(loss);
        println!("  step {step:2}  loss {loss:.6}");
        params.descend(&grads, 0.5);
    }
    assert!(
        losses[10] < 0.8 * losses[0],
        "the hand-written gradients did not train: {losses:?}"
    );
}

/// The network's parameters as plain arrays: W1 [64, 16], b1 [16], W2 [16, 10], b2 [10].
struct Params {
    w1: Array2<f64>,
    b1: Array1<f64>,
    w2: Array2<f64>,
    b2: Array1<f64>,
}

impl Params {
    fn read(variables: &[Variable<f64>]) -> Params {
        let matrix =
            |v: &Variable<f64>| v.value().into_array().into_dimensionality::<Ix2>().unwrap();
        let vector =
            |v: &Variable<f64>| v.value().into_array().into_dimensionality::<Ix1>().unwrap();
        Params {
            w1: matrix(&variables[0]),
            b1: vector(&variables[1]),
            w2: matrix(&variables[2]),
            b2: vector(&variables[3]),
        }
    }

    /// The forward pass and the chain rule backwards; returns the loss and the gradients of
    /// W1, b1, W2, b2, each flattened in row-major order.
    fn backprop(&self, x: &Array2<f64>, labels: &[usize]) -> (f64, [Vec<f64>; 4]) {
        let n = x.nrows() as f64;
        // Forward.
        let a = x.dot(&self.w1) + &self.b1;
        let h = a.mapv(f64::tanh);
        let z = h.dot(&self.w2) + &self.b2;
        // Softmax row by row (shifted by the row's maximum, so exp cannot overflow) and the loss.
        let mut p = z.clone();
        let mut loss = 0.0;
        for (mut row, &label) in p.rows_mut().into_iter().zip(labels) {
            let max = row.fold(f64::NEG_INFINITY, |m, &v| m.max(v));
            let log_sum = row.iter().map(|v| (v - max).exp()).sum::<f64>().ln() + max;
            loss += log_sum - row[label];
            row.mapv_inplace(|v| (v - log_sum).exp());
        }
        let loss = loss / n;
        // Backward: dz = (softmax(z) − onehot) / n.
        let mut dz = p;
        for (mut row, &label) in dz.rows_mut().into_iter().zip(labels) {
            row[label] -= 1.0;
        }
        dz /= n;
        let dw2 = h.t().dot(&dz);
        let db2 = dz.sum_axis(Axis(0));
        let dh = dz.dot(&self.w2.t());
        let da = dh * h.mapv(|h| 1.0 - h * h);
        let dw1 = x.t().dot(&da);
        let db1 = da.sum_axis(Axis(0));
        let flat = |a: ndarray::ArrayViewD<f64>| a.iter().copied().collect::<Vec<_>>();
        let grads = [
            flat(dw1.view().into_dyn()),
            flat(db1.view().into_dyn()),
            flat(dw2.view().into_dyn()),
            flat(db2.view().into_dyn()),
        ];
        (loss, grads)
    }

    /// θ ← θ − α·∂J/∂θ for each of the four parameters.
    fn descend(&mut self, grads: &[Vec<f64>; 4], alpha: f64) {
        let step = |theta: &mut dyn Iterator<Item = &mut f64>, grad: &[f64]| {
            theta.zip(grad).for_each(|(t, g)| *t -= alpha * g);
        };
        step(&mut self.w1.iter_mut(), &grads[0]);
        step(&mut self.b1.iter_mut(), &grads[1]);
        step(&mut self.w2.iter_mut(), &grads[2]);
        step(&mut self.b2.iter_mut(), &grads[3]);
    }
}
