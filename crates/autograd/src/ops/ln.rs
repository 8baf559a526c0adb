//! `ln`: the natural logarithm of each element.

use crate::op::{Backward, Grads};
use crate::{Float, Op, Operand, Tensor, Var};

struct Ln;

impl<F: Float> Op<F> for Ln {
    fn name(&self) -> &'static str {
        "ln"
    }
    // d/dx ln x = 1 / x
    fn backward<V: Operand<F>>(&self, ctx: &Backward<'_, V>) -> Grads<V> {
        let (x, g) = (&ctx.inputs[0], ctx.grad);
        ctx.unary(|| g.mul(&x.powf(-F::one())))
    }
    fn backward_fused(&self, ctx: &Backward<'_, Tensor<F>>) -> Option<Grads<Tensor<F>>> {
        Some(ctx.unary(|| ctx.grad.zip_map("ln", &ctx.inputs[0], |g, x| g / x)))
    }
}

impl<F: Float> Tensor<F> {
    /// The natural logarithm of each element.
    pub fn ln(&self) -> Self {
        self.map_pooled(|x| x.ln())
    }
}

impl<'t, F: Float> Var<'t, F> {
    /// The natural logarithm of each element: `ln 0 = -inf`, negative inputs give NaN.
    ///
    /// ```
    /// # use descent_autograd::{Tape, Tensor};
    /// let tape = Tape::new();
    /// let x = tape.watch(Tensor::from_vec(vec![1.0, std::f64::consts::E], &[2]));
    /// let y = x.ln().value().to_vec();
    /// assert!(y.iter().zip([0.0, 1.0]).all(|(a, b): (&f64, f64)| (a - b).abs() < 1e-12));
    /// ```
    pub fn ln(&self) -> Var<'t, F> {
        self.tape().push(Ln, &[self], self.value().ln())
    }
}
