//! `index_select`: picks positions along an axis by integer indices (embedding lookups).

use crate::op::{Backward, Grads};
use crate::shape::check_axis;
use crate::{Float, Op, Operand, Tensor, Var};
use ndarray::Axis;

struct IndexSelect {
    axis: usize,
    indices: Tensor<usize>,
}

impl<F: Float> Op<F> for IndexSelect {
    fn name(&self) -> &'static str {
        "index_select"
    }
    // The adjoint of gathering is scatter-adding the gradient back to the picked positions.
    fn backward<V: Operand<F>>(&self, ctx: &Backward<'_, V>) -> Grads<V> {
        let size = ctx.inputs[0].shape()[self.axis];
        ctx.unary(|| ctx.grad.scatter_add(self.axis, &self.indices, size))
    }
}

#[track_caller]
pub(crate) fn check_indices(op: &str, indices: &Tensor<usize>, axis: usize, size: usize) {
    if indices.ndim() != 1 {
        panic!("{op}: indices must be 1-D, not shape {:?}", indices.shape());
    }
    if let Some(bad) = indices.array().iter().find(|&&i| i >= size) {
        panic!("{op}: index {bad} is out of range for axis {axis} of length {size}");
    }
}

impl<F: Float> Tensor<F> {
    /// Positions `indices` along `axis`, in order (repeats allowed).
    ///
    /// # Panics
    /// When the axis is out of range, `indices` is not 1-D or an index is out of range.
    #[track_caller]
    pub fn index_select(&self, axis: usize, indices: &Tensor<usize>) -> Self {
        check_axis("index_select", axis, self.shape());
        check_indices("index_select", indices, axis, self.shape()[axis]);
        let picks: Vec<usize> = indices.to_vec();
        self.array().select(Axis(axis), &picks).into()
    }
}

impl<'t, F: Float> Var<'t, F> {
    /// Positions `indices` along `axis`, in order; repeated indices accumulate gradients.
    /// An embedding lookup is `table.index_select(0, &token_ids)`.
    ///
    /// ```
    /// # use descent_autograd::{Tape, Tensor};
    /// let tape = Tape::new();
    /// let table = tape.watch(Tensor::from_vec(vec![0.0f32, 0.1, 1.0, 1.1, 2.0, 2.1], &[3, 2]));
    /// let rows = table.index_select(0, &Tensor::from_vec(vec![2, 0], &[2]));
    /// assert_eq!(rows.value().to_vec(), vec![2.0, 2.1, 0.0, 0.1]);
    /// ```
    ///
    /// # Panics
    /// When the axis is out of range, `indices` is not 1-D or an index is out of range.
    #[track_caller]
    pub fn index_select(&self, axis: impl crate::Axis, indices: &Tensor<usize>) -> Var<'t, F> {
        let axis = crate::axis::resolve("index_select", axis, &self.shape());
        let value = self.value().index_select(axis, indices);
        self.tape().push(
            IndexSelect {
                axis,
                indices: indices.clone(),
            },
            &[self],
            value,
        )
    }
}
