//! `check::variables` catches a wrong gradient with respect to a `Variable`, names which
//! variable, and leaves every variable's value as it found it.

use descent_autograd::{Backward, Float, Grads, Op, Operand, Tape, Tensor, Var, Variable, check};

/// `x²` with a deliberately wrong backward (`x` instead of `2x`).
struct WrongSquare;

impl<F: Float> Op<F> for WrongSquare {
    fn name(&self) -> &'static str {
        "wrong_square"
    }
    fn backward<V: Operand<F>>(&self, ctx: &Backward<'_, V>) -> Grads<V> {
        ctx.unary(|| ctx.grad.mul(&ctx.inputs[0]))
    }
}

fn wrong_square<'t>(x: &Var<'t, f64>) -> Var<'t, f64> {
    let value = x.value().map(|&v| v * v);
    x.tape().push(WrongSquare, &[x], value)
}

#[test]
fn a_wrong_variable_gradient_fails_naming_the_variable() {
    let a = Variable::new(Tensor::from_vec(vec![0.5, -1.5], &[2]));
    let b = Variable::new(Tensor::from_vec(vec![2.0, 0.25, 1.0], &[3]));
    let error = check::variables(
        |tape: &Tape<f64>| {
            let a = tape.read(&a).square().sum(&[], false);
            a.add(&wrong_square(&tape.read(&b)).sum(&[], false))
        },
        &[&a, &b],
        1e-6,
    )
    .expect_err("b's gradient is wrong");
    assert_eq!(error.failures.len(), 3);
    assert!(error.failures.iter().all(|m| m.input == 1));
    assert!((error.failures[0].numeric - 4.0).abs() < 1e-6); // 2b at b = 2
    assert_eq!(error.failures[0].analytic, 2.0);
    assert_eq!(a.value().to_vec(), vec![0.5, -1.5]);
    assert_eq!(b.value().to_vec(), vec![2.0, 0.25, 1.0]);
}

#[test]
fn fixed_data_and_variables_beside_checked_inputs() {
    let w = Variable::new(Tensor::from_vec(vec![0.5, -0.25], &[2, 1]));
    let y = Tensor::from_vec(vec![1.0, -1.0, 0.5], &[3, 1]);
    let x = Tensor::from_vec(vec![0.1, 0.2, -0.3, 0.4, 0.5, -0.6], &[3, 2]);
    let report = check::gradients(
        |v| {
            let tape = v[0].tape();
            v[0].matmul(&tape.read(&w)).sin().l1(&tape.watch(y.clone()))
        },
        &[x],
        1e-6,
    )
    .expect("right");
    assert_eq!(report.checked, 6); // the inputs only: the variable and targets are fixed
}
