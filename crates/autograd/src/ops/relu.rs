//! `relu`: `max(x, 0)`.

use crate::op::{Backward, Grads};
use crate::{Float, Op, Operand, Tensor, Var};

struct Relu;

impl<F: Float> Op<F> for Relu {
    fn name(&self) -> &'static str {
        "relu"
    }
    // d/dx relu x = 1 if x > 0 else 0
    fn backward<V: Operand<F>>(&self, ctx: &Backward<'_, V>) -> Grads<V> {
        let mask = ctx
            .output
            .tensor()
            .map(|&y| if y > F::zero() { F::one() } else { F::zero() });
        ctx.unary(|| ctx.grad.mul_const(mask))
    }
    fn backward_fused(&self, ctx: &Backward<'_, Tensor<F>>) -> Option<Grads<Tensor<F>>> {
        let pass = |g: F, y: F| if y > F::zero() { g } else { F::zero() };
        Some(ctx.unary(|| ctx.grad.zip_map("relu", ctx.output, pass)))
    }
}

impl<F: Float> Tensor<F> {
    /// `max(self, 0)` elementwise.
    pub fn relu(&self) -> Self {
        self.map_pooled(|x| if x > F::zero() { x } else { F::zero() })
    }
}

impl<'t, F: Float> Var<'t, F> {
    /// `max(self, 0)` elementwise; its gradient at 0 is 0.
    ///
    /// ```
    /// # use descent_autograd::{Tape, Tensor};
    /// let tape = Tape::new();
    /// let x = tape.watch(Tensor::from_vec(vec![-2.0f32, 3.0], &[2]));
    /// assert_eq!(x.relu().value().to_vec(), vec![0.0, 3.0]);
    /// ```
    pub fn relu(&self) -> Var<'t, F> {
        self.tape().push(Relu, &[self], self.value().relu())
    }
}
