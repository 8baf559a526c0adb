//! Course, lesson 10: image recognition with a convolutional network, on the 8×8 digits.
//!
//! A convolution slides a small kernel over the image: each output pixel is the dot product of
//! the kernel with the 3×3 patch under it. Gather every patch into a row ("im2col") and the
//! whole convolution is one matrix product, patches [n·36, 9] × kernels [9, 8]; the tape
//! differentiates it like any product (the gather's backward scatters the gradients back onto
//! the pixels). Then ReLU, 2×2 max pooling (a reshape and a max), and a dense layer:
//!
//! ```text
//! 8×8 image → conv 3×3, 8 filters → 6×6×8 → ReLU → max-pool 2×2 → 3×3×8 = 72 → dense → 10
//! ```
//!
//! The example checks the im2col convolution against the textbook loops on one image, trains
//! the network with Adam, and compares it with a dense network with a similar number of
//! weights. descent has no convolution layer yet (issue 9); this one is built from `index_select`,
//! `matmul`, `reshape` and `max`.
//!
//! Run it with `cargo run --release --example course_10_cnn`.

use descent::data::{digits, metrics};
use descent::prelude::*;
use ndarray::Ix2;
use rand::{SeedableRng, rngs::StdRng};

const SIDE: usize = 8; // input images are SIDE × SIDE
const K: usize = 3; // kernel size
const OUT: usize = SIDE - K + 1; // 6: output side without padding
const FILTERS: usize = 8;
const EPOCHS: usize = 15;

/// A 3×3 convolution layer with `FILTERS` kernels, as im2col + matmul.
struct Conv {
    kernels: Variable<f32>, // [9, FILTERS]: one column per kernel
    bias: Variable<f32>,    // [FILTERS]
    patches: Tensor<usize>, // [OUT·OUT·9]: the pixel under each kernel tap at each position
}

impl Conv {
    fn new(rng: &mut StdRng) -> Conv {
        let mut patches = vec![];
        for row in 0..OUT {
            for col in 0..OUT {
                for dr in 0..K {
                    for dc in 0..K {
                        patches.push((row + dr) * SIDE + col + dc);
                    }
                }
            }
        }
        Conv {
            kernels: Variable::named("kernels", Init::HeNormal.sample(&[K * K, FILTERS], rng)),
            bias: Variable::named("bias", Tensor::zeros(&[FILTERS])),
            patches: Tensor::from_vec(patches, &[OUT * OUT * K * K]),
        }
    }

    /// Images [n, 64] → feature maps [n, 6, 6, FILTERS].
    fn forward<'t>(&self, images: &Var<'t, f32>) -> Var<'t, f32> {
        let tape = images.tape();
        let n = images.shape()[0];
        let columns = images
            .index_select(1, &self.patches)
            .reshape(&[n * OUT * OUT, K * K]);
        let maps = columns
            .matmul(&tape.read(&self.kernels))
            .add(&tape.read(&self.bias));
        maps.reshape(&[n, OUT, OUT, FILTERS])
    }
}

/// The network: conv, ReLU, max-pool, flatten, dense.
struct Cnn {
    conv: Conv,
    dense: Dense<f32>,
}

impl Module<f32> for Cnn {
    fn forward<'t>(&self, x: &Var<'t, f32>) -> Var<'t, f32> {
        let n = x.shape()[0];
        let pooled = max_pool(&self.conv.forward(x).relu());
        self.dense
            .forward(&pooled.reshape(&[n, OUT / 2 * OUT / 2 * FILTERS]))
    }

    fn variables(&self) -> Vec<(String, Variable<f32>)> {
        let conv = [
            ("conv.kernels", &self.conv.kernels),
            ("conv.bias", &self.conv.bias),
        ];
        let conv = conv
            .into_iter()
            .map(|(name, v)| (name.to_string(), v.clone()));
        let dense = self
            .dense
            .variables()
            .into_iter()
            .map(|(name, v)| (format!("dense.{name}"), v));
        conv.chain(dense).collect()
    }
}

/// Max pooling 2×2: [n, 6, 6, F] → [n, 3, 3, F], by splitting each side in (3, 2) and taking
/// the max over the two 2s.
fn max_pool<'t>(maps: &Var<'t, f32>) -> Var<'t, f32> {
    let n = maps.shape()[0];
    let half = OUT / 2;
    maps.reshape(&[n, half, 2, half, 2, FILTERS])
        .max(&[2, 4], false)
}

