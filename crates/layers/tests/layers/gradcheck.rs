//! Every layer's forward checked against central differences in `f64`, with respect to its
//! input and to every variable it lists, in training and in evaluation where they differ.
//!
//! Input gradients go through `check::gradients`. Variable gradients are checked on the path a
//! training loop uses: the tape's gradient with respect to the layer's `Variable`s (read in
//! `forward`) against `check::numerical_gradient` of the same forward with the variables'
//! values perturbed, with the same tolerance rule as `check::gradients`.

use descent_autograd::{Tape, Tensor, Var, Variable, check};
use descent_layers::{
    AvgPool2d, BatchNorm1d, BatchNorm2d, Conv1d, Conv2d, Dense, Dropout, Embedding, Flatten, Gelu,
    GlobalAvgPool2d, LayerNorm, LeakyRelu, MaxPool2d, Module, Relu, Sequential, Sigmoid, Softmax,
    Tanh,
};
use ndarray::Dimension;
use rand::{SeedableRng, rngs::StdRng};

const TOLERANCE: f64 = 1e-6;

/// A forward pass recorded on a given tape.
type Forward<'a> = &'a dyn for<'t> Fn(&'t Tape<f64>) -> Var<'t, f64>;

/// Uniform values in [-1, 1), kept at least 0.1 away from 0 (the kink of ReLU-like layers).
fn input(shape: &[usize], seed: u64) -> Tensor<f64> {
    let t = Tensor::<f64>::uniform(shape, -1.0, 1.0, &mut StdRng::seed_from_u64(seed));
    t.map(|&x| x.signum() * (0.1 + x.abs()))
}

/// Moves a module's state away from its initial values (weights 1, biases 0, running
/// statistics 0 and 1), so that no check runs at a special point.
fn randomise(module: &dyn Module<f64>, seed: u64) {
    let mut rng = StdRng::seed_from_u64(seed);
    for (name, v) in module.state() {
        let (low, high) = if name.ends_with("running_var") {
            (0.5, 1.5)
        } else {
            (-1.0, 1.0)
        };
        v.assign(Tensor::uniform(&v.shape(), low, high, &mut rng));
    }
}

/// `Σ r · f(tape)` for fixed random weights `r`: one number whose gradient is f's whole VJP.
fn projected<'t>(f: Forward<'_>, tape: &'t Tape<f64>, weights: &Tensor<f64>) -> Var<'t, f64> {
    f(tape).mul(&tape.watch(weights.clone())).sum(&[], false)
}

/// Checks the tape's gradients of `f` with respect to `variables` against central differences.
fn check_variables(layer: &str, f: Forward<'_>, variables: &[(String, Variable<f64>)]) {
    if variables.is_empty() {
        return;
    }
    let shape = f(&Tape::new()).shape();
    let weights = Tensor::uniform(&shape, -1.0, 1.0, &mut StdRng::seed_from_u64(11));
    let vars: Vec<_> = variables.iter().map(|(_, v)| v.clone()).collect();
    let originals: Vec<_> = vars.iter().map(Variable::value).collect();
    let tape = Tape::new();
    let analytic = tape.gradient(&projected(f, &tape, &weights), &vars);
    let numeric = check::numerical_gradient(
        |v| {
            vars.iter()
                .zip(v)
                .for_each(|(var, value)| var.assign(value.value()));
            projected(f, v[0].tape(), &weights)
        },
        &originals,
    );
    vars.iter()
        .zip(&originals)
        .for_each(|(var, value)| var.assign(value.clone()));
    for (((name, _), a), n) in variables.iter().zip(&analytic).zip(&numeric) {
        for ((index, a), n) in a.array().indexed_iter().zip(n.array().iter()) {
            let error = (a - n).abs() / (1.0 + n.abs());
            assert!(
                error <= TOLERANCE,
                "{layer}: variable {name:?} element {:?}: analytic {a:e}, numeric {n:e}",
                index.slice()
            );
        }
    }
}

/// Checks `module.forward` at `x` with respect to `x` and every variable of the module.
fn check_module(layer: &str, module: &dyn Module<f64>, x: &Tensor<f64>) {
    let report = check::gradients(
        |v| module.forward(&v[0]),
        std::slice::from_ref(x),
        TOLERANCE,
    )
    .unwrap_or_else(|e| panic!("{layer}, input: {e}"));
    assert_eq!(report.checked, x.len());
    check_variables(
        layer,
        &|tape| module.forward(&tape.watch(x.clone())),
        &module.variables(),
    );
}

