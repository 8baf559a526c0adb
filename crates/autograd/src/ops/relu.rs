//! `relu`: `max(x, 0)`.

use crate::op::{Backward, Grads};
use crate::{Float, Op, Operand, Tensor, Var};

struct Relu;

impl<F: Float> Op<F> for Relu {
    fn name(&self) -> &'static str {
        "relu"
    }
    // d/dx relu x = 0 if x ≤ 0 else 1 (a NaN passes its gradient, as PyTorch's does)
    fn backward<V: Operand<F>>(&self, ctx: &Backward<'_, V>) -> Grads<V> {
        let mask = ctx
            .output
            .tensor()
            .map(|&y| if y <= F::zero() { F::zero() } else { F::one() });
        ctx.unary(|| ctx.grad.mul_const(mask))
    }
    fn backward_fused(&self, ctx: &Backward<'_, Tensor<F>>) -> Option<Grads<Tensor<F>>> {
        let pass = |g: F, y: F| if y <= F::zero() { F::zero() } else { g };
        Some(ctx.unary(|| ctx.grad.zip_map("relu", ctx.output, pass)))
    }
}

impl<F: Float> Tensor<F> {
    /// `max(self, 0)` elementwise; NaN stays NaN.
    pub fn relu(&self) -> Self {
        self.map_pooled(|x| if x <= F::zero() { F::zero() } else { x })
    }
}

impl<'t, F: Float> Var<'t, F> {
    /// `max(self, 0)` elementwise; its gradient at 0 is 0. A NaN stays NaN and passes its
    /// gradient, as in PyTorch (a NaN upstream is not hidden as a zero).
    ///
    /// ```
    /// # use descent_autograd::{Tape, Tensor};
    /// let tape = Tape::new();
    /// let x = tape.watch(Tensor::from_vec(vec![-2.0f32, 3.0, f32::NAN], &[3]));
    /// let y = x.relu().value().to_vec();
    /// assert_eq!(y[..2], [0.0, 3.0]);
    /// assert!(y[2].is_nan());
    /// ```
    pub fn relu(&self) -> Var<'t, F> {
        self.tape().push(Relu, &[self], self.value().relu())
    }
}
