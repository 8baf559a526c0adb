//! Divergence is loud by default: a step whose gradient, or whose updated value, is not finite
//! panics naming the step and the variable (PyTorch and TensorFlow update with NaN silently).

use crate::elements::middle;
use descent_autograd::{Float, Tensor, Variable, join, vectorized};
use ndarray::ArrayViewD;

/// What to do about it, in the panic messages.
const ADVICE: &str = "lower the learning rate or clip the gradients; \
     `Tape::with_anomaly_detection()` names the op that first produced a NaN or infinity; \
     `Optimizer::set_check_finite(false)` turns this check off";

/// The first element that is NaN or infinite, with its position in row-major order.
pub(crate) fn first_non_finite<F: Float>(values: ArrayViewD<'_, F>) -> Option<(usize, F)> {
    if let Some(values) = values.as_slice() {
        return first_non_finite_in(values);
    }
    let all_finite = |values: &[F]| vectorized(|| all_finite(values));
    if values.as_slice_memory_order().is_some_and(all_finite) {
        return None;
    }
    values
        .iter()
        .enumerate()
        .find(|(_, x)| !x.is_finite())
        .map(|(i, &x)| (i, x))
}

/// [`first_non_finite`] of a slice; a large one is read in two halves at once, the halves
/// the update cuts (so that each thread reads the half it will update).
pub(crate) fn first_non_finite_in<F: Float>(values: &[F]) -> Option<(usize, F)> {
    let Some(mid) = middle(values.len()) else {
        return first_non_finite_serial(values);
    };
    let (a, b) = values.split_at(mid);
    let (mut found_a, mut found_b) = (None, None);
    join(
        || found_a = first_non_finite_serial(a),
        || found_b = first_non_finite_serial(b),
    );
    found_a.or(found_b.map(|(i, x)| (mid + i, x)))
}

/// [`first_non_finite_in`] on this thread.
fn first_non_finite_serial<F: Float>(values: &[F]) -> Option<(usize, F)> {
    if vectorized(|| all_finite(values)) {
        return None; // the common case, in one vectorised pass
    }
    values
        .iter()
        .enumerate()
        .find(|(_, x)| !x.is_finite())
        .map(|(i, &x)| (i, x))
}

fn describe<F: Float>(index: usize, variable: &Variable<F>) -> String {
    match variable.name() {
        "" => format!("variable {index} of the list"),
        name => format!("variable {name:?}"),
    }
}

/// Panics at step `step` (numbered from 1) naming the first variable whose gradient is not
/// finite; nothing has been updated yet.
#[track_caller]
pub(crate) fn expect_finite_gradients<F: Float>(
    step: usize,
    gradients: &[Tensor<F>],
    variables: &[Variable<F>],
) {
    for (i, (gradient, variable)) in gradients.iter().zip(variables).enumerate() {
        if let Some((element, value)) = first_non_finite(gradient.view()) {
            panic!(
                "apply_gradients: step {step}: the gradient of {} is not finite ({value} at \
                 element {element}): the loss or the training has diverged, so nothing was \
                 updated; {ADVICE}",
                describe(i, variable)
            );
        }
    }
}

/// Panics at step `step`: variable `i` became non-finite in this step's update.
#[track_caller]
pub(crate) fn diverged<F: Float>(
    step: usize,
    i: usize,
    variable: &Variable<F>,
    (element, value): (usize, F),
) -> ! {
    panic!(
        "apply_gradients: step {step}: {} is not finite after the update ({value} at element \
         {element}): the step overflowed and the variable keeps that value; {ADVICE}",
        describe(i, variable)
    )
}

/// Whether every value is finite: `x · 0` is 0 for a finite `x` and NaN otherwise, summed in 16
/// independent lanes so that the loop vectorises (no early exit, no per-element branch).
fn all_finite<F: Float>(values: &[F]) -> bool {
    let mut lanes = [F::zero(); 16];
    let chunks = values.chunks_exact(16);
    let rest = chunks.remainder();
    for chunk in chunks {
        for (lane, &x) in lanes.iter_mut().zip(chunk) {
            *lane += x * F::zero();
        }
    }
    lanes.iter().chain(rest).all(|x| x.is_finite())
}
