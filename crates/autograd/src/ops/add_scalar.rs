//! `add_scalar`: adds a constant to every element.

use crate::op::{Backward, Grads};
use crate::{Float, Op, Operand, Tensor, Var};

struct AddScalar;

impl<F: Float> Op<F> for AddScalar {
    fn name(&self) -> &'static str {
        "add_scalar"
    }
    // d/dx (x + s) = 1
    fn backward<V: Operand<F>>(&self, ctx: &Backward<'_, V>) -> Grads<V> {
        ctx.unary(|| ctx.grad.clone())
    }
}

impl<F: Float> Tensor<F> {
    /// `self + s` elementwise.
    pub fn add_scalar(&self, s: F) -> Self {
        self.map_pooled(|x| x + s)
    }
}

impl<'t, F: Float> Var<'t, F> {
    /// `self + s` elementwise (also `&x + s`).
    ///
    /// ```
    /// # use descent_autograd::{Tape, Tensor};
    /// let tape = Tape::new();
    /// let x = tape.watch(Tensor::from_vec(vec![1.0f32, 2.0], &[2]));
    /// assert_eq!(x.add_scalar(0.5).value().to_vec(), vec![1.5, 2.5]);
    /// ```
    pub fn add_scalar(&self, s: F) -> Var<'t, F> {
        self.tape()
            .push(AddScalar, &[self], self.value().add_scalar(s))
    }
}
