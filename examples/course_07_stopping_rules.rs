//! Course, lesson 7: when to stop. Four rules on two problems.
//!
//! On the linear regression of lesson 1 (y = 4 + 3x + noise, batch gradient descent, α = 0.1):
//! 1. a maximum number of iterations: always fires, says nothing about convergence;
//! 2. the loss changing by less than ε between iterations (`Stopping::loss_change_below`);
//! 3. the gradient norm below ε: at a minimum the gradient vanishes.
//!
//! On a network that overfits (64-64-10 on only 200 digit images, Adam):
//! 4. early stopping: stop when the loss on held-out validation images has not improved for
//!    10 epochs, and restore the weights of the best epoch.
//!
//! The plot, target/plots/course_07_early_stopping.svg, shows the training and validation
//! losses with the stop.
//!
//! Run it with `cargo run --release --example course_07_stopping_rules`.

#[path = "course/line.rs"]
mod line;

use descent::data::digits;
use descent::prelude::*;
use descent::rand::rngs::StdRng;

fn main() -> Result<(), PlotError> {
    let mut rng = StdRng::seed_from_u64(42);
    let x = Tensor::<f64>::uniform(&[100, 1], 0.0, 2.0, &mut rng);
    let noise = Tensor::<f64>::normal(&[100, 1], 0.0, 1.0, &mut rng);
    let y = x.mul_scalar(3.0).add_scalar(4.0).add(&noise);
    let best = line::least_squares(&x.to_vec(), &y.to_vec());
    println!("least squares: θ = ({:.6}, {:.6})\n", best.0, best.1);

    let limit = 100_000; // a backstop for the two convergence rules
    let rules = [
        (
            "1. at most 50 iterations",
            Stopping::new().max_iterations(50),
        ),
        (
            "2. loss changes by less than 1e-10",
            Stopping::new()
                .loss_change_below(1e-10)
                .max_iterations(limit),
        ),
        (
            "3. gradient norm below 1e-5",
            Stopping::new()
                .gradient_norm_below(1e-5)
                .max_iterations(limit),
        ),
    ];
    let mut ends = vec![];
    for (name, stopping) in rules {
        let (stop, theta) = descend(&x, &y, stopping);
        let gap = (theta.0 - best.0).abs().max((theta.1 - best.1).abs());
        println!("{name}:\n   {stop}");
        println!(
            "   θ = ({:.6}, {:.6}), {gap:.1e} from least squares",
            theta.0, theta.1
        );
        ends.push((stop, gap));
    }
    let [
        (limited, limited_gap),
        (change, change_gap),
        (gradient, gradient_gap),
    ] = &ends[..]
    else {
        unreachable!("three rules")
    };
    // Each rule fired, not the backstop.
    assert!(matches!(limited, Stop::MaxIterations { .. }), "{limited}");
    assert!(matches!(change, Stop::LossChangeBelow { .. }), "{change}");
    assert!(
        matches!(gradient, Stop::GradientNearZero { .. }),
        "{gradient}"
    );
    // 50 iterations are not enough here; the two convergence rules stop close to the minimum.
    assert!(*limited_gap > 0.1, "50 iterations already converged");
    assert!(*change_gap < 1e-3 && *gradient_gap < 1e-4, "{ends:?}");
    // A small loss change is weaker evidence than a small gradient: near a minimum the loss
    // changes by about α‖∇J‖², so it stops earlier and farther away.
    assert!(
        change.iteration() < gradient.iteration() && change_gap > gradient_gap,
        "{ends:?}"
    );

    early_stopping()
}

/// Batch gradient descent from θ = 0 until a rule of `stopping` fires; returns why, and
/// (θ0, θ1).
fn descend(x: &Tensor<f64>, y: &Tensor<f64>, mut stopping: Stopping) -> (Stop, (f64, f64)) {
    let model = Dense::from_tensors(Tensor::zeros(&[1, 1]), Some(Tensor::zeros(&[1])));
    let variables = model.parameters();
    let mut optimizer = Sgd::new(0.1);
    for iteration in 0.. {
        let tape = Tape::new();
        let loss = model
            .forward(&tape.watch(x.clone()))
            .mse(&tape.watch(y.clone()));
        let grads = tape.gradient(&loss, &variables);
        let norm = gradient_norm(&grads);
        if let Some(stop) = stopping.check(iteration, loss.item(), Some(norm), None) {
            let theta = (variables[1].value().item(), variables[0].value().item());
            return (stop, theta);
        }
        optimizer.apply_gradients(&grads, &variables);
    }
    unreachable!("every rule set has an iteration limit")
}

