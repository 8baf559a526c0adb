//! End to end: a 2-8-1 tanh/sigmoid MLP learns XOR by plain gradient descent written by hand.

use descent_autograd::{Tape, Tensor, Variable};
use descent_layers::{Dense, Module, Sequential, Sigmoid, Tanh};
use rand::{SeedableRng, rngs::StdRng};

#[test]
fn mlp_learns_xor_by_gradient_descent() {
    let mut rng = StdRng::seed_from_u64(42);
    let model = Sequential::new()
        .push(Dense::new(2, 8, &mut rng))
        .push(Tanh)
        .push(Dense::new(8, 1, &mut rng))
        .push(Sigmoid);
    let vars: Vec<Variable<f64>> = model.parameters();
    let x = Tensor::from_vec(vec![0.0, 0.0, 0.0, 1.0, 1.0, 0.0, 1.0, 1.0], &[4, 2]);
    let y = Tensor::from_vec(vec![0.0, 1.0, 1.0, 0.0], &[4, 1]);

    let mut losses = Vec::new();
    for _ in 0..STEPS {
        let tape = Tape::new();
        let loss = model
            .forward(&tape.watch(x.clone()))
            .mse(&tape.watch(y.clone()));
        let grads = tape.gradient(&loss, &vars);
        for (v, g) in vars.iter().zip(&grads) {
            v.update(|mut w| w.scaled_add(-LEARNING_RATE, &g.view())); // w -= lr · g
        }
        losses.push(loss.item());
    }

    let last = *losses.last().expect("trained");
    assert!(last < 0.01, "final loss {last}, first {}", losses[0]);
    let tape = Tape::new();
    let predictions = model.forward(&tape.watch(x)).value().to_vec();
    let rounded: Vec<f64> = predictions.iter().map(|p| p.round()).collect();
    assert_eq!(rounded, y.to_vec(), "predictions {predictions:?}");
}

const STEPS: usize = 2000;
const LEARNING_RATE: f64 = 2.0;
