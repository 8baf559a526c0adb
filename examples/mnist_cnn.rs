//! A convolutional network on MNIST (arch C of ../shared/bench/python/mnist_cnn.py), mini-batches
//! of 64, trained for 5 epochs; docs/cnn.md walks through it layer by layer.
//!
//! ```text
//! cargo run --release --example mnist_cnn -- --data DIR
//! ```
//!
//! DIR holds the four MNIST IDX files (plain or `.gz`); `--help` says where to get them.
//!
//! ```text
//! [64, 1, 28, 28] → conv 5×5, 1→16 → ReLU → max-pool 2 → [64, 16, 12, 12]
//!                 → conv 5×5, 16→32 → ReLU → max-pool 2 → [64, 32, 4, 4]
//!                 → flatten → [64, 512] → dense 512→10 → logits
//! ```
//!
//! Hyperparameters: the reference's SGD with momentum 0.9 and learning rate 0.05, halved after
//! every epoch (the reference keeps it constant, and reaches 99% in 3 epochs only with seed
//! luck). Weights are PyTorch's default initialisation drawn from seed 0; batches are reshuffled
//! every epoch from seed 42. Measured with this program (test accuracy after epoch 5): 99.18% at
//! seed 0 (98.08, 98.93, 99.02, 99.19% after epochs 1–4), in 90 s on 2 cores (152 s while
//! other jobs were compiling).

#[path = "cli/options.rs"]
mod options;

use descent::data::Images;
use descent::prelude::*;
use descent::rand::rngs::StdRng;
use ndarray::Ix2;
use std::time::Instant;

const BATCH: usize = 64;
const EPOCHS: usize = 5;
const TARGET_ACCURACY: f64 = 0.99;

const USAGE: &str = "\
A convolutional network on MNIST, 5 epochs; asserts 99% test accuracy.

usage: cargo run --release --example mnist_cnn -- --data DIR
";

fn main() {
    let usage = format!("{USAGE}\n{}", options::MNIST_DATA);
    let mnist = options::mnist(&options::parse(&usage, &["data"]), &usage);
    println!(
        "MNIST: {} training and {} test images",
        mnist.train.len(),
        mnist.test.len()
    );

    let mut rng = StdRng::seed_from_u64(0);
    let model = Sequential::new()
        .push(Conv2d::new(1, 16, [5, 5], &mut rng))
        .push(Relu)
        .push(MaxPool2d::new([2, 2]))
        .push(Conv2d::new(16, 32, [5, 5], &mut rng))
        .push(Relu)
        .push(MaxPool2d::new([2, 2]))
        .push(Flatten::default())
        .push(Dense::new(512, 10, &mut rng));
    let variables = model.parameters();
    let mut optimizer = Momentum::new(0.05, 0.9);
    let schedule = StepDecay {
        initial: 0.05,
        every: mnist.train.len() / BATCH,
        gamma: 0.5,
    };

    let mut batches = Batches::new(mnist.train.len(), BATCH)
        .shuffle(42)
        .drop_last(true);
    let mut x = Tensor::<f32>::zeros(&[BATCH, 784]);
    let mut labels = Tensor::full(&[BATCH], 0usize);
    let (started, mut accuracy) = (Instant::now(), 0.0);
    for epoch in 1..=EPOCHS {
        let (start, mut loss_sum, mut steps) = (Instant::now(), 0.0, 0);
        for rows in batches.epoch() {
            let mut x_view = x.view_mut().into_dimensionality::<Ix2>().expect("2-D");
            gather_rows(&mnist.train.pixels, rows, &mut x_view, |p| {
                f32::from(p) / 255.0
            });
            for (label, &row) in labels.view_mut().iter_mut().zip(rows) {
                *label = mnist.train.labels[row];
            }
            optimizer.set_learning_rate(schedule.rate(optimizer.steps()));

            let tape = Tape::new();
            let images = tape.watch(x.reshape(&[BATCH, 1, 28, 28]));
            let loss = model.forward(&images).cross_entropy(&labels);
            let grads = tape.gradient(&loss, &variables);
            optimizer.apply_gradients(&grads, &variables);

            loss_sum += f64::from(loss.item());
            steps += 1;
        }
        let seconds = start.elapsed().as_secs_f64();
        accuracy = evaluate(&model, &mnist.test);
        println!(
            "epoch {epoch}: loss {:.4}  test accuracy {:.2}%  {:.0} samples/s",
            loss_sum / steps as f64,
            100.0 * accuracy,
            (steps * BATCH) as f64 / seconds
        );
    }
    println!("trained in {:.0} s", started.elapsed().as_secs_f64());
    assert!(
        accuracy >= TARGET_ACCURACY,
        "test accuracy {accuracy:.4} is below {TARGET_ACCURACY}"
    );
}

/// Test accuracy, predicted without a tape in batches of 500 images.
fn evaluate(model: &Sequential<f32>, images: &Images) -> f64 {
    let rows: Vec<usize> = (0..images.len()).collect();
    let mut predicted = Vec::with_capacity(images.len());
    for chunk in rows.chunks(500) {
        let (x, _) = images.batch(chunk); // pixels as f32 in 0..1
        let x = x.reshape(&[chunk.len(), 1, 28, 28]);
        predicted.extend(metrics::argmax(model.predict(&x).array()));
    }
    metrics::accuracy(&images.labels, &predicted)
}
