//! Divergence is reported by default: the first step whose gradient, or whose updated value, is
//! not finite panics naming the step and the variable, with nothing for the user to build.
//! Before this, SGD at lr 1e6 filled the weights with NaN by step 4 without a word.

use crate::common;

use common::every_optimizer;
use descent_autograd::{Tape, Tensor, Variable};
use descent_optim::{Optimizer, Sgd};
use std::panic::{AssertUnwindSafe, catch_unwind};

fn message(f: impl FnOnce()) -> String {
    let payload = catch_unwind(AssertUnwindSafe(f)).expect_err("must panic");
    match payload.downcast::<String>() {
        Ok(message) => *message,
        Err(payload) => payload
            .downcast::<&str>()
            .map(|m| m.to_string())
            .expect("text"),
    }
}

/// Fits y = 2x + 1 with SGD at `learning_rate` for up to `steps` steps; returns the losses.
fn fit(optimizer: &mut dyn Optimizer<f32>, variables: &[Variable<f32>], steps: usize) -> Vec<f32> {
    let x = Tensor::from_vec(vec![-1.0f32, 0.0, 1.0, 2.0], &[4, 1]);
    let y = Tensor::from_vec(vec![-1.0f32, 1.0, 3.0, 5.0], &[4, 1]);
    let mut losses = Vec::new();
    for _ in 0..steps {
        let tape = Tape::new();
        let prediction = tape
            .watch(x.clone())
            .linear(&tape.read(&variables[0]), &tape.read(&variables[1]));
        let loss = prediction.mse(&tape.watch(y.clone()));
        losses.push(loss.item());
        let grads = tape.gradient(&loss, variables);
        optimizer.apply_gradients(&grads, variables);
    }
    losses
}

fn line() -> Vec<Variable<f32>> {
    vec![
        Variable::named("w", Tensor::zeros(&[1, 1])),
        Variable::named("b", Tensor::zeros(&[1])),
    ]
}

#[test]
fn sgd_at_a_huge_learning_rate_panics_at_the_first_non_finite_step() {
    let variables = line();
    let mut sgd = Sgd::new(1e6);
    let text = message(|| {
        fit(&mut sgd, &variables, 20);
    });
    println!("{text}");
    assert!(text.starts_with("apply_gradients: step "), "{text}");
    assert!(
        text.contains("variable \"w\"") || text.contains("variable \"b\""),
        "{text}"
    );
    assert!(text.contains("is not finite"), "{text}");
    assert!(text.contains("with_anomaly_detection"), "{text}");
    // It stopped at the first bad step: every step counted before it left finite weights, or
    // the one that overflowed is the step named.
    let step: usize = text["apply_gradients: step ".len()..]
        .split(':')
        .next()
        .and_then(|n| n.parse().ok())
        .expect("a step number");
    assert!((2..=6).contains(&step), "{text}");
    assert!(sgd.steps() == step || sgd.steps() == step - 1, "{text}");
}

#[test]
fn a_non_finite_gradient_panics_before_anything_is_updated() {
    for (name, mut optimizer) in every_optimizer::<f64>() {
        let a = Variable::named("a", Tensor::from_vec(vec![1.0, 2.0], &[2]));
        let unnamed = Variable::new(Tensor::from_vec(vec![3.0], &[1]));
        let gradients = [
            Tensor::from_vec(vec![0.5, 0.5], &[2]),
            Tensor::from_vec(vec![f64::INFINITY], &[1]),
        ];
        let variables = [a.clone(), unnamed.clone()];
        let text = message(|| optimizer.apply_gradients(&gradients, &variables));
        assert!(
            text.starts_with(
                "apply_gradients: step 1: the gradient of variable 1 of the list is not finite \
                 (inf at element 0)"
            ),
            "{name}: {text}"
        );
        assert!(text.contains("nothing was updated"), "{name}: {text}");
        assert_eq!(a.value().to_vec(), vec![1.0, 2.0], "{name}");
        assert_eq!(unnamed.value().to_vec(), vec![3.0], "{name}");
        assert_eq!(optimizer.steps(), 0, "{name}");
        assert!(!a.is_poisoned() && !unnamed.is_poisoned(), "{name}");
    }
}

#[test]
fn an_update_that_overflows_panics_naming_the_step_and_variable() {
    let w = [Variable::named(
        "w",
        Tensor::from_vec(vec![0.0f32, f32::MAX], &[2]),
    )];
    let mut sgd = Sgd::new(1.0);
    sgd.apply_gradients(&[Tensor::from_vec(vec![1.0, 0.0], &[2])], &w);
    let text = message(|| sgd.apply_gradients(&[Tensor::from_vec(vec![0.0, -f32::MAX], &[2])], &w));
    assert!(
        text.starts_with(
            "apply_gradients: step 2: variable \"w\" is not finite after the update (inf at \
             element 1)"
        ),
        "{text}"
    );
    assert!(
        !w[0].is_poisoned(),
        "the panic comes after the update, not inside it"
    );
}

#[test]
fn the_check_can_be_turned_off() {
    for (name, mut optimizer) in every_optimizer::<f32>() {
        optimizer.set_check_finite(false);
        let w = [Variable::named("w", Tensor::from_vec(vec![1.0f32], &[1]))];
        optimizer.apply_gradients(&[Tensor::from_vec(vec![f32::NAN], &[1])], &w);
        assert!(w[0].value().to_vec()[0].is_nan(), "{name}");
        assert_eq!(optimizer.steps(), 1, "{name}");
    }
}

#[test]
fn a_healthy_run_is_untouched_by_the_check() {
    let variables = line();
    let mut sgd = Sgd::new(0.05);
    let losses = fit(&mut sgd, &variables, 500);
    assert!(losses.iter().all(|l| l.is_finite()));
    assert!(losses[499] < 1e-6, "{}", losses[499]);
}
