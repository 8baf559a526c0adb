//! Resuming from a checkpoint is exact, and a failed save keeps the previous checkpoint.
//!
//! Resume: the digits MLP (`examples/digits_mlp.rs`) trains N = 60 steps; the model's state
//! and the optimizer's state (`Optimizer::state`) are saved to real files with
//! `checkpoint::save`; a freshly built model (other initial weights) and optimizer load them
//! (`checkpoint::load_module`, `Optimizer::load_state`) and train M = 40 more steps. The
//! weights are then bit-identical to 100 uninterrupted steps, for Momentum and for Adam (whose
//! step count drives its bias correction). The batches of every step come from one seeded
//! schedule: the data order is the loop's to restore, not the checkpoint's.
//!
//! Failed saves: crates/layers already proves, with a writer that fails after 0, 1, 8, 100
//! and all-but-one bytes (src/checkpoint/tests.rs), that an interrupted save leaves the
//! previous file byte-for-byte and no temporary behind, and (tests/checkpoint.rs) that a
//! missing parent directory or a directory at the target is a clear `Io` error. Added here,
//! on real files: a save that fails *before* writing because the temporary name is too long,
//! and a save into a read-only directory (skipped, with a note, where permissions do not apply,
//! e.g. as root): each an `Io` error naming the file, the previous checkpoint unchanged.

use crate::common;
use descent::layers::checkpoint::CheckpointError;

use descent::prelude::*;
use descent_test_support::Scratch;
use ndarray::Array2;
use std::fs;
use std::path::Path;

/// The digits training set and a fixed schedule of `steps` batches of 32 (seed 42).
struct Data {
    x: Array2<f32>,
    y: Vec<usize>,
    schedule: Vec<Vec<usize>>,
}

fn data(steps: usize) -> Data {
    let (x, y) = common::digits_train();
    let mut batches = Batches::new(x.nrows(), 32).shuffle(42);
    let mut schedule = Vec::new();
    while schedule.len() < steps {
        schedule.extend(batches.epoch().map(<[usize]>::to_vec));
    }
    schedule.truncate(steps);
    Data { x, y, schedule }
}

fn model(seed: u64) -> Sequential<f32> {
    common::mlp([64, 64, 10], seed)
}

/// Trains `model` on the schedule's batches `steps`.
fn train(
    model: &Sequential<f32>,
    optimizer: &mut dyn Optimizer<f32>,
    data: &Data,
    steps: std::ops::Range<usize>,
) {
    for rows in &data.schedule[steps] {
        common::train_step(Tape::new(), model, optimizer, (&data.x, &data.y), rows);
    }
}

fn bits(model: &Sequential<f32>) -> Vec<(String, Vec<u32>)> {
    common::weight_bits(model)
}

const N: usize = 60;
const M: usize = 40;

/// N steps, save model and optimizer to two files, rebuild both, load, M steps: the weights
/// equal N + M uninterrupted steps bit for bit.
fn resume_is_exact(name: &str, optimizer: impl Fn() -> Box<dyn Optimizer<f32>>) {
    let data = data(N + M);
    let dir = Scratch::new(&format!("resume-{name}"));
    let (model_file, optim_file) = (dir.file("model.safetensors"), dir.file("optim.safetensors"));

    let uninterrupted = model(0);
    train(&uninterrupted, &mut *optimizer(), &data, 0..N + M);

    let first = model(0);
    let mut first_optimizer = optimizer();
    train(&first, &mut *first_optimizer, &data, 0..N);
    checkpoint::save_module(&model_file, &first).expect("save model");
    checkpoint::save(&optim_file, &first_optimizer.state(&first.variables()))
        .expect("save optimizer");
    drop((first, first_optimizer));

    let resumed = model(1); // other initial weights: everything must come from the files
    assert_ne!(bits(&resumed), bits(&uninterrupted));
    let mut resumed_optimizer = optimizer();
    checkpoint::load_module(&model_file, &resumed).expect("load model");
    let state = checkpoint::load::<f32>(&optim_file).expect("load optimizer file");
    resumed_optimizer
        .load_state(&resumed.variables(), &state)
        .expect("load optimizer state");
    assert_eq!(resumed_optimizer.steps(), N);
    train(&resumed, &mut *resumed_optimizer, &data, N..N + M);

    assert_eq!(resumed_optimizer.steps(), N + M);
    assert_eq!(
        bits(&resumed),
        bits(&uninterrupted),
        "{name}: resumed weights differ from uninterrupted training"
    );
    assert_eq!(dir.entries(), ["model.safetensors", "optim.safetensors"]);
}

