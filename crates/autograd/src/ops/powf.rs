//! `powf`: every element raised to a constant exponent.

use crate::op::{Backward, Grads};
use crate::{Float, Op, Tensor, Value, Var};

struct Powf<F>(F);

impl<F: Float> Op<F> for Powf<F> {
    fn name(&self) -> &'static str {
        "powf"
    }
    // d/dx xᵖ = p · xᵖ⁻¹
    fn backward<V: Value<F>>(&self, ctx: &Backward<'_, V>) -> Grads<V> {
        let p = self.0;
        ctx.unary(|| {
            ctx.grad
                .mul(&ctx.inputs[0].powf(p - F::one()).mul_scalar(p))
        })
    }
    fn backward_fused(&self, ctx: &Backward<'_, Tensor<F>>) -> Option<Grads<Tensor<F>>> {
        let p = self.0;
        let rule = |g: F, x: F| g * p * x.powf(p - F::one());
        Some(ctx.unary(|| ctx.grad.zip_map("powf", &ctx.inputs[0], rule)))
    }
}

impl<F: Float> Tensor<F> {
    /// `self ^ p` elementwise.
    pub fn powf(&self, p: F) -> Self {
        self.map(|&x| x.powf(p))
    }
}

impl<'t, F: Float> Var<'t, F> {
    /// `self ^ p` elementwise. Fractional powers of negative numbers are NaN; the gradient of
    /// `x^p` at 0 for `p < 1` is infinite (so `sqrt`'s gradient at 0 is `+inf`).
    ///
    /// ```
    /// # use descent_autograd::{Tape, Tensor};
    /// let tape = Tape::new();
    /// let x = tape.watch(Tensor::from_vec(vec![2.0f64, 9.0], &[2]));
    /// assert_eq!(x.powf(2.0).value().to_vec(), vec![4.0, 81.0]);
    /// ```
    pub fn powf(&self, p: F) -> Var<'t, F> {
        self.tape().push(Powf(p), &[self], self.value().powf(p))
    }
}
