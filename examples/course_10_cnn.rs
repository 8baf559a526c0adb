//! Course, lesson 10: image recognition with a convolutional network, on the 8×8 digits.
//!
//! A convolution slides a small kernel over the image: each output pixel is the dot product of
//! the kernel with the 3×3 patch under it. Gather every patch into a row ("im2col") and the
//! whole convolution is one matrix product, patches [n·36, 9] × kernels [9, 8]; the tape
//! differentiates it like any product (the gather's backward scatters the gradients back onto
//! the pixels). 2×2 max pooling is a reshape and a max. The example builds both that way, by
//! hand, and asserts that they give what descent's own `Var::conv2d` and `Var::max_pool2d`
//! give, values and gradients.
//!
//! Then it trains the network made of descent's layers, with the same initial kernels, and a
//! dense network with about as many weights:
//!
//! ```text
//! 8×8 image → Conv2d 3×3, 8 filters → 8×6×6 → ReLU → MaxPool2d 2×2 → 8×3×3 → Flatten → 72 → Dense → 10
//! ```
//!
//! The same layers at MNIST's size: `examples/mnist_cnn.rs` (99% test accuracy).
//!
//! Run it with `cargo run --release --example course_10_cnn`.

use descent::data::digits;
use descent::prelude::*;
use descent::rand::rngs::StdRng;

const SIDE: usize = 8; // input images are SIDE × SIDE
const K: usize = 3; // kernel size
const OUT: usize = SIDE - K + 1; // 6: output side without padding
const FILTERS: usize = 8;
const EPOCHS: usize = 15;

/// A 3×3 convolution with `FILTERS` kernels, as im2col + matmul.
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

    /// The kernels in PyTorch's (and `Var::conv2d`'s) layout, [FILTERS, 1, 3, 3]: each column
    /// of [9, FILTERS] becomes one 3×3 kernel.
    fn weight<'t>(&self, tape: &'t Tape<f32>) -> Var<'t, f32> {
        tape.read(&self.kernels)
            .transpose()
            .reshape(&[FILTERS, 1, K, K])
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
    let flat = |set: &Classification| Tensor::from(set.inputs.mapv(|p| (p / 16.0) as f32));
    let (train_flat, test_flat) = (flat(&train), flat(&test)); // [n, 64], for the dense network
    let image = |x: &Tensor<f32>| x.reshape(&[x.shape()[0], 1, SIDE, SIDE]); // [n, 1, 8, 8]
    let (train_x, test_x) = (image(&train_flat), image(&test_flat));
    println!(
        "digits: {} to train on, {} to test",
        train.len(),
        test.len()
    );

    let mut rng = StdRng::seed_from_u64(0);
    let conv = Conv::new(&mut rng);
    check_against_library(&conv, &train_flat.slice(0, 0, 64));

    // The network from descent's layers, starting from the same kernels.
    let weight = conv.weight(&Tape::new()).value();
    let cnn = Sequential::new()
        .push(Conv2d::from_tensors(weight, Some(conv.bias.value())))
        .push(Relu)
        .push(MaxPool2d::new([2, 2]))
        .push(Flatten::default())
        .push(Dense::new(FILTERS * (OUT / 2) * (OUT / 2), 10, &mut rng));
    // A dense network with about as many weights: 64-9-10 has 685, the CNN 810.
    let mlp = Sequential::new()
        .push(Dense::new(64, 9, &mut rng))
        .push(Relu)
        .push(Dense::new(9, 10, &mut rng));
    let count = |m: &Sequential<f32>| {
        m.parameters()
            .iter()
            .map(|v| v.value().len())
            .sum::<usize>()
    };
    println!(
        "weights: CNN {}, dense 64-9-10 {}\n",
        count(&cnn),
        count(&mlp)
    );

    let labels = (&train.labels[..], &test.labels[..]);
    let cnn_accuracy = train_and_test("CNN", &cnn, (&train_x, &test_x), labels);
    let mlp_accuracy = train_and_test("dense", &mlp, (&train_flat, &test_flat), labels);
    println!("\ntest accuracy: CNN {cnn_accuracy:.4}, dense {mlp_accuracy:.4}");
    assert!(cnn_accuracy > 0.95, "the CNN reached only {cnn_accuracy}");
    assert!(
        cnn_accuracy > mlp_accuracy,
        "the CNN did not beat the dense network of its size"
    );
}

