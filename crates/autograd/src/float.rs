//! The element types descent computes with: `f32` and `f64`.

use ndarray::NdFloat;
use rand::{Rng, RngExt};
use rand_distr::StandardNormal;

/// A floating-point element type: `f32` (fast training) or `f64` (exact gradient checks).
///
/// Everything in descent is generic over this one bound.
///
/// ```
/// use descent_autograd::Float;
/// fn half<F: Float>(x: F) -> F { x * F::cast(0.5) }
/// assert_eq!(half(3.0f32), 1.5);
/// assert_eq!(half(3.0f64), 1.5);
/// ```
pub trait Float: NdFloat + Default + std::iter::Sum + 'static {
    /// Converts an `f64` literal or computed constant to this type (rounding for `f32`).
    fn cast(x: f64) -> Self;
    /// Widens to `f64`.
    fn as_f64(self) -> f64;
    /// Draws from the uniform distribution on `[low, high)`.
    fn sample_uniform<R: Rng + ?Sized>(rng: &mut R, low: Self, high: Self) -> Self;
    /// Draws from the standard normal distribution N(0, 1).
    fn sample_normal<R: Rng + ?Sized>(rng: &mut R) -> Self;
}

impl Float for f32 {
    fn cast(x: f64) -> Self {
        x as f32
    }
    fn as_f64(self) -> f64 {
        self as f64
    }
    fn sample_uniform<R: Rng + ?Sized>(rng: &mut R, low: Self, high: Self) -> Self {
        low + (high - low) * rng.random::<f32>()
    }
    fn sample_normal<R: Rng + ?Sized>(rng: &mut R) -> Self {
        rng.sample(StandardNormal)
    }
}

impl Float for f64 {
    fn cast(x: f64) -> Self {
        x
    }
    fn as_f64(self) -> f64 {
        self
    }
    fn sample_uniform<R: Rng + ?Sized>(rng: &mut R, low: Self, high: Self) -> Self {
        low + (high - low) * rng.random::<f64>()
    }
    fn sample_normal<R: Rng + ?Sized>(rng: &mut R) -> Self {
        rng.sample(StandardNormal)
    }
}
