//! `cumsum`: running sums along one axis.

use crate::axis::{Axis, resolve};
use crate::op::{Backward, Grads};
use crate::{Float, Op, Operand, Tensor, Var};

struct Cumsum {
    axis: usize,
}

impl<F: Float> Op<F> for Cumsum {
    fn name(&self) -> &'static str {
        "cumsum"
    }
    // d/dxⱼ yᵢ = [j ≤ i], so the gradient is the reversed running sum of g:
    // Σ_{i≥j} gᵢ = Σ g − cumsum(g)ⱼ + gⱼ
    fn backward<V: Operand<F>>(&self, ctx: &Backward<'_, V>) -> Grads<V> {
        let (g, axis) = (ctx.grad, self.axis);
        let total = g.sum(&[axis], true).broadcast_to(&g.shape());
        ctx.unary(|| total.sub(&g.cumsum(axis)).add(g))
    }
}

impl<F: Float> Tensor<F> {
    /// Running sums along `axis` (an index below the rank).
    ///
    /// ```
    /// # use descent_autograd::Tensor;
    /// let x = Tensor::from_vec(vec![1.0f32, 2.0, 3.0], &[3]);
    /// assert_eq!(x.cumsum(0).to_vec(), vec![1.0, 3.0, 6.0]);
    /// ```
    ///
    /// # Panics
    /// When the axis is out of range.
    #[track_caller]
    pub fn cumsum(&self, axis: usize) -> Self {
        let axis = resolve("cumsum", axis, self.shape());
        let mut sums = self.array().to_owned();
        sums.accumulate_axis_inplace(ndarray::Axis(axis), |&before, here| *here += before);
        sums.into()
    }
}

impl<'t, F: Float> Var<'t, F> {
    /// Running sums along `axis` (negative counts from the end), as `torch.cumsum(x, dim)`.
    ///
    /// ```
    /// # use descent_autograd::{Tape, Tensor};
    /// let tape = Tape::new();
    /// let x = tape.watch(Tensor::from_vec(vec![1.0f64, 2.0, 3.0, 4.0], &[2, 2]));
    /// assert_eq!(x.cumsum(-1).value().to_vec(), vec![1.0, 3.0, 3.0, 7.0]);
    /// assert_eq!(x.cumsum(0).value().to_vec(), vec![1.0, 2.0, 4.0, 6.0]);
    /// let g = tape.gradient(&x.cumsum(1).sum(&[], false), &[x]);
    /// assert_eq!(g[0].to_vec(), vec![2.0, 1.0, 2.0, 1.0]);
    /// ```
    ///
    /// # Panics
    /// When the axis is out of range.
    #[track_caller]
    pub fn cumsum(&self, axis: impl Axis) -> Var<'t, F> {
        let axis = resolve("cumsum", axis, &self.shape());
        let value = self.value().cumsum(axis);
        self.tape().push(Cumsum { axis }, &[self], value)
    }
}
