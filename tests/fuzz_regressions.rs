//! The fuzz targets of `fuzz/` on stable: seeded random mutations of valid inputs for the IDX
//! reader (`parse_idx`), the CSV reader (`parse_csv`) and the checkpoint loader
//! (`checkpoint::load`), asserting for every input that the reader
//!
//! - returns `Ok` or `Err` and never panics, and what it returns is consistent;
//! - never makes an allocation larger than the input justifies (an IDX header claiming four
//!   billion items must not allocate 4 GB): at most 16 bytes per input byte plus 64 KiB, or,
//!   for gzip input, 2,100 per byte (deflate expands at most 1,032-fold, and a growing `Vec`
//!   may double that).
//!
//! Each target runs 20,000 mutated inputs in the test suite (flipped bits, overwritten,
//! inserted and deleted bytes, truncation, extension with random or repeated bytes, splices of
//! two seeds, and format-aware edits: huge IDX dimensions, a rewritten safetensors header
//! length, numbers in the JSON header replaced by 0, 2³², 2⁶³ or u64::MAX). Seeds are the files
//! under tests/fuzz_inputs/seeds/ (shared with `cargo fuzz`); inputs that once crashed a
//! reader are kept under tests/fuzz_inputs/ and replayed by `crash_files_stay_fixed`.
//!
//! A long run, outside the test suite, for the durations given in seconds:
//!
//! ```text
//! FUZZ_SECONDS=300 cargo test -p descent --test fuzz_regressions -- --ignored --nocapture soak
//! ```

use descent::data::{parse_csv, parse_idx};
use descent::layers::checkpoint::{self, LoadOptions};
use descent_test_support::{CountingAllocator, Edit, counts, mutate, reset_largest};
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

// ---- the largest single allocation, per thread ------------------------------------------------

#[global_allocator]
static GLOBAL: CountingAllocator = CountingAllocator;

/// Runs `f` and returns its result with the largest single allocation it made on this thread.
fn largest_allocation<R>(f: impl FnOnce() -> R) -> (R, usize) {
    reset_largest();
    let result = f();
    (result, counts().largest)
}

// ---- the targets ---------------------------------------------------------------------------

/// One reader under test.
#[derive(Clone, Copy)]
struct Target {
    name: &'static str,
    /// Reads the input: `true` for `Ok`, `false` for `Err`; panics on an inconsistent `Ok`.
    run: fn(&[u8]) -> bool,
}

const IDX: Target = Target {
    name: "idx",
    run: |bytes| match parse_idx(bytes, "fuzz.idx") {
        Ok(idx) => {
            assert_eq!(idx.data.len(), idx.dims.iter().product::<usize>());
            true
        }
        Err(_) => false,
    },
};

const CSV: Target = Target {
    name: "csv",
    run: |bytes| match parse_csv(&String::from_utf8_lossy(bytes), "fuzz.csv") {
        Ok(table) => {
            assert!(table.nrows() > 0 && table.ncols() > 0);
            true
        }
        Err(_) => false,
    },
};

/// The loader takes a path (there is no public bytes API), so the input goes through a file,
/// one per thread, removed by `remove_scratch_file`. It loads with every check that can be
/// turned off turned off (most seeds, like files from other tools, have no checksums), so the
/// decoding is reached; and with the strict default, which must agree where it accepts.
const CHECKPOINT: Target = Target {
    name: "checkpoint",
    run: |bytes| {
        let file = scratch_file();
        std::fs::write(&file, bytes).expect("write the input to a scratch file");
        let lenient = LoadOptions::new().allow_unverified().allow_non_finite();
        let single = lenient.load::<f32>(&file);
        if let Ok(tensors) = &single {
            assert!(
                tensors.windows(2).all(|w| w[0].0 < w[1].0),
                "sorted, unique"
            );
        }
        let double = lenient.load::<f64>(&file);
        assert_eq!(single.is_ok(), double.is_ok(), "f32 and f64 agree");
        if let Ok(strict) = checkpoint::load::<f32>(&file) {
            assert_eq!(
                Some(&strict),
                single.as_ref().ok(),
                "strict and lenient agree"
            );
        }
        single.is_ok()
    },
};