#[test]
fn momentum_resumes_bit_identically() {
    resume_is_exact("momentum", || Box::new(Momentum::new(0.05, 0.9)));
}

#[test]
fn adam_resumes_bit_identically() {
    resume_is_exact("adam", || Box::new(Adam::new(3e-3)));
}

/// Without the optimizer's state, resuming Adam is not exact: the check above has teeth.
#[test]
fn resuming_adam_without_its_state_differs() {
    let data = data(N + M);
    let uninterrupted = model(0);
    train(&uninterrupted, &mut Adam::new(3e-3), &data, 0..N + M);
    let resumed = model(0);
    train(&resumed, &mut Adam::new(3e-3), &data, 0..N);
    train(&resumed, &mut Adam::new(3e-3), &data, N..N + M);
    assert_ne!(bits(&resumed), bits(&uninterrupted));
}

/// A checkpoint, its bytes, and the tensors it holds.
fn previous_checkpoint(path: &Path) -> (Vec<u8>, Vec<(String, Tensor<f32>)>) {
    checkpoint::save_module(path, &model(2)).expect("first save");
    let bytes = fs::read(path).expect("read");
    let tensors = checkpoint::load::<f32>(path).expect("load");
    (bytes, tensors)
}

fn assert_unchanged(path: &Path, bytes: &[u8], tensors: &[(String, Tensor<f32>)]) {
    assert_eq!(fs::read(path).expect("still readable"), bytes);
    assert_eq!(checkpoint::load::<f32>(path).expect("still loads"), tensors);
}

/// A target name of 250 bytes is legal (the limit is 255), but the temporary file beside it,
/// `.NAME.PID.N.tmp`, is not: the save fails before writing anything, with an `Io` error naming
/// the target, and the checkpoint already at that name is untouched. (Works as root too.)
#[test]
fn a_save_failing_before_it_writes_keeps_the_previous_checkpoint() {
    let dir = Scratch::new("resume-long-name");
    let short = dir.file("model.safetensors");
    let (bytes, tensors) = previous_checkpoint(&short);
    let long = dir.file(&format!("{}.safetensors", "m".repeat(238)));
    fs::rename(&short, &long).expect("rename to the long name");

    let err = checkpoint::save_module(&long, &model(3)).expect_err("temporary name too long");
    assert!(
        matches!(&err, CheckpointError::Io { file, .. } if file == &long),
        "{err:?}"
    );
    println!("{err}");
    assert_unchanged(&long, &bytes, &tensors);
    assert_eq!(dir.entries().len(), 1, "no temporary file is left");
}

/// A read-only directory: the save fails with an `Io` error naming the file; the previous
/// checkpoint is unchanged. Skipped where the permission is not enforced (root).
#[cfg(unix)]
#[test]
fn saving_into_a_read_only_directory_keeps_the_previous_checkpoint() {
    use std::os::unix::fs::PermissionsExt;
    let dir = Scratch::new("resume-read-only");
    let path = dir.file("model.safetensors");
    let (bytes, tensors) = previous_checkpoint(&path);
    let set_mode = |mode| {
        fs::set_permissions(dir.path(), fs::Permissions::from_mode(mode)).expect("chmod");
    };
    set_mode(0o555);
    let probe = dir.file("probe");
    if fs::File::create(&probe).is_ok() {
        let _ = fs::remove_file(&probe);
        set_mode(0o755);
        println!("skipped: directory permissions are not enforced for this user (root?)");
        return;
    }
    let result = checkpoint::save_module(&path, &model(3));
    set_mode(0o755);
    let err = result.expect_err("read-only directory");
    assert!(
        matches!(&err, CheckpointError::Io { file, source } if file == &path
            && source.kind() == std::io::ErrorKind::PermissionDenied),
        "{err:?}"
    );
    assert_unchanged(&path, &bytes, &tensors);
    assert_eq!(dir.entries(), ["model.safetensors"]);
}
