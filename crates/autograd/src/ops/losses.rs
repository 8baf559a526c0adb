//! Loss composites: `mse`, `binary_cross_entropy_with_logits`, `huber`. (`cross_entropy` is a
//! fused primitive of its own.) Each is a mean over the batch, so an empty batch panics rather
//! than return the NaN of `0 / 0`.

use crate::{Float, Var};

/// Panics when `elements` (the broadcast prediction and target) is empty.
#[track_caller]
fn expect_non_empty<F: Float>(loss: &str, elements: &Var<'_, F>) {
    let shape = elements.shape();
    if shape.iter().product::<usize>() == 0 {
        panic!(
            "{loss}: the batch is empty (shape {:?}): its mean would be 0/0 = NaN; skip empty \
             batches before computing the loss",
            shape.as_slice()
        );
    }
}

impl<'t, F: Float> Var<'t, F> {
    /// Mean squared error `mean((self − target)²)`, broadcasting.
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
    /// When the shapes do not broadcast, or the batch is empty.
    #[track_caller]
    pub fn mse(&self, target: &Var<'t, F>) -> Var<'t, F> {
        let d = self.sub(target);
        expect_non_empty("mse", &d);
        d.square().mean(&[], false)
    }

    /// Mean binary cross-entropy of logits against targets in [0, 1]:
    /// `mean(softplus(z) − z·t)`, finite for logits of any magnitude; the gradient is
    /// `(σ(z) − t) / n`, also at `z = 0`.
    ///
    /// ```
    /// # use descent_autograd::{Tape, Tensor};
    /// let tape = Tape::new();
    /// let z = tape.watch(Tensor::from_vec(vec![0.0f64, 1e4], &[2]));
    /// let t = tape.watch(Tensor::from_vec(vec![1.0f64, 1.0], &[2]));
    /// assert_eq!(z.binary_cross_entropy_with_logits(&t).item(), 2f64.ln() / 2.0);
    /// ```
    ///
    /// # Panics
    /// When the shapes do not broadcast, or the batch is empty.
    #[track_caller]
    pub fn binary_cross_entropy_with_logits(&self, target: &Var<'t, F>) -> Var<'t, F> {
        let elementwise = self.softplus().sub(&self.mul(target));
        expect_non_empty("binary_cross_entropy_with_logits", &elementwise);
        elementwise.mean(&[], false)
    }

    /// Mean Huber loss: `½d²` where `|d| ≤ delta`, else `delta·(|d| − ½delta)`, `d = self − target`.
    ///
    /// ```
    /// # use descent_autograd::{Tape, Tensor};
    /// let tape = Tape::new();
    /// let p = tape.watch(Tensor::from_vec(vec![0.5f64, 3.0], &[2]));
    /// let t = tape.watch(Tensor::scalar(0.0f64));
    /// assert_eq!(p.huber(&t, 1.0).item(), (0.125 + 2.5) / 2.0);
    /// ```
    ///
    /// # Panics
    /// When the shapes do not broadcast, or the batch is empty.
    #[track_caller]
    pub fn huber(&self, target: &Var<'t, F>, delta: F) -> Var<'t, F> {
        let d = self.sub(target);
        expect_non_empty("huber", &d);
        let small = d.value().map(|&x| x.abs() <= delta);
        let quadratic = d.square().mul_scalar(F::cast(0.5));
        let linear = d.abs().add_scalar(-delta * F::cast(0.5)).mul_scalar(delta);
        Var::select(&small, &quadratic, &linear).mean(&[], false)
    }
}
