//! Data-parallel training over MPI ends where one process does: examples/mnist_ddp.rs, run by
//! `mpirun` with 1 and with 2 processes for 300 steps of the same global batches of 64, against
//! the same 300 steps trained here, in this process, with no MPI at all.
//!
//! Needs the `mpi` feature, Open MPI's `mpirun`, MNIST in ../shared/data/mnist, and the
//! example built in the same profile first (the test runs that binary; `cargo test` builds
//! examples only when it runs every target):
//!
//! ```text
//! cargo build --release --features mpi --example mnist_ddp
//! cargo test --release --features mpi --test ddp
//! ```
//!
//! What is asserted, and why it holds:
//! - **1 process: the same weights, bit for bit.** Its all-reduce sums one buffer; scaling
//!   by the 64 rows and dividing by them again is exact in binary floating point.
//! - **2 processes: within [`BOUND`] = 1e-4 of the largest weight.** Each process sums the
//!   gradient over its 32 rows and the all-reduce adds the two halves: the same sums as one
//!   process in another order (the weighting by 32 and 64 is exact). Reordering a sum of
//!   n = 64 f32 terms moves it by at most n·ε·Σ|terms| (ε = 2⁻²⁴: ≤ 4e-6 of the terms' size,
//!   typically √n·ε ≈ 5e-7), and such differences carry through the steps, Adam's division by
//!   √v included. So the yardstick is measured here, in the same run: one process whose batches
//!   have their rows in reverse order (the same mathematics, another order of every sum) ends
//!   8e-6 of the largest weight away; 2 processes end 6e-6 away. The bound is ten times the
//!   reordering's and is asserted for it too. A wrong reduction lands far outside: in the
//!   simulated test (crates/dist/tests/simulated.rs, where faults can be injected) a sum in
//!   place of the mean, a missing broadcast or a mean that ignores unequal shares move the
//!   weights by 2e-2 to 1 of the largest. (With Adam, which divides the gradient's scale
//!   away, a sum in place of the mean would move 2 processes' weights only through Adam's ε;
//!   the 1-process check, bit for bit, catches it, and the simulated test uses momentum.)
//! - **Resuming with another number of processes** (150 steps on 2, then 150 on 1 from the
//!   checkpoint rank 0 wrote) ends within the same bound.
//! - **Processes that built different models** stop at the start, every one with a message
//!   naming the rank and the first differing variable, well within a timeout (no hang).
//! - **A process that panics** (here: its checkpoint is missing) ends the whole job through
//!   `MPI_Abort` while the other waits in a collective call, instead of leaving it hanging.
#![cfg(feature = "mpi")]

use descent::layers::checkpoint;
use descent::prelude::*;
use descent::rand::rngs::StdRng;
use ndarray::Ix2;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

const STEPS: usize = 300;

/// The largest difference allowed between a data-parallel run's weights and one process's,
/// relative to the largest weight (see the module's doc for why).
const BOUND: f32 = 1e-4;

/// One `mpirun` at a time: the machine may have two cores only.
static MPIRUN: Mutex<()> = Mutex::new(());

fn repository() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn mnist_dir() -> PathBuf {
    repository().join("../shared/data/mnist")
}

/// The example's binary, built in this test's profile; panics with the command to build it
/// when it is missing or older than its sources.
fn example() -> PathBuf {
    let exe = std::env::current_exe().expect("the test's path");
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("target/PROFILE/deps");
    let binary = profile_dir.join("examples/mnist_ddp");
    let build = "cargo build [--release] --features mpi --example mnist_ddp (the test's profile)";
    let built = std::fs::metadata(&binary)
        .and_then(|m| m.modified())
        .unwrap_or_else(|_| panic!("{} is missing: run {build} first", binary.display()));
    let sources = ["examples/mnist_ddp.rs", "crates/dist/src"];
    for source in sources.iter().map(|s| repository().join(s)) {
        let files = match source.is_dir() {
            true => std::fs::read_dir(&source)
                .expect("list sources")
                .map(|e| e.expect("entry").path())
                .collect(),
            false => vec![source],
        };
        for file in files {
            let changed = std::fs::metadata(&file)
                .and_then(|m| m.modified())
                .expect("mtime");
            assert!(
                changed <= built,
                "{} is older than {}: run {build} again",
                binary.display(),
                file.display()
            );
        }
    }
    binary
}