/// 4. Early stopping on a network that overfits.
fn early_stopping() -> Result<(), PlotError> {
    let data = digits();
    let train = data.subset(&(0..200).collect::<Vec<_>>());
    let validation = data.subset(&(200..700).collect::<Vec<_>>());
    let scaler = Standardizer::fit(&train.inputs);
    let split = |set: &Classification| {
        let x = Tensor::from(scaler.transform(&set.inputs).mapv(|v| v as f32));
        (x, Tensor::from_vec(set.labels.clone(), &[set.len()]))
    };
    let ((train_x, train_y), (valid_x, valid_y)) = (split(&train), split(&validation));

    let mut rng = StdRng::seed_from_u64(0);
    let model = Sequential::new()
        .push(Dense::new(64, 64, &mut rng))
        .push(Relu)
        .push(Dense::new(64, 10, &mut rng));
    let variables = model.parameters();
    let mut optimizer = Adam::new(1e-2);
    let mut stopping = Stopping::new().patience(10).max_iterations(500);
    let loss_on = |x: &Tensor<f32>, y: &Tensor<usize>| {
        let tape = Tape::new();
        f64::from(
            model
                .forward(&tape.watch(x.clone()))
                .cross_entropy(y)
                .item(),
        )
    };
    let (mut training, mut validating) = (vec![], vec![]);
    let mut best_weights = vec![];
    println!(
        "\n4. early stopping: 64-64-10 on {} images, validated on {}",
        train.len(),
        validation.len()
    );
    let stop = loop {
        let epoch = training.len();
        let tape = Tape::new();
        let loss = model
            .forward(&tape.watch(train_x.clone()))
            .cross_entropy(&train_y);
        let grads = tape.gradient(&loss, &variables);
        optimizer.apply_gradients(&grads, &variables);
        training.push(loss_on(&train_x, &train_y));
        validating.push(loss_on(&valid_x, &valid_y));
        let stop = stopping.check(epoch, training[epoch], None, Some(validating[epoch]));
        if stopping.best_validation().map(|(best, _)| best) == Some(epoch) {
            best_weights = variables.iter().map(Variable::value).collect();
        }
        if epoch % 10 == 0 || stop.is_some() {
            println!(
                "   epoch {epoch:3}  training loss {:.4}  validation loss {:.4}",
                training[epoch], validating[epoch]
            );
        }
        if let Some(stop) = stop {
            break stop;
        }
    };
    println!("   {stop}");
    let (best_epoch, best_loss) = stopping
        .best_validation()
        .expect("a validation loss was seen");
    for (variable, value) in variables.iter().zip(best_weights) {
        variable.assign(value);
    }
    let restored = loss_on(&valid_x, &valid_y);
    println!("   restored the weights of epoch {best_epoch}: validation loss {restored:.4}");

    let path = "target/plots/course_07_early_stopping.svg";
    let series: [(&str, &[f64]); 2] = [("training", &training), ("validation", &validating)];
    loss_curves(
        path,
        "Early stopping: training and validation loss",
        "epoch",
        &series,
        true,
    )?;
    println!("   plot: {path}");

    // It stopped because validation stopped improving, while training loss was still falling.
    assert!(matches!(stop, Stop::NoImprovement { .. }), "{stop}");
    let last = training.len() - 1;
    assert!(
        training[last] < training[best_epoch],
        "training loss was not still falling"
    );
    assert!(validating[last] > best_loss, "validation loss did not rise");
    assert_eq!(
        restored, best_loss,
        "the restored weights are not the best epoch's"
    );
    Ok(())
}
