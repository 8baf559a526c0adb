//! Seven optimizers on one problem: a small network learning the handwritten digits.
//!
//! SGD, Momentum, Nesterov, AdaGrad, RMSprop, Adam and AdamW each train the same network from
//! the same initial weights on the same batches, with the learning rate usually recommended
//! for it. The table gives the mean training loss of the first and the last epoch and the
//! test accuracy; the plot, target/plots/optimizers.svg, shows every loss curve on a log
//! scale (epoch 0 is the untrained network).
//!
//! Run it with `cargo run --release --example optimizers`.

use descent::data::{digits, metrics};
use descent::prelude::*;
use descent::rand::{SeedableRng, rngs::StdRng};
use std::time::Instant;

const EPOCHS: usize = 15;

fn main() -> Result<(), PlotError> {
    // Digits, 75% / 25%, standardised with the training part's statistics.
    let data = digits();
    let (train, test) = train_test_split(data.len(), 0.25, 0);
    let (train, test) = (data.subset(&train), data.subset(&test));
    let scaler = Standardizer::fit(&train.inputs);
    let inputs =
        |set: &Classification| Tensor::from(scaler.transform(&set.inputs).mapv(|v| v as f32));
    let (train_x, test_x) = (inputs(&train), inputs(&test));
    let train_labels = Tensor::from_vec(train.labels.clone(), &[train.len()]);

    let optimizers: Vec<(&str, Box<dyn Optimizer<f32>>)> = vec![
        ("SGD, lr 0.1", Box::new(Sgd::new(0.1))),
        ("Momentum, lr 0.01", Box::new(Momentum::new(0.01, 0.9))),
        ("Nesterov, lr 0.01", Box::new(Momentum::nesterov(0.01, 0.9))),
        ("AdaGrad, lr 0.05", Box::new(AdaGrad::new(0.05))),
        ("RMSprop, lr 0.001", Box::new(RmsProp::new(1e-3))),
        ("Adam, lr 0.001", Box::new(Adam::new(1e-3))),
        ("AdamW, lr 0.001", Box::new(Adam::adamw(1e-3))),
    ];
    println!(
        "a 64-32-10 network on {} digit images, {EPOCHS} epochs of mini-batches of 32\n",
        train.len()
    );
    println!(
        "{:<18} {:>12} {:>12} {:>14} {:>8}",
        "optimizer", "loss epoch 1", "final loss", "test accuracy", "time"
    );
    let mut curves = vec![];
    for (name, mut optimizer) in optimizers {
        // The same initial weights and the same batches for every optimizer.
        let mut rng = StdRng::seed_from_u64(0);
        let model = Sequential::new()
            .push(Dense::new(64, 32, &mut rng))
            .push(Relu)
            .push(Dense::new(32, 10, &mut rng));
        let variables = model.parameters();
        let mut batches = Batches::new(train.len(), 32).shuffle(1);

        let start = Instant::now();
        let mut progress = Progress::new(EPOCHS, batches.len());
        let tape = Tape::new();
        let logits = model.forward(&tape.watch(train_x.clone()));
        let mut losses = vec![logits.cross_entropy(&train_labels).item().into()]; // untrained
        for _epoch in 0..EPOCHS {
            for batch in batches.epoch() {
                let rows = Tensor::from_vec(batch.to_vec(), &[batch.len()]);
                let tape = Tape::new();
                let logits = model.forward(&tape.watch(train_x.index_select(0, &rows)));
                let labels = batch.iter().map(|&i| train.labels[i]).collect();
                let loss = logits.cross_entropy(&Tensor::from_vec(labels, &[batch.len()]));
                let grads = tape.gradient(&loss, &variables);
                optimizer.apply_gradients(&grads, &variables);
                progress.batch(loss.item(), batch.len());
            }
            losses.push(progress.epoch_loss()); // the epoch's mean training loss
            progress.epoch_done("");
        }
        progress.finish();
        let seconds = start.elapsed().as_secs_f64();

        let scores = model.predict(&test_x);
        let accuracy = metrics::accuracy(&test.labels, &metrics::argmax(scores.array()));
        println!(
            "{name:<18} {:>12.4} {:>12.4} {accuracy:>14.4} {:>7.2}s",
            losses[1], losses[EPOCHS], seconds
        );
        curves.push((name, losses, accuracy));
    }

    let series: Vec<(&str, &[f64])> = curves.iter().map(|c| (c.0, c.1.as_slice())).collect();
    let path = "target/plots/optimizers.svg";
    loss_curves(path, "Optimizers on a digits MLP", "epoch", &series, true)?;
    println!("\nplot: {path}");

    // At their usual rates, on a problem this small, the optimizers end close together.
    let accuracies = curves.iter().map(|c| c.2);
    let (low, high) = accuracies.fold((1.0, 0.0), |(l, h): (f64, f64), a| (l.min(a), h.max(a)));
    println!("test accuracies from {low:.4} to {high:.4}");
    assert!(high - low < 0.02, "the optimizers differ by {}", high - low);
    for (name, losses, accuracy) in &curves {
        assert!(
            losses[EPOCHS] < losses[1] / 2.0,
            "{name} did not learn: {losses:?}"
        );
        assert!(
            *accuracy > 0.9,
            "{name}: test accuracy {accuracy} is below 0.9"
        );
    }
    Ok(())
}
