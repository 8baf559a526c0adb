//! Checkpoints on real files: round trips, and every way a file can be wrong, each leaving the
//! model exactly as it was.

use descent_autograd::{Tape, Tensor};
use descent_layers::checkpoint::{self, CheckpointError};
use descent_layers::{BatchNorm1d, Dense, Module, Relu, Sequential};
use descent_test_support::Scratch;
use rand::{SeedableRng, rngs::StdRng};
use std::fs;
use std::path::Path;

/// Dense(3, 4), BatchNorm1d(4), ReLU, Dense(4, 2); its running statistics moved by one step.
fn model<F: descent_autograd::Float>(seed: u64) -> Sequential<F> {
    let mut rng = StdRng::seed_from_u64(seed);
    let model = Sequential::new()
        .push(Dense::new(3, 4, &mut rng))
        .push(BatchNorm1d::new(4))
        .push(Relu)
        .push(Dense::new(4, 2, &mut rng));
    let tape = Tape::new();
    model.forward(&tape.watch(Tensor::uniform(&[5, 3], -F::one(), F::one(), &mut rng)));
    model
}

fn snapshot<F: descent_autograd::Float>(module: &dyn Module<F>) -> Vec<(String, Tensor<F>)> {
    module
        .state()
        .into_iter()
        .map(|(name, v)| (name, v.value()))
        .collect()
}

/// A safetensors file by hand: little-endian header length, JSON header, data.
fn raw_file(path: &Path, header: &str, data: &[u8]) {
    let mut bytes = (header.len() as u64).to_le_bytes().to_vec();
    bytes.extend_from_slice(header.as_bytes());
    bytes.extend_from_slice(data);
    fs::write(path, bytes).expect("write raw file");
}

#[test]
fn module_round_trip_restores_every_state_tensor() {
    let dir = Scratch::new("checkpoint-round-trip");
    let path = dir.file("model.safetensors");
    let (trained, mut fresh) = (model::<f32>(1), model::<f32>(2));
    assert_ne!(snapshot(&trained), snapshot(&fresh));
    checkpoint::save_module(&path, &trained).expect("save");
    checkpoint::load_module(&path, &fresh).expect("load");
    assert_eq!(snapshot(&fresh), snapshot(&trained));

    let mut trained = trained;
    trained.set_training(false);
    fresh.set_training(false);
    let x = Tensor::from_vec(vec![0.1, -0.2, 0.3, 0.4, 0.5, -0.6], &[2, 3]);
    let tape = Tape::new();
    let (a, b) = (
        trained.forward(&tape.watch(x.clone())),
        fresh.forward(&tape.watch(x)),
    );
    assert_eq!(a.value(), b.value());
    assert_eq!(dir.entries(), ["model.safetensors"]);
}

/// The JSON header of a safetensors file.
fn header_of(path: &Path) -> String {
    let bytes = fs::read(path).expect("read");
    let n = u64::from_le_bytes(bytes[..8].try_into().expect("8 bytes")) as usize;
    String::from_utf8(bytes[8..8 + n].to_vec()).expect("utf-8 header")
}

