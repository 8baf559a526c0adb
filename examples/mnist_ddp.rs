//! mnist_mlp's network trained by several processes at once: data-parallel over MPI.
//!
//! ```text
//! cargo build --release --features mpi --example mnist_ddp
//! mpirun -n 2 target/release/examples/mnist_ddp --data DIR
//! ```
//!
//! Every step takes one global batch of 64 images, the same seeded batches as `mnist_mlp`;
//! each process computes the gradient on its share (32 images with two processes), one
//! all-reduce averages the gradients, and every process's Adam takes the same step. So the
//! weights are those of one process training on the whole batch, up to the order of the f32
//! sums (tests/ddp.rs checks it). Test accuracy after 5 epochs, measured: 97.87% with 1
//! process (mnist_mlp's run bit for bit, the same losses), 97.85% with 2. Against `mnist_mlp`
//! the loop gains one call, `dist.all_reduce_mean`, and takes its batches through
//! `dist.batches`.
//!
//! Rank 0 prints and writes checkpoints (`--save DIR`: the model and the optimizer's state
//! after every epoch and at the end); every process reads `--resume DIR`, with any number of
//! processes. docs/distributed.md says how to run it on several machines.

#[path = "cli/options.rs"]
mod options;

use descent::data::Images;
use descent::prelude::*;
use descent::rand::rngs::StdRng;
use descent_dist::DataParallel;
use ndarray::Ix2;
use std::path::Path;
use std::time::Instant;

const EPOCHS: usize = 5;
const TARGET_ACCURACY: f64 = 0.975;

const USAGE: &str = "\
mnist_mlp's MLP on MNIST, data-parallel over MPI; asserts 97.5% test accuracy after 5 epochs.

usage: mpirun -n N target/release/examples/mnist_ddp --data DIR [options]

  --arch A|B      784-128-10, global batch 64 (default); or 784-512-512-10, batch 128
  --hidden N      the width of arch A's hidden layer (default 128)
  --epochs N      epochs to train (default 5)
  --steps N       stop after N steps in all (for tests)
  --save DIR      rank 0 writes DIR/model.safetensors and DIR/optimizer.safetensors
  --resume DIR    every process starts from that checkpoint (any number of processes)
";

