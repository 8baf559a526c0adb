//! Training throughput on MNIST, with the settings of the reference programs in ../shared/bench:
//! arch A = 784-128-10 (batch 64, SGD lr 0.1), arch B = 784-512-512-10 (batch 128, lr 0.05),
//! arch C = the CNN of mnist_cnn.py (conv 5×5 1→16, ReLU, max-pool 2, conv 5×5 16→32, ReLU,
//! max-pool 2, flatten 512, dense 10; batch 64, lr 0.05), ReLU, mean softmax cross-entropy,
//! momentum 0.9, reshuffled every epoch, last partial batch dropped. Prints one JSON line.
//!
//! ```text
//! cargo run --release --example bench_mnist -- --arch A --epochs 3 [--data DIR]
//! cargo run --release --example bench_mnist -- --arch C --epochs 3 [--data DIR]
//! ```
//!
//! `samples_per_s_epoch2` is the headline (epoch 1 includes warm-up). `gemm_ceiling_samples_per_s`
//! is what the matrix products alone would allow: the same products (forward, weight gradients,
//! input gradients of the hidden layers) timed through descent's matmul in this process. For
//! arch C these are the per-image products of the convolutions (weight `[O, C·k·k]` by columns
//! `[C·k·k, positions]`, its weight and column gradients; none for the first layer's input)
//! and the dense layer's, so the ceiling leaves out unfold, fold, pooling and the elementwise ops.

#[path = "cli/options.rs"]
mod options;

use descent::prelude::*;
use descent::rand::rngs::StdRng;
use ndarray::Ix2;
use std::time::Instant;

const USAGE: &str = "\
Training throughput on MNIST against the reference programs; prints one JSON line.

usage: cargo run --release --example bench_mnist -- [--arch A|B|C] [--epochs N] [--data DIR]

  --arch A|B|C  784-128-10, 784-512-512-10, or the CNN (default A)
  --epochs N    epochs to time (default 3)
  --data DIR    the four MNIST files (default ../shared/data/mnist, the benchmark layout)
  -h, --help    this text";

fn main() {
    let options = options::parse(USAGE, &["arch", "epochs", "data"]);
    let arch = options.get("arch").unwrap_or("A").to_string();
    let epochs: usize = options.parse_or("epochs", 3, USAGE);
    let dir = options.get("data").unwrap_or("../shared/data/mnist");
    let (sizes, batch, lr): (&[usize], usize, f64) = match arch.as_str() {
        "A" => (&[784, 128, 10], 64, 0.1),
        "B" => (&[784, 512, 512, 10], 128, 0.05),
        "C" => (&[], 64, 0.05),
        other => options::fail(USAGE, &format!("--arch must be A, B or C, not {other}")),
    };
    let images: &[usize] = if arch == "C" { &[1, 28, 28] } else { &[784] };
    let input_shape: Vec<usize> = std::iter::once(batch)
        .chain(images.iter().copied())
        .collect();
    let mnist = Mnist::load(dir).unwrap_or_else(|e| panic!("{e}"));
    let rss_before_train = peak_rss_kib();

    let mut rng = StdRng::seed_from_u64(0);
    let mut model = Sequential::new();
    for (i, pair) in sizes.windows(2).enumerate() {
        model = model.push(Dense::new(pair[0], pair[1], &mut rng));
        if i + 2 < sizes.len() {
            model = model.push(Relu);
        }
    }
    if arch == "C" {
        model = model
            .push(Conv2d::new(1, 16, [5, 5], &mut rng))
            .push(Relu)
            .push(MaxPool2d::new([2, 2]))
            .push(Conv2d::new(16, 32, [5, 5], &mut rng))
            .push(Relu)
            .push(MaxPool2d::new([2, 2]))
            .push(Flatten::default())
            .push(Dense::new(512, 10, &mut rng));
    }
    let variables = model.parameters();
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
            let input = tape.watch(x.reshape(&input_shape));
            let loss = model.forward(&input).cross_entropy(&labels);
            let grads = tape.gradient(&loss, &variables);
            optimizer.apply_gradients(&grads, &variables);
            loss_last = loss.item();
            samples += rows.len();
        }
        per_epoch.push(samples as f64 / start.elapsed().as_secs_f64());
        accuracy = test_accuracy(&model, &mnist.test, images);
    }

    let products = match arch.as_str() {
        "C" => cnn_products(batch),
        _ => products(sizes, batch).into_iter().map(|p| (p, 1)).collect(),
    };
    let flops_per_sample = products
        .iter()
        .map(|&((m, k, n, ..), count)| 2.0 * (m * k * n * count) as f64)
        .sum::<f64>()
        / batch as f64;
    let gemm_seconds_per_step: f64 = products
        .iter()
        .map(|&(p, count)| count as f64 * time_product(p))
        .sum();
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

/// A product as (m, k, n, transpose a, transpose b).
type Product = (usize, usize, usize, bool, bool);

/// The products of one arch C step, each with how many times it runs: per image, each
/// convolution's forward `W [O, C·25] · cols [C·25, positions]` and weight gradient, summed
/// transposed as `cols · Gᵀ`, and for the second its column gradient `Wᵀ · G`; then the dense
/// layer's three products (its input gradient feeds the convolutions).
fn cnn_products(batch: usize) -> Vec<(Product, usize)> {
    let mut products = Vec::new();
    for (i, (channels, outputs, positions)) in [(1, 16, 576), (16, 32, 64)].into_iter().enumerate()
    {
        let k = channels * 25;
        products.push(((outputs, k, positions, false, false), batch));
        products.push(((k, positions, outputs, false, true), batch));
        if i > 0 {
            products.push(((k, outputs, positions, true, false), batch));
        }
    }
    products.push(((batch, 512, 10, false, false), 1));
    products.push(((512, batch, 10, true, false), 1));
    products.push(((batch, 10, 512, false, true), 1));
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

fn test_accuracy(model: &Sequential<f32>, images: &descent::data::Images, shape: &[usize]) -> f64 {
    let rows: Vec<usize> = (0..images.len()).collect();
    let mut predicted = Vec::with_capacity(images.len());
    // The CNN's columns are 25 times its input: smaller chunks keep the peak memory down.
    let size = if shape.len() > 1 { 250 } else { 1000 };
    for chunk in rows.chunks(size) {
        let mut x = ndarray::Array2::<f32>::zeros((chunk.len(), 784));
        gather_rows(&images.pixels, chunk, &mut x, |p| f32::from(p) / 255.0);
        let tape = Tape::new();
        let shape: Vec<usize> = std::iter::once(chunk.len())
            .chain(shape.iter().copied())
            .collect();
        let logits = model
            .forward(&tape.watch(Tensor::from(x).reshape(&shape)))
            .value();
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
