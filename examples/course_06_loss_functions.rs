//! Course, lesson 6: loss functions. Mean squared error for regression, cross-entropy for
//! classification, and why softmax cross-entropy is computed from the logits.
//!
//! 1. MSE, J = mean((ŷ − y)²): its gradient 2(ŷ − y)/n is checked against the tape.
//! 2. For a classifier, MSE on a sigmoid's probability stalls when the model is confidently
//!    wrong: its gradient 2(p − y)·p(1 − p) vanishes as p → 0 or 1. Cross-entropy's,
//!    p − y, does not. Trained on "is this digit a 0?" from a confidently wrong start,
//!    cross-entropy passes 98% test accuracy within five epochs; MSE has not moved.
//! 3. Softmax then log, in f32, turns a confident mistake into ln 0 = −∞ and its gradient
//!    into NaN. `cross_entropy` on logits computes logsumexp(z) − z[label] instead, which is
//!    finite for any logits.
//!
//! Run it with `cargo run --release --example course_06_loss_functions`.

use descent::data::{digits, metrics};
use descent::prelude::*;

fn main() {
    mse_gradient();
    saturation();
    compare_training();
    from_logits();
}

/// 1. The MSE and its gradient, by formula and by tape.
fn mse_gradient() {
    let prediction = Tensor::from_vec(vec![2.5, 0.0, 2.0, 8.0], &[4]);
    let target = Tensor::from_vec(vec![3.0, -0.5, 2.0, 7.0], &[4]);
    let tape = Tape::new();
    let p = tape.watch(prediction.clone());
    let loss = p.mse(&tape.watch(target.clone()));
    let grad = tape.gradient(&loss, &[p]).remove(0).to_vec();
    let formula: Vec<f64> = prediction
        .to_vec()
        .iter()
        .zip(target.to_vec())
        .map(|(p, y)| 2.0 * (p - y) / 4.0)
        .collect();
    println!(
        "1. MSE of {:?} against {:?}: {}",
        prediction.to_vec(),
        target.to_vec(),
        loss.item()
    );
    println!("   gradient by tape {grad:?}, by 2(ŷ − y)/n {formula:?}\n");
    assert_eq!(loss.item(), 0.375); // (0.25 + 0.25 + 0 + 1) / 4
    assert_eq!(grad, formula);
}

/// 2. The gradient with respect to the logit z when the model is confidently wrong.
fn saturation() {
    println!("2. a positive example (y = 1) scored with logit z, p = σ(z):");
    println!(
        "   {:>6} {:>10} {:>22} {:>22}",
        "z", "p", "dMSE/dz", "dCE/dz"
    );
    for z in [2.0f64, 0.0, -2.0, -5.0, -10.0] {
        let tape = Tape::persistent(); // two gradient calls on one tape
        let logit = tape.watch(Tensor::from_vec(vec![z], &[1]));
        let one = tape.watch(Tensor::from_vec(vec![1.0], &[1]));
        let mse = logit.sigmoid().mse(&one);
        let ce = logit.binary_cross_entropy_with_logits(&one);
        let d_mse = tape.gradient(&mse, &[logit]).remove(0).item();
        let d_ce = tape.gradient(&ce, &[logit]).remove(0).item();
        let p = 1.0 / (1.0 + (-z).exp());
        println!("   {z:>6} {p:>10.6} {d_mse:>22.3e} {d_ce:>22.3e}");
        assert!((d_mse - 2.0 * (p - 1.0) * p * (1.0 - p)).abs() < 1e-15);
        assert!((d_ce - (p - 1.0)).abs() < 1e-15);
        if z <= -5.0 {
            // Confidently wrong: cross-entropy pushes over 50 times harder.
            assert!(d_ce.abs() > 50.0 * d_mse.abs());
        }
    }
    println!();
}

