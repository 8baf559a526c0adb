//! `permute`: reorders the axes (a strided view, never a copy).

use crate::op::{Backward, Grads};
use crate::shape::Shape;
use crate::{Float, Op, Operand, Tensor, Var};

struct Permute {
    inverse: Shape,
}

impl<F: Float> Op<F> for Permute {
    fn name(&self) -> &'static str {
        "permute"
    }
    // The gradient is permuted back by the inverse permutation.
    fn backward<V: Operand<F>>(&self, ctx: &Backward<'_, V>) -> Grads<V> {
        ctx.unary(|| ctx.grad.permute(&self.inverse))
    }
}

#[track_caller]
fn check_permutation(axes: &[usize], shape: &[usize]) {
    let mut seen = vec![false; shape.len()];
    let valid = axes.len() == shape.len()
        && axes
            .iter()
            .all(|&a| a < seen.len() && !std::mem::replace(&mut seen[a], true));
    if !valid {
        panic!("permute: {axes:?} is not a permutation of the axes of shape {shape:?}");
    }
}

impl<F: Float> Tensor<F> {
    /// Axis `i` of the result is axis `axes[i]` of `self`; a view of the same storage.
    ///
    /// # Panics
    /// When `axes` is not a permutation of `0..ndim`.
    #[track_caller]
    pub fn permute(&self, axes: &[usize]) -> Self {
        check_permutation(axes, self.shape());
        self.array().clone().permuted_axes(axes).into()
    }
}

impl<'t, F: Float> Var<'t, F> {
    /// Axis `i` of the result is axis `axes[i]` of `self`; no data is copied.
    ///
    /// ```
    /// # use descent_autograd::{Tape, Tensor};
    /// let tape = Tape::new();
    /// let x = tape.watch(Tensor::<f32>::zeros(&[2, 3, 4]));
    /// assert_eq!(x.permute(&[2, 0, 1]).shape().as_slice(), &[4, 2, 3]);
    /// assert_eq!(x.permute((-1, 0, 1)).shape().as_slice(), &[4, 2, 3]);
    /// ```
    ///
    /// # Panics
    /// When `axes` is not a permutation of the var's axes.
    #[track_caller]
    pub fn permute(&self, axes: impl crate::Axes) -> Var<'t, F> {
        let axes = &crate::axis::resolve_each("permute", axes, &self.shape())[..];
        let value = self.value().permute(axes);
        let mut inverse: Shape = axes.iter().copied().collect();
        axes.iter().enumerate().for_each(|(i, &a)| inverse[a] = i);
        self.tape().push(Permute { inverse }, &[self], value)
    }
}
