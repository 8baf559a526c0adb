//! The update rules loop over plain slices: [`crate::Slots::step`] hands them values,
//! gradients and slots in standard layout, and a slice loop vectorises where ndarray's `Zip`
//! over dynamic-rank views does not (28% of an arch-A training step went to that `Zip`).

use crate::finite::first_non_finite_in;
use descent_autograd::Float;
use ndarray::{ArrayD, ArrayViewD, ArrayViewMutD};

const STANDARD: &str = "Slots::step passes values, gradients and slots in standard layout";

/// A variable's value, open for writing.
pub(crate) fn values<F>(view: ArrayViewMutD<'_, F>) -> &mut [F] {
    view.into_slice().expect(STANDARD)
}

/// A gradient.
pub(crate) fn gradient<F>(view: ArrayViewD<'_, F>) -> &[F] {
    view.to_slice().expect(STANDARD)
}

/// One slot tensor, open for writing.
pub(crate) fn slot<F>(slot: &mut ArrayD<F>) -> &mut [F] {
    slot.as_slice_mut().expect(STANDARD)
}

/// `x`, or zero when it is subnormal (smaller in magnitude than the least normal float).
///
/// Optimizer state decays geometrically where gradients are zero (momentum, Adam's moments,
/// RMSprop's averages), so it passes through the subnormal range, where every operation costs
/// Intel cores some hundred cycles: arch A's second epoch trained 2.4× slower for it (59k
/// against 145k samples/s, one thread, Xeon with AVX-512). XLA and oneDNN flush such values
/// too. The difference is below 1.2e-38 (f32) or 2.3e-308 (f64), and a compare and select per
/// element still vectorises.
#[inline(always)]
pub(crate) fn flush<F: Float>(x: F) -> F {
    if x.abs() < F::min_positive_value() {
        F::zero()
    } else {
        x
    }
}

/// The most slot tensors a built-in rule keeps per variable (Adam with AMSGrad, RMSprop
/// centred with momentum: three).
const MOST_SLOTS: usize = 3;

/// Variables of at least this many elements are updated in two halves at once, the second on
/// descent's helper thread ([`descent_autograd::join`]).
const SPLIT: usize = 1 << 15;

/// Elements updated (and checked) at a time, so that the check reads them from L1.
const CHUNK: usize = 4096;

/// Applies `rule(values, gradient, slots)` to one variable, a chunk of [`CHUNK`] elements at a
/// time and, from [`SPLIT`] elements, in two halves at once. With `check`, returns the first
/// element the update left non-finite, read right after its chunk was written. Each element's
/// update depends on that element alone, so the result is the same for any split.
pub(crate) fn update<F: Float>(
    values: &mut [F],
    gradient: &[F],
    slots: &mut [ArrayD<F>],
    check: bool,
    rule: &(impl Fn(&mut [F], &[F], &mut [&mut [F]]) + Sync),
) -> Option<(usize, F)> {
    assert!(
        slots.len() <= MOST_SLOTS,
        "at most {MOST_SLOTS} slot tensors"
    );
    let count = slots.len();
    let mut open: [&mut [F]; MOST_SLOTS] = Default::default();
    for (open, s) in open.iter_mut().zip(slots) {
        *open = slot(s);
    }
    halves(values, gradient, &mut open[..count], check, rule)
}

/// [`update`] of `values` (and the gradient and slots beside them), split in two halves when
/// large.
fn halves<F: Float>(
    values: &mut [F],
    gradient: &[F],
    slots: &mut [&mut [F]],
    check: bool,
    rule: &(impl Fn(&mut [F], &[F], &mut [&mut [F]]) + Sync),
) -> Option<(usize, F)> {
    let Some(mid) = middle(values.len()) else {
        return chunks(values, gradient, slots, check, rule);
    };
    let (values_a, values_b) = values.split_at_mut(mid);
    let (gradient_a, gradient_b) = gradient.split_at(mid);
    let (mut slots_a, mut slots_b): ([&mut [F]; MOST_SLOTS], [&mut [F]; MOST_SLOTS]) =
        Default::default();
    for ((s, a), b) in slots.iter_mut().zip(&mut slots_a).zip(&mut slots_b) {
        (*a, *b) = std::mem::take(s).split_at_mut(mid);
    }
    let count = slots.len();
    let (mut found_a, mut found_b) = (None, None);
    descent_autograd::join(
        || found_a = chunks(values_a, gradient_a, &mut slots_a[..count], check, rule),
        || found_b = chunks(values_b, gradient_b, &mut slots_b[..count], check, rule),
    );
    found_a.or(found_b.map(|(i, x)| (mid + i, x)))
}

/// Where a variable of `len` elements is cut in two halves (on a chunk's boundary), if it is
/// large enough to be.
pub(crate) fn middle(len: usize) -> Option<usize> {
    (len >= SPLIT).then(|| (len / 2).next_multiple_of(CHUNK))
}

/// [`update`] of `values`, one chunk after the other.
fn chunks<F: Float>(
    values: &mut [F],
    gradient: &[F],
    slots: &mut [&mut [F]],
    check: bool,
    rule: &impl Fn(&mut [F], &[F], &mut [&mut [F]]),
) -> Option<(usize, F)> {
    let (mut found, count) = (None, slots.len());
    for start in (0..values.len()).step_by(CHUNK) {
        let end = (start + CHUNK).min(values.len());
        let mut open: [&mut [F]; MOST_SLOTS] = Default::default();
        for (open, s) in open.iter_mut().zip(slots.iter_mut()) {
            *open = &mut s[start..end];
        }
        let values = &mut values[start..end];
        rule(values, &gradient[start..end], &mut open[..count]);
        if check && found.is_none() {
            found = first_non_finite_in(values).map(|(i, x)| (start + i, x));
        }
    }
    found
}
