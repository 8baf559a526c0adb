//! Course, lesson 8: vanishing and exploding gradients, and the fixes side by side.
//!
//! Back-propagation multiplies one factor per layer. With sigmoid, each factor carries
//! σ' ≤ 1/4, so in a deep network the gradient reaching the first layers is tiny: they barely
//! learn (vanishing). With weights too large, the activations grow layer by layer and so do
//! the gradients: here every layer's is hundreds of times He's, and SGD blows up (exploding). The fixes: ReLU with He initialisation (variance 2/fan_in keeps
//! the signal's size from layer to layer), batch normalisation (re-centres and re-scales every
//! layer's input), and clipping the gradient's norm (bounds the step, whatever its size).
//!
//! Every network has 10 dense layers of 32 units between the 64 pixels and the 10 classes.
//! The example measures each dense layer's weight-gradient norm at initialisation (plot:
//! target/plots/course_08_gradient_norms.svg), then trains each network for 20 epochs of SGD.
//!
//! Run it with `cargo run --release --example course_08_vanishing_gradients`.

#[path = "course/plot.rs"]
mod plot;

use descent::data::digits;
use descent::prelude::*;
use plot::{Axis, Chart, Line};
use rand::{SeedableRng, rngs::StdRng};

const DEPTH: usize = 10;
const WIDTH: usize = 32;
const RATE: f64 = 0.05;
const EPOCHS: usize = 20;

/// How a network is built and trained.
#[derive(Clone, Copy, PartialEq)]
enum Setup {
    /// Sigmoid, weights U(±1/√fan_in) (`Dense::new`).
    Sigmoid,
    /// ReLU, He-normal weights N(0, 2/fan_in).
    ReluHe,
    /// Sigmoid with batch normalisation before every activation.
    SigmoidBatchNorm,
    /// ReLU with weights N(0, 8/fan_in): twice He's standard deviation.
    ReluLarge,
    /// The same, with the gradient's global norm clipped to 1.
    ReluLargeClipped,
}

impl Setup {
    fn name(self) -> &'static str {
        match self {
            Setup::Sigmoid => "sigmoid",
            Setup::ReluHe => "ReLU + He init",
            Setup::SigmoidBatchNorm => "sigmoid + batch norm",
            Setup::ReluLarge => "ReLU, init too large",
            Setup::ReluLargeClipped => "ReLU, init too large, clipped",
        }
    }

    fn network(self, rng: &mut StdRng) -> Sequential<f32> {
        let mut network = Sequential::new();
        let mut inputs = 64;
        for _ in 0..DEPTH {
            let dense = match self {
                Setup::Sigmoid | Setup::SigmoidBatchNorm => Dense::new(inputs, WIDTH, rng),
                Setup::ReluHe => Dense::from_tensors(
                    Init::HeNormal.sample(&[inputs, WIDTH], rng),
                    Some(Tensor::zeros(&[WIDTH])),
                ),
                Setup::ReluLarge | Setup::ReluLargeClipped => {
                    let std = (8.0 / inputs as f64).sqrt();
                    let weight = Init::Normal { mean: 0.0, std }.sample(&[inputs, WIDTH], rng);
                    Dense::from_tensors(weight, Some(Tensor::zeros(&[WIDTH])))
                }
            };
            network = network.push(dense);
            network = match self {
                Setup::Sigmoid => network.push(Sigmoid),
                Setup::SigmoidBatchNorm => network.push(BatchNorm1d::new(WIDTH)).push(Sigmoid),
                _ => network.push(Relu),
            };
            inputs = WIDTH;
        }
        network.push(Dense::new(WIDTH, 10, rng))
    }
}

