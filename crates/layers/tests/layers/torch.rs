//! PyTorch interop: a `state_dict` saved by PyTorch loads into descent and predicts the same,
//! and what descent writes has PyTorch's names, shapes and layout. The fixtures were written by
//! `scripts/torch_state_dict.py make`; `scripts/torch_state_dict.py check` loads descent's file
//! into PyTorch (needs torch, so it is run by hand, not in CI).

use descent_autograd::Tensor;
use descent_layers::checkpoint::{self, CheckpointError, LoadOptions};
use descent_layers::{Dense, Module, Relu, Sequential};
use rand::{SeedableRng, rngs::StdRng};
use std::path::{Path, PathBuf};

/// nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3)), as descent builds it.
fn mlp(seed: u64) -> Sequential<f32> {
    let mut rng = StdRng::seed_from_u64(seed);
    Sequential::new()
        .push(Dense::new(4, 8, &mut rng))
        .push(Relu)
        .push(Dense::new(8, 3, &mut rng))
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// The tensors of a safetensors file, checked or not (PyTorch writes no checksums).
fn raw(path: &Path) -> Vec<(String, Tensor<f32>)> {
    LoadOptions::new().allow_unverified().load(path).unwrap()
}

fn max_difference(a: &Tensor<f32>, b: &Tensor<f32>) -> f32 {
    assert_eq!(a.shape(), b.shape());
    let pairs = a.to_vec().into_iter().zip(b.to_vec());
    pairs.map(|(a, b)| (a - b).abs()).fold(0.0, f32::max)
}

#[test]
fn a_state_dict_saved_by_pytorch_loads_and_predicts_the_same() {
    let model = mlp(1);
    checkpoint::load_torch(fixture("torch_mlp.safetensors"), &model).unwrap();
    let io = raw(&fixture("torch_mlp_io.safetensors")); // sorted: input, output
    let (input, output) = (&io[0].1, &io[1].1);
    let difference = max_difference(&model.predict(input), output);
    assert!(difference < 1e-6, "{difference}");
}

#[test]
fn what_descent_writes_has_pytorchs_names_shapes_and_layout() {
    let model = mlp(1);
    checkpoint::load_torch(fixture("torch_mlp.safetensors"), &model).unwrap();
    let path = Path::new(env!("CARGO_TARGET_TMPDIR")).join("roundtrip_torch_mlp.safetensors");
    checkpoint::save_torch(&path, &model).unwrap();
    // Loaded from PyTorch's file and written back, every tensor is PyTorch's, bit for bit.
    assert_eq!(raw(&path), raw(&fixture("torch_mlp.safetensors")));
}

#[test]
fn a_model_for_pytorch_to_check() {
    // A model PyTorch has never seen, and its predictions: `scripts/torch_state_dict.py check`
    // loads the one into nn.Sequential with strict=True and compares with the other.
    let model = mlp(7);
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"));
    let (model_path, io_path) = (
        dir.join("descent_mlp.safetensors"),
        dir.join("descent_mlp_io.safetensors"),
    );
    checkpoint::save_torch(&model_path, &model).unwrap();
    let input = Tensor::uniform(&[6, 4], -2.0, 2.0, &mut StdRng::seed_from_u64(3));
    let io = [
        ("input".to_string(), input.clone()),
        ("output".to_string(), model.predict(&input)),
    ];
    checkpoint::save(&io_path, &io).unwrap();
    println!(
        "python scripts/torch_state_dict.py check {} {}",
        model_path.display(),
        io_path.display()
    );

    let names: Vec<(String, Vec<usize>)> = raw(&model_path)
        .into_iter()
        .map(|(n, t)| (n, t.shape().to_vec()))
        .collect();
    let torch: Vec<(String, Vec<usize>)> = raw(&fixture("torch_mlp.safetensors"))
        .into_iter()
        .map(|(n, t)| (n, t.shape().to_vec()))
        .collect();
    assert_eq!(names, torch);
}

#[test]
fn a_pytorch_file_for_another_architecture_is_refused_untouched() {
    let mut rng = StdRng::seed_from_u64(0);
    let wider = Sequential::<f32>::new()
        .push(Dense::new(4, 9, &mut rng))
        .push(Relu)
        .push(Dense::new(9, 3, &mut rng));
    let before = wider.variables()[0].1.value();
    let err = checkpoint::load_torch(fixture("torch_mlp.safetensors"), &wider).unwrap_err();
    assert!(
        matches!(err, CheckpointError::Shape { ref name, .. } if name == "0.weight"),
        "{err}"
    );
    assert_eq!(wider.variables()[0].1.value(), before);
}
