//! `sum`: sum over all elements or over given axes.

use crate::axis::resolve_reduction;
use crate::op::{Backward, Grads};
use crate::ops::reduce;
use crate::shape::{Shape, reduced_shape};
use crate::{Axes, Float, Op, Operand, Tensor, Var};

struct Sum {
    kept: Shape,
}

impl<F: Float> Op<F> for Sum {
    fn name(&self) -> &'static str {
        "sum"
    }
    // d/dxᵢ Σ x = 1: the gradient is broadcast back over the summed axes
    fn backward<V: Operand<F>>(&self, ctx: &Backward<'_, V>) -> Grads<V> {
        let shape = ctx.inputs[0].shape();
        ctx.unary(|| ctx.grad.reshape(&self.kept).broadcast_to(&shape))
    }
}

impl<F: Float> Tensor<F> {
    /// Sum over `axes` (all elements when empty), keeping the summed axes as 1s if `keepdims`.
    ///
    /// # Panics
    /// When an axis is out of range.
    #[track_caller]
    pub fn sum(&self, axes: &[usize], keepdims: bool) -> Self {
        if axes.is_empty() && !keepdims {
            return Tensor::scalar(self.array().sum());
        }
        reduce(self, "sum", axes, keepdims, F::zero(), |a, b| a + b)
    }
}

impl<'t, F: Float> Var<'t, F> {
    /// Sum over `axes` (all elements when empty; see [`Axes`]), keeping the summed axes as 1s if
    /// `keepdims`.
    ///
    /// ```
    /// # use descent_autograd::{Tape, Tensor};
    /// let tape = Tape::new();
    /// let x = tape.watch(Tensor::from_vec(vec![1.0f32, 2.0, 3.0, 4.0], &[2, 2]));
    /// assert_eq!(x.sum(&[], false).item(), 10.0);
    /// assert_eq!(x.sum(&[0], false).value().to_vec(), vec![4.0, 6.0]);
    /// assert_eq!(x.sum(&[1], true).shape().as_slice(), &[2, 1]);
    /// assert_eq!(x.sum(-1, false).value().to_vec(), vec![3.0, 7.0]);
    /// ```
    ///
    /// # Panics
    /// When an axis is out of range; the message names `sum`, the axis and the shape.
    #[track_caller]
    pub fn sum(&self, axes: impl Axes, keepdims: bool) -> Var<'t, F> {
        let value = self.value();
        let axes = resolve_reduction("sum", axes, value.shape());
        let kept = reduced_shape(value.shape(), &axes, true);
        self.tape()
            .push(Sum { kept }, &[self], value.sum(&axes, keepdims))
    }
}

#[cfg(test)]
mod tests {
    use crate::{Tape, Tensor};

    #[test]
    #[should_panic(expected = "sum: axis 2 is out of range for shape [2, 2]")]
    fn bad_axis_names_the_op() {
        let tape = Tape::new();
        tape.watch(Tensor::<f32>::zeros(&[2, 2])).sum(&[2], false);
    }
}