/// This thread's scratch file for the checkpoint target.
fn scratch_file() -> PathBuf {
    let thread = format!("{:?}", std::thread::current().id());
    let thread: String = thread.chars().filter(char::is_ascii_digit).collect();
    scratch_dir().join(format!(
        "descent-fuzz-{}-{thread}.safetensors",
        std::process::id()
    ))
}

fn remove_scratch_file() {
    let _ = std::fs::remove_file(scratch_file()); // absent unless the checkpoint target ran
}

/// Where the checkpoint target writes its inputs: memory-backed `/dev/shm` where there is one
/// (a disk-backed temporary directory runs about 450 inputs a second here, `/dev/shm` thousands).
fn scratch_dir() -> PathBuf {
    let shm = Path::new("/dev/shm");
    if shm.is_dir() {
        shm.to_path_buf()
    } else {
        std::env::temp_dir()
    }
}

/// The most a reader may allocate at once for `input`.
fn allocation_bound(input: &[u8]) -> usize {
    let per_byte = if input.starts_with(&[0x1f, 0x8b]) {
        2_100
    } else {
        16
    };
    per_byte * input.len() + 64 * 1024
}

// ---- seeds and mutations -------------------------------------------------------------------

fn inputs_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz_inputs")
}

/// The files of a directory, sorted by name.
fn files(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.expect("entry").path())
        .filter(|path| path.is_file())
        .map(|path| {
            let bytes = std::fs::read(&path).expect("read");
            (path, bytes)
        })
        .collect();
    files.sort();
    files
}

fn seeds(target: &Target) -> Vec<Vec<u8>> {
    let seeds: Vec<Vec<u8>> = files(&inputs_dir().join("seeds").join(target.name))
        .into_iter()
        .map(|(_, bytes)| bytes)
        .collect();
    assert!(!seeds.is_empty(), "no seeds for {}", target.name);
    seeds
}

/// The edits of a mutation, each as likely: flipped bits, overwritten, inserted and deleted
/// bytes, truncation, extension with random or repeated bytes, splices of two seeds, and the
/// format-aware edits (huge IDX dimensions, a rewritten safetensors header length, numbers in
/// the JSON header replaced).
const EDITS: [Edit; 11] = [
    Edit::FlipBit,
    Edit::SetByte,
    Edit::Truncate,
    Edit::Extend,
    Edit::Repeat(b",\n 0.e-9\r\t"),
    Edit::Insert(b", \n-.e\0\xff\"[]{}:"),
    Edit::RemoveRun,
    Edit::Splice,
    Edit::InterestingIdxDimension,
    Edit::SafetensorsHeaderLength,
    Edit::InterestingNumber,
];

// ---- the fuzzing loop ----------------------------------------------------------------------

/// What a run found.
#[derive(Default)]
struct Report {
    executions: u64,
    ok: u64,
    /// Largest allocation over input length + 64 KiB, the worst seen.
    worst_ratio: f64,
    /// How many inputs failed.
    failed: u64,
    /// The first 20 failures: the input, and the panic message or the allocation that was too
    /// large.
    failures: Vec<(Vec<u8>, String)>,
}

/// Runs `target` on `input`, checking the no-panic and allocation properties.
fn check(target: &Target, input: &[u8]) -> Result<(bool, usize), String> {
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        largest_allocation(|| (target.run)(input))
    }));
    let (ok, largest) = outcome.map_err(|payload| {
        let message = payload
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_default();
        format!("panicked: {message}")
    })?;
    let bound = allocation_bound(input);
    if largest > bound {
        return Err(format!(
            "allocated {largest} bytes at once for a {}-byte input (bound {bound})",
            input.len()
        ));
    }
    Ok((ok, largest))
}

