//! `exp`: e raised to each element.

use crate::op::{Backward, Grads};
use crate::{Float, Op, Operand, Tensor, Var};

struct Exp;

impl<F: Float> Op<F> for Exp {
    fn name(&self) -> &'static str {
        "exp"
    }
    // d/dx exp x = exp x
    fn backward<V: Operand<F>>(&self, ctx: &Backward<'_, V>) -> Grads<V> {
        let (y, g) = (ctx.output, ctx.grad);
        ctx.unary(|| g.mul(y))
    }
}

impl<F: Float> Tensor<F> {
    /// e raised to each element.
    pub fn exp(&self) -> Self {
        self.map_pooled(|x| x.exp())
    }
}

impl<'t, F: Float> Var<'t, F> {
    /// e raised to each element; overflows to `+inf` above about 88 (f32) or 709 (f64).
    ///
    /// ```
    /// # use descent_autograd::{Tape, Tensor};
    /// let tape = Tape::new();
    /// let x = tape.watch(Tensor::from_vec(vec![0.0, 1.0], &[2]));
    /// let y = x.exp().value().to_vec();
    /// assert!(y.iter().zip([1.0, std::f64::consts::E]).all(|(a, b): (&f64, f64)| (a - b).abs() < 1e-12));
    /// ```
    pub fn exp(&self) -> Var<'t, F> {
        self.tape().push(Exp, &[self], self.value().exp())
    }
}