fn main() -> Result<(), String> {
    let data = digits();
    let (train, test) = train_test_split(data.len(), 0.25, 0);
    let (train, test) = (data.subset(&train), data.subset(&test));
    let scaler = Standardizer::fit(&train.inputs);
    let inputs =
        |set: &Classification| Tensor::from(scaler.transform(&set.inputs).mapv(|v| v as f32));
    let (train_x, test_x) = (inputs(&train), inputs(&test));
    let train_y = Tensor::from_vec(train.labels.clone(), &[train.len()]);
    let test_y = Tensor::from_vec(test.labels.clone(), &[test.len()]);

    let setups = [
        Setup::Sigmoid,
        Setup::ReluHe,
        Setup::SigmoidBatchNorm,
        Setup::ReluLarge,
        Setup::ReluLargeClipped,
    ];
    let mut norms: Vec<(Setup, Vec<f64>)> = vec![];
    let mut results = vec![];
    println!(
        "gradient norm of each dense layer's weights at initialisation (layer 1 is nearest the input):"
    );
    for setup in setups {
        let mut rng = StdRng::seed_from_u64(0);
        let mut network = setup.network(&mut rng);
        let variables = network.variables();
        let weights: Vec<Variable<f32>> = variables
            .iter()
            .filter(|(name, v)| name.ends_with("weight") && v.shape().len() == 2)
            .map(|(_, v)| v.clone())
            .collect();

        let tape = Tape::new();
        let loss = network
            .forward(&tape.watch(train_x.clone()))
            .cross_entropy(&train_y);
        let layer_norms: Vec<f64> = tape
            .gradient(&loss, &weights)
            .iter()
            .map(|g| gradient_norm(std::slice::from_ref(g)))
            .collect();
        let shown: Vec<String> = layer_norms.iter().map(|n| format!("{n:.1e}")).collect();
        println!("  {:<30} {}", setup.name(), shown.join(" "));
        if setup != Setup::ReluLargeClipped {
            norms.push((setup, layer_norms));
        }

        let (loss, accuracy) = train_network(
            &mut network,
            setup,
            &train_x,
            &train.labels,
            &test_x,
            &test_y,
        );
        results.push((setup, loss, accuracy));
    }

    let lines = norms.iter().map(|(setup, n)| {
        let points = n
            .iter()
            .enumerate()
            .map(|(layer, &norm)| ((layer + 1) as f64, norm));
        Line::new(setup.name(), points.collect()).marked()
    });
    let path = "target/plots/course_08_gradient_norms.svg";
    plot::save(
        path,
        &[Chart {
            title: "Weight-gradient norm per layer at initialisation",
            x: Axis::linear("layer (1: nearest the input, 11: the output layer)"),
            y: Axis::log("gradient norm"),
            lines: lines.collect(),
        }],
    )?;
    println!("plot: {path}\n");

    println!("after {EPOCHS} epochs of SGD (rate {RATE}, batches of 32):");
    println!(
        "  {:<30} {:>14} {:>14}",
        "network", "training loss", "test accuracy"
    );
    for (setup, loss, accuracy) in &results {
        println!("  {:<30} {loss:>14.4} {accuracy:>14.4}", setup.name());
    }

    let ratio = |setup: Setup| {
        let n = &norms.iter().find(|(s, _)| *s == setup).expect("measured").1;
        n[0] / n[DEPTH - 1]
    };
    let result = |setup: Setup| {
        results
            .iter()
            .find(|r| r.0 == setup)
            .map(|r| (r.1, r.2))
            .expect("trained")
    };
    println!("\nfirst layer's gradient norm / last hidden layer's:");
    for setup in [
        Setup::Sigmoid,
        Setup::ReluHe,
        Setup::SigmoidBatchNorm,
        Setup::ReluLarge,
    ] {
        println!("  {:<30} {:.1e}", setup.name(), ratio(setup));
    }
    // Vanishing: the sigmoid network's first layer gets less than a thousandth of its last
    // hidden layer's gradient; ReLU + He and batch norm keep them within a factor of 10.
    assert!(ratio(Setup::Sigmoid) < 1e-3);
    assert!((0.1..10.0).contains(&ratio(Setup::ReluHe)));
    assert!((0.1..10.0).contains(&ratio(Setup::SigmoidBatchNorm)));
    // And so the plain sigmoid network learns nothing (chance is 0.1); the fixed ones learn.
    assert!(
        result(Setup::Sigmoid).1 < 0.2,
        "the sigmoid network learned"
    );
    assert!(result(Setup::ReluHe).1 > 0.9, "ReLU + He did not learn");
    assert!(
        result(Setup::SigmoidBatchNorm).1 > 0.5,
        "batch norm did not learn"
    );
    // Exploding: with too large an init every layer's gradient is over 100× the largest under
    // He init, and unclipped SGD diverges to NaN. Clipping keeps the steps bounded and the
    // loss finite, and it learns, slowly: clipping bounds a step, it does not fix the init.
    let norms_of = |setup: Setup| &norms.iter().find(|(s, _)| *s == setup).expect("measured").1;
    let he_largest = norms_of(Setup::ReluHe).iter().copied().fold(0.0, f64::max);
    let large_smallest = norms_of(Setup::ReluLarge)
        .iter()
        .copied()
        .fold(f64::INFINITY, f64::min);
    assert!(
        large_smallest > 100.0 * he_largest,
        "{large_smallest} vs {he_largest}"
    );
    assert!(
        result(Setup::ReluLarge).0.is_nan(),
        "the unclipped network did not diverge"
    );
    let clipped = result(Setup::ReluLargeClipped);
    assert!(
        clipped.0.is_finite() && clipped.1 > 0.2,
        "clipped: {clipped:?}"
    );
    Ok(())
}

