//! Tensors and variables cross threads; tapes stay on the thread that records them. Two models
//! trained at once on two threads, each with its own tapes, end bit-identical to the same models
//! trained alone.

use descent_autograd::{Float, Tape, Tensor, Variable};
use std::sync::Barrier;

const fn assert_send_sync<T: Send + Sync>() {}

// Compile-time: these lines fail to build if any of the four types loses Send or Sync.
const _: () = assert_send_sync::<Tensor<f32>>();
const _: () = assert_send_sync::<Tensor<f64>>();
const _: () = assert_send_sync::<Variable<f32>>();
const _: () = assert_send_sync::<Variable<f64>>();

#[test]
fn tensors_and_variables_are_send_and_sync() {
    assert_send_sync::<Tensor<f32>>();
    assert_send_sync::<Tensor<f64>>();
    assert_send_sync::<Variable<f32>>();
    assert_send_sync::<Variable<f64>>();
}

/// A linear model `y = x·w + b` with its own variables.
struct Linear<F: Float> {
    w: Variable<F>,
    b: Variable<F>,
}

impl<F: Float> Linear<F> {
    fn new() -> Self {
        Linear {
            w: Variable::named("w", Tensor::zeros(&[1, 1])),
            b: Variable::named("b", Tensor::zeros(&[1])),
        }
    }

    fn weights(&self) -> (Vec<F>, Vec<F>) {
        (self.w.value().to_vec(), self.b.value().to_vec())
    }
}

/// Fits `y = 2x + 1` on 32 points in [-1, 1] by gradient descent on the mean squared error, one
/// fresh tape per step, `steps` times at learning rate `lr`. `start` (if given) is waited on
/// before the first step, so that two threads really train at the same time.
fn train<F: Float>(model: &Linear<F>, lr: f64, steps: usize, start: Option<&Barrier>) {
    let x = Tensor::linspace(-F::one(), F::one(), 32).reshape(&[32, 1]);
    let y = x.mul_scalar(F::cast(2.0)).add_scalar(F::one());
    if let Some(barrier) = start {
        barrier.wait();
    }
    for _ in 0..steps {
        let tape = Tape::new();
        let (xv, yv) = (tape.watch(x.clone()), tape.watch(y.clone()));
        let prediction = xv.linear(&tape.read(&model.w), &tape.read(&model.b));
        let loss = prediction.mse(&yv);
        let grads = tape.gradient(&loss, &[&model.w, &model.b]);
        for (variable, grad) in [&model.w, &model.b].into_iter().zip(&grads) {
            variable.update(|mut value| value.scaled_add(-F::cast(lr), &grad.view()));
        }
    }
}

fn bits<F: Float>(values: &[F]) -> Vec<u64> {
    values.iter().map(|v| v.as_f64().to_bits()).collect()
}

fn concurrent_training_matches_training_alone<F: Float>(steps: usize) {
    let (lr_a, lr_b) = (0.1, 0.05);
    let alone_a = Linear::<F>::new();
    train(&alone_a, lr_a, steps, None);
    let alone_b = Linear::<F>::new();
    train(&alone_b, lr_b, steps, None);

    // Variables are created here and moved to (and read back from) the worker threads.
    let (a, b) = (Linear::<F>::new(), Linear::<F>::new());
    let barrier = Barrier::new(2);
    std::thread::scope(|scope| {
        let (a, b, barrier) = (&a, &b, &barrier);
        let ta = scope.spawn(move || train(a, lr_a, steps, Some(barrier)));
        let tb = scope.spawn(move || train(b, lr_b, steps, Some(barrier)));
        ta.join().expect("thread a");
        tb.join().expect("thread b");
    });

    for (together, alone) in [(&a, &alone_a), (&b, &alone_b)] {
        let ((w, bias), (w_alone, bias_alone)) = (together.weights(), alone.weights());
        assert_eq!(bits(&w), bits(&w_alone), "w: {w:?} vs {w_alone:?}");
        assert_eq!(
            bits(&bias),
            bits(&bias_alone),
            "b: {bias:?} vs {bias_alone:?}"
        );
        // And they did learn y = 2x + 1.
        assert!((w[0].as_f64() - 2.0).abs() < 1e-3, "w = {w:?}");
        assert!((bias[0].as_f64() - 1.0).abs() < 1e-3, "b = {bias:?}");
    }
}

#[test]
fn two_threads_train_f64_models_bit_identically() {
    concurrent_training_matches_training_alone::<f64>(400);
}

#[test]
fn two_threads_train_f32_models_bit_identically() {
    concurrent_training_matches_training_alone::<f32>(400);
}

#[test]
fn a_variable_updated_on_one_thread_is_read_on_another() {
    let w = Variable::new(Tensor::<f32>::ones(&[4]));
    let alias = w.clone();
    std::thread::spawn(move || alias.update(|mut v| v *= 3.0))
        .join()
        .expect("updating thread");
    assert_eq!(w.value().to_vec(), vec![3.0; 4]);
}
