//! The update rules loop over plain slices: [`crate::Slots::step`] hands them values,
//! gradients and slots in standard layout, and a slice loop vectorises where ndarray's `Zip`
//! over dynamic-rank views does not (28% of an arch-A training step went to that `Zip`).

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
