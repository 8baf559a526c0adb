//! Gradients that do not match their variables are programmer errors: `apply_gradients`
//! panics naming both lengths, or the variable and both shapes, before updating anything.

use descent_autograd::{Tensor, Variable};
use descent_optim::{Adam, Optimizer, Sgd};
use std::panic::{AssertUnwindSafe, catch_unwind};

#[test]
#[should_panic(expected = "apply_gradients: 1 gradients for 2 variables")]
fn a_missing_gradient_panics() {
    let (a, b) = (
        Variable::new(Tensor::scalar(1.0f32)),
        Variable::new(Tensor::scalar(2.0)),
    );
    Sgd::new(0.1).apply_gradients(&[Tensor::scalar(1.0)], &[a, b]);
}

#[test]
#[should_panic(
    expected = "apply_gradients: variable \"dense.weight\" and its gradient have different \
                shapes: [2, 3] and [3, 2]"
)]
fn a_gradient_of_the_wrong_shape_panics() {
    let w = Variable::named("dense.weight", Tensor::<f32>::zeros(&[2, 3]));
    Adam::new(0.1).apply_gradients(&[Tensor::zeros(&[3, 2])], &[w]);
}

#[test]
fn a_mismatch_updates_nothing() {
    let a = Variable::named("a", Tensor::from_vec(vec![1.0f64], &[1]));
    let b = Variable::named("b", Tensor::from_vec(vec![1.0f64], &[1]));
    let mut adam = Adam::new(0.1);
    let grads = [
        Tensor::from_vec(vec![1.0], &[1]),
        Tensor::from_vec(vec![1.0, 1.0], &[2]),
    ];
    let result = catch_unwind(AssertUnwindSafe(|| {
        adam.apply_gradients(&grads, &[a.clone(), b])
    }));
    assert!(result.is_err());
    assert_eq!((a.value().to_vec(), adam.steps()), (vec![1.0], 0));
}
