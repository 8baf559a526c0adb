//! Regression on real data: predict diabetes progression one year ahead from ten baseline
//! measurements (442 patients), with a small neural network and with plain linear regression,
//! both scored by R² on patients held out from training.
//!
//! The steps every tabular regression needs are all here: a held-out test split (20%), inputs
//! standardised with statistics of the training part only, targets scaled to mean 0 and
//! standard deviation 1 (and predictions scaled back), and early stopping on a validation
//! split carved from the training part, restoring the weights of the best epoch.
//!
//! Run it with `cargo run --release --example diabetes_regression`.

use descent::data::{diabetes, metrics};
use descent::prelude::*;
use descent::rand::{SeedableRng, rngs::StdRng};

const MAX_EPOCHS: usize = 500;

/// One data split as tensors: standardised inputs and scaled targets `[n, 1]`.
struct Split {
    x: Tensor<f32>,
    y: Tensor<f32>,
}

fn main() {
    // 80% to learn from (of which 20% validates, for early stopping), 20% to test.
    let data = diabetes();
    let (learn, test) = train_test_split(data.len(), 0.2, 0);
    let (learn, test) = (data.subset(&learn), data.subset(&test));
    let (train, validation) = train_test_split(learn.len(), 0.2, 1);
    let (train, validation) = (learn.subset(&train), learn.subset(&validation));
    println!(
        "diabetes: {} patients to train on, {} to validate, {} to test",
        train.len(),
        validation.len(),
        test.len()
    );

    // Statistics of the training part only, applied to every part.
    let scaler = Standardizer::fit(&train.inputs);
    let (mean, std) = (train.targets.mean().unwrap(), train.targets.std(0.0));
    let split = |set: &Regression| Split {
        x: Tensor::from(scaler.transform(&set.inputs).mapv(|v| v as f32)),
        y: Tensor::from(set.targets.mapv(|t| ((t - mean) / std) as f32)).reshape(&[set.len(), 1]),
    };
    let (train, validation, test_split) = (split(&train), split(&validation), split(&test));
    let unscale = |p: &Tensor<f32>| -> Vec<f64> {
        p.to_vec()
            .iter()
            .map(|&p| f64::from(p) * std + mean)
            .collect()
    };

    let mut rng = StdRng::seed_from_u64(0);
    let linear = Sequential::new().push(Dense::new(10, 1, &mut rng));
    let mlp = Sequential::new()
        .push(Dense::new(10, 32, &mut rng))
        .push(Relu)
        .push(Dense::new(32, 1, &mut rng));

    let mut r2 = vec![];
    for (name, model) in [("linear regression", &linear), ("MLP 10-32-1", &mlp)] {
        println!("\n{name}:");
        let stop = fit(model, &train, &validation);
        println!("  {stop}");
        let tape = Tape::new();
        let predicted = unscale(&model.forward(&tape.watch(test_split.x.clone())).value());
        let score = metrics::r2(&test.targets.to_vec(), &predicted);
        let rmse = metrics::mse(&test.targets.to_vec(), &predicted).sqrt();
        let spread = test.targets.std(0.0); // what always predicting the mean would miss by
        println!(
            "  test R² {score:.4}, RMSE {rmse:.1} (the targets' standard deviation: {spread:.1})"
        );
        r2.push((name, score));
    }

    println!();
    for (name, score) in &r2 {
        println!("{name:>18}: test R² {score:.4}");
    }
    let winner = if r2[1].1 > r2[0].1 { r2[1].0 } else { r2[0].0 };
    println!("{winner} explains more of the variance on the held-out patients");
    for (name, score) in &r2 {
        assert!(*score > 0.3, "{name}: test R² {score} is below 0.3");
    }
}

/// Trains `model` by mini-batch Adam on the mean squared error until the validation loss has
/// not improved for 20 epochs, then restores the weights of the best epoch.
fn fit(model: &Sequential<f32>, train: &Split, validation: &Split) -> Stop {
    let variables = model.parameters();
    let mut optimizer = Adam::new(1e-3);
    let mut stopping = Stopping::new().patience(20).max_iterations(MAX_EPOCHS);
    let n = train.x.shape()[0];
    let mut batches = Batches::new(n, 32).shuffle(2);
    let mut progress = Progress::new(MAX_EPOCHS, batches.len());
    let mut best_weights = vec![];
    for epoch in 0.. {
        for batch in batches.epoch() {
            let rows = Tensor::from_vec(batch.to_vec(), &[batch.len()]);
            let tape = Tape::new();
            let prediction = model.forward(&tape.watch(train.x.index_select(0, &rows)));
            let loss = prediction.mse(&tape.watch(train.y.index_select(0, &rows)));
            let grads = tape.gradient(&loss, &variables);
            optimizer.apply_gradients(&grads, &variables);
            progress.batch(loss.item(), batch.len());
        }
        let tape = Tape::new();
        let prediction = model.forward(&tape.watch(validation.x.clone()));
        let validation_loss = prediction.mse(&tape.watch(validation.y.clone())).item();
        let training_loss = progress.epoch_loss();
        let stop = stopping.check(epoch, training_loss, None, Some(validation_loss.into()));
        if stopping.best_validation().map(|(best, _)| best) == Some(epoch) {
            best_weights = variables.iter().map(Variable::value).collect(); // cheap: shared
        }
        if epoch % 25 == 0 || stop.is_some() {
            progress.epoch_done(format!(
                "  epoch {epoch:3}  training loss {training_loss:.4}  \
                 validation loss {validation_loss:.4}"
            ));
        } else {
            progress.epoch_done("");
        }
        if let Some(stop) = stop {
            progress.finish();
            for (variable, value) in variables.iter().zip(best_weights) {
                variable.assign(value);
            }
            return stop;
        }
    }
    unreachable!("the iteration limit stops the loop")
}
