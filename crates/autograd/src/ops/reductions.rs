//! Reduction composites: `mean`, `min`, `variance`, `std`, `prod`, `norm`. Each takes its axes
//! as [`Axes`] (negative counts from the end; empty means all).

use crate::axis::resolve_reduction;
use crate::shape::reduced_shape;
use crate::{Axes, Float, Tensor, Var};

impl<'t, F: Float> Var<'t, F> {
    /// The mean over `axes` (all elements when empty).
    ///
    /// ```
    /// # use descent_autograd::{Tape, Tensor};
    /// let tape = Tape::new();
    /// let x = tape.watch(Tensor::from_vec(vec![1.0f32, 2.0, 3.0, 6.0], &[2, 2]));
    /// assert_eq!(x.mean(&[], false).item(), 3.0);
    /// assert_eq!(x.mean(&[0], false).value().to_vec(), vec![2.0, 4.0]);
    /// assert_eq!(x.mean(-1, false).value().to_vec(), vec![1.5, 4.5]);
    /// ```
    ///
    /// # Panics
    /// When an axis is out of range.
    #[track_caller]
    pub fn mean(&self, axes: impl Axes, keepdims: bool) -> Var<'t, F> {
        let shape = self.shape();
        let axes = resolve_reduction("mean", axes, &shape);
        let count: usize = axes.iter().map(|&a| shape[a]).product();
        self.sum(&axes, keepdims)
            .mul_scalar(F::one() / F::cast(count as f64))
    }

    /// The smallest element over `axes` (all when empty): `-max(-x)`.
    ///
    /// ```
    /// # use descent_autograd::{Tape, Tensor};
    /// let tape = Tape::new();
    /// let x = tape.watch(Tensor::from_vec(vec![1.0f32, 5.0, 3.0, 2.0], &[2, 2]));
    /// assert_eq!(x.min(&[1], false).value().to_vec(), vec![1.0, 2.0]);
    /// ```
    ///
    /// # Panics
    /// When an axis is out of range.
    #[track_caller]
    pub fn min(&self, axes: impl Axes, keepdims: bool) -> Var<'t, F> {
        let axes = resolve_reduction("min", axes, &self.shape());
        self.neg().max(&axes, keepdims).neg()
    }

    /// The population variance (divided by n, as NumPy's default) over `axes` (all when empty).
    /// [`Var::variance_with`] takes PyTorch's `correction`.
    ///
    /// ```
    /// # use descent_autograd::{Tape, Tensor};
    /// let tape = Tape::new();
    /// let x = tape.watch(Tensor::from_vec(vec![1.0f64, 3.0], &[2]));
    /// assert_eq!(x.variance(&[], false).item(), 1.0);
    /// ```
    ///
    /// # Panics
    /// When an axis is out of range.
    #[track_caller]
    pub fn variance(&self, axes: impl Axes, keepdims: bool) -> Var<'t, F> {
        self.variance_with(axes, keepdims, 0)
    }

    /// The variance over `axes` (all when empty) divided by `n − correction`, as
    /// `torch.var(x, dim, correction=…)`: `correction = 1` is the unbiased estimate (PyTorch's
    /// default), `0` the population variance. `n ≤ correction` gives inf or NaN, as in PyTorch.
    ///
    /// ```
    /// # use descent_autograd::{Tape, Tensor};
    /// let tape = Tape::new();
    /// let x = tape.watch(Tensor::from_vec(vec![1.0f64, 3.0], &[2]));
    /// assert_eq!(x.variance_with(&[], false, 1).item(), 2.0);
    /// ```
    ///
    /// # Panics
    /// When an axis is out of range.
    #[track_caller]
    pub fn variance_with(&self, axes: impl Axes, keepdims: bool, correction: usize) -> Var<'t, F> {
        let shape = self.shape();
        let axes = resolve_reduction("variance", axes, &shape);
        let n: usize = axes.iter().map(|&a| shape[a]).product();
        let centred = self.sub(&self.mean(&axes, true));
        let divisor = n.saturating_sub(correction) as f64;
        centred
            .square()
            .sum(&axes, keepdims)
            .mul_scalar(F::one() / F::cast(divisor))
    }

    /// The standard deviation over `axes` (all when empty) with PyTorch's default correction
    /// of 1 (Bessel's: divided by `n − 1`), as `torch.std(x, dim)`. [`Var::std_with`] takes the
    /// correction; NumPy's default is `std_with(axes, keepdims, 0)`.
    ///
    /// ```
    /// # use descent_autograd::{Tape, Tensor};
    /// let tape = Tape::new();
    /// let x = tape.watch(Tensor::from_vec(vec![1.0f64, 3.0, 5.0, 9.0], &[2, 2]));
    /// assert_eq!(x.std(-1, false).value().to_vec(), vec![2f64.sqrt(), 8f64.sqrt()]);
    /// ```
    ///
    /// # Panics
    /// When an axis is out of range.
    #[track_caller]
    pub fn std(&self, axes: impl Axes, keepdims: bool) -> Var<'t, F> {
        self.std_with(axes, keepdims, 1)
    }

    /// The standard deviation over `axes` divided by `n − correction` (see
    /// [`Var::variance_with`]). Its gradient is infinite or NaN where the deviation is 0, as
    /// in PyTorch.
    ///
    /// ```
    /// # use descent_autograd::{Tape, Tensor};
    /// let tape = Tape::new();
    /// let x = tape.watch(Tensor::from_vec(vec![1.0f64, 3.0], &[2]));
    /// assert_eq!(x.std_with(&[], false, 0).item(), 1.0);
    /// ```
    ///
    /// # Panics
    /// When an axis is out of range.
    #[track_caller]
    pub fn std_with(&self, axes: impl Axes, keepdims: bool, correction: usize) -> Var<'t, F> {
        let axes = resolve_reduction("std", axes, &self.shape());
        self.variance_with(&axes, keepdims, correction).sqrt()
    }

    /// The product over `axes` (all when empty; 1 over an empty axis), as `torch.prod`.
    /// Built from halving products of slices, so zeros are exact (the gradient at a zero is the
    /// product of the others, not `0/0`) and every order of gradient exists.
    ///
    /// ```
    /// # use descent_autograd::{Tape, Tensor};
    /// let tape = Tape::new();
    /// let x = tape.watch(Tensor::from_vec(vec![2.0f64, 0.0, 3.0, 4.0, 5.0, 6.0], &[2, 3]));
    /// assert_eq!(x.prod(-1, false).value().to_vec(), vec![0.0, 120.0]);
    /// let g = tape.gradient(&x.prod(&[], false), &[x]);
    /// assert_eq!(g[0].to_vec(), vec![0.0, 720.0, 0.0, 0.0, 0.0, 0.0]);
    /// ```
    ///
    /// # Panics
    /// When an axis is out of range.
    #[track_caller]
    pub fn prod(&self, axes: impl Axes, keepdims: bool) -> Var<'t, F> {
        let shape = self.shape();
        let axes = resolve_reduction("prod", axes, &shape);
        let product = axes.iter().fold(*self, |p, &axis| product_along(&p, axis));
        match keepdims {
            true => product,
            false => product.reshape(&reduced_shape(&shape, &axes, false)),
        }
    }

    /// The vector 2-norm `√Σx²` over `axes` (all when empty), as
    /// `torch.linalg.vector_norm(x, 2, dim)`. Its gradient `x / ‖x‖` is 0 at `x = 0`, as in
    /// PyTorch.
    ///
    /// ```
    /// # use descent_autograd::{Tape, Tensor};
    /// let tape = Tape::new();
    /// let x = tape.watch(Tensor::from_vec(vec![3.0f64, 4.0, 0.0, 0.0], &[2, 2]));
    /// let n = x.norm(1, false);
    /// assert_eq!(n.value().to_vec(), vec![5.0, 0.0]);
    /// let g = tape.gradient(&n.sum(&[], false), &[x]);
    /// let expected = [0.6, 0.8, 0.0, 0.0];
    /// assert!(g[0].to_vec().iter().zip(expected).all(|(g, e)| (g - e).abs() < 1e-15));
    /// ```
    ///
    /// # Panics
    /// When an axis is out of range.
    #[track_caller]
    pub fn norm(&self, axes: impl Axes, keepdims: bool) -> Var<'t, F> {
        let axes = resolve_reduction("norm", axes, &self.shape());
        let squares = self.square().sum(&axes, keepdims);
        // √(s + z) − z with z = 1 where s = 0: the value is unchanged, and at 0 the gradient
        // is ½ · 2x = 0 instead of ∞ · 0.
        let zero = squares.value().map(|&s| match s == F::zero() {
            true => F::one(),
            false => F::zero(),
        });
        let zero = self.tape().watch(zero);
        squares.add(&zero).sqrt().sub(&zero)
    }
}

/// The product along `axis`, kept as a unit axis: halves multiplied elementwise until one
/// position is left (an odd last position is set aside and multiplied in at the end).
fn product_along<'t, F: Float>(x: &Var<'t, F>, axis: usize) -> Var<'t, F> {
    let mut n = x.shape()[axis];
    if n == 0 {
        let mut shape = x.shape();
        shape[axis] = 1;
        return x.tape().watch(Tensor::ones(&shape));
    }
    let (mut p, mut odd) = (*x, None::<Var<'t, F>>);
    while n > 1 {
        if n % 2 == 1 {
            let last = p.slice(axis, n - 1, n);
            odd = Some(odd.map_or(last, |o| o.mul(&last)));
            p = p.slice(axis, 0, n - 1);
            n -= 1;
        }
        let half = n / 2;
        p = p.slice(axis, 0, half).mul(&p.slice(axis, half, n));
        n = half;
    }
    odd.map_or(p, |o| p.mul(&o))
}
