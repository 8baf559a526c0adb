//! Same seed, same data, same code: bit-identical weights.
//!
//! - In one process: the digits MLP of `examples/digits_mlp.rs` (64-64-10, Adam 3e-3, batches
//!   of 32 shuffled with seed 42) trained for one epoch twice gives the same bits.
//! - Across thread counts: this test executable is run again, filtered to the ignored helper
//!   `print_weight_checksums`, once with `RAYON_NUM_THREADS=1` and once with `=2` (descent's
//!   helper thread exists when rayon's budget is two or more, read once per process, so it
//!   takes a new process).
//!
//! When does a product use a second thread? descent cuts products of 2²² multiply-adds and more
//! in two halves and offers one to its helper thread (crates/autograd/src/parallel.rs). The
//! digits MLP's products are below that, so the helper also trains a 784-128-10 MLP on random
//! data in batches of 256, whose first layer's forward [256, 784]·[784, 128] and weight
//! gradient [784, 256]·[256, 128] are split. A small CNN is trained too: its convolutions and
//! pool cut the batch in two halves for the two threads (the weight gradient adds the halves'
//! sums in a fixed order). The child reports how long the helper thread ran
//! (from /proc), so the test proves it really computed; on a loaded machine it repeats that
//! epoch until the helper has had its share.
//!
//! Why the results agree: where a product is cut depends only on its shape, never on the
//! thread count, and every output element is summed over `k` by one kernel call, so its
//! rounding does not depend on which thread computed it, or whether one thread did both halves.

mod common;

use descent::prelude::*;
use ndarray::Array2;
use rand::{RngExt, SeedableRng, rngs::StdRng};
use std::process::Command;

/// Every weight of a model as raw bits, with its name: `==` on this is bit-identity.
type Bits = Vec<(String, Vec<u32>)>;

fn bits(model: &Sequential<f32>) -> Bits {
    common::weight_bits(model)
}

