//! Course, lesson 12: from TensorFlow's `GradientTape` to descent. The same linear regression,
//! y = 4 + 3x + noise, written as the TensorFlow training step reads, call for call:
//!
//! ```text
//! TensorFlow                                  descent
//! w = tf.Variable(0.0)                        let w = Variable::named("w", Tensor::zeros(&[1, 1]));
//! opt = keras.optimizers.SGD(0.1)             let mut opt = Sgd::new(0.1);
//! with tf.GradientTape() as tape:             let tape = Tape::new();
//!     y_hat = x @ w + b                           let y_hat = tape.watch(x).matmul(&tape.read(&w)).add(&tape.read(&b));
//!     loss = reduce_mean(square(y_hat - y))       let loss = y_hat.sub(&y).square().mean(&[], false);
//! grads = tape.gradient(loss, [w, b])         let grads = tape.gradient(&loss, &[&w, &b]);
//! opt.apply_gradients(zip(grads, [w, b]))     opt.apply_gradients(&grads, &[w.clone(), b.clone()]);
//! ```
//!
//! The optimizer's step must be exactly the update of lesson 1, θ ← θ − α∇J(θ), written by
//! hand: the example runs both and asserts that they agree to the last bit.
//!
//! Run it with `cargo run --release --example course_12_from_tensorflow`.

use descent::prelude::*;
use descent::rand::rngs::StdRng;

fn main() {
    let mut rng = StdRng::seed_from_u64(42);
    let x = Tensor::<f64>::uniform(&[100, 1], 0.0, 2.0, &mut rng);
    let noise = Tensor::<f64>::normal(&[100, 1], 0.0, 1.0, &mut rng);
    let y = x.mul_scalar(3.0).add_scalar(4.0).add(&noise);

    // The TensorFlow step, call for call.
    let w = Variable::named("w", Tensor::zeros(&[1, 1])); // tf.Variable
    let b = Variable::named("b", Tensor::zeros(&[1]));
    let mut opt = Sgd::new(0.1); // keras.optimizers.SGD(learning_rate=0.1)
    // The same model, updated by hand.
    let w_hand = Variable::named("w", Tensor::zeros(&[1, 1]));
    let b_hand = Variable::named("b", Tensor::zeros(&[1]));

    for step in 0..500 {
        let tape = Tape::new(); // with tf.GradientTape() as tape:
        let y_hat = tape
            .watch(x.clone())
            .matmul(&tape.read(&w))
            .add(&tape.read(&b)); // x @ w + b
        let loss = y_hat.sub(&tape.watch(y.clone())).square().mean(&[], false); // reduce_mean(square(y_hat - y))
        let grads = tape.gradient(&loss, &[&w, &b]); // tape.gradient(loss, [w, b])
        opt.apply_gradients(&grads, &[w.clone(), b.clone()]); // opt.apply_gradients(zip(grads, [w, b]))

        let tape = Tape::new();
        let y_hat = tape
            .watch(x.clone())
            .matmul(&tape.read(&w_hand))
            .add(&tape.read(&b_hand));
        let loss_hand = y_hat.mse(&tape.watch(y.clone())); // the fused MSE: the same number
        let grads = tape.gradient(&loss_hand, &[&w_hand, &b_hand]);
        for (theta, grad) in [&w_hand, &b_hand].into_iter().zip(&grads) {
            theta.update(|mut value| value.scaled_add(-0.1, &grad.view())); // θ ← θ − α∇J(θ)
        }

        if step % 100 == 0 {
            println!(
                "step {step:3}  loss {:.6} (by hand {:.6})",
                loss.item(),
                loss_hand.item()
            );
        }
        assert_eq!(
            loss.item(),
            loss_hand.item(),
            "step {step}: the losses differ"
        );
    }
    let (w, b) = (w.value().item(), b.value().item());
    let (w_hand, b_hand) = (w_hand.value().item(), b_hand.value().item());
    println!("optimizer: w = {w:.6}, b = {b:.6}");
    println!("by hand:   w = {w_hand:.6}, b = {b_hand:.6}");
    assert_eq!(
        (w.to_bits(), b.to_bits()),
        (w_hand.to_bits(), b_hand.to_bits())
    );
    // The least-squares answer for these data (lesson 1): θ0 = 3.7451, θ1 = 3.2321.
    assert!((b - 3.7451).abs() < 1e-3 && (w - 3.2321).abs() < 1e-3);

    // The Keras way: a layer owns w and b, `model.trainable_variables` is `parameters()`,
    // `model.predict(x)` needs no tape.
    let model = Dense::from_tensors(Tensor::zeros(&[1, 1]), Some(Tensor::zeros(&[1]))); // Dense(1)
    let variables = model.parameters(); // model.trainable_variables
    let mut opt = Sgd::new(0.1);
    for _ in 0..500 {
        let tape = Tape::new();
        let loss = model
            .forward(&tape.watch(x.clone()))
            .mse(&tape.watch(y.clone()));
        opt.apply_gradients(&tape.gradient(&loss, &variables), &variables);
    }
    let (w_layer, b_layer) = (variables[0].value().item(), variables[1].value().item());
    println!("a Dense layer: w = {w_layer:.6}, b = {b_layer:.6}");
    let predicted = model.predict(&x).to_vec(); // model.predict(x)
    let by_formula = x.mul_scalar(w_layer).add_scalar(b_layer).to_vec();
    let worst = predicted
        .iter()
        .zip(&by_formula)
        .map(|(p, f)| (p - f).abs())
        .fold(0.0, f64::max);
    assert!((w_layer - w).abs() < 1e-12 && (b_layer - b).abs() < 1e-12);
    assert!(worst < 1e-12, "predict differs from x·w + b by {worst}");
}
