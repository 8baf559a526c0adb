//! A small network on the 8×8 digits embedded in descent (1,797 images, no download): 64-64-10
//! with ReLU and Adam, trained by `Fit` (mini-batches of 32, a progress bar on a terminal,
//! validation every epoch, early stopping, the best epoch's weights kept, the loss curves
//! plotted), then scored on a held-out 20% test split. `docs/training.md` writes the same
//! loop by hand with a `GradientTape`.
//!
//! ```text
//! cargo run --release --example digits_mlp
//! ```

use descent::prelude::*;
use descent::rand::rngs::StdRng;

const TARGET_ACCURACY: f64 = 0.96;

fn main() -> Result<(), PlotError> {
    // Data: pixels 0–16 scaled to [0, 1]; 20% held out for the test, 15% of the rest to validate.
    let mut digits = descent::data::digits();
    digits.inputs /= 16.0;
    let (rest, test) = train_test_split(digits.len(), 0.2, 7);
    let (train, validation) = train_test_split(rest.len(), 0.15, 7);
    let pick = |rows: Vec<usize>| digits.subset(&rows.iter().map(|&i| rest[i]).collect::<Vec<_>>());
    let (train, validation, test) = (pick(train), pick(validation), digits.subset(&test));
    println!(
        "digits: {} to train on, {} to validate, {} to test",
        train.len(),
        validation.len(),
        test.len()
    );

    // The model (each layer's initial weights from its own seed), the optimizer, the fit and
    // the plot.
    let mut model = Sequential::<f32>::new()
        .push(Dense::new(64, 64, &mut StdRng::seed_from_u64(0)))
        .push(Relu)
        .push(Dense::new(64, 10, &mut StdRng::seed_from_u64(1)));
    let mut adam = Adam::new(3e-3);
    let history = Fit::new(30, 32)
        .validation(&validation)
        .stopping(Stopping::new().patience(5))
        .run(&mut model, &mut adam, &train, |z, y| z.cross_entropy(y));
    history.plot("target/plots/digits_mlp.svg", "digits MLP")?;
    let best = history.best_epoch.expect("validated every epoch") + 1;
    println!("kept the weights of epoch {best}; loss curves in target/plots/digits_mlp.svg");

    // The test split, predicted without a tape.
    let (x, labels) = test.all();
    let predicted = metrics::argmax(model.predict(&x).array());
    let labels = labels.to_vec();
    let accuracy = metrics::accuracy(&labels, &predicted);
    let scores = metrics::class_scores(&labels, &predicted, 10);
    println!(
        "test accuracy {:.2}%, macro F1 {:.3}",
        100.0 * accuracy,
        scores.macro_f1()
    );
    println!("confusion matrix (rows: true digit, columns: predicted):");
    println!("{}", metrics::confusion_matrix(&labels, &predicted, 10));
    assert!(
        accuracy >= TARGET_ACCURACY,
        "test accuracy {accuracy:.4} is below {TARGET_ACCURACY}"
    );
    Ok(())
}