/// Mutates the seeds until `cases` inputs or `time` has passed, whichever comes first.
fn fuzz(target: &Target, seed: u64, cases: u64, time: Duration) -> Report {
    let seeds = seeds(target);
    let mut rng = StdRng::seed_from_u64(seed);
    let mut report = Report::default();
    let start = Instant::now();
    // Seeds themselves first, then mutations.
    let mut queue: Vec<Vec<u8>> = seeds.clone();
    while report.executions < cases && start.elapsed() < time {
        let input = queue.pop().unwrap_or_else(|| {
            let mut bytes = seeds[rng.random_range(0..seeds.len())].clone();
            let other = &seeds[rng.random_range(0..seeds.len())];
            mutate(&mut rng, &mut bytes, other, &EDITS);
            bytes
        });
        report.executions += 1;
        match check(target, &input) {
            Ok((ok, largest)) => {
                report.ok += u64::from(ok);
                let ratio = largest as f64 / (input.len() + 64 * 1024) as f64;
                report.worst_ratio = report.worst_ratio.max(ratio);
            }
            Err(message) => {
                report.failed += 1;
                if report.failures.len() < 20 {
                    report.failures.push((input, message));
                }
            }
        }
    }
    remove_scratch_file();
    report
}

fn summary(target: &Target, report: &Report, elapsed: Duration) -> String {
    format!(
        "{}: {} inputs in {:.1} s ({:.0}/s), {} parsed, {} failures, largest allocation {:.2} × \
         (input + 64 KiB)",
        target.name,
        report.executions,
        elapsed.as_secs_f64(),
        report.executions as f64 / elapsed.as_secs_f64(),
        report.ok,
        report.failed,
        report.worst_ratio,
    )
}

const CASES: u64 = 20_000;

fn twenty_thousand(target: Target) {
    let start = Instant::now();
    let report = fuzz(&target, 2026, CASES, Duration::MAX);
    println!("{}", summary(&target, &report, start.elapsed()));
    if let Some((input, message)) = report.failures.first() {
        panic!(
            "{}: {} of {CASES} inputs failed; the first {message}\ninput ({} bytes): {:02x?}",
            target.name,
            report.failed,
            input.len(),
            input
        );
    }
    // The mutations are neither all fatal nor all harmless.
    assert!(report.ok > 0 && report.ok < CASES, "{} parsed", report.ok);
}

#[test]
fn idx_reader_survives_mutations() {
    twenty_thousand(IDX);
}

#[test]
fn csv_reader_survives_mutations() {
    twenty_thousand(CSV);
}

#[test]
fn checkpoint_loader_survives_mutations() {
    twenty_thousand(CHECKPOINT);
}

