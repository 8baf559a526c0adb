//! Activation composites: `leaky_relu`, `elu`, `softplus`, `softmax`, `log_softmax`. (The smooth
//! ones PyTorch users reach for next, `gelu` and friends, are in `smooth.rs`.)

use crate::axis::{Axis, resolve};
use crate::{Float, Tensor, Var};

impl<'t, F: Float> Var<'t, F> {
    /// `x` for `x > 0`, else `slope · x`.
    ///
    /// ```
    /// # use descent_autograd::{Tape, Tensor};
    /// let tape = Tape::new();
    /// let x = tape.watch(Tensor::from_vec(vec![-2.0f32, 3.0], &[2]));
    /// assert_eq!(x.leaky_relu(0.1).value().to_vec(), vec![-0.2, 3.0]);
    /// ```
    pub fn leaky_relu(&self, slope: F) -> Var<'t, F> {
        let positive = self.value().map(|&x| x > F::zero());
        Var::select(&positive, self, &self.mul_scalar(slope))
    }

    /// `x` for `x > 0`, else `alpha · (eˣ − 1)`; `exp` is only taken of non-positive values.
    ///
    /// ```
    /// # use descent_autograd::{Tape, Tensor};
    /// let tape = Tape::new();
    /// let x = tape.watch(Tensor::from_vec(vec![0.0f64, 1000.0], &[2]));
    /// assert_eq!(x.elu(1.0).value().to_vec(), vec![0.0, 1000.0]);
    /// ```
    pub fn elu(&self, alpha: F) -> Var<'t, F> {
        let positive = self.value().map(|&x| x > F::zero());
        let negative_part = self
            .clamp(F::neg_infinity(), F::zero())
            .exp()
            .add_scalar(-F::one());
        Var::select(&positive, self, &negative_part.mul_scalar(alpha))
    }

    /// `ln(1 + eˣ)`, computed as `relu(x) + ln(1 + e^−|x|)` so it never overflows; its gradient
    /// is `σ(x)`, also at 0.
    ///
    /// ```
    /// # use descent_autograd::{Tape, Tensor};
    /// let tape = Tape::new();
    /// let x = tape.watch(Tensor::from_vec(vec![0.0f64, 1000.0], &[2]));
    /// assert_eq!(x.softplus().value().to_vec(), vec![2f64.ln(), 1000.0]);
    /// ```
    pub fn softplus(&self) -> Var<'t, F> {
        // −|x| as select(x > 0, −x, x): with relu'(0) = 0 the gradient at 0 is then σ(0) = ½
        // (abs'(0) = 0 would make it 0).
        let positive = self.value().map(|&x| x > F::zero());
        let minus_abs = Var::select(&positive, &self.neg(), self);
        self.relu().add(&minus_abs.exp().ln_1p())
    }

    /// `ln softmax` along `axis` (negative counts from the end): `x − logsumexp(x)`, stable for inputs of any magnitude.
    ///
    /// ```
    /// # use descent_autograd::{Tape, Tensor};
    /// let tape = Tape::new();
    /// let x = tape.watch(Tensor::from_vec(vec![1e4f32, 0.0], &[1, 2]));
    /// assert_eq!(x.log_softmax(1).value().to_vec(), vec![0.0, -1e4]);
    /// ```
    ///
    /// # Panics
    /// When `axis` is out of range.
    #[track_caller]
    pub fn log_softmax(&self, axis: impl Axis) -> Var<'t, F> {
        let axis = resolve("log_softmax", axis, &self.shape());
        self.sub(&self.logsumexp(axis, true))
    }

    /// Softmax along `axis` (negative counts from the end): `exp(x − logsumexp(x))`, stable for inputs of any magnitude.
    ///
    /// ```
    /// # use descent_autograd::{Tape, Tensor};
    /// let tape = Tape::new();
    /// let x = tape.watch(Tensor::from_vec(vec![1.0f64, 1.0], &[2]));
    /// let p = x.softmax(0).value().to_vec();
    /// assert!(p.iter().all(|&p| (p - 0.5).abs() < 1e-15));
    /// assert_eq!(x.softmax(-1).value().to_vec(), p); // the last axis
    /// ```
    ///
    /// # Panics
    /// When `axis` is out of range.
    #[track_caller]
    pub fn softmax(&self, axis: impl Axis) -> Var<'t, F> {
        let axis = resolve("softmax", axis, &self.shape());
        self.log_softmax(axis).exp()
    }
}

impl<F: Float> Tensor<F> {
    /// Elementwise comparison of two tensors of one shape into a mask.
    ///
    /// ```
    /// # use descent_autograd::Tensor;
    /// let a = Tensor::from_vec(vec![1.0f32, 5.0], &[2]);
    /// let b = Tensor::from_vec(vec![3.0f32, 3.0], &[2]);
    /// assert_eq!(a.zip_mask(&b, |x, y| x > y).to_vec(), vec![false, true]);
    /// ```
    ///
    /// # Panics
    /// When the shapes differ.
    #[track_caller]
    pub fn zip_mask(&self, other: &Self, f: impl Fn(F, F) -> bool) -> Tensor<bool> {
        self.expect_shape("zip_mask", other);
        ndarray::Zip::from(self.array())
            .and(other.array())
            .map_collect(|&a, &b| f(a, b))
            .into()
    }
}
