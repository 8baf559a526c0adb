//! `max`: the largest element over all elements or given axes.

use crate::axis::resolve_reduction;
use crate::op::{Backward, Grads};
use crate::ops::reduce;
use crate::shape::{Shape, reduced_shape};
use crate::{Axes, Float, Op, Operand, Tensor, Var};

struct Max {
    kept: Shape,
}

impl<F: Float> Op<F> for Max {
    fn name(&self) -> &'static str {
        "max"
    }
    // d/dxᵢ max x = 1/k where xᵢ is one of the k maxima, else 0
    fn backward<V: Operand<F>>(&self, ctx: &Backward<'_, V>) -> Grads<V> {
        let x = ctx.inputs[0].tensor();
        let top = ctx
            .output
            .tensor()
            .reshape(&self.kept)
            .broadcast_to(x.shape());
        let hits = x.zip_map(
            "max",
            &top,
            |a, m| if a == m { F::one() } else { F::zero() },
        );
        let axes: Shape = (0..x.ndim())
            .filter(|&i| self.kept[i] != x.shape()[i])
            .collect();
        let counts = hits.sum(&axes, true).broadcast_to(x.shape());
        let share = hits.zip_map("max", &counts, |h, c| h / c);
        let shape = x.dims();
        ctx.unary(|| {
            ctx.grad
                .reshape(&self.kept)
                .broadcast_to(&shape)
                .mul_const(share)
        })
    }
}

impl<F: Float> Tensor<F> {
    /// The largest element over `axes` (all when empty); NaN if any element is NaN.
    ///
    /// # Panics
    /// When an axis is out of range.
    #[track_caller]
    pub fn max(&self, axes: &[usize], keepdims: bool) -> Self {
        let larger = |a: F, b: F| {
            if a.is_nan() || b.is_nan() {
                F::nan()
            } else {
                a.max(b)
            }
        };
        reduce(self, "max", axes, keepdims, F::neg_infinity(), larger)
    }
}

impl<'t, F: Float> Var<'t, F> {
    /// The largest element over `axes` (all when empty). Ties share the gradient equally.
    ///
    /// ```
    /// # use descent_autograd::{Tape, Tensor};
    /// let tape = Tape::new();
    /// let x = tape.watch(Tensor::from_vec(vec![1.0f32, 5.0, 3.0, 2.0], &[2, 2]));
    /// assert_eq!(x.max(&[1], false).value().to_vec(), vec![5.0, 3.0]);
    /// ```
    ///
    /// # Panics
    /// When an axis is out of range.
    #[track_caller]
    pub fn max(&self, axes: impl Axes, keepdims: bool) -> Var<'t, F> {
        let value = self.value();
        let axes = resolve_reduction("max", axes, value.shape());
        let kept = reduced_shape(value.shape(), &axes, true);
        self.tape()
            .push(Max { kept }, &[self], value.max(&axes, keepdims))
    }
}

#[cfg(test)]
mod tests {
    use crate::{Tape, Tensor};

    #[test]
    fn ties_share_the_gradient() {
        let tape = Tape::new();
        let x = tape.watch(Tensor::from_vec(vec![2.0, 2.0, 1.0], &[3]));
        let g = tape.gradient(&x.max(&[], false), &[x]);
        assert_eq!(g[0].to_vec(), vec![0.5, 0.5, 0.0]);
    }
}
