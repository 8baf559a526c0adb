//! `tanh`: the hyperbolic tangent of each element.

use crate::op::{Backward, Grads};
use crate::{Float, Op, Operand, Tensor, Var};

struct Tanh;

impl<F: Float> Op<F> for Tanh {
    fn name(&self) -> &'static str {
        "tanh"
    }
    // d/dx tanh x = 1 − tanh² x
    fn backward<V: Operand<F>>(&self, ctx: &Backward<'_, V>) -> Grads<V> {
        let (y, g) = (ctx.output, ctx.grad);
        ctx.unary(|| g.mul(&y.mul(y).neg().add_scalar(F::one())))
    }
    fn backward_fused(&self, ctx: &Backward<'_, Tensor<F>>) -> Option<Grads<Tensor<F>>> {
        Some(ctx.unary(|| {
            ctx.grad
                .zip_map("tanh", ctx.output, |g, y| g * (F::one() - y * y))
        }))
    }
}

impl<F: Float> Tensor<F> {
    /// The hyperbolic tangent of each element.
    pub fn tanh(&self) -> Self {
        self.map_pooled(|x| x.tanh())
    }
}

impl<'t, F: Float> Var<'t, F> {
    /// The hyperbolic tangent of each element.
    ///
    /// ```
    /// # use descent_autograd::{Tape, Tensor};
    /// let tape = Tape::new();
    /// let x = tape.watch(Tensor::from_vec(vec![0.0, 100.0], &[2]));
    /// let y = x.tanh().value().to_vec();
    /// assert!(y.iter().zip([0.0, 1.0]).all(|(a, b): (&f64, f64)| (a - b).abs() < 1e-12));
    /// ```
    pub fn tanh(&self) -> Var<'t, F> {
        self.tape().push(Tanh, &[self], self.value().tanh())
    }
}