/// Runs `mpirun ARGS` (as root too, one thread per process), killing it after `limit`.
fn mpirun(args: &[&str], limit: Duration) -> Output {
    let _one_at_a_time = MPIRUN.lock().unwrap_or_else(|p| p.into_inner());
    let child = Command::new("mpirun")
        .arg("--oversubscribe")
        .args(args)
        .env("OMPI_ALLOW_RUN_AS_ROOT", "1")
        .env("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1")
        .env("RAYON_NUM_THREADS", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    let mut child = child.expect("mpirun (Open MPI's openmpi-bin) is installed");
    let start = Instant::now();
    while child.try_wait().expect("wait for mpirun").is_none() {
        if start.elapsed() > limit {
            // SIGTERM first: mpirun then ends the processes it started (SIGKILL would orphan them).
            let _ = Command::new("kill").arg(child.id().to_string()).status();
            std::thread::sleep(Duration::from_secs(5));
            let _ = child.kill();
            let output = child.wait_with_output().expect("output");
            panic!(
                "mpirun {args:?} still ran after {limit:?} (a hang?)\n{}{}",
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    child.wait_with_output().expect("output")
}

/// Trains with `processes` processes from `resume` (if any) until `steps` steps in all; the
/// weights rank 0 saved.
fn train(processes: usize, steps: usize, resume: Option<&Path>, save: &Path) -> Vec<f32> {
    let (example, data) = (example(), mnist_dir());
    let (n, steps) = (processes.to_string(), steps.to_string());
    let mut args = vec!["-n", &n, example.to_str().expect("utf-8 path")];
    args.extend(["--data", data.to_str().expect("utf-8"), "--steps", &steps]);
    args.extend(["--save", save.to_str().expect("utf-8")]);
    if let Some(resume) = resume {
        args.extend(["--resume", resume.to_str().expect("utf-8")]);
    }
    let output = mpirun(&args, Duration::from_secs(600));
    assert!(
        output.status.success(),
        "mpirun {args:?} failed:\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let tensors = checkpoint::load::<f32>(save.join("model.safetensors")).expect("rank 0's save");
    tensors.iter().flat_map(|(_, t)| t.to_vec()).collect()
}

/// examples/mnist_ddp.rs's loop in one process without MPI: the same model, optimizer,
/// schedule and batches (with the rows of each in reverse order when `reversed`: the same
/// mathematics, sums in another order); the weights after `STEPS` steps, in the checkpoint's
/// (name) order.
fn one_process(reversed: bool) -> Vec<f32> {
    let mnist = Mnist::load(mnist_dir()).expect("MNIST in ../shared/data/mnist");
    let mut rng = StdRng::seed_from_u64(0);
    let model = Sequential::new()
        .push(Dense::new(784, 128, &mut rng))
        .push(Relu)
        .push(Dense::new(128, 10, &mut rng));
    let variables = model.parameters();
    let mut optimizer = Adam::new(3e-3);
    let mut batches = Batches::new(mnist.train.len(), 64)
        .shuffle(42)
        .drop_last(true);
    let schedule = StepDecay {
        initial: 3e-3,
        every: batches.len(),
        gamma: 0.5,
    };
    let mut x = Tensor::<f32>::zeros(&[64, 784]);
    let mut labels = Tensor::full(&[64], 0usize);
    while optimizer.steps() < STEPS {
        for rows in batches.epoch().take(STEPS - optimizer.steps()) {
            let mut rows = rows.to_vec();
            if reversed {
                rows.reverse();
            }
            let rows = &rows;
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
            let grads = tape.gradient(&loss, &variables);
            optimizer.apply_gradients(&grads, &variables);
        }
    }
    let mut state = model.state();
    state.sort_by(|a, b| a.0.cmp(&b.0)); // checkpoint::load sorts by name
    state.iter().flat_map(|(_, v)| v.value().to_vec()).collect()
}

/// The largest element-wise difference, relative to the largest weight of `reference`.
fn relative_difference(weights: &[f32], reference: &[f32]) -> f32 {
    assert_eq!(
        weights.len(),
        reference.len(),
        "different numbers of weights"
    );
    let scale = reference.iter().fold(0.0f32, |m, w| m.max(w.abs()));
    let difference = weights
        .iter()
        .zip(reference)
        .fold(0.0f32, |m, (a, b)| m.max((a - b).abs()));
    difference / scale
}

/// A fresh directory for checkpoints, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("descent-ddp-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        Scratch(dir)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn one_and_two_processes_end_at_the_weights_of_one_process_and_so_does_a_resumed_run() {
    let reference = one_process(false);
    let reordered = relative_difference(&one_process(true), &reference);
    println!("1 process, rows of each batch reversed: {reordered:.2e} of the largest weight");
    assert!(
        reordered <= BOUND,
        "reordering alone: {reordered:.2e} > {BOUND:.0e}"
    );

    let one = Scratch::new("one");
    let difference = relative_difference(&train(1, STEPS, None, &one.0), &reference);
    println!("1 process: {difference:.2e} of the largest weight");
    assert_eq!(
        difference, 0.0,
        "1 process differs from the run without MPI"
    );

    let two = Scratch::new("two");
    let difference = relative_difference(&train(2, STEPS, None, &two.0), &reference);
    println!("2 processes: {difference:.2e} of the largest weight");
    assert!(
        difference <= BOUND,
        "2 processes: {difference:.2e} > {BOUND:.0e}"
    );

    let (first, then) = (Scratch::new("first-half"), Scratch::new("resumed"));
    train(2, STEPS / 2, None, &first.0);
    let resumed = train(1, STEPS, Some(&first.0), &then.0);
    let difference = relative_difference(&resumed, &reference);
    println!("2 processes, then 1 from the checkpoint: {difference:.2e} of the largest weight");
    assert!(
        difference <= BOUND,
        "resumed: {difference:.2e} > {BOUND:.0e}"
    );
}

/// Runs the example as two ranks given different options (MPMD: `mpirun -n 1 A : -n 1 B`),
/// within two minutes; its standard error, and whether it succeeded.
fn two_ranks(rank0: &[&str], rank1: &[&str]) -> (String, bool) {
    let (example, data) = (example(), mnist_dir());
    let (example, data) = (
        example.to_str().expect("utf-8"),
        data.to_str().expect("utf-8"),
    );
    let mut args = vec!["-n", "1", example, "--data", data];
    args.extend(rank0);
    args.extend([":", "-n", "1", example, "--data", data]);
    args.extend(rank1);
    let output = mpirun(&args, Duration::from_secs(120));
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    (stderr, output.status.success())
}

#[test]
fn processes_that_built_different_models_stop_at_the_start_naming_rank_and_variable() {
    let start = Instant::now();
    let (stderr, succeeded) = two_ranks(&[], &["--hidden", "64"]); // a narrower hidden layer
    assert!(!succeeded, "different models trained:\n{stderr}");
    let expected = "rank 1 disagrees with rank 0 on variable 0: rank 0 has \"0.weight\" \
                    [784, 128], rank 1 has \"0.weight\" [784, 64]";
    assert!(
        stderr.contains(expected),
        "the message is not there:\n{stderr}"
    );
    println!("stopped after {:.1} s", start.elapsed().as_secs_f64());
}

#[test]
fn a_process_that_fails_before_the_start_ends_the_job_instead_of_hanging() {
    // Rank 1's checkpoint is missing (as on a machine it was not copied to): it panics while
    // rank 0 waits for it in DataParallel::new's first collective call.
    let missing = std::env::temp_dir().join(format!("descent-ddp-missing-{}", std::process::id()));
    let missing = missing.to_str().expect("utf-8");
    let (stderr, succeeded) = two_ranks(&["--steps", "1"], &["--steps", "1", "--resume", missing]);
    assert!(
        !succeeded,
        "a run without its checkpoint succeeded:\n{stderr}"
    );
    // The job ended (`mpirun` panics after its time limit otherwise); Open MPI's own
    // "MPI_ABORT was invoked" banner sometimes loses a race and is not printed.
    assert!(
        stderr.contains("model.safetensors: No such file"),
        "no panic message:\n{stderr}"
    );
}
