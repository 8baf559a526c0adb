//! The tape's own behaviour: accumulation, pruning, persistence, higher order, and its panics.

use descent_autograd::{Backward, Float, Grads, Op, Operand, Tape, Tensor, Var, Variable, check};

fn scalar(tape: &Tape<f64>, x: f64) -> Var<'_, f64> {
    tape.watch(Tensor::scalar(x))
}

#[test]
fn fan_out_accumulates() {
    let tape = Tape::new();
    let x = scalar(&tape, 3.0);
    let y = x * x + x; // dy/dx = 2x + 1
    assert_eq!(tape.gradient(&y, &[x])[0].item(), 7.0);
}

#[test]
fn unused_source_gets_zeros_of_its_shape() {
    let tape = Tape::new();
    let x = scalar(&tape, 3.0);
    let unused = tape.watch(Tensor::ones(&[2, 2]));
    let never_read = Variable::new(Tensor::<f64>::ones(&[3]));
    let y = x.exp();
    let g = tape.gradient(&y, &[x, unused]);
    assert_eq!(g[1], Tensor::zeros(&[2, 2]));
    // A variable never read on the tape is a panic by default (tests/variable_misuse.rs);
    // a tape made to allow it gives zeros.
    let tape = Tape::new().with_unread_as_zero();
    let y = scalar(&tape, 1.0).exp();
    assert_eq!(tape.gradient(&y, &[&never_read])[0], Tensor::zeros(&[3]));
}

#[test]
fn gradient_of_an_intermediate_node() {
    let tape = Tape::new();
    let x = scalar(&tape, 2.0);
    let h = x.mul_scalar(3.0);
    let y = h.square();
    let g = tape.gradient(&y, &[h, x]);
    assert_eq!((g[0].item(), g[1].item()), (12.0, 36.0));
}

#[test]
fn persistent_tape_answers_many_calls() {
    let tape = Tape::persistent();
    let x = scalar(&tape, 2.0);
    let y = x.powf(3.0);
    let z = x.exp();
    assert_eq!(tape.gradient(&y, &[x])[0].item(), 12.0);
    assert_eq!(tape.gradient(&z, &[x])[0].item(), 2f64.exp());
    assert_eq!(tape.gradient(&y, &[x])[0].item(), 12.0);
}

#[test]
#[should_panic(expected = "already answered a gradient call")]
fn non_persistent_tape_answers_once() {
    let tape = Tape::new();
    let x = scalar(&tape, 2.0);
    let y = x.exp();
    tape.gradient(&y, &[x]);
    tape.gradient(&y, &[x]);
}

#[test]
#[should_panic(expected = "released by the tape's gradient call")]
fn released_values_panic_with_a_reason() {
    let tape = Tape::new();
    let x = scalar(&tape, 2.0);
    let y = x.exp().sum(&[], false);
    tape.gradient(&y, &[x]);
    let _ = y.value(); // the target survives
    x.value();
}

#[test]
#[should_panic(expected = "target must be a single value, not shape [2]")]
fn non_scalar_target_panics_with_its_shape() {
    let tape = Tape::new();
    let x = tape.watch(Tensor::<f64>::ones(&[2]));
    tape.gradient(&x.exp(), &[x]);
}

#[test]
#[should_panic(expected = "a var from another tape")]
fn var_from_another_tape_panics() {
    let (a, b) = (Tape::<f64>::new(), Tape::<f64>::new());
    let x = scalar(&a, 1.0);
    let y = scalar(&b, 2.0);
    let _ = x + y;
}

#[test]
#[should_panic(expected = "a var from another tape")]
fn gradient_with_a_foreign_source_panics() {
    let (a, b) = (Tape::<f64>::new(), Tape::<f64>::new());
    let x = scalar(&a, 1.0);
    let y = scalar(&b, 2.0).exp();
    b.gradient(&y, &[x]);
}