#[test]
fn f32_is_stored_as_f32_and_f64_as_f64() {
    let dir = Scratch::new("checkpoint-dtypes");
    let (single, double) = (dir.file("single"), dir.file("double"));
    checkpoint::save_module(&single, &model::<f32>(3)).expect("save f32");
    checkpoint::save_module(&double, &model::<f64>(3)).expect("save f64");
    for (path, weight) in [
        (single, r#""0.weight":{"dtype":"F32","shape":[3,4]"#),
        (double, r#""0.weight":{"dtype":"F64","shape":[3,4]"#),
    ] {
        let header = header_of(&path);
        assert!(header.contains(weight), "{header}");
    }
}

#[test]
fn named_tensors_round_trip_including_scalars_and_empty() {
    let dir = Scratch::new("checkpoint-named");
    let path = dir.file("optimizer.safetensors");
    let tensors = vec![
        ("adam.step".to_string(), Tensor::scalar(7.0f64)),
        ("empty".to_string(), Tensor::zeros(&[0, 3])),
        (
            "m.0.weight".to_string(),
            Tensor::from_vec(vec![1.5, -2.25, f64::MAX, f64::MIN_POSITIVE], &[2, 2]),
        ),
    ];
    checkpoint::save(&path, &tensors).expect("save");
    assert_eq!(checkpoint::load::<f64>(&path).expect("load"), tensors);
    // An F64 file loads into f32 by rounding; f64::MAX overflows f32, which is an error
    // unless allowed.
    let err = checkpoint::load::<f32>(&path).expect_err("f64::MAX is not finite as f32");
    assert!(
        matches!(&err, CheckpointError::NonFinite { name, index: 2, .. } if name == "m.0.weight"),
        "{err:?}"
    );
    let single = checkpoint::LoadOptions::new()
        .allow_non_finite()
        .load::<f32>(&path)
        .expect("load as f32");
    assert_eq!(single[0].1.item(), 7.0f32);
    assert_eq!(single[2].1.to_vec()[2], f32::INFINITY);
}

#[test]
fn a_module_without_state_round_trips_as_an_empty_file() {
    let dir = Scratch::new("checkpoint-empty");
    let path = dir.file("relu.safetensors");
    let model = Sequential::<f64>::new().push(Relu);
    checkpoint::save_module(&path, &model).expect("save");
    checkpoint::load_module(&path, &model).expect("load");
    assert!(checkpoint::load::<f64>(&path).expect("load").is_empty());
}

#[test]
fn save_replaces_an_existing_checkpoint_without_leftovers() {
    let dir = Scratch::new("checkpoint-replace");
    let path = dir.file("model.safetensors");
    checkpoint::save_module(&path, &model::<f32>(4)).expect("first save");
    let second = model::<f32>(5);
    checkpoint::save_module(&path, &second).expect("second save");
    let loaded = checkpoint::load::<f32>(&path).expect("load");
    let mut expected = snapshot(&second);
    expected.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(loaded, expected);
    assert_eq!(dir.entries(), ["model.safetensors"]);
}

/// Loads `path` into a fresh model, checks the error, and that the model did not change.
fn load_fails(path: &Path, check: impl Fn(&CheckpointError)) -> String {
    let target = model::<f32>(9);
    let before = snapshot(&target);
    let err = checkpoint::load_module(path, &target).expect_err("loading must fail");
    check(&err);
    assert_eq!(
        snapshot(&target),
        before,
        "the model is unchanged after: {err}"
    );
    let message = err.to_string();
    assert!(
        message.starts_with(&path.display().to_string()),
        "names the file: {message}"
    );
    message
}

#[test]
fn a_missing_tensor_is_named() {
    let dir = Scratch::new("checkpoint-missing");
    let path = dir.file("small.safetensors");
    let mut rng = StdRng::seed_from_u64(0);
    checkpoint::save_module(
        &path,
        &Sequential::<f32>::new().push(Dense::new(3, 4, &mut rng)),
    )
    .expect("save");
    let message = load_fails(&path, |e| {
        assert!(
            matches!(e, CheckpointError::Missing { name, expected, .. }
            if name == "1.weight" && expected == &[4]),
            "{e:?}"
        )
    });
    assert!(
        message.contains("\"1.weight\" (shape [4]) is missing"),
        "{message}"
    );
}

#[test]
fn an_extra_tensor_is_named() {
    let dir = Scratch::new("checkpoint-extra");
    let path = dir.file("big.safetensors");
    let mut state = snapshot(&model::<f32>(1));
    state.push(("4.weight".into(), Tensor::zeros(&[2, 2])));
    checkpoint::save(&path, &state).expect("save");
    let message = load_fails(&path, |e| {
        assert!(
            matches!(e, CheckpointError::Unexpected { name, .. } if name == "4.weight"),
            "{e:?}"
        )
    });
    assert!(
        message.contains("\"4.weight\" in the file is not part of the model"),
        "{message}"
    );
}

#[test]
fn a_wrongly_shaped_tensor_is_named_with_both_shapes() {
    let dir = Scratch::new("checkpoint-shape");
    let path = dir.file("wide.safetensors");
    let mut state = snapshot(&model::<f32>(1));
    let last = state
        .iter_mut()
        .find(|(name, _)| name == "3.bias")
        .expect("3.bias");
    last.1 = Tensor::zeros(&[3]);
    checkpoint::save(&path, &state).expect("save");
    let message = load_fails(&path, |e| {
        assert!(
            matches!(e, CheckpointError::Shape { name, expected, found, .. }
            if name == "3.bias" && expected == &[2] && found == &[3]),
            "{e:?}"
        )
    });
    assert!(
        message.contains("\"3.bias\" has shape [3] in the file, the model expects [2]"),
        "{message}"
    );
}

#[test]
fn truncated_files_are_format_errors() {
    let dir = Scratch::new("checkpoint-truncated");
    let good = dir.file("good.safetensors");
    checkpoint::save_module(&good, &model::<f32>(1)).expect("save");
    let bytes = fs::read(&good).expect("read");
    for keep in [0, 5, 8, 20, bytes.len() / 2, bytes.len() - 1] {
        let path = dir.file(&format!("cut-{keep}.safetensors"));
        fs::write(&path, &bytes[..keep]).expect("write truncated");
        load_fails(&path, |e| {
            assert!(
                matches!(e, CheckpointError::Format { .. }),
                "{keep} bytes: {e:?}"
            )
        });
        assert!(matches!(
            checkpoint::load::<f32>(&path),
            Err(CheckpointError::Format { .. })
        ));
    }
}

#[test]
fn corrupt_files_are_format_errors() {
    let dir = Scratch::new("checkpoint-corrupt");
    let cases: [(&str, &str, &[u8]); 4] = [
        ("not-json", "{\"0.weight\": oops}", &[]),
        (
            "bad-offsets",
            r#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}}"#,
            &[0; 4],
        ),
        (
            "short-data",
            r#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#,
            &[0; 4],
        ),
        ("not-an-object", "[1, 2, 3]", &[]),
    ];
    for (name, header, data) in cases {
        let path = dir.file(name);
        raw_file(&path, header, data);
        let message = load_fails(&path, |e| {
            assert!(matches!(e, CheckpointError::Format { .. }), "{name}: {e:?}")
        });
        assert!(
            message.contains("not a valid safetensors file"),
            "{message}"
        );
    }
    let path = dir.file("huge-header-length");
    fs::write(&path, u64::MAX.to_le_bytes()).expect("write");
    load_fails(&path, |e| {
        assert!(matches!(e, CheckpointError::Format { .. }), "{e:?}")
    });
}

#[test]
fn an_unsupported_element_type_is_named() {
    let dir = Scratch::new("checkpoint-dtype");
    let path = dir.file("ints.safetensors");
    raw_file(
        &path,
        r#"{"ids":{"dtype":"I64","shape":[1],"data_offsets":[0,8]}}"#,
        &[0; 8],
    );
    let err = checkpoint::load::<f32>(&path).expect_err("I64 is not loadable");
    assert!(
        matches!(&err, CheckpointError::Dtype { name, dtype, .. } if name == "ids" && dtype == "I64")
    );
    assert!(
        err.to_string()
            .contains("tensor \"ids\" has element type I64"),
        "{err}"
    );
    load_fails(&path, |e| {
        assert!(matches!(e, CheckpointError::Dtype { .. }), "{e:?}")
    });
}

#[test]
fn a_missing_file_is_an_io_error() {
    let dir = Scratch::new("checkpoint-no-file");
    load_fails(&dir.file("absent.safetensors"), |e| {
        assert!(
            matches!(e, CheckpointError::Io { source, .. } if source.kind() == std::io::ErrorKind::NotFound)
        )
    });
}

#[test]
fn saving_where_it_cannot_write_is_an_io_error_and_keeps_what_was_there() {
    let dir = Scratch::new("checkpoint-unwritable");
    let into_missing_dir = dir.file("no/such/dir/model.safetensors");
    let err =
        checkpoint::save_module(&into_missing_dir, &model::<f32>(1)).expect_err("no directory");
    assert!(
        matches!(err, CheckpointError::Io { ref file, .. } if file == &into_missing_dir),
        "{err:?}"
    );

    // The target is a directory: the rename fails, the directory stays, no temporary is left.
    let target = dir.file("a-directory");
    fs::create_dir(&target).expect("mkdir");
    fs::write(target.join("keep"), b"kept").expect("write");
    let err =
        checkpoint::save_module(&target, &model::<f32>(1)).expect_err("cannot replace a directory");
    assert!(matches!(err, CheckpointError::Io { .. }), "{err:?}");
    assert_eq!(fs::read(target.join("keep")).expect("still there"), b"kept");
    assert_eq!(dir.entries(), ["a-directory"]);
}

#[test]
fn duplicate_names_are_refused_before_writing() {
    let dir = Scratch::new("checkpoint-duplicate");
    let path = dir.file("dup.safetensors");
    let tensors = vec![
        ("w".to_string(), Tensor::scalar(1.0f32)),
        ("w".to_string(), Tensor::scalar(2.0f32)),
    ];
    let err = checkpoint::save(&path, &tensors).expect_err("duplicate");
    assert!(
        matches!(&err, CheckpointError::Duplicate { name, .. } if name == "w"),
        "{err:?}"
    );
    assert!(dir.entries().is_empty());
}
