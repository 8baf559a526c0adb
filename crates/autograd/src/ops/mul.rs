//! `mul`: elementwise product.

use crate::op::{Backward, Grads};
use crate::ops::broadcast_pair;
use crate::{Float, Op, Operand, Tensor, Var};

struct Mul;

impl<F: Float> Op<F> for Mul {
    fn name(&self) -> &'static str {
        "mul"
    }
    // d/da (a · b) = b, d/db (a · b) = a
    fn backward<V: Operand<F>>(&self, ctx: &Backward<'_, V>) -> Grads<V> {
        let [a, b] = [&ctx.inputs[0], &ctx.inputs[1]];
        [
            ctx.grad_of(0, || ctx.grad.mul(b)),
            ctx.grad_of(1, || ctx.grad.mul(a)),
        ]
        .into_iter()
        .collect()
    }
}

impl<F: Float> Tensor<F> {
    /// Elementwise `self * other`, broadcasting.
    ///
    /// # Panics
    /// When the shapes do not broadcast.
    #[track_caller]
    pub fn mul(&self, other: &Self) -> Self {
        self.binary("mul", other, |a, b| a * b, |a, b| a.array() * b.array())
    }
}

impl<'t, F: Float> Var<'t, F> {
    /// Elementwise `self * other`, broadcasting (also `&a * &b`).
    ///
    /// ```
    /// # use descent_autograd::{Tape, Tensor};
    /// let tape = Tape::new();
    /// let a = tape.watch(Tensor::from_vec(vec![1.0, 2.0], &[2]));
    /// assert_eq!(a.mul(&a).value().to_vec(), vec![1.0, 4.0]);
    /// ```
    ///
    /// # Panics
    /// When the shapes do not broadcast; the message names `mul` and both shapes.
    #[track_caller]
    pub fn mul(&self, other: &Var<'t, F>) -> Var<'t, F> {
        let (a, b) = broadcast_pair("mul", self, other);
        let value = a.value().mul(&b.value());
        self.tape().push(Mul, &[&a, &b], value)
    }
}

#[cfg(test)]
mod tests {
    use crate::{Tape, Tensor};

    #[test]
    fn product_rule() {
        let tape = Tape::new();
        let a = tape.watch(Tensor::from_vec(vec![2.0, 3.0], &[2]));
        let b = tape.watch(Tensor::from_vec(vec![5.0, 7.0], &[2]));
        let g = tape.gradient(&a.mul(&b).sum(&[], false), &[a, b]);
        assert_eq!(
            (g[0].to_vec(), g[1].to_vec()),
            (vec![5.0, 7.0], vec![2.0, 3.0])
        );
    }
}
