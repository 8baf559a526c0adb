//! `slice`: a contiguous range along one axis (a view, never a copy).

use crate::axis::{Axis, resolve};
use crate::op::{Backward, Grads};
use crate::shape::check_axis;
use crate::{Float, Op, Operand, Tensor, Var};
use ndarray::Slice;

struct SliceOp {
    axis: usize,
    start: usize,
}

impl<F: Float> Op<F> for SliceOp {
    fn name(&self) -> &'static str {
        "slice"
    }
    // The adjoint of taking a range is padding the gradient with zeros back to full length.
    fn backward<V: Operand<F>>(&self, ctx: &Backward<'_, V>) -> Grads<V> {
        let (x, g, axis) = (&ctx.inputs[0], ctx.grad, self.axis);
        let pad = |len: usize| {
            let mut shape = g.shape();
            shape[axis] = len;
            g.constant(Tensor::zeros(&shape))
        };
        let end = self.start + g.shape()[axis];
        let parts = [pad(self.start), g.clone(), pad(x.shape()[axis] - end)];
        ctx.unary(|| V::concat(&parts, axis))
    }
}

impl<F: Float> Tensor<F> {
    /// Elements `start..end` along `axis`, sharing storage.
    ///
    /// # Panics
    /// When the axis or range is out of bounds.
    #[track_caller]
    pub fn slice(&self, axis: usize, start: usize, end: usize) -> Self {
        check_axis("slice", axis, self.shape());
        if start > end || end > self.shape()[axis] {
            let shape = self.shape();
            panic!(
                "slice: range {start}..{end} is out of bounds for axis {axis} of shape {shape:?}"
            );
        }
        let mut array = self.array().clone();
        array.slice_axis_inplace(ndarray::Axis(axis), Slice::from(start..end));
        array.into()
    }
}

impl<'t, F: Float> Var<'t, F> {
    /// Elements `start..end` along `axis` (negative counts from the end, see [`Axis`]).
    ///
    /// ```
    /// # use descent_autograd::{Tape, Tensor};
    /// let tape = Tape::new();
    /// let x = tape.watch(Tensor::from_vec(vec![1.0f32, 2.0, 3.0, 4.0], &[4]));
    /// assert_eq!(x.slice(0, 1, 3).value().to_vec(), vec![2.0, 3.0]);
    /// assert_eq!(x.slice(-1, 3, 4).value().to_vec(), vec![4.0]);
    /// ```
    ///
    /// # Panics
    /// When the axis or the range is out of bounds.
    #[track_caller]
    pub fn slice(&self, axis: impl Axis, start: usize, end: usize) -> Var<'t, F> {
        let axis = resolve("slice", axis, &self.shape());
        let value = self.value().slice(axis, start, end);
        self.tape().push(SliceOp { axis, start }, &[self], value)
    }
}