#[test]
fn variables_are_read_once_per_tape() {
    let w = Variable::new(Tensor::scalar(3.0f64));
    let tape = Tape::new();
    let (a, b) = (tape.read(&w), tape.read(&w));
    assert_eq!(a.index(), b.index());
    let y = a * b;
    assert_eq!(tape.gradient(&y, &[&w])[0].item(), 6.0);
}

#[test]
fn optimizer_style_update_is_in_place_after_release() {
    let w = Variable::new(Tensor::<f32>::ones(&[1000]));
    let before = w.value().array().as_ptr();
    let tape = Tape::new();
    let loss = tape.read(&w).square().sum(&[], false);
    let g = tape.gradient(&loss, &[&w]);
    w.update(|mut value| value.scaled_add(-0.1, &g[0].view()));
    assert_eq!(
        w.value().array().as_ptr(),
        before,
        "the update copied the storage"
    );
    assert_eq!(w.value().get(&[0]), Some(0.8));
}

#[test]
fn stop_gradient_blocks_flow() {
    let tape = Tape::new();
    let x = scalar(&tape, 3.0);
    let y = x.square() + x.stop_gradient().square();
    assert_eq!(tape.gradient(&y, &[x])[0].item(), 6.0);
}

#[test]
fn vjp_with_a_seed() {
    let tape = Tape::new();
    let x = tape.watch(Tensor::from_vec(vec![1.0, 2.0, 3.0], &[3]));
    let y = x.square();
    let g = tape.vjp(&y, &Tensor::from_vec(vec![1.0, 0.5, 0.0], &[3]), &[x]);
    assert_eq!(g[0].to_vec(), vec![2.0, 2.0, 0.0]);
}

#[test]
fn hessian_vector_product() {
    // f(x) = Σ x³ ⇒ H = diag(6x), Hv = 6x ⊙ v
    let tape = Tape::persistent();
    let x = tape.watch(Tensor::from_vec(vec![1.0, -2.0], &[2]));
    let v = tape.watch(Tensor::from_vec(vec![0.5, 1.0], &[2]));
    let f = x.powf(3.0).sum(&[], false);
    let g = tape.gradient_vars(&f, &[x]).remove(0);
    let hv = tape.gradient(&g.mul(&v).sum(&[], false), &[x]);
    assert_eq!(hv[0].to_vec(), vec![3.0, -12.0]);
}

#[test]
fn gradient_penalty_trains_through_the_gradient() {
    // A WGAN-GP-style penalty (‖∂f/∂x‖ − 1)² for f(x) = w·x, differentiated with respect to w.
    let w = Variable::new(Tensor::from_vec(vec![2.0f64, 0.0], &[2]));
    let tape = Tape::persistent();
    let x = tape.watch(Tensor::from_vec(vec![0.3, 0.7], &[2]));
    let f = tape.read(&w).mul(&x).sum(&[], false);
    let dfdx = tape.gradient_vars(&f, &[x]).remove(0); // = w
    let penalty = dfdx
        .square()
        .sum(&[], false)
        .sqrt()
        .add_scalar(-1.0)
        .square();
    let g = tape.gradient(&penalty, &[&w]); // 2(‖w‖ − 1) w/‖w‖ = [2, 0]
    assert!((g[0].get(&[0]).unwrap() - 2.0).abs() < 1e-12);
}

#[test]
fn third_order_through_nested_gradient_vars() {
    let tape = Tape::persistent();
    let x = scalar(&tape, 2.0);
    let y = x.powf(4.0); // y''' = 24x = 48
    let d1 = tape.gradient_vars(&y, &[x]).remove(0);
    let d2 = tape.gradient_vars(&d1, &[x]).remove(0);
    assert_eq!(tape.gradient(&d2, &[x])[0].item(), 48.0);
}