/// 2, continued: "is this digit a 0?" by logistic regression, trained from the same weights
/// with each loss at the same rate; accuracy on held-out images after each epoch.
fn compare_training() {
    let data = digits();
    let (train, test) = train_test_split(data.len(), 0.25, 0);
    let (train, test) = (data.subset(&train), data.subset(&test));
    let scaler = Standardizer::fit(&train.inputs);
    let inputs = |set: &Classification| Tensor::from(scaler.transform(&set.inputs));
    let targets = |set: &Classification| {
        let zero = set.labels.iter().map(|&l| f64::from(u8::from(l == 0)));
        Tensor::from_vec(zero.collect(), &[set.len(), 1])
    };
    let (train_x, train_y, test_x) = (inputs(&train), targets(&train), inputs(&test));
    let truth: Vec<usize> = test.labels.iter().map(|&l| usize::from(l == 0)).collect();

    println!(
        "   training \"is it a 0?\" ({} images, SGD 0.05, batches of 32):",
        train.len()
    );
    println!(
        "   {:>5} {:>16} {:>16}",
        "epoch", "MSE on σ(z)", "cross-entropy"
    );
    let mut accuracies = vec![];
    for use_ce in [false, true] {
        // A confidently wrong start: weights 0 and bias −8, p = σ(−8) = 0.0003 for every image.
        let model = Dense::from_tensors(Tensor::zeros(&[64, 1]), Some(Tensor::full(&[1], -8.0)));
        let variables = model.parameters();
        let mut optimizer = Sgd::new(0.05);
        let mut batches = Batches::new(train.len(), 32).shuffle(1);
        let mut curve = vec![];
        for _ in 0..5 {
            for batch in batches.epoch() {
                let rows = Tensor::from_vec(batch.to_vec(), &[batch.len()]);
                let tape = Tape::new();
                let z = model.forward(&tape.watch(train_x.index_select(0, &rows)));
                let y = tape.watch(train_y.index_select(0, &rows));
                let loss = if use_ce {
                    z.binary_cross_entropy_with_logits(&y)
                } else {
                    z.sigmoid().mse(&y)
                };
                let grads = tape.gradient(&loss, &variables);
                optimizer.apply_gradients(&grads, &variables);
            }
            let z = model.predict(&test_x).to_vec();
            let predicted: Vec<usize> = z.iter().map(|&z| usize::from(z > 0.0)).collect();
            curve.push(metrics::accuracy(&truth, &predicted));
        }
        accuracies.push(curve);
    }
    for (epoch, (mse, ce)) in accuracies[0].iter().zip(&accuracies[1]).enumerate() {
        println!("   {:>5} {mse:>16.4} {ce:>16.4}", epoch + 1);
    }
    // Answering "no" to everything scores this baseline; MSE has not left it.
    let baseline = metrics::accuracy(&truth, &vec![0; truth.len()]);
    println!("   (always \"no\" scores {baseline:.4})\n");
    assert!(
        accuracies[0][4] < baseline + 0.01,
        "MSE escaped: {accuracies:?}"
    );
    assert!(
        accuracies[1][4] > 0.98,
        "cross-entropy reached only {}",
        accuracies[1][4]
    );
}

/// 3. Softmax then log against cross-entropy from logits, in f32.
fn from_logits() {
    // Two images; the second is confidently wrong: its true class 1 scores 200 below class 0.
    let logits = Tensor::from_vec(vec![1.0f32, 2.0, 0.5, 100.0, -100.0, 0.0], &[2, 3]);
    let labels = Tensor::from_vec(vec![1usize, 1], &[2]);
    let one_hot = Tensor::from_vec(vec![0.0f32, 1.0, 0.0, 0.0, 1.0, 0.0], &[2, 3]);

    let tape = Tape::new();
    let z = tape.watch(logits.clone());
    let naive = z
        .softmax(1)
        .ln()
        .mul(&tape.watch(one_hot))
        .sum(&[], false)
        .mul_scalar(-0.5);
    let naive_grad = tape.gradient(&naive, &[z]).remove(0).to_vec();

    let tape = Tape::new();
    let z = tape.watch(logits);
    let fused = z.cross_entropy(&labels);
    let fused_grad = tape.gradient(&fused, &[z]).remove(0).to_vec();

    println!("3. logits [[1, 2, 0.5], [100, −100, 0]], labels [1, 1], f32:");
    println!(
        "   softmax, then ln:         loss {:>10}, gradient {naive_grad:?}",
        naive.item()
    );
    println!(
        "   cross_entropy from logits: loss {:>10}, gradient {fused_grad:?}",
        fused.item()
    );
    // σ(z)₁ = e⁻²⁰⁰ underflows to 0 in f32: ln 0 = −∞, and the gradient 0 · ∞ = NaN.
    assert!(naive.item().is_infinite());
    assert!(naive_grad.iter().any(|g| g.is_nan()));
    // logsumexp − z[label]: the first row's ln(e¹ + e² + e^0.5) − 2, the second's 100 − (−100).
    let first = (1f64.exp() + 2f64.exp() + 0.5f64.exp()).ln() - 2.0;
    let expected = (first + 200.0) / 2.0;
    assert!(
        (f64::from(fused.item()) - expected).abs() < 1e-4,
        "{} vs {expected}",
        fused.item()
    );
    assert!(fused_grad.iter().all(|g| g.is_finite()));
}