/// Trains for `EPOCHS` epochs of mini-batch SGD; returns the last epoch's mean training loss
/// and the test accuracy.
fn train_network(
    network: &mut Sequential<f32>,
    setup: Setup,
    train_x: &Tensor<f32>,
    train_labels: &[usize],
    test_x: &Tensor<f32>,
    test_y: &Tensor<usize>,
) -> (f64, f64) {
    let variables: Vec<Variable<f32>> = network.variables().into_iter().map(|(_, v)| v).collect();
    let mut optimizer = Sgd::new(RATE);
    // Optimizers refuse a non-finite gradient by default; this lesson lets the unclipped
    // network diverge on purpose, to show the NaN it ends in.
    optimizer.set_check_finite(setup != Setup::ReluLarge);
    let mut batches = Batches::new(train_labels.len(), 32).shuffle(1);
    let mut epoch_loss = 0.0;
    for _ in 0..EPOCHS {
        let (mut sum, mut count) = (0.0, 0);
        for batch in batches.epoch() {
            let rows = Tensor::from_vec(batch.to_vec(), &[batch.len()]);
            let labels = Tensor::from_vec(
                batch.iter().map(|&i| train_labels[i]).collect(),
                &[batch.len()],
            );
            let tape = Tape::new();
            let loss = network
                .forward(&tape.watch(train_x.index_select(0, &rows)))
                .cross_entropy(&labels);
            let mut grads = tape.gradient(&loss, &variables);
            if setup == Setup::ReluLargeClipped {
                clip_by_global_norm(&mut grads, 1.0);
            }
            optimizer.apply_gradients(&grads, &variables);
            sum += f64::from(loss.item()) * batch.len() as f64;
            count += batch.len();
        }
        epoch_loss = sum / count as f64;
    }
    network.set_training(false);
    let tape = Tape::new();
    let logits = network.forward(&tape.watch(test_x.clone())).value();
    let scores = logits
        .into_array()
        .into_dimensionality::<ndarray::Ix2>()
        .expect("[n, 10] logits");
    let predicted = descent::data::metrics::argmax(&scores);
    let truth = test_y.to_vec();
    (
        epoch_loss,
        descent::data::metrics::accuracy(&truth, &predicted),
    )
}
