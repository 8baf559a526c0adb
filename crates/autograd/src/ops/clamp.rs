//! `clamp`: limits every element to `[low, high]`.

use crate::op::{Backward, Grads};
use crate::{Float, Op, Operand, Tensor, Var};

struct Clamp<F> {
    low: F,
    high: F,
}

impl<F: Float> Op<F> for Clamp<F> {
    fn name(&self) -> &'static str {
        "clamp"
    }
    // d/dx clamp(x, lo, hi) = 1 if lo ≤ x ≤ hi else 0
    fn backward<V: Operand<F>>(&self, ctx: &Backward<'_, V>) -> Grads<V> {
        let inside = |&x: &F| {
            if x >= self.low && x <= self.high {
                F::one()
            } else {
                F::zero()
            }
        };
        let mask = ctx.inputs[0].tensor().map(inside);
        ctx.unary(|| ctx.grad.mul_const(mask))
    }
}

impl<F: Float> Tensor<F> {
    /// Every element limited to `[low, high]`; NaN stays NaN.
    pub fn clamp(&self, low: F, high: F) -> Self {
        // Comparisons, not `max`/`min`: those would turn a NaN into `low`.
        self.map_pooled(|x| {
            if x < low {
                low
            } else if x > high {
                high
            } else {
                x
            }
        })
    }
}

impl<'t, F: Float> Var<'t, F> {
    /// Every element limited to `[low, high]`; the gradient is 1 inside (bounds included), 0
    /// outside. Use `F::neg_infinity()` or `F::infinity()` for a one-sided clamp. A NaN stays
    /// NaN, its gradient 0, as in PyTorch.
    ///
    /// ```
    /// # use descent_autograd::{Tape, Tensor};
    /// let tape = Tape::new();
    /// let x = tape.watch(Tensor::from_vec(vec![-2.0f32, 0.5, 3.0], &[3]));
    /// assert_eq!(x.clamp(0.0, 1.0).value().to_vec(), vec![0.0, 0.5, 1.0]);
    /// ```
    ///
    /// # Panics
    /// When `low > high`.
    #[track_caller]
    pub fn clamp(&self, low: F, high: F) -> Var<'t, F> {
        if low > high {
            panic!("clamp: low bound {low} is above high bound {high}");
        }
        self.tape()
            .push(Clamp { low, high }, &[self], self.value().clamp(low, high))
    }
}
