//! `sigmoid`: the logistic sigmoid `1 / (1 + e^-x)` of each element.

use crate::op::{Backward, Grads};
use crate::{Float, Op, Operand, Tensor, Var};

struct Sigmoid;

impl<F: Float> Op<F> for Sigmoid {
    fn name(&self) -> &'static str {
        "sigmoid"
    }
    // d/dx σ(x) = σ(x)(1 − σ(x))
    fn backward<V: Operand<F>>(&self, ctx: &Backward<'_, V>) -> Grads<V> {
        let (y, g) = (ctx.output, ctx.grad);
        ctx.unary(|| g.mul(&y.mul(&y.neg().add_scalar(F::one()))))
    }
    fn backward_fused(&self, ctx: &Backward<'_, Tensor<F>>) -> Option<Grads<Tensor<F>>> {
        Some(ctx.unary(|| {
            ctx.grad
                .zip_map("sigmoid", ctx.output, |g, y| g * y * (F::one() - y))
        }))
    }
}

impl<F: Float> Tensor<F> {
    /// The logistic sigmoid `1 / (1 + e^-x)` of each element.
    pub fn sigmoid(&self) -> Self {
        self.map_pooled(|x| stable_sigmoid(x))
    }
}

impl<'t, F: Float> Var<'t, F> {
    /// The logistic sigmoid `1 / (1 + e^-x)` of each element, without overflow for large |x|.
    ///
    /// ```
    /// # use descent_autograd::{Tape, Tensor};
    /// let tape = Tape::new();
    /// let x = tape.watch(Tensor::from_vec(vec![0.0, -1000.0], &[2]));
    /// let y = x.sigmoid().value().to_vec();
    /// assert!(y.iter().zip([0.5, 0.0]).all(|(a, b): (&f64, f64)| (a - b).abs() < 1e-12));
    /// ```
    pub fn sigmoid(&self) -> Var<'t, F> {
        self.tape().push(Sigmoid, &[self], self.value().sigmoid())
    }
}

/// `1 / (1 + e^-x)` for x ≥ 0 and `e^x / (1 + e^x)` below, so `exp` never overflows.
fn stable_sigmoid<F: Float>(x: F) -> F {
    if x >= F::zero() {
        F::one() / (F::one() + (-x).exp())
    } else {
        let e = x.exp();
        e / (F::one() + e)
    }
}