/// The hand-built convolution, ReLU and pooling against `conv2d`, `relu` and `max_pool2d` on
/// the same images and kernels: the values, and the gradients of a weighted sum of the
/// outputs with respect to the kernels, the bias and the pixels.
fn check_against_library(conv: &Conv, x: &Tensor<f32>) {
    let n = x.shape()[0];
    let mut rng = StdRng::seed_from_u64(1);
    let weights = Tensor::<f32>::normal(&[n, OUT / 2, OUT / 2, FILTERS], 0.0, 1.0, &mut rng);
    let run = |by_hand: bool| {
        let tape = Tape::persistent(); // two gradient calls: the variables', then the pixels'
        let images = tape.watch(x.clone());
        let pooled = if by_hand {
            max_pool(&conv.forward(&images).relu())
        } else {
            let bias = tape.read(&conv.bias);
            let maps = images.reshape(&[n, 1, SIDE, SIDE]).conv2d(
                &conv.weight(&tape),
                Some(&bias),
                [1, 1],
                [0, 0],
                [1, 1],
            );
            // [n, F, 3, 3] → the hand-built layout, [n, 3, 3, F]
            maps.relu()
                .max_pool2d([2, 2], [2, 2])
                .permute(&[0, 2, 3, 1])
        };
        let loss = pooled.mul(&tape.watch(weights.clone())).sum(&[], false);
        let grads = tape.gradient(&loss, &[&conv.kernels, &conv.bias]);
        let pixels = tape.gradient(&loss, &[images]).remove(0);
        (
            pooled.value(),
            [&grads[0], &grads[1], &pixels].map(Tensor::to_vec),
        )
    };
    let ((hand, hand_grads), (library, library_grads)) = (run(true), run(false));
    // The largest difference, relative to the largest magnitude in `b`.
    let relative = |a: &[f32], b: &[f32]| {
        let size = b.iter().fold(0.0, |m: f32, b| m.max(b.abs()));
        let difference = a.iter().zip(b).map(|(a, b)| (a - b).abs());
        difference.fold(0.0, f32::max) / size
    };
    let values = relative(&hand.to_vec(), &library.to_vec());
    let grads = (0..3)
        .map(|i| relative(&hand_grads[i], &library_grads[i]))
        .fold(0.0, f32::max);
    println!(
        "im2col + max against conv2d + max_pool2d on {n} images, largest relative difference:"
    );
    println!("  values {values:.1e}, gradients (kernels, bias, pixels) {grads:.1e}");
    assert_eq!(hand.shape(), library.shape());
    // f32 sums of up to 64 · 36 terms, in different orders: a few units in the last place.
    assert!(values < 1e-6, "values differ by {values}");
    assert!(grads < 1e-6, "gradients differ by {grads}");
}

/// Adam (0.01), mini-batches of 32, `EPOCHS` epochs on `x.0`; returns the accuracy on `x.1`.
fn train_and_test(
    name: &str,
    model: &Sequential<f32>,
    (train_x, test_x): (&Tensor<f32>, &Tensor<f32>),
    (train_labels, test_labels): (&[usize], &[usize]),
) -> f64 {
    let variables = model.parameters();
    let mut optimizer = Adam::new(1e-2);
    let mut batches = Batches::new(train_labels.len(), 32).shuffle(1);
    let mut progress = Progress::new(EPOCHS, batches.len());
    for epoch in 1..=EPOCHS {
        for batch in batches.epoch() {
            let rows = Tensor::from_vec(batch.to_vec(), &[batch.len()]);
            let labels = batch.iter().map(|&i| train_labels[i]).collect();
            let tape = Tape::new();
            let loss = model
                .forward(&tape.watch(train_x.index_select(0, &rows)))
                .cross_entropy(&Tensor::from_vec(labels, &[batch.len()]));
            let grads = tape.gradient(&loss, &variables);
            optimizer.apply_gradients(&grads, &variables);
            progress.batch(loss.item(), batch.len());
        }
        let loss = progress.epoch_loss();
        let line = format!("{name:>5} epoch {epoch:2}: training loss {loss:.4}");
        progress.epoch_done(if epoch % 5 == 0 { line } else { String::new() });
    }
    progress.finish();
    let predicted = metrics::argmax(model.predict(test_x).array());
    metrics::accuracy(test_labels, &predicted)
}