/// Every input under tests/fuzz_inputs/ that once crashed a reader (named `TARGET-*`) now
/// gives `Ok` or `Err` within the allocation bound.
#[test]
fn crash_files_stay_fixed() {
    let mut failures = Vec::new();
    for (path, bytes) in files(&inputs_dir()) {
        let name = path
            .file_name()
            .expect("name")
            .to_string_lossy()
            .into_owned();
        let target = [IDX, CSV, CHECKPOINT]
            .into_iter()
            .find(|t| name.starts_with(&format!("{}-", t.name)))
            .unwrap_or_else(|| panic!("{name}: name it idx-*, csv-* or checkpoint-*"));
        if let Err(message) = check(&target, &bytes) {
            failures.push(format!("{name}: {message}"));
        }
    }
    remove_scratch_file();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// A safetensors tensor with a zero dimension and a huge one (`[0, 2⁶³]`, `[u64::MAX, 0]`,
/// `[0, 2⁶², 4]`) has no elements, so safetensors accepts it (its element count, 0, cannot
/// overflow), but ndarray refuses a shape whose non-zero dimensions multiply past `isize::MAX`,
/// and `Tensor::from_vec` panics. Malformed input must give an error naming the file instead.
/// Found by reading the loader; the soak (seed 2, with the header-length-aware edit) then found
/// it too: `checkpoint-found-by-soak-seed-2.safetensors`.
#[test]
fn checkpoint_with_a_zero_and_a_huge_dimension_is_an_error() {
    for name in [
        "zero-huge",
        "zero-max",
        "zero-overflow",
        "found-by-soak-seed-2",
    ] {
        let path = inputs_dir().join(format!("checkpoint-{name}.safetensors"));
        let result = catch_unwind(|| checkpoint::load::<f32>(&path).map(|_| ()));
        let Ok(result) = result else {
            panic!("{name}: checkpoint::load panicked instead of returning an error");
        };
        let err = result.expect_err("no tensor can have this shape");
        assert!(
            err.to_string().contains(&path.display().to_string()),
            "{err}"
        );
    }
}

/// Found by reading `Mnist::load` for the same pattern: an MNIST image file of zero images of
/// 4,294,967,295 × 4,294,967,295 pixels (16 bytes, and a label file of zero labels) passes
/// `read_idx` (zero bytes of data, as the dimensions' product says), and then `Mnist::load`
/// panics building a [0, 18446744065119617025] pixel array, past `isize::MAX`.
#[test]
fn mnist_of_zero_images_of_a_huge_size_is_an_error() {
    let dir = inputs_dir().join("mnist-zero-images-huge");
    let result = catch_unwind(|| descent::data::Mnist::load(&dir).map(|_| ()));
    let Ok(result) = result else {
        panic!("Mnist::load panicked instead of returning an error");
    };
    let err = result.expect_err("no image can have this size");
    assert!(err.to_string().contains("train-images-idx3-ubyte"), "{err}");
}

/// The long run: each target (or those named in `FUZZ_TARGETS`, comma-separated) for
/// `FUZZ_SECONDS` (default 10) with a fresh seed (`FUZZ_SEED`, default the clock); failing inputs are written to `FUZZ_CRASH_DIR` (default the system's
/// temporary directory) as `TARGET-N.bin`, ready to be moved to tests/fuzz_inputs/.
#[test]
#[ignore = "long-running; run with FUZZ_SECONDS=300 ... -- --ignored soak"]
fn soak() {
    let seconds: u64 = std::env::var("FUZZ_SECONDS").map_or(10, |s| s.parse().expect("seconds"));
    let seed: u64 = std::env::var("FUZZ_SEED").map_or_else(
        |_| {
            let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH);
            now.expect("clock").as_nanos() as u64
        },
        |s| s.parse().expect("seed"),
    );
    let crash_dir =
        std::env::var_os("FUZZ_CRASH_DIR").map_or_else(std::env::temp_dir, PathBuf::from);
    std::panic::set_hook(Box::new(|_| {})); // panics are collected, not printed
    let mut failed = 0;
    let only = std::env::var("FUZZ_TARGETS").unwrap_or_default();
    for target in [IDX, CSV, CHECKPOINT] {
        if !only.is_empty() && !only.split(',').any(|name| name == target.name) {
            continue;
        }
        let start = Instant::now();
        let report = fuzz(&target, seed, u64::MAX, Duration::from_secs(seconds));
        println!(
            "seed {seed}: {}",
            summary(&target, &report, start.elapsed())
        );
        for (i, (input, message)) in report.failures.iter().enumerate() {
            let file = crash_dir.join(format!("{}-{i}.bin", target.name));
            std::fs::write(&file, input).expect("write crash input");
            println!("  {}: {message}", file.display());
        }
        failed += report.failed;
    }
    let _ = std::panic::take_hook();
    assert_eq!(
        failed,
        0,
        "failing inputs were written to {}",
        crash_dir.display()
    );
}