#[test]
fn dense() {
    let mut rng = StdRng::seed_from_u64(0);
    check_module("Dense", &Dense::new(4, 3, &mut rng), &input(&[5, 4], 1));
    check_module(
        "Dense on [2, 5, 4]",
        &Dense::new(4, 3, &mut rng),
        &input(&[2, 5, 4], 2),
    );
    let no_bias = Dense::from_tensors(input(&[4, 3], 3), None);
    check_module("Dense without bias", &no_bias, &input(&[5, 4], 4));
}

#[test]
fn activations() {
    let x = input(&[3, 4], 5);
    check_module("Relu", &Relu, &x);
    check_module("LeakyRelu", &LeakyRelu::new(0.2), &x);
    check_module("Sigmoid", &Sigmoid, &x);
    check_module("Tanh", &Tanh, &x);
    check_module("Gelu", &Gelu, &x);
    check_module("Softmax(1)", &Softmax::new(1), &x);
    check_module("Softmax(0)", &Softmax::new(0), &x);
}

#[test]
fn dropout_in_training_with_a_fixed_mask() {
    let x = input(&[4, 6], 6);
    // A fresh layer with the same seed in every evaluation draws the same mask.
    fn forward<'t>(x: &Var<'t, f64>) -> Var<'t, f64> {
        Dropout::new(0.4, &mut StdRng::seed_from_u64(5)).forward(x)
    }
    check::gradients(|v| forward(&v[0]), std::slice::from_ref(&x), TOLERANCE)
        .unwrap_or_else(|e| panic!("Dropout in training: {e}"));
    let tape = Tape::new();
    let y = forward(&tape.watch(x.clone())).value().to_vec();
    let dropped = y.iter().filter(|&&v| v == 0.0).count();
    assert!(
        dropped > 0 && dropped < y.len(),
        "the mask drops some units: {dropped}"
    );
}

#[test]
fn dropout_in_evaluation() {
    let mut dropout = Dropout::new(0.4, &mut StdRng::seed_from_u64(5));
    dropout.set_training(false);
    check_module("Dropout in evaluation", &dropout, &input(&[4, 6], 7));
}

#[test]
fn batch_norm_in_training_and_evaluation() {
    let mut norm = BatchNorm1d::new(3);
    randomise(&norm, 8);
    let x = input(&[6, 3], 9).map(|x| 2.0 * x + 0.5);
    check_module("BatchNorm1d in training", &norm, &x);
    norm.set_training(false);
    check_module("BatchNorm1d in evaluation", &norm, &x);
}

#[test]
fn layer_norm() {
    let norm = LayerNorm::new(5);
    randomise(&norm, 10);
    check_module("LayerNorm", &norm, &input(&[3, 5], 11));
    check_module("LayerNorm on [2, 3, 5]", &norm, &input(&[2, 3, 5], 12));
}

#[test]
fn embedding_forward_and_lookup() {
    let embedding = Embedding::new(6, 3, &mut StdRng::seed_from_u64(13));
    check_module("Embedding forward", &embedding, &input(&[4, 6], 14));
    let ids = Tensor::from_vec(vec![5, 0, 2, 5, 5, 1], &[2, 3]);
    check_variables(
        "Embedding lookup",
        &|tape| embedding.lookup(tape, &ids),
        &embedding.variables(),
    );
}

/// Dense, BatchNorm1d, Tanh, Dense, LayerNorm, Gelu, (Dropout,) Dense.
fn mlp(dropout: bool) -> Sequential<f64> {
    let mut rng = StdRng::seed_from_u64(15);
    let mut model = Sequential::new()
        .push(Dense::new(4, 6, &mut rng))
        .push(BatchNorm1d::new(6))
        .push(Tanh)
        .push(Dense::new(6, 5, &mut rng))
        .push(LayerNorm::new(5))
        .push(Gelu);
    if dropout {
        model = model.push(Dropout::new(0.3, &mut rng));
    }
    let model = model.push(Dense::new(5, 2, &mut rng));
    randomise(&model, 16);
    model
}

#[test]
fn sequential_in_training() {
    // Without Dropout: its mask would change between the checker's evaluations.
    check_module("Sequential in training", &mlp(false), &input(&[5, 4], 17));
}

#[test]
fn sequential_in_evaluation() {
    let mut model = mlp(true);
    model.set_training(false);
    check_module("Sequential in evaluation", &model, &input(&[5, 4], 17));
}