#[test]
fn only_the_path_to_the_sources_is_differentiated() {
    struct Explodes;
    impl<F: Float> Op<F> for Explodes {
        fn name(&self) -> &'static str {
            "explodes"
        }
        fn backward<V: Operand<F>>(&self, _: &Backward<'_, V>) -> Grads<V> {
            panic!("backward ran for a branch no source depends on")
        }
    }
    let tape = Tape::new();
    let x = scalar(&tape, 1.0);
    let constant = scalar(&tape, 2.0);
    let side = tape.push(Explodes, &[&constant], constant.value());
    let y = x * side;
    assert_eq!(tape.gradient(&y, &[x])[0].item(), 2.0);
}

#[test]
fn the_checker_catches_a_wrong_gradient() {
    struct WrongSquare;
    impl<F: Float> Op<F> for WrongSquare {
        fn name(&self) -> &'static str {
            "wrong_square"
        }
        // claims d/dx x² = x (it is 2x)
        fn backward<V: Operand<F>>(&self, ctx: &Backward<'_, V>) -> Grads<V> {
            [ctx.grad_of(0, || ctx.grad.mul(&ctx.inputs[0]))]
                .into_iter()
                .collect()
        }
    }
    let x = Tensor::from_vec(vec![1.0, 2.0], &[2]);
    let error = check::gradients(
        |v| {
            v[0].tape()
                .push(WrongSquare, &[&v[0]], v[0].value().mul(&v[0].value()))
                .sum(&[], false)
        },
        &[x],
        1e-6,
    )
    .unwrap_err();
    assert_eq!(error.failures.len(), 2);
    let worst = error.report.worst.as_ref().unwrap();
    assert_eq!(worst.element, vec![1]);
    assert!((worst.analytic - 2.0).abs() < 1e-12 && (worst.numeric - 4.0).abs() < 1e-6);
    assert!(
        error
            .to_string()
            .contains("2 of 2 elements exceed tolerance")
    );
}

#[test]
#[should_panic(expected = "backward returned a gradient of shape [3] for an input of shape [2]")]
fn a_custom_op_returning_a_wrong_shape_is_named() {
    struct BadShape;
    impl<F: Float> Op<F> for BadShape {
        fn name(&self) -> &'static str {
            "bad_shape"
        }
        fn backward<V: Operand<F>>(&self, ctx: &Backward<'_, V>) -> Grads<V> {
            [Some(ctx.grad.constant(Tensor::zeros(&[3])))]
                .into_iter()
                .collect()
        }
    }
    let tape = Tape::new();
    let x = tape.watch(Tensor::<f64>::ones(&[2]));
    let y = tape.push(BadShape, &[&x], x.value()).sum(&[], false);
    tape.gradient(&y, &[x]);
}

#[test]
#[should_panic(
    expected = "anomaly in the forward pass: ln (node 1, inputs [[2]]) produced NaN or infinity in its output"
)]
fn anomaly_detection_names_the_forward_op() {
    let tape = Tape::new().with_anomaly_detection();
    let x = tape.watch(Tensor::from_vec(vec![1.0f64, 0.0], &[2]));
    x.ln();
}

#[test]
#[should_panic(expected = "anomaly in the backward pass: powf (node 1, inputs [[2]])")]
fn anomaly_detection_names_the_backward_op() {
    // sqrt is finite at 0, its gradient is not.
    let tape = Tape::new().with_anomaly_detection();
    let x = tape.watch(Tensor::from_vec(vec![1.0f64, 0.0], &[2]));
    let y = x.sqrt().sum(&[], false);
    tape.gradient(&y, &[x]);
}

#[test]
fn without_anomaly_detection_non_finite_values_flow() {
    let tape = Tape::new();
    let x = tape.watch(Tensor::from_vec(vec![1.0f64, 0.0], &[2]));
    let y = x.sqrt().sum(&[], false);
    assert_eq!(
        tape.gradient(&y, &[x])[0].to_vec(),
        vec![0.5, f64::INFINITY]
    );
}
