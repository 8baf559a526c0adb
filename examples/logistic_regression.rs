//! Logistic regression: "is this handwritten digit an 8?", scored on images the model has not
//! seen with accuracy, precision, recall and F1.
//!
//! Only one image in ten is an 8, so a model that always answers "no" is 90% accurate and
//! useless: precision (of the images called 8, how many are) and recall (of the 8s, how many
//! were found) tell the real story.
//!
//! The model is one dense layer, z = x·w + b, read as the log-odds that an image shows an 8:
//! p = σ(z). It is trained on the binary cross-entropy of the logits,
//! `binary_cross_entropy_with_logits`, which stays finite for logits of any size (σ is never
//! computed on its own). An image is called positive when z > 0, that is p > 0.5.
//!
//! Run it with `cargo run --release --example logistic_regression`.

#[path = "course/plot.rs"]
mod plot;

use descent::data::{digits, metrics};
use descent::prelude::*;
use descent::rand::{SeedableRng, rngs::StdRng};
use plot::{Axis, Chart, Line};

/// The digit to find (the positive class); every other digit is negative.
const POSITIVE: usize = 8;
const EPOCHS: usize = 20;

fn main() -> Result<(), String> {
    // All 1,797 images, split 75% / 25%, standardised with the training part's mean and
    // standard deviation.
    let data = digits();
    let (train, test) = train_test_split(data.len(), 0.25, 0);
    let (train, test) = (data.subset(&train), data.subset(&test));
    let scaler = Standardizer::fit(&train.inputs);
    let inputs =
        |set: &Classification| Tensor::from(scaler.transform(&set.inputs).mapv(|v| v as f32));
    let targets = |set: &Classification| {
        let positive = set
            .labels
            .iter()
            .map(|&l| if l == POSITIVE { 1.0 } else { 0.0 });
        Tensor::from_vec(positive.collect(), &[set.len(), 1])
    };
    let (train_x, train_y) = (inputs(&train), targets(&train));
    let (test_x, test_y) = (inputs(&test), targets(&test));
    let positives = |set: &Classification| set.labels.iter().filter(|&&l| l == POSITIVE).count();
    println!(
        "is it the digit {POSITIVE}? {} training images ({} of them {POSITIVE}s), {} test images ({} {POSITIVE}s)",
        train.len(),
        positives(&train),
        test.len(),
        positives(&test)
    );

    // The model: one dense layer, 64 pixels → 1 logit.
    let mut rng = StdRng::seed_from_u64(0);
    let model = Dense::<f32>::new(64, 1, &mut rng);
    let variables = model.parameters();
    let mut optimizer = Sgd::new(0.1);

    let mut batches = Batches::new(train.len(), 32).shuffle(1);
    let mut progress = Progress::new(EPOCHS, batches.len());
    for epoch in 1..=EPOCHS {
        for batch in batches.epoch() {
            let rows = Tensor::from_vec(batch.to_vec(), &[batch.len()]);
            let tape = Tape::new();
            let logits = model.forward(&tape.watch(train_x.index_select(0, &rows)));
            let loss = logits
                .binary_cross_entropy_with_logits(&tape.watch(train_y.index_select(0, &rows)));
            let grads = tape.gradient(&loss, &variables);
            optimizer.apply_gradients(&grads, &variables);
            progress.batch(loss.item(), batch.len());
        }
        let tape = Tape::new();
        let test_loss = model
            .forward(&tape.watch(test_x.clone()))
            .binary_cross_entropy_with_logits(&tape.watch(test_y.clone()))
            .item();
        let train_loss = progress.epoch_loss();
        if epoch <= 5 || epoch % 5 == 0 {
            progress.epoch_done(format!(
                "epoch {epoch:2}  training loss {train_loss:.4}  test loss {test_loss:.4}"
            ));
        } else {
            progress.epoch_done("");
        }
    }
    progress.finish();

    // Score the test images: positive when the probability σ(logit) is above 0.5.
    let probability = model
        .predict(&test_x)
        .map(|&z| 1.0 / (1.0 + (-z).exp()))
        .to_vec();
    let truth: Vec<bool> = test.labels.iter().map(|&l| l == POSITIVE).collect();
    let scores = metrics::binary_scores(&truth, &probability, 0.5);
    let accuracy = scores.accuracy();
    let baseline = metrics::binary_scores(&truth, &vec![0.0f32; truth.len()], 0.5).accuracy();
    println!(
        "\non the {} test images (positive: {POSITIVE}):",
        test.len()
    );
    println!(
        "  accuracy  {accuracy:.4}  (fraction classified correctly; always \"no\": {baseline:.4})"
    );
    println!(
        "  precision {:.4}  (of the images called {POSITIVE}, the fraction that are)",
        scores.precision()
    );
    println!(
        "  recall    {:.4}  (of the {POSITIVE}s, the fraction found)",
        scores.recall()
    );
    println!(
        "  F1        {:.4}  (harmonic mean of precision and recall)",
        scores.f1()
    );
    println!(
        "  confusion matrix (rows: truth, columns: predicted; not {POSITIVE}, then {POSITIVE}):"
    );
    println!(
        "    {:4} {:4}",
        scores.true_negatives, scores.false_positives
    );
    println!(
        "    {:4} {:4}",
        scores.false_negatives, scores.true_positives
    );

    // The threshold trades precision for recall: call an image an 8 at a lower probability,
    // and more 8s are found, at the price of more false alarms.
    // Thresholds 0.05, 0.10, …, 0.95, kept in hundredths.
    let sweep: Vec<(u32, metrics::BinaryScores)> = (5..100)
        .step_by(5)
        .map(|hundredths| {
            let threshold = f64::from(hundredths) / 100.0;
            (
                hundredths,
                metrics::binary_scores(&truth, &probability, threshold),
            )
        })
        .collect();
    let at = |hundredths: u32| {
        &sweep
            .iter()
            .find(|(h, _)| *h == hundredths)
            .expect("swept")
            .1
    };
    println!("\n  threshold  precision  recall  F1");
    for hundredths in [50, 30, 10] {
        let s = at(hundredths);
        println!(
            "  p > {:.1}    {:.4}     {:.4}  {:.4}",
            f64::from(hundredths) / 100.0,
            s.precision(),
            s.recall(),
            s.f1()
        );
    }
    let (best_threshold, best) = sweep
        .iter()
        .max_by(|a, b| a.1.f1().total_cmp(&b.1.f1()))
        .expect("thresholds");
    let best_threshold = f64::from(*best_threshold) / 100.0;
    println!(
        "  the best F1, {:.4}, is at p > {best_threshold:.2}",
        best.f1()
    );
    let curve = |score: fn(&metrics::BinaryScores) -> f64| {
        let points = sweep.iter().map(|(h, s)| (f64::from(*h) / 100.0, score(s)));
        points.collect()
    };
    let path = "target/plots/logistic_regression_threshold.svg";
    plot::save(
        path,
        &[Chart {
            title: "Precision, recall and F1 against the threshold",
            x: Axis::linear("threshold: call an image an 8 when p is above it"),
            y: Axis::linear("score on the test images"),
            lines: vec![
                Line::new("precision", curve(|s| s.precision())),
                Line::new("recall", curve(|s| s.recall())),
                Line::new("F1", curve(|s| s.f1())),
            ],
        }],
    )?;
    println!("\nplot: {path}");

    // Measured: accuracy 0.962, F1 0.785 (seeded); always "no" scores 0.900.
    assert!(accuracy > 0.95, "test accuracy {accuracy} is below 0.95");
    assert!(scores.f1() > 0.7, "F1 {} is below 0.7", scores.f1());
    assert_eq!(
        scores.true_positives + scores.false_negatives,
        positives(&test),
        "the confusion matrix does not count every 8"
    );
    // The trade-off: a lower threshold never finds fewer 8s; from 0.5 down to 0.1 recall rises
    // and precision falls; and for this rare class the best F1 is not at 0.5.
    let recalls: Vec<f64> = sweep.iter().map(|(_, s)| s.recall()).collect();
    assert!(recalls.windows(2).all(|r| r[0] >= r[1]), "{recalls:?}");
    assert!(at(10).recall() > at(50).recall() && at(10).precision() < at(50).precision());
    assert!(best.f1() > scores.f1(), "0.5 is the best threshold");
    Ok(())
}