#[test]
fn second_order_through_layers() {
    let mut rng = StdRng::seed_from_u64(18);
    let model = Sequential::new()
        .push(Dense::new(3, 4, &mut rng))
        .push(BatchNorm1d::new(4))
        .push(Tanh)
        .push(Dense::new(4, 4, &mut rng))
        .push(LayerNorm::new(4))
        .push(Sigmoid)
        .push(Dense::new(4, 1, &mut rng));
    randomise(&model, 19);
    check::second_order(
        |v| model.forward(&v[0]).sum(&[], false),
        &[input(&[4, 3], 20)],
        TOLERANCE,
    )
    .unwrap_or_else(|e| panic!("Hessian-vector products through the layers: {e}"));
}

#[test]
fn convolutions() {
    let mut rng = StdRng::seed_from_u64(21);
    let conv = Conv2d::new(3, 4, [3, 2], &mut rng);
    check_module("Conv2d", &conv, &input(&[2, 3, 5, 4], 22));
    let strided = Conv2d::new(2, 3, [3, 3], &mut rng)
        .stride([2, 2])
        .padding([1, 1])
        .dilation([1, 2]);
    check_module("Conv2d strided", &strided, &input(&[2, 2, 6, 7], 23));
    let no_bias = Conv2d::from_tensors(input(&[2, 2, 2, 2], 24), None);
    check_module("Conv2d without bias", &no_bias, &input(&[3, 2, 3, 3], 25));
    let conv1d = Conv1d::new(2, 3, 3, &mut rng).stride(2).padding(1);
    check_module("Conv1d", &conv1d, &input(&[2, 2, 7], 26));
}

#[test]
fn pooling_and_flatten() {
    let x = input(&[2, 3, 4, 4], 27);
    check_module("MaxPool2d", &MaxPool2d::new([2, 2]), &x);
    check_module(
        "MaxPool2d overlapping",
        &MaxPool2d::new([3, 3]).stride([1, 1]),
        &x,
    );
    check_module("AvgPool2d", &AvgPool2d::new([2, 1]).stride([1, 1]), &x);
    check_module("GlobalAvgPool2d", &GlobalAvgPool2d, &x);
    check_module("Flatten", &Flatten::default(), &x);
}

#[test]
fn batch_norm_2d_in_training_and_evaluation() {
    let mut norm = BatchNorm2d::new(3);
    randomise(&norm, 28);
    let x = input(&[2, 3, 3, 2], 29).map(|x| 2.0 * x + 0.5);
    check_module("BatchNorm2d in training", &norm, &x);
    norm.set_training(false);
    check_module("BatchNorm2d in evaluation", &norm, &x);
}

#[test]
fn dropout_on_4d_input() {
    let x = input(&[2, 3, 4, 4], 30);
    fn forward<'t>(x: &Var<'t, f64>) -> Var<'t, f64> {
        Dropout::new(0.5, &mut StdRng::seed_from_u64(31)).forward(x)
    }
    check::gradients(|v| forward(&v[0]), std::slice::from_ref(&x), TOLERANCE)
        .unwrap_or_else(|e| panic!("Dropout on [N, C, H, W]: {e}"));
    let tape = Tape::new();
    let y = forward(&tape.watch(x.clone()));
    assert_eq!(y.shape().as_slice(), x.shape());
    let dropped = y.value().to_vec().iter().filter(|&&v| v == 0.0).count();
    assert!(
        dropped > 0 && dropped < x.len(),
        "drops some units: {dropped}"
    );
}

/// Conv2d, BatchNorm2d, Tanh, MaxPool2d, Conv2d, AvgPool2d, Flatten, Dense.
fn cnn() -> Sequential<f64> {
    let mut rng = StdRng::seed_from_u64(32);
    let model = Sequential::new()
        .push(Conv2d::new(2, 3, [3, 3], &mut rng).padding([1, 1]))
        .push(BatchNorm2d::new(3))
        .push(Tanh)
        .push(MaxPool2d::new([2, 2]))
        .push(Conv2d::new(3, 4, [2, 2], &mut rng))
        .push(AvgPool2d::new([2, 2]).stride([1, 1]))
        .push(Flatten::default())
        .push(Dense::new(4, 2, &mut rng));
    randomise(&model, 33);
    model
}

#[test]
fn cnn_in_training_and_evaluation() {
    let mut model = cnn();
    check_module("CNN in training", &model, &input(&[2, 2, 6, 6], 34));
    model.set_training(false);
    check_module("CNN in evaluation", &model, &input(&[2, 2, 6, 6], 34));
}

#[test]
fn second_order_through_a_cnn() {
    let mut model = cnn();
    model.set_training(false);
    check::second_order(
        |v| model.forward(&v[0]).tanh().sum(&[], false),
        &[input(&[2, 2, 6, 6], 35)],
        TOLERANCE,
    )
    .unwrap_or_else(|e| panic!("Hessian-vector products through a CNN: {e}"));
}
