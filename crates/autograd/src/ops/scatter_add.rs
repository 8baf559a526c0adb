//! `scatter_add`: adds slices into a zero tensor at integer positions along an axis.

use crate::op::{Backward, Grads};
use crate::ops::index_select::check_indices;
use crate::shape::check_axis;
use crate::{Float, Op, Operand, Tensor, Var};
use ndarray::Axis;

struct ScatterAdd {
    axis: usize,
    indices: Tensor<usize>,
}

impl<F: Float> Op<F> for ScatterAdd {
    fn name(&self) -> &'static str {
        "scatter_add"
    }
    // The adjoint of scatter-adding is gathering the gradient at the same positions.
    fn backward<V: Operand<F>>(&self, ctx: &Backward<'_, V>) -> Grads<V> {
        ctx.unary(|| ctx.grad.index_select(self.axis, &self.indices))
    }
}

impl<F: Float> Tensor<F> {
    /// A zero tensor with `size` positions along `axis`, to which slice `i` of `self` is added
    /// at position `indices[i]`.
    ///
    /// # Panics
    /// When the axis is out of range, `indices` does not match `self` along `axis`, or an index
    /// is not below `size`.
    #[track_caller]
    pub fn scatter_add(&self, axis: usize, indices: &Tensor<usize>, size: usize) -> Self {
        check_axis("scatter_add", axis, self.shape());
        check_indices("scatter_add", indices, axis, size);
        if indices.len() != self.shape()[axis] {
            let (n, shape) = (indices.len(), self.shape());
            panic!("scatter_add: {n} indices for axis {axis} of shape {shape:?}");
        }
        let mut shape = self.dims();
        shape[axis] = size;
        let mut out = ndarray::ArrayD::zeros(ndarray::IxDyn(&shape));
        for (source, &target) in indices.array().iter().enumerate() {
            let mut row = out.index_axis_mut(Axis(axis), target);
            row += &self.array().index_axis(Axis(axis), source);
        }
        out.into()
    }
}

impl<'t, F: Float> Var<'t, F> {
    /// A zero tensor with `size` positions along `axis`, to which slice `i` of `self` is added
    /// at position `indices[i]` (the adjoint of [`Var::index_select`]).
    ///
    /// ```
    /// # use descent_autograd::{Tape, Tensor};
    /// let tape = Tape::new();
    /// let x = tape.watch(Tensor::from_vec(vec![1.0f32, 2.0, 3.0], &[3]));
    /// let y = x.scatter_add(0, &Tensor::from_vec(vec![1, 1, 0], &[3]), 2);
    /// assert_eq!(y.value().to_vec(), vec![3.0, 3.0]);
    /// ```
    ///
    /// # Panics
    /// As [`Tensor::scatter_add`].
    #[track_caller]
    pub fn scatter_add(
        &self,
        axis: impl crate::Axis,
        indices: &Tensor<usize>,
        size: usize,
    ) -> Var<'t, F> {
        let axis = crate::axis::resolve("scatter_add", axis, &self.shape());
        let value = self.value().scatter_add(axis, indices, size);
        self.tape().push(
            ScatterAdd {
                axis,
                indices: indices.clone(),
            },
            &[self],
            value,
        )
    }
}
