//! `reshape`: the same elements in row-major order, in a new shape.

use crate::op::{Backward, Grads};
use crate::shape::mismatch;
use crate::{Float, Op, Operand, Tensor, Var};
use ndarray::IxDyn;

struct Reshape;

impl<F: Float> Op<F> for Reshape {
    fn name(&self) -> &'static str {
        "reshape"
    }
    // The gradient takes the input's shape back.
    fn backward<V: Operand<F>>(&self, ctx: &Backward<'_, V>) -> Grads<V> {
        let shape = ctx.inputs[0].shape();
        ctx.unary(|| ctx.grad.reshape(&shape))
    }
}

impl<F: Float> Tensor<F> {
    /// The same elements in `shape` (row-major); no copy when the data is contiguous.
    ///
    /// # Panics
    /// When the element counts differ.
    #[track_caller]
    pub fn reshape(&self, shape: &[usize]) -> Self {
        if shape.iter().product::<usize>() != self.len() {
            mismatch("reshape", "cannot reshape", self.shape(), shape);
        }
        let array = self.array();
        if array.is_standard_layout() {
            return array
                .clone()
                .into_shape_with_order(IxDyn(shape))
                .expect("contiguous")
                .into();
        }
        let owned = array.as_standard_layout().into_owned();
        owned
            .into_shape_with_order(IxDyn(shape))
            .expect("contiguous")
            .into()
    }
}

impl<'t, F: Float> Var<'t, F> {
    /// The same elements in `shape` (row-major order).
    ///
    /// ```
    /// # use descent_autograd::{Tape, Tensor};
    /// let tape = Tape::new();
    /// let x = tape.watch(Tensor::<f32>::zeros(&[2, 3]));
    /// assert_eq!(x.reshape(&[3, 2]).shape().as_slice(), &[3, 2]);
    /// ```
    ///
    /// # Panics
    /// When the number of elements differs; the message names `reshape` and both shapes.
    #[track_caller]
    pub fn reshape(&self, shape: &[usize]) -> Var<'t, F> {
        self.tape()
            .push(Reshape, &[self], self.value().reshape(shape))
    }
}
