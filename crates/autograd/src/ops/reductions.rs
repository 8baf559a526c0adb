//! Reduction composites: `mean`, `min`, `variance`.

use crate::shape::reduction_axes;
use crate::{Float, Var};

impl<'t, F: Float> Var<'t, F> {
    /// The mean over `axes` (all elements when empty).
    ///
    /// ```
    /// # use descent_autograd::{Tape, Tensor};
    /// let tape = Tape::new();
    /// let x = tape.watch(Tensor::from_vec(vec![1.0f32, 2.0, 3.0, 6.0], &[2, 2]));
    /// assert_eq!(x.mean(&[], false).item(), 3.0);
    /// assert_eq!(x.mean(&[0], false).value().to_vec(), vec![2.0, 4.0]);
    /// ```
    ///
    /// # Panics
    /// When an axis is out of range.
    #[track_caller]
    pub fn mean(&self, axes: &[usize], keepdims: bool) -> Var<'t, F> {
        let shape = self.shape();
        let count: usize = reduction_axes("mean", axes, &shape)
            .iter()
            .map(|&a| shape[a])
            .product();
        self.sum(axes, keepdims)
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
    pub fn min(&self, axes: &[usize], keepdims: bool) -> Var<'t, F> {
        reduction_axes("min", axes, &self.shape());
        self.neg().max(axes, keepdims).neg()
    }

    /// The population variance (divided by n, as NumPy's default) over `axes` (all when empty).
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
    pub fn variance(&self, axes: &[usize], keepdims: bool) -> Var<'t, F> {
        reduction_axes("variance", axes, &self.shape());
        let centred = self.sub(&self.mean(axes, true));
        centred.square().mean(axes, keepdims)
    }
}
