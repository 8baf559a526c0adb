//! Checkpoints prove their integrity: every single-bit flip of a saved file is an error or
//! loads exactly what was saved; files without checksums and values that are not finite in
//! the element type are refused unless asked for; a killed save's temporary is removed by the
//! next save; saving through a symbolic link replaces the link's target atomically.

use descent_autograd::Tensor;
use descent_layers::checkpoint::{self, CheckpointError, LoadOptions};
use descent_test_support::{Scratch, entries};
use std::fs;
use std::path::Path;

fn small() -> Vec<(String, Tensor<f32>)> {
    vec![
        ("b".into(), Tensor::from_vec(vec![0.5, -0.25], &[2])),
        (
            "w".into(),
            Tensor::from_vec(vec![1.0, -2.0, 3.5, 0.0], &[2, 2]),
        ),
    ]
}

fn bits<F: descent_autograd::Float>(tensors: &[(String, Tensor<F>)]) -> Vec<(String, Vec<u64>)> {
    let tensor_bits = |t: &Tensor<F>| t.to_vec().iter().map(|x| x.as_f64().to_bits()).collect();
    tensors
        .iter()
        .map(|(name, t)| (format!("{name}{:?}", t.shape()), tensor_bits(t)))
        .collect()
}

/// Every bit of a small checkpoint flipped in turn, loaded as f32 and as f64: each flip is an
/// error, or loads the very tensors that were saved (names, shapes and bits). On the code
/// before checksums, 184 of 696 flips of the issue's file loaded different weights.
#[test]
fn every_single_bit_flip_is_an_error_or_loads_what_was_saved() {
    let dir = Scratch::new("integrity-flips");
    let good = dir.file("good.safetensors");
    checkpoint::save(&good, &small()).expect("save");
    let bytes = fs::read(&good).expect("read");
    let (want32, want64) = (bits(&small()), bits(&small()));
    let path = dir.file("flipped.safetensors");
    let (mut errors, mut harmless, mut checksum_errors) = (0, 0, 0);
    let mut wrong = Vec::new();
    for bit in 0..bytes.len() * 8 {
        let mut flipped = bytes.clone();
        flipped[bit / 8] ^= 1 << (bit % 8);
        fs::write(&path, &flipped).expect("write");
        let as32 = checkpoint::load::<f32>(&path);
        let as64 = checkpoint::load::<f64>(&path);
        match (&as32, &as64) {
            (Err(a), Err(_)) => {
                errors += 1;
                checksum_errors += matches!(a, CheckpointError::Checksum { .. }) as usize;
            }
            (Ok(a), Ok(b)) if bits(a) == want32 && bits(b) == want64 => harmless += 1,
            _ => wrong.push(format!(
                "bit {bit} (byte {} {:?}): {:?} / {:?}",
                bit / 8,
                bytes[bit / 8] as char,
                as32.map(|t| bits(&t)),
                as64.map(|t| bits(&t))
            )),
        }
    }
    println!(
        "{} flips of a {}-byte file: {errors} errors ({checksum_errors} checksum), {harmless} \
         harmless, {} wrong",
        bytes.len() * 8,
        bytes.len(),
        wrong.len()
    );
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn a_flipped_data_bit_is_a_checksum_error_naming_the_tensor() {
    let dir = Scratch::new("integrity-data-flip");
    let path = dir.file("model.safetensors");
    checkpoint::save(&path, &small()).expect("save");
    let mut bytes = fs::read(&path).expect("read");
    let last = bytes.len() - 1; // the last byte of "w", the last tensor by offset
    bytes[last] ^= 0x40;
    fs::write(&path, &bytes).expect("write");
    let err = checkpoint::load::<f32>(&path).expect_err("corrupt");
    assert!(
        matches!(&err, CheckpointError::Checksum { name, .. } if name == "w"),
        "{err:?}"
    );
    let message = err.to_string();
    assert!(
        message.contains("tensor \"w\" fails its integrity check") && message.contains("CRC-32"),
        "{message}"
    );
}

#[test]
fn a_file_without_checksums_is_refused_unless_allowed() {
    let dir = Scratch::new("integrity-unverified");
    let path = dir.file("foreign.safetensors");
    // What PyTorch's or NumPy's safetensors writes (no metadata), by hand: w = [1.5, -2] as F32.
    let header = r#"{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#;
    let mut bytes = (header.len() as u64).to_le_bytes().to_vec();
    bytes.extend_from_slice(header.as_bytes());
    bytes.extend(1.5f32.to_le_bytes());
    bytes.extend((-2.0f32).to_le_bytes());
    fs::write(&path, &bytes).expect("write");
    let err = checkpoint::load::<f32>(&path).expect_err("no checksums");
    assert!(matches!(err, CheckpointError::Unverified { .. }), "{err:?}");
    assert!(err.to_string().contains("allow_unverified()"), "{err}");
    let loaded = LoadOptions::new()
        .allow_unverified()
        .load::<f32>(&path)
        .expect("allowed");
    assert_eq!(
        loaded,
        vec![("w".to_string(), Tensor::from_vec(vec![1.5, -2.0], &[2]))]
    );
}

#[test]
fn a_tensor_without_its_checksum_is_an_error_even_when_unverified_files_are_allowed() {
    let dir = Scratch::new("integrity-one-missing");
    let path = dir.file("model.safetensors");
    checkpoint::save(&path, &small()).expect("save");
    // Rename the checksum key of "b" (same length, so the file stays well formed).
    let text = fs::read(&path).expect("read");
    let at = text
        .windows(7)
        .position(|w| w == b"crc32:b")
        .expect("key of b");
    let mut bytes = text.clone();
    bytes[at..at + 5].copy_from_slice(b"CRC32");
    fs::write(&path, &bytes).expect("write");
    for options in [LoadOptions::new(), LoadOptions::new().allow_unverified()] {
        let err = options.load::<f32>(&path).expect_err("b has no checksum");
        assert!(
            matches!(&err, CheckpointError::Checksum { name, reason, .. }
                if name == "b" && reason.contains("no checksum")),
            "{err:?}"
        );
    }
}

#[test]
fn values_not_finite_in_the_element_type_are_refused_unless_allowed() {
    let dir = Scratch::new("integrity-non-finite");
    let path = dir.file("wide.safetensors");
    let values = vec![1.0, -1e300, 2.0];
    checkpoint::save(
        &path,
        &[("w".to_string(), Tensor::from_vec(values.clone(), &[3]))],
    )
    .expect("save");
    // Fine as f64; -1e300 overflows f32.
    assert_eq!(
        checkpoint::load::<f64>(&path).expect("f64")[0].1.to_vec(),
        values
    );
    let err = checkpoint::load::<f32>(&path).expect_err("overflows f32");
    assert!(
        matches!(&err, CheckpointError::NonFinite { name, index: 1, value, element: "f32", .. }
            if name == "w" && *value == -1e300),
        "{err:?}"
    );
    let message = err.to_string();
    assert!(
        message.contains("tensor \"w\" element 1 is -1e300, which is not finite as f32"),
        "{message}"
    );
    let loaded = LoadOptions::new()
        .allow_non_finite()
        .load::<f32>(&path)
        .expect("allowed");
    assert_eq!(loaded[0].1.to_vec(), vec![1.0, f32::NEG_INFINITY, 2.0]);
    // A NaN stored as such is refused in either type.
    let nan = dir.file("nan.safetensors");
    checkpoint::save(
        &nan,
        &[("v".to_string(), Tensor::from_vec(vec![f64::NAN], &[1]))],
    )
    .expect("save");
    for err in [
        checkpoint::load::<f64>(&nan).expect_err("NaN"),
        checkpoint::load::<f32>(&nan).expect_err("NaN"),
    ] {
        assert!(
            matches!(err, CheckpointError::NonFinite { index: 0, .. }),
            "{err:?}"
        );
    }
}

#[cfg(target_os = "linux")] // whether a process runs is read from /proc
#[test]
fn orphaned_temporaries_of_dead_saves_are_removed_by_the_next_save() {
    let dir = Scratch::new("integrity-orphans");
    let path = dir.file("model.safetensors");
    // u32::MAX is above any pid_max, so that process cannot be running; pid 1 always is.
    let dead = ".model.safetensors.4294967295.0.tmp";
    let alive = ".model.safetensors.1.7.tmp";
    let other_target = ".other.safetensors.4294967295.0.tmp";
    let unrelated = "notes.tmp";
    for name in [dead, alive, other_target, unrelated] {
        fs::write(dir.file(name), vec![0u8; 4096]).expect("write fake temporary");
    }
    checkpoint::save(&path, &small()).expect("save");
    assert_eq!(
        dir.entries(),
        [alive, other_target, "model.safetensors", unrelated],
        "only the dead save's temporary of this target is removed"
    );
}

/// Not a test: saves a 4 MiB checkpoint to `$DESCENT_SAVE_FOREVER` until killed.
#[test]
#[ignore = "helper for saves_killed_midway_leave_nothing_after_the_next_save"]
fn save_forever() {
    let Ok(path) = std::env::var("DESCENT_SAVE_FOREVER") else {
        return;
    };
    let big = vec![("w".to_string(), Tensor::<f32>::ones(&[1024, 1024]))];
    loop {
        checkpoint::save(&path, &big).expect("save");
    }
}

#[cfg(target_os = "linux")] // whether a process runs is read from /proc
#[test]
fn saves_killed_midway_leave_nothing_after_the_next_save() {
    use std::process::Command;
    use std::time::{Duration, Instant};
    let dir = Scratch::new("integrity-killed");
    let path = dir.file("model.safetensors");
    let mut orphans_seen = 0;
    for _ in 0..5 {
        let mut child = Command::new(std::env::current_exe().expect("test binary"))
            .args([
                "--ignored",
                "--exact",
                "checkpoint_integrity::save_forever",
                "--test-threads=1",
            ])
            .env("DESCENT_SAVE_FOREVER", &path)
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("spawn the saving process");
        let start = Instant::now();
        while !dir.entries().iter().any(|e| e.ends_with(".tmp")) {
            assert!(
                start.elapsed() < Duration::from_secs(60),
                "the child never saved"
            );
            std::thread::sleep(Duration::from_millis(1));
        }
        child.kill().expect("kill");
        child.wait().expect("reap");
        orphans_seen += dir.entries().iter().filter(|e| e.ends_with(".tmp")).count();
    }
    checkpoint::save(&path, &small()).expect("save after the kills");
    println!(
        "{orphans_seen} temporaries seen after 5 kills; after one more save: {:?}",
        dir.entries()
    );
    assert!(
        orphans_seen > 0,
        "the kills should have left temporaries behind"
    );
    assert_eq!(dir.entries(), ["model.safetensors"]);
    assert_eq!(checkpoint::load::<f32>(&path).expect("load"), small());
}

#[cfg(unix)]
#[test]
fn saving_through_a_symlink_replaces_its_target_and_keeps_the_link() {
    use std::os::unix::fs::symlink;
    let dir = Scratch::new("integrity-symlink");
    let (real_dir, link_dir) = (dir.file("real"), dir.file("links"));
    fs::create_dir_all(&real_dir).expect("mkdir");
    fs::create_dir_all(&link_dir).expect("mkdir");
    let target = real_dir.join("model.safetensors");
    checkpoint::save(&target, &[("old".to_string(), Tensor::<f32>::zeros(&[1]))]).expect("save");
    // links/latest -> links/hop -> ../real/model.safetensors (relative links, a chain of two)
    let hop = link_dir.join("hop");
    let latest = link_dir.join("latest");
    symlink("../real/model.safetensors", &hop).expect("symlink");
    symlink("hop", &latest).expect("symlink");
    checkpoint::save(&latest, &small()).expect("save through the links");
    for link in [&latest, &hop] {
        assert!(
            fs::symlink_metadata(link)
                .expect("stat")
                .file_type()
                .is_symlink()
        );
    }
    assert_eq!(checkpoint::load::<f32>(&target).expect("load"), small());
    assert_eq!(
        entries(&real_dir),
        ["model.safetensors"],
        "temporary next to the target, gone"
    );
    assert_eq!(entries(&link_dir), ["hop", "latest"]);
    // A dangling link: the save creates its target.
    let dangling = link_dir.join("next");
    symlink("../real/next.safetensors", &dangling).expect("symlink");
    checkpoint::save(&dangling, &small()).expect("save through a dangling link");
    assert!(real_dir.join("next.safetensors").is_file());
    // A loop is an I/O error naming the path, and writes nothing.
    let (a, b) = (link_dir.join("a"), link_dir.join("b"));
    symlink("b", &a).expect("symlink");
    symlink("a", &b).expect("symlink");
    let err = checkpoint::save(&a, &small()).expect_err("loop");
    assert!(
        matches!(&err, CheckpointError::Io { file, .. } if file == &a),
        "{err:?}"
    );
}

/// The format, as another tool would write it: the checksum of a tensor is the CRC-32 (IEEE)
/// of its name, `\0`, its dtype, `\0`, each dimension as a little-endian u64, and its bytes.
/// The same file is the checkpoint fuzz target's checksummed seed.
#[test]
fn a_file_written_by_hand_to_the_documented_format_loads_verified() {
    let crc = |name: &str, shape: &[u64], data: &[u8]| {
        let mut hasher = crc32fast::Hasher::new();
        hasher.update(format!("{name}\0F32\0").as_bytes());
        shape.iter().for_each(|d| hasher.update(&d.to_le_bytes()));
        hasher.update(data);
        format!("{:08x}", hasher.finalize())
    };
    let le = |values: &[f32]| {
        values
            .iter()
            .flat_map(|v| v.to_le_bytes())
            .collect::<Vec<u8>>()
    };
    let (b, w) = (le(&[0.5, -0.25]), le(&[1.0, -2.0, 3.5, 0.0]));
    let mut header = format!(
        r#"{{"__metadata__":{{"crc32:b":"{}","crc32:w":"{}"}},"b":{{"dtype":"F32","shape":[2],"data_offsets":[0,8]}},"w":{{"dtype":"F32","shape":[2,2],"data_offsets":[8,24]}}}}"#,
        crc("b", &[2], &b),
        crc("w", &[2, 2], &w)
    );
    while header.len() % 8 != 0 {
        header.push(' ');
    }
    let mut bytes = (header.len() as u64).to_le_bytes().to_vec();
    bytes.extend(header.as_bytes());
    bytes.extend(&b);
    bytes.extend(&w);
    let dir = Scratch::new("integrity-by-hand");
    let path = dir.file("by-hand.safetensors");
    fs::write(&path, &bytes).expect("write");
    assert_eq!(checkpoint::load::<f32>(&path).expect("verified"), small());
    let seed = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fuzz_inputs/seeds/checkpoint/checksummed-f32.safetensors");
    assert_eq!(fs::read(seed).expect("the fuzz seed"), bytes);
}
