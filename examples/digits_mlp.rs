//! A small network on the 8×8 digits embedded in descent (1,797 images, no download): 64-64-10
//! with ReLU, Adam, mini-batches of 32, and a held-out 20% test split.
//!
//! ```text
//! cargo run --release --example digits_mlp
//! ```

use descent::prelude::*;
use ndarray::{Array2, Axis, Ix2};
use rand::{SeedableRng, rngs::StdRng};

const EPOCHS: usize = 30;
const BATCH: usize = 32;
const TARGET_ACCURACY: f64 = 0.96;

fn main() {
    // Data: pixels 0–16 scaled to [0, 1]; 80% to train on, 20% held out.
    let digits = descent::data::digits();
    let (train, test) = train_test_split(digits.len(), 0.2, 7);
    let inputs = digits.inputs.mapv(|p| (p / 16.0) as f32);
    let (x_train, x_test) = (
        inputs.select(Axis(0), &train),
        inputs.select(Axis(0), &test),
    );
    let labels = |rows: &[usize]| rows.iter().map(|&i| digits.labels[i]).collect::<Vec<_>>();
    let (y_train, y_test) = (labels(&train), labels(&test));
    println!(
        "digits: {} to train on, {} held out",
        train.len(),
        test.len()
    );

    // Model and optimizer.
    let mut rng = StdRng::seed_from_u64(0);
    let model = Sequential::new()
        .push(Dense::new(64, 64, &mut rng))
        .push(Relu)
        .push(Dense::new(64, 10, &mut rng));
    let variables: Vec<Variable<f32>> = model.variables().into_iter().map(|(_, v)| v).collect();
    let mut optimizer = Adam::new(3e-3);

    let mut batches = Batches::new(train.len(), BATCH).shuffle(42);
    for epoch in 1..=EPOCHS {
        let mut loss_sum = 0.0;
        for rows in batches.epoch() {
            let mut x = Array2::zeros((rows.len(), 64));
            gather_rows(&x_train, rows, &mut x, |p| p);
            let y = Tensor::from_vec(rows.iter().map(|&r| y_train[r]).collect(), &[rows.len()]);

            let tape = Tape::new();
            let loss = model
                .forward(&tape.watch(Tensor::from(x)))
                .cross_entropy(&y);
            let grads = tape.gradient(&loss, &variables);
            optimizer.apply_gradients(&grads, &variables);
            loss_sum += f64::from(loss.item()) * rows.len() as f64;
        }
        if epoch % 5 == 0 {
            let accuracy = accuracy(&model, &x_test, &y_test);
            let loss = loss_sum / train.len() as f64;
            println!(
                "epoch {epoch:2}: training loss {loss:.4}  test accuracy {:.2}%",
                100.0 * accuracy
            );
        }
    }

    let predicted = predict(&model, &x_test);
    let scores = metrics::class_scores(&y_test, &predicted, 10);
    let accuracy = metrics::accuracy(&y_test, &predicted);
    println!(
        "test accuracy {:.2}%, macro F1 {:.3}",
        100.0 * accuracy,
        scores.macro_f1()
    );
    println!("confusion matrix (rows: true digit, columns: predicted):");
    println!("{}", metrics::confusion_matrix(&y_test, &predicted, 10));
    assert!(
        accuracy >= TARGET_ACCURACY,
        "test accuracy {accuracy:.4} is below {TARGET_ACCURACY}"
    );
}

/// The most likely class of every row.
fn predict(model: &Sequential<f32>, x: &Array2<f32>) -> Vec<usize> {
    let tape = Tape::new();
    let logits = model.forward(&tape.watch(Tensor::from(x.clone()))).value();
    metrics::argmax(&logits.view().into_dimensionality::<Ix2>().expect("2-D"))
}

fn accuracy(model: &Sequential<f32>, x: &Array2<f32>, labels: &[usize]) -> f64 {
    metrics::accuracy(labels, &predict(model, x))
}
