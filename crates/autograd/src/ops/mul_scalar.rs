//! `mul_scalar`: multiplies every element by a constant.

use crate::op::{Backward, Grads};
use crate::{Float, Op, Operand, Tensor, Var};

struct MulScalar<F>(F);

impl<F: Float> Op<F> for MulScalar<F> {
    fn name(&self) -> &'static str {
        "mul_scalar"
    }
    // d/dx (x · s) = s
    fn backward<V: Operand<F>>(&self, ctx: &Backward<'_, V>) -> Grads<V> {
        ctx.unary(|| ctx.grad.mul_scalar(self.0))
    }
}

impl<F: Float> Tensor<F> {
    /// `self * s` elementwise.
    pub fn mul_scalar(&self, s: F) -> Self {
        self.map_pooled(|x| x * s)
    }
}

impl<'t, F: Float> Var<'t, F> {
    /// `self * s` elementwise (also `&x * s`).
    ///
    /// ```
    /// # use descent_autograd::{Tape, Tensor};
    /// let tape = Tape::new();
    /// let x = tape.watch(Tensor::from_vec(vec![1.0f32, 2.0], &[2]));
    /// assert_eq!(x.mul_scalar(3.0).value().to_vec(), vec![3.0, 6.0]);
    /// ```
    pub fn mul_scalar(&self, s: F) -> Var<'t, F> {
        self.tape()
            .push(MulScalar(s), &[self], self.value().mul_scalar(s))
    }
}