/// FNV-1a (64-bit) over every weight's bits, in the model's order.
fn checksum(bits: &Bits) -> u64 {
    let mut hash = 0xcbf2_9ce4_8422_2325u64;
    for byte in bits
        .iter()
        .flat_map(|(_, b)| b)
        .flat_map(|x| x.to_le_bytes())
    {
        hash = (hash ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash
}

/// One epoch of mini-batch training, as in `examples/digits_mlp.rs`; returns the weights' bits.
fn train_one_epoch(
    sizes: [usize; 3],
    x_train: &Array2<f32>,
    y_train: &[usize],
    batch: usize,
) -> Bits {
    let model = common::mlp(sizes, 0);
    let mut optimizer = Adam::new(3e-3);
    let mut batches = Batches::new(x_train.nrows(), batch).shuffle(42);
    for rows in batches.epoch() {
        common::train_step(
            Tape::new(),
            &model,
            &mut optimizer,
            (x_train, y_train),
            rows,
        );
    }
    bits(&model)
}

/// The digits MLP for one epoch (1,437 training images, 45 steps).
fn digits_epoch() -> Bits {
    let (x_train, y_train) = common::digits_train();
    train_one_epoch([64, 64, 10], &x_train, &y_train, 32)
}

/// A 784-128-10 MLP on 2,048 random "images" in batches of 256 (8 steps): shapes on which
/// products go to the thread pool.
fn wide_epoch() -> Bits {
    let mut rng = StdRng::seed_from_u64(1);
    let x = Array2::from_shape_fn((2048, 784), |_| rng.random::<f32>());
    let y: Vec<usize> = (0..2048).map(|_| rng.random_range(0..10)).collect();
    train_one_epoch([784, 128, 10], &x, &y, 256)
}

/// A small CNN (conv 3×3 1→4, ReLU, max-pool 2, dense) for 5 steps on random 8×8 images in
/// batches of 16: its convolutions and pool split the batch between the two threads.
fn cnn_steps() -> Bits {
    let mut rng = StdRng::seed_from_u64(2);
    let model = Sequential::new()
        .push(Conv2d::new(1, 4, [3, 3], &mut rng))
        .push(Relu)
        .push(MaxPool2d::new([2, 2]))
        .push(Flatten::default())
        .push(Dense::new(36, 10, &mut rng));
    let variables: Vec<Variable<f32>> = model.variables().into_iter().map(|(_, v)| v).collect();
    let mut optimizer = Momentum::new(0.05, 0.9);
    for _ in 0..5 {
        let x = Tensor::uniform(&[16, 1, 8, 8], 0.0, 1.0, &mut rng);
        let labels = Tensor::from_vec((0..16).map(|_| rng.random_range(0..10)).collect(), &[16]);
        let tape = Tape::new();
        let loss = model.forward(&tape.watch(x)).cross_entropy(&labels);
        optimizer.apply_gradients(&tape.gradient(&loss, &variables), &variables);
    }
    bits(&model)
}

#[test]
fn training_twice_in_one_process_gives_identical_bits() {
    let (first, second) = (digits_epoch(), digits_epoch());
    assert_eq!(first.len(), 4, "two weights and two biases");
    assert_eq!(first, second, "digits MLP: two runs differ");
    println!(
        "digits MLP after one epoch: checksum {:016x}",
        checksum(&first)
    );
}

/// Nanoseconds each of descent's helper threads has run (threads named `descent-helper`, from
/// /proc/self/task/*/{comm,schedstat}); `None` where /proc is unreadable.
fn helper_run_times() -> Option<Vec<u64>> {
    let mut times = Vec::new();
    for entry in std::fs::read_dir("/proc/self/task").ok()? {
        let path = entry.ok()?.path();
        if std::fs::read_to_string(path.join("comm")).ok()?.trim() != "descent-helper" {
            continue;
        }
        let stat = std::fs::read_to_string(path.join("schedstat")).ok()?;
        times.push(stat.split_whitespace().next()?.parse().ok()?);
    }
    Some(times)
}

/// How many helper threads there are and how long they have run, in ns.
fn helper_use() -> (usize, u64) {
    let times = helper_run_times().unwrap_or_default();
    (times.len(), times.iter().sum())
}

/// Helper run in a child process by `one_and_two_matmul_threads_give_identical_bits`: trains
/// both models and prints one line of checksums and pool-thread run times.
#[test]
#[ignore = "run by one_and_two_matmul_threads_give_identical_bits in a child process"]
fn print_weight_checksums() {
    let digits = checksum(&digits_epoch());
    let cnn = checksum(&cnn_steps());
    let (_, digits_pool_ns) = helper_use();
    // On a loaded machine the helper may get little time in one epoch (the caller takes back
    // halves it has not claimed), so the epoch is repeated, from the same seed, until the
    // helper has run 2 ms or 20 epochs have passed; every repeat must give the same bits.
    let wide = checksum(&wide_epoch());
    let (mut pool_threads, mut pool_ns) = helper_use();
    for _ in 1..20 {
        if pool_threads == 0 || pool_ns - digits_pool_ns > 2_000_000 {
            break;
        }
        assert_eq!(checksum(&wide_epoch()), wide, "the same epoch again");
        (pool_threads, pool_ns) = helper_use();
    }
    println!(
        "CHECKSUMS digits={digits:016x} cnn={cnn:016x} wide={wide:016x} pool_threads={pool_threads} \
         pool_ns_after_digits={digits_pool_ns} pool_ns_after_wide={pool_ns}"
    );
}

/// The helper's line, run with `RAYON_NUM_THREADS=threads`, as `key=value` pairs.
fn checksums_with(threads: &str) -> Vec<(String, String)> {
    let output = Command::new(std::env::current_exe().expect("current test executable"))
        .args([
            "--ignored",
            "--exact",
            "print_weight_checksums",
            "--nocapture",
        ])
        .env("RAYON_NUM_THREADS", threads)
        .output()
        .expect("run the test executable again");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "child with RAYON_NUM_THREADS={threads} failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let line = stdout
        .lines()
        .find_map(|l| l.strip_prefix("CHECKSUMS "))
        .unwrap_or_else(|| panic!("no CHECKSUMS line in:\n{stdout}"));
    println!("RAYON_NUM_THREADS={threads}: {line}");
    line.split_whitespace()
        .map(|kv| {
            let (k, v) = kv.split_once('=').expect("key=value");
            (k.to_string(), v.to_string())
        })
        .collect()
}

fn field<'a>(pairs: &'a [(String, String)], key: &str) -> &'a str {
    &pairs.iter().find(|(k, _)| k == key).expect(key).1
}

#[test]
fn one_and_two_matmul_threads_give_identical_bits() {
    let one = checksums_with("1");
    let two = checksums_with("2");
    assert_eq!(field(&one, "digits"), field(&two, "digits"), "digits MLP");
    assert_eq!(field(&one, "wide"), field(&two, "wide"), "784-128-10 MLP");
    assert_eq!(field(&one, "cnn"), field(&two, "cnn"), "CNN");
    // The 1-thread run started no helper thread; the 2-thread run's helper did real work on
    // the wide model's products (where /proc is readable).
    if helper_run_times().is_some() {
        assert_eq!(field(&one, "pool_threads"), "0");
        assert_eq!(field(&two, "pool_threads"), "1");
        let (after_digits, after_wide): (u64, u64) = (
            field(&two, "pool_ns_after_digits").parse().expect("ns"),
            field(&two, "pool_ns_after_wide").parse().expect("ns"),
        );
        assert!(
            after_wide - after_digits > 1_000_000,
            "the helper thread ran only {} ns on the 784-128-10 products",
            after_wide - after_digits
        );
    } else {
        println!("/proc/self/task is not readable here: thread use not checked");
    }
}
