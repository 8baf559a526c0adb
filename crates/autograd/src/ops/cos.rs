//! `cos`: the cosine of each element (radians).

use crate::op::{Backward, Grads};
use crate::{Float, Op, Operand, Tensor, Var};

struct Cos;

impl<F: Float> Op<F> for Cos {
    fn name(&self) -> &'static str {
        "cos"
    }
    // d/dx cos x = −sin x
    fn backward<V: Operand<F>>(&self, ctx: &Backward<'_, V>) -> Grads<V> {
        ctx.unary(|| ctx.grad.mul(&ctx.inputs[0].sin()).neg())
    }
}

impl<F: Float> Tensor<F> {
    /// The cosine of each element (radians).
    ///
    /// ```
    /// # use descent_autograd::Tensor;
    /// assert_eq!(Tensor::from_vec(vec![0.0f64], &[1]).cos().to_vec(), vec![1.0]);
    /// ```
    pub fn cos(&self) -> Self {
        self.map_pooled(|x| x.cos())
    }
}

impl<'t, F: Float> Var<'t, F> {
    /// The cosine of each element (radians), as `torch.cos`.
    ///
    /// ```
    /// # use descent_autograd::{Tape, Tensor};
    /// let tape = Tape::new();
    /// let x = tape.watch(Tensor::from_vec(vec![0.0f64, std::f64::consts::PI], &[2]));
    /// assert_eq!(x.cos().value().to_vec(), vec![1.0, -1.0]);
    /// let g = tape.gradient(&x.cos().sum(&[], false), &[x]);
    /// assert_eq!(g[0].get(&[0]), Some(0.0)); // −sin 0
    /// ```
    pub fn cos(&self) -> Var<'t, F> {
        self.tape().push(Cos, &[self], self.value().cos())
    }
}