fn main() {
    // MPI, and a panic on any process (say, a checkpoint missing on one machine) ends the job.
    let universe = descent_dist::initialize().expect("MPI is started once, here");
    let usage = format!("{USAGE}{}", options::MNIST_DATA);
    let names = [
        "data", "arch", "hidden", "epochs", "steps", "save", "resume",
    ];
    let options = options::parse(&usage, &names);
    let hidden: usize = options.parse_or("hidden", 128, &usage);
    let (sizes, batch) = match options.get("arch").unwrap_or("A") {
        "A" => (vec![784, hidden, 10], 64),
        "B" => (vec![784, 512, 512, 10], 128),
        other => options::fail(&usage, &format!("--arch must be A or B, not {other}")),
    };
    let epochs: usize = options.parse_or("epochs", EPOCHS, &usage);
    let max_steps: usize = options.parse_or("steps", usize::MAX, &usage);

    let mut rng = StdRng::seed_from_u64(0);
    let mut model = Sequential::new();
    for (i, pair) in sizes.windows(2).enumerate() {
        model = model.push(Dense::new(pair[0], pair[1], &mut rng));
        if i + 2 < sizes.len() {
            model = model.push(Relu);
        }
    }
    let (variables, parameters) = (model.variables(), model.parameters());
    let mut optimizer = Adam::new(3e-3);
    if let Some(dir) = options.get("resume") {
        resume(Path::new(dir), &model, &mut optimizer);
    }
    // Checks that every process built this model, then gives all of them rank 0's weights.
    let mut dist = match DataParallel::new(universe.world(), &model) {
        Ok(dist) => dist,
        Err(disagreement) => {
            eprintln!("error: the processes built different models: {disagreement}");
            drop(universe); // MPI_Finalize, on every process alike
            std::process::exit(1);
        }
    };
    assert!(
        dist.size() <= batch,
        "more processes than images in a batch"
    );

    let mnist = options::mnist(&options, &usage);
    let mut batches = dist.batches(
        Batches::new(mnist.train.len(), batch)
            .shuffle(42)
            .drop_last(true),
    );
    let schedule = StepDecay {
        initial: 3e-3,
        every: batches.len(),
        gamma: 0.5,
    };
    // A resumed run skips the batches already taken, so it sees those of an uninterrupted one.
    let (done_epochs, done_in_epoch) = (
        optimizer.steps() / batches.len(),
        optimizer.steps() % batches.len(),
    );
    for _ in 0..done_epochs {
        let _ = batches.epoch();
    }
    if dist.is_root() {
        println!(
            "{} processes, global batch {batch} ({} images each), {} steps per epoch",
            dist.size(),
            batch / dist.size(),
            batches.len()
        );
    }

    let mut x = Tensor::<f32>::zeros(&[0, 784]);
    let mut labels = Tensor::full(&[0], 0usize);
    let (mut accuracy, mut per_epoch, mut reduce_ms) = (0.0, Vec::new(), Vec::new());
    'training: for epoch in done_epochs + 1..=epochs {
        let skip = if epoch == done_epochs + 1 {
            done_in_epoch
        } else {
            0
        };
        let (start, reduced_before) = (Instant::now(), dist.all_reduce_time());
        let (mut loss_sum, mut steps) = (0.0, 0);
        for rows in batches.epoch().skip(skip) {
            if optimizer.steps() >= max_steps {
                break 'training;
            }
            if x.shape()[0] != rows.len() {
                (x, labels) = (
                    Tensor::zeros(&[rows.len(), 784]),
                    Tensor::full(&[rows.len()], 0),
                );
            }
            let mut x_view = x.view_mut().into_dimensionality::<Ix2>().expect("2-D");
            gather_rows(&mnist.train.pixels, rows, &mut x_view, |p| {
                f32::from(p) / 255.0
            });
            for (label, &row) in labels.view_mut().iter_mut().zip(rows) {
                *label = mnist.train.labels[row];
            }
            optimizer.set_learning_rate(schedule.rate(optimizer.steps()));

            let tape = Tape::new();
            let loss = model.forward(&tape.watch(x.clone())).cross_entropy(&labels);
            let mut grads = tape.gradient(&loss, &parameters);
            dist.all_reduce_mean(&mut grads, rows.len()); // the mean over the global batch
            optimizer.apply_gradients(&grads, &parameters);
            loss_sum += f64::from(loss.item());
            steps += 1;
        }
        let seconds = start.elapsed().as_secs_f64();
        let reduced = dist.all_reduce_time().0 - reduced_before.0;
        per_epoch.push((steps * batch) as f64 / seconds);
        reduce_ms.push(1e3 * reduced.as_secs_f64() / steps.max(1) as f64);
        accuracy = evaluate(&model, &mnist.test); // on every process: none waits for rank 0
        if dist.is_root() {
            println!(
                "epoch {epoch}: loss {:.4} (rank 0's shares)  test accuracy {:.2}%  \
                 {:.0} samples/s  all-reduce {:.3} ms/step",
                loss_sum / steps.max(1) as f64,
                100.0 * accuracy,
                per_epoch[per_epoch.len() - 1],
                reduce_ms[reduce_ms.len() - 1],
            );
            save(&options, &variables, &model, &optimizer);
        }
    }
    // The all-reduce gives every process the same mean, so the replicas must be equal.
    if let Err(difference) = dist.check_replicas(&model) {
        eprintln!("error: the processes' weights drifted apart: {difference}");
        drop(universe);
        std::process::exit(1);
    }
    if dist.is_root() {
        save(&options, &variables, &model, &optimizer);
        let headline = per_epoch.len().min(2).saturating_sub(1);
        println!(
            "{{\"processes\":{},\"rayon_threads\":\"{}\",\"arch\":\"{}\",\"batch\":{batch},\
             \"steps\":{},\"samples_per_s_per_epoch\":{per_epoch:.0?},\
             \"all_reduce_ms_per_step\":{reduce_ms:.3?},\"samples_per_s_epoch2\":{:.0},\
             \"test_accuracy\":{accuracy:.4}}}",
            dist.size(),
            std::env::var("RAYON_NUM_THREADS").unwrap_or_else(|_| "default".into()),
            options.get("arch").unwrap_or("A"),
            optimizer.steps(),
            per_epoch.get(headline).copied().unwrap_or(0.0),
        );
    }
    if optimizer.steps() == epochs * batches.len() && epochs == EPOCHS {
        assert!(
            accuracy >= TARGET_ACCURACY,
            "test accuracy {accuracy:.4} is below {TARGET_ACCURACY}"
        );
    }
}

/// Writes the model and the optimizer's state into `--save DIR`, if given (rank 0 only).
fn save(
    options: &options::Options,
    variables: &[(String, Variable<f32>)],
    model: &Sequential<f32>,
    optimizer: &Adam<f32>,
) {
    let Some(dir) = options.get("save") else {
        return;
    };
    let dir = Path::new(dir);
    std::fs::create_dir_all(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    checkpoint::save_module(dir.join("model.safetensors"), model).unwrap_or_else(|e| panic!("{e}"));
    checkpoint::save(
        dir.join("optimizer.safetensors"),
        &optimizer.state(variables),
    )
    .unwrap_or_else(|e| panic!("{e}"));
}

/// Loads the model and the optimizer's state from `--resume DIR` (on every process).
fn resume(dir: &Path, model: &Sequential<f32>, optimizer: &mut Adam<f32>) {
    checkpoint::load_module(dir.join("model.safetensors"), model).unwrap_or_else(|e| panic!("{e}"));
    let state =
        checkpoint::load(dir.join("optimizer.safetensors")).unwrap_or_else(|e| panic!("{e}"));
    optimizer
        .load_state(&model.variables(), &state)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
}

/// Test accuracy, predicted without a tape in batches of 1,000 images.
fn evaluate(model: &Sequential<f32>, images: &Images) -> f64 {
    let rows: Vec<usize> = (0..images.len()).collect();
    let mut predicted = Vec::with_capacity(images.len());
    for chunk in rows.chunks(1000) {
        let (x, _) = images.batch(chunk);
        predicted.extend(metrics::argmax(model.predict(&x).array()));
    }
    metrics::accuracy(&images.labels, &predicted)
}
