//! Higher-order helpers, like `torch.autograd.functional`: [`vjp`], [`jvp`], [`jacobian`],
//! [`hvp`] and [`hessian`] of a function of one tensor.
//!
//! Each takes the function as a closure over a var (`|x| x.exp().sum(&[], false)`), records it
//! on a fresh persistent tape (one that keeps its values, so one recording answers several
//! gradient calls), and returns plain tensors. They are built on [`Tape::vjp`] and
//! [`Tape::gradient_vars`] (gradients recorded as vars, differentiated again for second
//! order), so every op with a row in the gradient-check table works here to second order.
//!
//! ```
//! use descent_autograd::{functional, Tensor};
//! // f(x) = Σ x³: gradient 3x², Hessian diag(6x).
//! let x = Tensor::from_vec(vec![1.0f64, 2.0], &[2]);
//! let h = functional::hessian(|x| x.powf(3.0).sum(&[], false), &x);
//! assert_eq!(h.to_vec(), vec![6.0, 0.0, 0.0, 12.0]);
//! ```
//!
//! A function of several tensors is a function of one: slice a concatenation, or close over
//! the others as constants (`x.tape().watch(data.clone())`).
//!
//! **Persistent tapes.** [`Tape::gradient_vars`] releases nothing, so one recorded gradient
//! differentiated once more needs only an ordinary tape; a [`Tape::persistent`] tape is needed
//! when one recording answers several gradient calls, as the rows of a Jacobian do:
//!
//! ```
//! use descent_autograd::{Tape, Tensor};
//! let tape = Tape::new(); // not persistent: one gradient call
//! let x = tape.watch(Tensor::scalar(2.0f64));
//! let dy = tape.gradient_vars(&x.powf(3.0), &[x]).remove(0); // 3x² = 12, recorded
//! assert_eq!(tape.gradient(&dy, &[x])[0].item(), 12.0); // 6x: the one call; values released
//! let again = std::panic::AssertUnwindSafe(|| tape.gradient(&dy, &[x]).remove(0));
//! assert!(std::panic::catch_unwind(again).is_err()); // a second call needs Tape::persistent()
//! ```

use crate::shape::Shape;
use crate::{Float, Tape, Tensor, Var};

/// The value `f(x)` and the vector-Jacobian product `vᵀ J` (the gradient of `Σ v · f(x)`),
/// of `x`'s shape; `v` has the output's shape. `torch.autograd.functional.vjp`.
///
/// ```
/// use descent_autograd::{functional, Tensor};
/// let x = Tensor::from_vec(vec![1.0f64, 2.0], &[2]);
/// let v = Tensor::from_vec(vec![1.0, 10.0], &[2]);
/// let (y, vj) = functional::vjp(|x| x.square(), &x, &v); // J = diag(2x)
/// assert_eq!((y.to_vec(), vj.to_vec()), (vec![1.0, 4.0], vec![2.0, 40.0]));
/// ```
///
/// # Panics
/// When `v`'s shape differs from the output's.
#[track_caller]
pub fn vjp<F: Float>(
    f: impl for<'t> Fn(&Var<'t, F>) -> Var<'t, F>,
    x: &Tensor<F>,
    v: &Tensor<F>,
) -> (Tensor<F>, Tensor<F>) {
    let tape = Tape::new();
    let x = tape.watch(x.clone());
    let y = f(&x);
    let grad = tape.vjp(&y, v, &[x]).remove(0);
    (y.value(), grad)
}

/// The value `f(x)` and the Jacobian-vector product `J v` (the directional derivative of `f`
/// along `v`), of the output's shape; `v` has `x`'s shape. `torch.autograd.functional.jvp`.
///
/// Reverse mode computes it as the gradient, with respect to `u`, of `(uᵀ J) · v`: `uᵀ J` is
/// linear in `u`, so one recorded gradient and one ordinary gradient give `J v`.
///
/// ```
/// use descent_autograd::{functional, Tensor, Var};
/// // f(x) = [x₀ · x₁, x₀ + x₁]: J = [[x₁, x₀], [1, 1]], J v = [x₁ + x₀, 2].
/// fn f<'t>(x: &Var<'t, f64>) -> Var<'t, f64> {
///     let (a, b) = (x.slice(0, 0, 1), x.slice(0, 1, 2));
///     Var::concat(&[a.mul(&b), a.add(&b)], 0)
/// }
/// let x = Tensor::from_vec(vec![0.0f64, 1.0], &[2]);
/// let v = Tensor::from_vec(vec![1.0, 1.0], &[2]);
/// let (y, jv) = functional::jvp(f, &x, &v);
/// assert_eq!((y.to_vec(), jv.to_vec()), (vec![0.0, 1.0], vec![1.0, 2.0]));
/// ```
///
/// # Panics
/// When `v`'s shape differs from `x`'s.
#[track_caller]
pub fn jvp<F: Float>(
    f: impl for<'t> Fn(&Var<'t, F>) -> Var<'t, F>,
    x: &Tensor<F>,
    v: &Tensor<F>,
) -> (Tensor<F>, Tensor<F>) {
    x.expect_shape("jvp: x and v", v);
    let tape = Tape::persistent();
    let xv = tape.watch(x.clone());
    let y = f(&xv);
    let u = tape.watch(Tensor::zeros(&y.shape()));
    let jv = gradient_along(&tape, &y.mul(&u).sum(&[], false), &xv, v, &u);
    (y.value(), jv)
}

