//! `broadcast_to`: repeats a tensor along new or unit axes (NumPy broadcasting).

use crate::op::{Backward, Grads};
use crate::shape::{Shape, mismatch};
use crate::{Float, Op, Operand, Tensor, Var};

struct BroadcastTo;

impl<F: Float> Op<F> for BroadcastTo {
    fn name(&self) -> &'static str {
        "broadcast_to"
    }
    // The adjoint of broadcasting is summing back: this is the only place gradients of
    // broadcast operands are reduced.
    fn backward<V: Operand<F>>(&self, ctx: &Backward<'_, V>) -> Grads<V> {
        let shape: Shape = ctx.inputs[0].shape();
        ctx.unary(|| ctx.grad.sum_to(&shape))
    }
}

impl<F: Float> Tensor<F> {
    /// The tensor repeated to `shape` (a copy).
    ///
    /// # Panics
    /// When the shape is not a broadcast of this one.
    #[track_caller]
    pub fn broadcast_to(&self, shape: &[usize]) -> Self {
        match self.array().broadcast(shape) {
            Some(view) => view.to_owned().into(),
            None => mismatch("broadcast_to", "cannot broadcast", self.shape(), shape),
        }
    }
}

impl<'t, F: Float> Var<'t, F> {
    /// The var repeated to `shape`; the gradient is summed back to the original shape.
    ///
    /// ```
    /// # use descent_autograd::{Tape, Tensor};
    /// let tape = Tape::new();
    /// let x = tape.watch(Tensor::from_vec(vec![1.0f32, 2.0], &[2]));
    /// assert_eq!(x.broadcast_to(&[2, 2]).value().to_vec(), vec![1.0, 2.0, 1.0, 2.0]);
    /// ```
    ///
    /// # Panics
    /// When `shape` is not a broadcast of the var's shape.
    #[track_caller]
    pub fn broadcast_to(&self, shape: &[usize]) -> Var<'t, F> {
        self.tape()
            .push(BroadcastTo, &[self], self.value().broadcast_to(shape))
    }
}
