//! `abs`: absolute value.

use crate::op::{Backward, Grads};
use crate::{Float, Op, Operand, Tensor, Var};

struct Abs;

impl<F: Float> Op<F> for Abs {
    fn name(&self) -> &'static str {
        "abs"
    }
    // d/dx |x| = sign x (0 at 0)
    fn backward<V: Operand<F>>(&self, ctx: &Backward<'_, V>) -> Grads<V> {
        let sign = ctx.inputs[0]
            .tensor()
            .map(|&x| if x == F::zero() { x } else { x.signum() });
        ctx.unary(|| ctx.grad.mul_const(sign))
    }
}

impl<F: Float> Tensor<F> {
    /// `|self|` elementwise.
    pub fn abs(&self) -> Self {
        self.map_pooled(|x| x.abs())
    }
}

impl<'t, F: Float> Var<'t, F> {
    /// `|self|` elementwise; its gradient at 0 is 0.
    ///
    /// ```
    /// # use descent_autograd::{Tape, Tensor};
    /// let tape = Tape::new();
    /// let x = tape.watch(Tensor::from_vec(vec![-2.0f32, 3.0], &[2]));
    /// assert_eq!(x.abs().value().to_vec(), vec![2.0, 3.0]);
    /// ```
    pub fn abs(&self) -> Var<'t, F> {
        self.tape().push(Abs, &[self], self.value().abs())
    }
}