/// The Jacobian of `f` at `x`, of shape `output shape ++ x's shape`: element
/// `[i…, j…]` is `∂f(x)[i…] / ∂x[j…]`. One vector-Jacobian product per output element.
/// `torch.autograd.functional.jacobian`.
///
/// ```
/// use descent_autograd::{functional, Tensor};
/// let x = Tensor::from_vec(vec![1.0f64, 2.0, 3.0], &[3]);
/// let j = functional::jacobian(|x| x.cumsum(0), &x);
/// assert_eq!(j.shape(), &[3, 3]);
/// assert_eq!(j.to_vec(), vec![1.0, 0.0, 0.0, 1.0, 1.0, 0.0, 1.0, 1.0, 1.0]);
/// ```
pub fn jacobian<F: Float>(
    f: impl for<'t> Fn(&Var<'t, F>) -> Var<'t, F>,
    x: &Tensor<F>,
) -> Tensor<F> {
    let tape = Tape::persistent();
    let xv = tape.watch(x.clone());
    rows_of(&tape, &f(&xv), &xv)
}

/// The value `f(x)` (one element) and the Hessian-vector product `H v`, of `x`'s shape,
/// without forming `H`: the gradient of `∇f(x) · v`, through the recorded gradient.
/// `torch.autograd.functional.hvp`.
///
/// ```
/// use descent_autograd::{functional, Tensor, Var};
/// // f(x) = x₀² x₁: H = [[2x₁, 2x₀], [2x₀, 0]] = [[4, 2], [2, 0]] at x = (1, 2).
/// fn f<'t>(x: &Var<'t, f64>) -> Var<'t, f64> {
///     x.slice(0, 0, 1).square().mul(&x.slice(0, 1, 2)).sum(&[], false)
/// }
/// let x = Tensor::from_vec(vec![1.0f64, 2.0], &[2]);
/// let v = Tensor::from_vec(vec![1.0, 1.0], &[2]);
/// let (y, hv) = functional::hvp(f, &x, &v);
/// assert_eq!((y.item(), hv.to_vec()), (2.0, vec![6.0, 2.0]));
/// ```
///
/// # Panics
/// When `f(x)` has more than one element, or `v`'s shape differs from `x`'s.
#[track_caller]
pub fn hvp<F: Float>(
    f: impl for<'t> Fn(&Var<'t, F>) -> Var<'t, F>,
    x: &Tensor<F>,
    v: &Tensor<F>,
) -> (Tensor<F>, Tensor<F>) {
    x.expect_shape("hvp: x and v", v);
    let tape = Tape::persistent();
    let xv = tape.watch(x.clone());
    let y = f(&xv);
    (y.value(), gradient_along(&tape, &y, &xv, v, &xv))
}

/// The Hessian of a one-element `f` at `x`, of shape `x's shape ++ x's shape`: the Jacobian
/// of the recorded gradient. `torch.autograd.functional.hessian`.
///
/// ```
/// use descent_autograd::{functional, Tensor};
/// // f(x) = ½ xᵀ A x with A = [[2, 1], [1, 3]]: the Hessian is A.
/// let a = Tensor::from_vec(vec![2.0f64, 1.0, 1.0, 3.0], &[2, 2]);
/// let x = Tensor::from_vec(vec![0.5, -1.0], &[2, 1]);
/// let h = functional::hessian(
///     |x| x.transpose().matmul(&x.tape().watch(a.clone())).matmul(x).mul_scalar(0.5).sum(&[], false),
///     &x,
/// );
/// assert_eq!(h.shape(), &[2, 1, 2, 1]);
/// assert_eq!(h.to_vec(), vec![2.0, 1.0, 1.0, 3.0]);
/// ```
///
/// # Panics
/// When `f(x)` has more than one element.
#[track_caller]
pub fn hessian<F: Float>(
    f: impl for<'t> Fn(&Var<'t, F>) -> Var<'t, F>,
    x: &Tensor<F>,
) -> Tensor<F> {
    let tape = Tape::persistent();
    let xv = tape.watch(x.clone());
    let grad = tape.gradient_vars(&f(&xv), &[xv]).remove(0);
    rows_of(&tape, &grad, &xv)
}

/// The Jacobian of `y` with respect to `x` on a persistent tape: one vector-Jacobian product
/// per element of `y`, seeded with that element's unit vector.
fn rows_of<F: Float>(tape: &Tape<F>, y: &Var<'_, F>, x: &Var<'_, F>) -> Tensor<F> {
    let (out, inner) = (y.shape(), x.shape());
    let n = out.iter().product::<usize>();
    let mut values = Vec::with_capacity(n * inner.iter().product::<usize>());
    for i in 0..n {
        let mut seed = vec![F::zero(); n];
        seed[i] = F::one();
        let row = tape.vjp(y, &Tensor::from_vec(seed, &out), &[x]).remove(0);
        values.extend(row.to_vec());
    }
    let shape: Shape = out.iter().chain(inner.iter()).copied().collect();
    Tensor::from_vec(values, &shape)
}

/// The gradient with respect to `by` of `∇ₓ target · v` (`x` = `source`): the recorded gradient
/// differentiated once more, along `v`.
fn gradient_along<'t, F: Float>(
    tape: &'t Tape<F>,
    target: &Var<'t, F>,
    source: &Var<'t, F>,
    v: &Tensor<F>,
    by: &Var<'t, F>,
) -> Tensor<F> {
    let grad = tape.gradient_vars(target, &[*source]).remove(0);
    let along = grad.mul(&tape.watch(v.clone())).sum(&[], false);
    tape.gradient(&along, &[*by]).remove(0)
}
