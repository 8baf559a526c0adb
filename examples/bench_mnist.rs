//! Training throughput on MNIST, with the settings of the reference programs in ../shared/bench:
//! arch A = 784-128-10 (batch 64, SGD lr 0.1), arch B = 784-512-512-10 (batch 128, lr 0.05),
//! ReLU, mean softmax cross-entropy, momentum 0.9, reshuffled every epoch, last partial batch
//! dropped. Prints one JSON line.
//!
//! ```text
//! cargo run --release --example bench_mnist -- --arch A --epochs 3 [--data DIR]
//! ```
//!
//! `samples_per_s_epoch2` is the headline (epoch 1 includes warm-up). `gemm_ceiling_samples_per_s`
//! is what the matrix products alone would allow: the same products (forward, weight gradients,
//! input gradients of the hidden layers) timed through descent's matmul in this process.

use descent::prelude::*;
use ndarray::Ix2;
use rand::{SeedableRng, rngs::StdRng};
use std::time::Instant;

fn main() {
    let arch = arg("--arch").unwrap_or_else(|| "A".into());
    let epochs: usize = arg("--epochs").map_or(3, |e| e.parse().expect("--epochs N"));
    let dir = arg("--data").unwrap_or_else(|| "../shared/data/mnist".into());
    let (sizes, batch, lr): (&[usize], usize, f64) = match arch.as_str() {
        "A" => (&[784, 128, 10], 64, 0.1),
        "B" => (&[784, 512, 512, 10], 128, 0.05),
        other => panic!("--arch must be A or B, not {other}"),
    };
    let mnist = Mnist::load(&dir).unwrap_or_else(|e| panic!("{e}"));
    let rss_before_train = peak_rss_kib();

    let mut rng = StdRng::seed_from_u64(0);
    let mut model = Sequential::new();
    for (i, pair) in sizes.windows(2).enumerate() {
        model = model.push(Dense::new(pair[0], pair[1], &mut rng));
        if i + 2 < sizes.len() {
            model = model.push(Relu);
        }
    }
    let variables: Vec<Variable<f32>> = model.variables().into_iter().map(|(_, v)| v).collect();
    let mut optimizer = Momentum::new(lr, 0.9);

    let mut batches = Batches::new(mnist.train.len(), batch)
        .shuffle(42)
        .drop_last(true);
    let mut x = Tensor::<f32>::zeros(&[batch, 784]);
    let mut labels = Tensor::full(&[batch], 0usize);
    let (mut per_epoch, mut accuracy, mut loss_last) = (Vec::new(), 0.0, 0.0);
    for _ in 0..epochs {
        let (start, mut samples) = (Instant::now(), 0);
        for rows in batches.epoch() {
            let mut x_view = x.view_mut().into_dimensionality::<Ix2>().expect("2-D");
            gather_rows(&mnist.train.pixels, rows, &mut x_view, |p| {
                f32::from(p) / 255.0
            });
            for (label, &row) in labels.view_mut().iter_mut().zip(rows) {
                *label = mnist.train.labels[row];
            }
            let tape = Tape::new();
            let loss = model.forward(&tape.watch(x.clone())).cross_entropy(&labels);
            let grads = tape.gradient(&loss, &variables);
            optimizer.apply_gradients(&grads, &variables);
            loss_last = loss.item();
            samples += rows.len();
        }
        per_epoch.push(samples as f64 / start.elapsed().as_secs_f64());
        accuracy = test_accuracy(&model, &mnist.test);
    }

    let products = products(sizes, batch);
    let flops_per_sample = products
        .iter()
        .map(|&(m, k, n, ..)| 2.0 * (m * k * n) as f64)
        .sum::<f64>()
        / batch as f64;
    let gemm_seconds_per_step: f64 = products.iter().map(|&p| time_product(p)).sum();
    let headline = per_epoch[1.min(per_epoch.len() - 1)];
    println!(
        "{{\"framework\":\"descent\",\"arch\":\"{arch}\",\"batch\":{batch},\"epochs\":{epochs},\
         \"samples_per_s_epoch2\":{headline:.0},\"samples_per_s_per_epoch\":{per_epoch:?},\
         \"gflops_achieved\":{:.2},\"gemm_ceiling_samples_per_s\":{:.0},\"mflop_per_sample\":{:.3},\
         \"peak_rss_kib\":{},\"peak_rss_before_train_kib\":{rss_before_train},\
         \"test_accuracy\":{accuracy:.4},\"final_loss\":{loss_last:.4},\"rayon_threads\":\"{}\"}}",
        headline * flops_per_sample / 1e9,
        batch as f64 / gemm_seconds_per_step,
        flops_per_sample / 1e6,
        peak_rss_kib(),
        std::env::var("RAYON_NUM_THREADS").unwrap_or_else(|_| "default".into()),
    );
}

/// The products of one training step as (m, k, n, transpose a, transpose b): per layer the
/// forward `x·W`, the weight gradient `xᵀ·G`, and (except for the first layer, whose input needs
/// no gradient) the input gradient `G·Wᵀ`.
fn products(sizes: &[usize], batch: usize) -> Vec<(usize, usize, usize, bool, bool)> {
    let mut products = Vec::new();
    for (i, pair) in sizes.windows(2).enumerate() {
        let (fan_in, fan_out) = (pair[0], pair[1]);
        products.push((batch, fan_in, fan_out, false, false));
        products.push((fan_in, batch, fan_out, true, false));
        if i > 0 {
            products.push((batch, fan_out, fan_in, false, true));
        }
    }
    products
}

/// Median seconds of one product through descent's matmul, transposed operands as views.
fn time_product((m, k, n, transpose_a, transpose_b): (usize, usize, usize, bool, bool)) -> f64 {
    let mut rng = StdRng::seed_from_u64(1);
    let operand = |rows, cols, transpose: bool, rng: &mut StdRng| match transpose {
        true => Tensor::<f32>::uniform(&[cols, rows], -1.0, 1.0, rng).transpose(),
        false => Tensor::<f32>::uniform(&[rows, cols], -1.0, 1.0, rng),
    };
    let a = operand(m, k, transpose_a, &mut rng);
    let b = operand(k, n, transpose_b, &mut rng);
    let mut samples: Vec<f64> = (0..7)
        .map(|_| {
            let (start, mut count) = (Instant::now(), 0);
            while start.elapsed().as_secs_f64() < 0.05 {
                std::hint::black_box(a.matmul(&b));
                count += 1;
            }
            start.elapsed().as_secs_f64() / f64::from(count)
        })
        .collect();
    samples.sort_by(f64::total_cmp);
    samples[3]
}

fn test_accuracy(model: &Sequential<f32>, images: &descent::data::Images) -> f64 {
    let rows: Vec<usize> = (0..images.len()).collect();
    let mut predicted = Vec::with_capacity(images.len());
    for chunk in rows.chunks(1000) {
        let mut x = ndarray::Array2::<f32>::zeros((chunk.len(), 784));
        gather_rows(&images.pixels, chunk, &mut x, |p| f32::from(p) / 255.0);
        let tape = Tape::new();
        let logits = model.forward(&tape.watch(Tensor::from(x))).value();
        predicted.extend(metrics::argmax(
            &logits.view().into_dimensionality::<Ix2>().expect("2-D"),
        ));
    }
    metrics::accuracy(&images.labels, &predicted)
}

/// The process's peak resident set (VmHWM), in KiB; 0 where /proc is unavailable.
fn peak_rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let line = status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .unwrap_or("VmHWM: 0 kB");
    line.split_whitespace()
        .nth(1)
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

fn arg(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}