fn main() {
    let data = digits();
    let (train, test) = train_test_split(data.len(), 0.25, 0);
    let (train, test) = (data.subset(&train), data.subset(&test));
    let images = |set: &Classification| Tensor::from(set.inputs.mapv(|p| (p / 16.0) as f32));
    let (train_x, test_x) = (images(&train), images(&test));
    println!(
        "digits: {} to train on, {} to test",
        train.len(),
        test.len()
    );

    let mut rng = StdRng::seed_from_u64(0);
    let conv = Conv::new(&mut rng);
    check_against_loops(&conv, &train_x);

    let cnn = Cnn {
        conv,
        dense: Dense::new(OUT / 2 * OUT / 2 * FILTERS, 10, &mut rng),
    };
    let cnn_variables: Vec<Variable<f32>> = cnn.variables().into_iter().map(|(_, v)| v).collect();

    // A dense network with about as many weights: 64-9-10 has 685, the CNN 810.
    let mlp = Sequential::new()
        .push(Dense::new(64, 9, &mut rng))
        .push(Relu)
        .push(Dense::new(9, 10, &mut rng));
    let mlp_variables: Vec<Variable<f32>> = mlp.variables().into_iter().map(|(_, v)| v).collect();
    let count = |vs: &[Variable<f32>]| vs.iter().map(|v| v.value().len()).sum::<usize>();
    println!(
        "weights: CNN {}, dense 64-9-10 {}\n",
        count(&cnn_variables),
        count(&mlp_variables)
    );

    let cnn_accuracy = train_and_test(
        "CNN",
        &cnn,
        &cnn_variables,
        &train_x,
        &train.labels,
        &test_x,
        &test.labels,
    );
    let mlp_accuracy = train_and_test(
        "dense",
        &mlp,
        &mlp_variables,
        &train_x,
        &train.labels,
        &test_x,
        &test.labels,
    );
    println!("\ntest accuracy: CNN {cnn_accuracy:.4}, dense {mlp_accuracy:.4}");
    assert!(cnn_accuracy > 0.95, "the CNN reached only {cnn_accuracy}");
    assert!(
        cnn_accuracy > mlp_accuracy,
        "the CNN did not beat the dense network of its size"
    );
}

/// The convolution by the textbook's four loops on the first image, against im2col + matmul.
fn check_against_loops(conv: &Conv, x: &Tensor<f32>) {
    let image = x.to_vec();
    let kernels = conv
        .kernels
        .value()
        .into_array()
        .into_dimensionality::<Ix2>()
        .expect("2-D");
    let tape = Tape::new();
    let maps = conv.forward(&tape.watch(x.slice(0, 0, 1))).value().to_vec();
    let mut worst: f32 = 0.0;
    for row in 0..OUT {
        for col in 0..OUT {
            for f in 0..FILTERS {
                let mut sum = 0.0;
                for dr in 0..K {
                    for dc in 0..K {
                        sum += image[(row + dr) * SIDE + col + dc] * kernels[[dr * K + dc, f]];
                    }
                }
                let im2col = maps[(row * OUT + col) * FILTERS + f];
                worst = worst.max((sum - im2col).abs());
            }
        }
    }
    println!("im2col against the four loops: largest difference {worst:.1e}");
    assert!(worst < 1e-5);
}

/// Adam (0.01), mini-batches of 32, `EPOCHS` epochs; returns the test accuracy.
fn train_and_test(
    name: &str,
    model: &dyn Module<f32>,
    variables: &[Variable<f32>],
    train_x: &Tensor<f32>,
    train_labels: &[usize],
    test_x: &Tensor<f32>,
    test_labels: &[usize],
) -> f64 {
    let mut optimizer = Adam::new(1e-2);
    let mut batches = Batches::new(train_labels.len(), 32).shuffle(1);
    let mut progress = Progress::new(EPOCHS, batches.len());
    for epoch in 1..=EPOCHS {
        for batch in batches.epoch() {
            let rows = Tensor::from_vec(batch.to_vec(), &[batch.len()]);
            let labels = Tensor::from_vec(
                batch.iter().map(|&i| train_labels[i]).collect(),
                &[batch.len()],
            );
            let tape = Tape::new();
            let loss = model
                .forward(&tape.watch(train_x.index_select(0, &rows)))
                .cross_entropy(&labels);
            let grads = tape.gradient(&loss, variables);
            optimizer.apply_gradients(&grads, variables);
            progress.batch(loss.item(), batch.len());
        }
        let loss = progress.epoch_loss();
        if epoch % 5 == 0 {
            progress.epoch_done(format!(
                "{name:>5} epoch {epoch:2}: training loss {loss:.4}"
            ));
        } else {
            progress.epoch_done("");
        }
    }
    progress.finish();
    let tape = Tape::new();
    let logits = model.forward(&tape.watch(test_x.clone())).value();
    let scores = logits
        .into_array()
        .into_dimensionality::<Ix2>()
        .expect("[n, 10]");
    metrics::accuracy(test_labels, &metrics::argmax(&scores))
}
