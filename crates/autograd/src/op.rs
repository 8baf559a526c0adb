//! The `Op` trait: what a recorded operation knows (its name and its backward rule).

use crate::{Float, Operand, Tensor, Var};
use smallvec::SmallVec;

/// Gradients of an op's inputs, in input order; `None` where no gradient is wanted.
pub type Grads<V> = SmallVec<[Option<V>; 3]>;

/// What a backward rule receives. `V` is [`Tensor`] when gradients are only computed and
/// [`Var`] when the backward pass is itself recorded (so it can be differentiated again).
pub struct Backward<'a, V> {
    /// The op's inputs.
    pub inputs: &'a [V],
    /// The op's output (backward rules may reuse it: `d/dx exp x = exp x`).
    pub output: &'a V,
    /// The gradient of the target with respect to the output.
    pub grad: &'a V,
    wanted: &'a [bool],
}

impl<V> Backward<'_, V> {
    /// Whether the gradient of input `i` is needed; skip the work when it is not.
    pub fn wants(&self, i: usize) -> bool {
        self.wanted[i]
    }

    /// `Some(f())` when input `i`'s gradient is wanted, `None` otherwise.
    pub fn grad_of(&self, i: usize, f: impl FnOnce() -> V) -> Option<V> {
        self.wants(i).then(f)
    }

    /// The gradients of a one-input op: `f()` for its input, if wanted.
    pub fn unary(&self, f: impl FnOnce() -> V) -> Grads<V> {
        std::iter::once(self.grad_of(0, f)).collect()
    }
}

/// A differentiable operation recorded on a [`crate::Tape`].
///
/// The forward pass is an ordinary function on tensors; the op records the result with
/// [`crate::Tape::push`]. The backward rule is written once, generically, with the
/// operations of [`Operand`]: run on tensors it computes gradients; run on vars it records them,
/// which is what makes gradients of gradients work.
///
/// A complete custom op, `cube`, with its gradient checked by finite differences:
///
/// ```
/// use descent_autograd::{check, Backward, Float, Grads, Op, Tensor, Operand, Var};
///
/// struct Cube;
///
/// impl<F: Float> Op<F> for Cube {
///     fn name(&self) -> &'static str {
///         "cube"
///     }
///     // d/dx x³ = 3x²
///     fn backward<V: Operand<F>>(&self, ctx: &Backward<'_, V>) -> Grads<V> {
///         let x = &ctx.inputs[0];
///         [ctx.grad_of(0, || ctx.grad.mul(&x.mul(x)).mul_scalar(F::cast(3.0)))].into_iter().collect()
///     }
/// }
///
/// fn cube<'t, F: Float>(x: &Var<'t, F>) -> Var<'t, F> {
///     let value = x.value().map(|&v| v * v * v);
///     x.tape().push(Cube, &[x], value)
/// }
///
/// let x = Tensor::from_vec(vec![0.5, -1.5, 2.0], &[3]);
/// let report = check::gradients(|vars| cube(&vars[0]).sum(&[], false), &[x], 1e-6).unwrap();
/// assert!(report.max_abs_error < 1e-6);
/// ```
pub trait Op<F: Float>: 'static {
    /// The op's name, used in error messages and anomaly reports.
    fn name(&self) -> &'static str;

    /// The gradients of the inputs given the gradient of the output (the chain rule).
    fn backward<V: Operand<F>>(&self, ctx: &Backward<'_, V>) -> Grads<V>;

    /// Optionally, a fused first-order backward on tensors, for speed (one pass, one
    /// allocation). `None`, the default, runs [`Op::backward`]. It must compute the same
    /// gradients: first-order checks run this path, second-order checks run `backward`.
    fn backward_fused(&self, ctx: &Backward<'_, Tensor<F>>) -> Option<Grads<Tensor<F>>> {
        let _ = ctx;
        None
    }
}

/// The object-safe form of [`Op`] stored on the tape: one backward per value type.
pub(crate) trait DynOp<F: Float> {
    fn name(&self) -> &'static str;
    fn backward_tensor(&self, ctx: &Backward<'_, Tensor<F>>) -> Grads<Tensor<F>>;
    fn backward_var<'t>(&self, ctx: &Backward<'_, Var<'t, F>>) -> Grads<Var<'t, F>>;
}

impl<F: Float, O: Op<F>> DynOp<F> for O {
    fn name(&self) -> &'static str {
        Op::name(self)
    }
    fn backward_tensor(&self, ctx: &Backward<'_, Tensor<F>>) -> Grads<Tensor<F>> {
        self.backward_fused(ctx)
            .unwrap_or_else(|| self.backward(ctx))
    }
    fn backward_var<'t>(&self, ctx: &Backward<'_, Var<'t, F>>) -> Grads<Var<'t, F>> {
        self.backward(ctx)
    }
}

impl<'a, V> Backward<'a, V> {
    pub(crate) fn new(inputs: &'a [V], output: &'a V, grad: &'a V, wanted: &'a [bool]) -> Self {
        Backward {
            inputs,
            output,
            grad,
            wanted,
        }
    }
}
