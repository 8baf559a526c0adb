//! `ln_1p`: `ln(1 + x)` of each element, accurate for small x.

use crate::op::{Backward, Grads};
use crate::{Float, Op, Operand, Tensor, Var};

struct Ln1p;

impl<F: Float> Op<F> for Ln1p {
    fn name(&self) -> &'static str {
        "ln_1p"
    }
    // d/dx ln(1 + x) = 1 / (1 + x)
    fn backward<V: Operand<F>>(&self, ctx: &Backward<'_, V>) -> Grads<V> {
        let (x, g) = (&ctx.inputs[0], ctx.grad);
        ctx.unary(|| g.mul(&x.add_scalar(F::one()).powf(-F::one())))
    }
}

impl<F: Float> Tensor<F> {
    /// `ln(1 + x)` of each element, accurate for small x.
    pub fn ln_1p(&self) -> Self {
        self.map_pooled(|x| x.ln_1p())
    }
}

impl<'t, F: Float> Var<'t, F> {
    /// `ln(1 + x)` of each element, accurate where `1 + x` would round to 1.
    ///
    /// ```
    /// # use descent_autograd::{Tape, Tensor};
    /// let tape = Tape::new();
    /// let x = tape.watch(Tensor::from_vec(vec![0.0, 1e-20], &[2]));
    /// let y = x.ln_1p().value().to_vec();
    /// assert!(y.iter().zip([0.0, 1e-20]).all(|(a, b): (&f64, f64)| (a - b).abs() < 1e-12));
    /// ```
    pub fn ln_1p(&self) -> Var<'t, F> {
        self.tape().push(Ln1p, &[self], self.value().ln_1p())
    }
}
