//! `add`: elementwise sum.

use crate::op::{Backward, Grads};
use crate::ops::broadcast_pair;
use crate::{Float, Op, Operand, Tensor, Var};

struct Add;

impl<F: Float> Op<F> for Add {
    fn name(&self) -> &'static str {
        "add"
    }
    // d/da (a + b) = 1, d/db (a + b) = 1
    fn backward<V: Operand<F>>(&self, ctx: &Backward<'_, V>) -> Grads<V> {
        [
            ctx.grad_of(0, || ctx.grad.clone()),
            ctx.grad_of(1, || ctx.grad.clone()),
        ]
        .into_iter()
        .collect()
    }
}

impl<F: Float> Tensor<F> {
    /// Elementwise `self + other`, broadcasting.
    ///
    /// # Panics
    /// When the shapes do not broadcast.
    #[track_caller]
    pub fn add(&self, other: &Self) -> Self {
        self.binary("add", other, |a, b| a + b, |a, b| a.array() + b.array())
    }
}

impl<'t, F: Float> Var<'t, F> {
    /// Elementwise `self + other`, broadcasting (also `&a + &b`).
    ///
    /// ```
    /// # use descent_autograd::{Tape, Tensor};
    /// let tape = Tape::new();
    /// let a = tape.watch(Tensor::from_vec(vec![1.0, 2.0], &[2, 1]));
    /// let b = tape.watch(Tensor::from_vec(vec![10.0, 20.0, 30.0], &[3]));
    /// assert_eq!(a.add(&b).value().to_vec(), vec![11.0, 21.0, 31.0, 12.0, 22.0, 32.0]);
    /// ```
    ///
    /// # Panics
    /// When the shapes do not broadcast; the message names `add` and both shapes.
    #[track_caller]
    pub fn add(&self, other: &Var<'t, F>) -> Var<'t, F> {
        let (a, b) = broadcast_pair("add", self, other);
        let value = a.value().add(&b.value());
        self.tape().push(Add, &[&a, &b], value)
    }
}

#[cfg(test)]
mod tests {
    use crate::{Tape, Tensor};

    #[test]
    fn adds_with_broadcast_and_sums_gradient_back() {
        let tape = Tape::new();
        let a = tape.watch(Tensor::from_vec(vec![1.0, 2.0, 3.0, 4.0], &[2, 2]));
        let b = tape.watch(Tensor::from_vec(vec![10.0, 20.0], &[2]));
        let y = a.add(&b);
        assert_eq!(y.value().to_vec(), vec![11.0, 22.0, 13.0, 24.0]);
        let g = tape.gradient(&y.sum(&[], false), &[a, b]);
        assert_eq!(g[1].to_vec(), vec![2.0, 2.0]);
    }
}
