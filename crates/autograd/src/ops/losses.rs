//! Regression losses: `mse`, `l1`, `smooth_l1`, `huber`, each with a `_with` form taking a
//! [`Reduction`]. The prediction and the target must have one shape: losses do not broadcast.
//! (Classification losses are in `classification.rs`; the plain `cross_entropy` is fused.)

use crate::reduction::expect_same_shape;
use crate::{Float, Reduction, Var};

impl<'t, F: Float> Var<'t, F> {
    /// Mean squared error `mean((self − target)²)`, as `torch.nn.functional.mse_loss`.
    ///
    /// ```
    /// # use descent_autograd::{Tape, Tensor};
    /// let tape = Tape::new();
    /// let p = tape.watch(Tensor::from_vec(vec![1.0f32, 3.0], &[2]));
    /// let t = tape.watch(Tensor::from_vec(vec![0.0f32, 0.0], &[2]));
    /// assert_eq!(p.mse(&t).item(), 5.0);
    /// ```
    ///
    /// # Panics
    /// When the shapes differ, or the batch is empty.
    #[track_caller]
    pub fn mse(&self, target: &Var<'t, F>) -> Var<'t, F> {
        self.mse_with(target, Reduction::Mean)
    }

    /// Squared error `(self − target)²` folded by `reduction`.
    ///
    /// ```
    /// # use descent_autograd::{Reduction, Tape, Tensor};
    /// let tape = Tape::new();
    /// let p = tape.watch(Tensor::from_vec(vec![1.0f32, 3.0], &[2]));
    /// let t = tape.watch(Tensor::from_vec(vec![0.0f32, 0.0], &[2]));
    /// assert_eq!(p.mse_with(&t, Reduction::Sum).item(), 10.0);
    /// ```
    ///
    /// # Panics
    /// When the shapes differ, or the batch is empty and `reduction` is the mean.
    #[track_caller]
    pub fn mse_with(&self, target: &Var<'t, F>, reduction: Reduction) -> Var<'t, F> {
        expect_same_shape("mse", self, target);
        reduction.apply("mse", self.sub(target).square())
    }

    /// Mean absolute error `mean(|self − target|)`, as `torch.nn.functional.l1_loss`.
    ///
    /// ```
    /// # use descent_autograd::{Tape, Tensor};
    /// let tape = Tape::new();
    /// let p = tape.watch(Tensor::from_vec(vec![1.0f32, -3.0], &[2]));
    /// let t = tape.watch(Tensor::from_vec(vec![0.0f32, 0.0], &[2]));
    /// assert_eq!(p.l1(&t).item(), 2.0);
    /// ```
    ///
    /// # Panics
    /// When the shapes differ, or the batch is empty.
    #[track_caller]
    pub fn l1(&self, target: &Var<'t, F>) -> Var<'t, F> {
        self.l1_with(target, Reduction::Mean)
    }

    /// Absolute error `|self − target|` folded by `reduction`.
    ///
    /// ```
    /// # use descent_autograd::{Reduction, Tape, Tensor};
    /// let tape = Tape::new();
    /// let p = tape.watch(Tensor::from_vec(vec![1.0f32, -3.0], &[2]));
    /// let t = tape.watch(Tensor::from_vec(vec![0.0f32, 0.0], &[2]));
    /// assert_eq!(p.l1_with(&t, Reduction::None).value().to_vec(), vec![1.0, 3.0]);
    /// ```
    ///
    /// # Panics
    /// When the shapes differ, or the batch is empty and `reduction` is the mean.
    #[track_caller]
    pub fn l1_with(&self, target: &Var<'t, F>, reduction: Reduction) -> Var<'t, F> {
        expect_same_shape("l1", self, target);
        reduction.apply("l1", self.sub(target).abs())
    }

    /// Mean smooth L1 loss, as `torch.nn.functional.smooth_l1_loss(beta=…)`: `½d²/β` where
    /// `|d| < β`, else `|d| − ½β`, with `d = self − target`; `β = 0` is the L1 loss.
    ///
    /// ```
    /// # use descent_autograd::{Tape, Tensor};
    /// let tape = Tape::new();
    /// let p = tape.watch(Tensor::from_vec(vec![0.5f64, 3.0], &[2]));
    /// let t = tape.watch(Tensor::from_vec(vec![0.0f64, 0.0], &[2]));
    /// assert_eq!(p.smooth_l1(&t, 2.0).item(), (0.0625 + 2.0) / 2.0);
    /// ```
    ///
    /// # Panics
    /// When the shapes differ, the batch is empty, or `beta` is negative.
    #[track_caller]
    pub fn smooth_l1(&self, target: &Var<'t, F>, beta: F) -> Var<'t, F> {
        self.smooth_l1_with(target, beta, Reduction::Mean)
    }

    /// Smooth L1 loss (see [`Var::smooth_l1`]) folded by `reduction`.
    ///
    /// ```
    /// # use descent_autograd::{Reduction, Tape, Tensor};
    /// let tape = Tape::new();
    /// let p = tape.watch(Tensor::from_vec(vec![0.5f64, 3.0], &[2]));
    /// let t = tape.watch(Tensor::from_vec(vec![0.0f64, 0.0], &[2]));
    /// assert_eq!(p.smooth_l1_with(&t, 1.0, Reduction::Sum).item(), 0.125 + 2.5);
    /// ```
    ///
    /// # Panics
    /// As [`Var::smooth_l1`], for the mean.
    #[track_caller]
    pub fn smooth_l1_with(&self, target: &Var<'t, F>, beta: F, reduction: Reduction) -> Var<'t, F> {
        expect_same_shape("smooth_l1", self, target);
        if beta < F::zero() {
            panic!("smooth_l1: beta must not be negative, got {beta:?}");
        }
        let d = self.sub(target);
        let elements = match beta == F::zero() {
            true => d.abs(),
            false => piecewise(
                &d,
                beta,
                d.square().mul_scalar(F::cast(0.5) / beta),
                F::one(),
            ),
        };
        reduction.apply("smooth_l1", elements)
    }

    /// Mean Huber loss, as `torch.nn.functional.huber_loss(delta=…)`: `½d²` where
    /// `|d| < delta`, else `delta·(|d| − ½delta)`, with `d = self − target`.
    ///
    /// ```
    /// # use descent_autograd::{Tape, Tensor};
    /// let tape = Tape::new();
    /// let p = tape.watch(Tensor::from_vec(vec![0.5f64, 3.0], &[2]));
    /// let t = tape.watch(Tensor::from_vec(vec![0.0f64, 0.0], &[2]));
    /// assert_eq!(p.huber(&t, 1.0).item(), (0.125 + 2.5) / 2.0);
    /// ```
    ///
    /// # Panics
    /// When the shapes differ, the batch is empty, or `delta` is not positive.
    #[track_caller]
    pub fn huber(&self, target: &Var<'t, F>, delta: F) -> Var<'t, F> {
        self.huber_with(target, delta, Reduction::Mean)
    }

    /// Huber loss (see [`Var::huber`]) folded by `reduction`.
    ///
    /// ```
    /// # use descent_autograd::{Reduction, Tape, Tensor};
    /// let tape = Tape::new();
    /// let p = tape.watch(Tensor::from_vec(vec![0.5f64, 3.0], &[2]));
    /// let t = tape.watch(Tensor::from_vec(vec![0.0f64, 0.0], &[2]));
    /// assert_eq!(p.huber_with(&t, 2.0, Reduction::None).value().to_vec(), vec![0.125, 4.0]);
    /// ```
    ///
    /// # Panics
    /// As [`Var::huber`], for the mean.
    #[track_caller]
    pub fn huber_with(&self, target: &Var<'t, F>, delta: F, reduction: Reduction) -> Var<'t, F> {
        expect_same_shape("huber", self, target);
        if delta <= F::zero() {
            panic!("huber: delta must be positive, got {delta:?}");
        }
        let d = self.sub(target);
        let quadratic = d.square().mul_scalar(F::cast(0.5));
        reduction.apply("huber", piecewise(&d, delta, quadratic, delta))
    }
}

/// `quadratic` where `|d| < bound`, else `slope · (|d| − ½bound)`: the shared shape of the
/// smooth L1 and Huber losses.
fn piecewise<'t, F: Float>(
    d: &Var<'t, F>,
    bound: F,
    quadratic: Var<'t, F>,
    slope: F,
) -> Var<'t, F> {
    let small = d.value().map(|&x| x.abs() < bound);
    let linear = d.abs().add_scalar(-bound * F::cast(0.5)).mul_scalar(slope);
    Var::select(&small, &quadratic, &linear)
}
