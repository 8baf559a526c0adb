//! Course, lesson 8: vanishing and exploding gradients, and the fixes side by side.
//!
//! Back-propagation multiplies one factor per layer. With sigmoid, each factor carries
//! σ' ≤ 1/4, so in a deep network the gradient reaching the first layers is tiny: they barely
//! learn (vanishing). With weights too large, the activations grow layer by layer and so do
//! the gradients: here every layer's is hundreds of times He's, and SGD blows up (exploding).
//! The fixes: ReLU with He initialisation (variance 2/fan_in keeps the signal's size from
//! layer to layer), batch normalisation (re-centres and re-scales every layer's input), and
//! clipping the gradient's norm (bounds the step, whatever its size).
//!
//! Every network has 10 dense layers of 32 units between the 64 pixels and the 10 classes.
//! The example measures each dense layer's weight-gradient norm at initialisation (after
//! clipping, for the clipped network), then trains each network for 20 epochs of SGD. The
//! plot, target/plots/course_08_gradient_norms.svg, shows the norms per layer and, beside
//! them, each network's training loss per epoch.
//!
//! Run it with `cargo run --release --example course_08_vanishing_gradients`.

#[path = "course/plot.rs"]
mod plot;

use descent::data::digits;
use descent::prelude::*;
use descent::rand::rngs::StdRng;
use plot::{Axis, Chart, Line};

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
        let tape = Tape::new();
        let loss = network
            .forward(&tape.watch(train_x.clone()))
            .cross_entropy(&train_y);
        let mut grads = tape.gradient(&loss, &network.parameters());
        if setup == Setup::ReluLargeClipped {
            clip_by_global_norm(&mut grads, 1.0); // the gradient the step will see
        }
        // The dense layers' weights: the 2-D variables named "weight" (batch norm's are 1-D).
        let is_dense_weight =
            |(name, v): &(String, Variable<f32>)| name.ends_with("weight") && v.shape().len() == 2;
        let layer_norms: Vec<f64> = network
            .variables()
            .iter()
            .zip(&grads)
            .filter(|(named, _)| is_dense_weight(named))
            .map(|(_, g)| gradient_norm(std::slice::from_ref(g)))
            .collect();
        let shown: Vec<String> = layer_norms.iter().map(|n| format!("{n:.1e}")).collect();
        println!("  {:<30} {}", setup.name(), shown.join(" "));
        norms.push((setup, layer_norms));

        let (losses, accuracy) = train_network(
            &mut network,
            setup,
            &train_x,
            &train.labels,
            &test_x,
            &test_y,
        );
        results.push((setup, losses, accuracy));
    }

    // One line per network, through (x, y) = (1, values[0]), (2, values[1]), …
    let numbered = |named: Vec<(Setup, &Vec<f64>)>| -> Vec<Line> {
        let points = |values: &Vec<f64>| -> Vec<(f64, f64)> {
            let numbered = values.iter().enumerate();
            numbered.map(|(i, &v)| ((i + 1) as f64, v)).collect()
        };
        let lines = named.into_iter();
        lines
            .map(|(s, v)| Line::new(s.name(), points(v)).marked())
            .collect()
    };
    let path = "target/plots/course_08_gradient_norms.svg";
    plot::save(
        path,
        &[
            Chart {
                title: "Weight-gradient norm per layer at initialisation",
                x: Axis::linear("layer (1: nearest the input, 11: the output layer)"),
                y: Axis::log("gradient norm"),
                lines: numbered(norms.iter().map(|(s, n)| (*s, n)).collect()),
            },
            Chart {
                title: "The fixes side by side: training loss",
                x: Axis::linear("epoch"),
                y: Axis::log("mean training loss of the epoch"),
                lines: numbered(results.iter().map(|(s, l, _)| (*s, l)).collect()),
            },
        ],
    )?;
    println!("plot: {path}\n");

    println!("after {EPOCHS} epochs of SGD (rate {RATE}, batches of 32):");
    println!(
        "  {:<30} {:>14} {:>14}",
        "network", "training loss", "test accuracy"
    );
    for (setup, losses, accuracy) in &results {
        let loss = losses[EPOCHS - 1];
        println!("  {:<30} {loss:>14.4} {accuracy:>14.4}", setup.name());
    }

    let norms_of = |setup: Setup| &norms.iter().find(|(s, _)| *s == setup).expect("measured").1;
    let ratio = |setup: Setup| norms_of(setup)[0] / norms_of(setup)[DEPTH - 1];
    let result = |setup: Setup| {
        let (_, losses, accuracy) = results.iter().find(|r| r.0 == setup).expect("trained");
        (losses[0], losses[EPOCHS - 1], *accuracy)
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
    // And so the plain sigmoid network learns nothing: its loss stays at chance's, ln 10, and
    // so does its accuracy (0.1). The fixed ones learn.
    let (_, sigmoid_loss, sigmoid_accuracy) = result(Setup::Sigmoid);
    assert!(
        (sigmoid_loss - 10f64.ln()).abs() < 0.01 && sigmoid_accuracy < 0.2,
        "the sigmoid network learned: {:?}",
        result(Setup::Sigmoid)
    );
    assert!(result(Setup::ReluHe).2 > 0.9, "ReLU + He did not learn");
    // Batch norm's training loss falls steadily; its test accuracy at the end of an epoch
    // swings (from 0.2 to 0.9 when measured after every epoch), so the loss is asserted.
    assert!(
        result(Setup::SigmoidBatchNorm).1 < 1.0,
        "batch norm did not learn: {:?}",
        result(Setup::SigmoidBatchNorm)
    );
    // Exploding: with too large an init every layer's gradient is over 100× the largest under
    // He init, and unclipped SGD diverges to NaN. Clipping keeps the steps bounded and the
    // loss finite, and it learns, slowly: clipping bounds a step, it does not fix the init.
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
        result(Setup::ReluLarge).1.is_nan(),
        "the unclipped network did not diverge"
    );
    let (first, last, accuracy) = result(Setup::ReluLargeClipped);
    assert!(
        last.is_finite() && last < first / 10.0 && accuracy > 0.15,
        "clipped: {:?}",
        result(Setup::ReluLargeClipped)
    );
    // Clipped to a global norm of 1, no layer's part of the step can exceed 1.
    let clipped_norms = norms_of(Setup::ReluLargeClipped);
    assert!(
        clipped_norms.iter().all(|&n| n <= 1.0 + 1e-6),
        "{clipped_norms:?}"
    );
    Ok(())
}

/// Trains for `EPOCHS` epochs of mini-batch SGD; returns each epoch's mean training loss and
/// the test accuracy.
fn train_network(
    network: &mut Sequential<f32>,
    setup: Setup,
    train_x: &Tensor<f32>,
    train_labels: &[usize],
    test_x: &Tensor<f32>,
    test_y: &Tensor<usize>,
) -> (Vec<f64>, f64) {
    let variables = network.parameters();
    let mut optimizer = Sgd::new(RATE);
    // Optimizers refuse a non-finite gradient by default; this lesson lets the unclipped
    // network diverge on purpose, to show the NaN it ends in.
    optimizer.set_check_finite(setup != Setup::ReluLarge);
    let mut batches = Batches::new(train_labels.len(), 32).shuffle(1);
    let mut epoch_losses = vec![];
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
        epoch_losses.push(sum / count as f64);
    }
    network.set_training(false);
    let predicted = metrics::argmax(network.predict(test_x).array());
    (
        epoch_losses,
        metrics::accuracy(&test_y.to_vec(), &predicted),
    )
}
