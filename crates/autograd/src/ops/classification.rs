//! Classification losses, with PyTorch's definitions: `binary_cross_entropy_with_logits`,
//! `cross_entropy_with` (label smoothing, class axis 1 of `[N, C, d1, …]`), `nll_loss`,
//! `kl_div`, and `cosine_similarity`. The plain `cross_entropy` of `[N, C]` logits is the fused
//! primitive in `cross_entropy.rs`.

use crate::axis::{Axis, resolve};
use crate::reduction::{expect_non_empty, expect_same_shape};
use crate::shape::Shape;
use crate::{Float, Reduction, Tensor, Var};

impl<'t, F: Float> Var<'t, F> {
    /// Mean binary cross-entropy of logits against targets in [0, 1]:
    /// `mean(softplus(z) − z·t)`, finite for logits of any magnitude; the gradient is
    /// `(σ(z) − t) / n`, also at `z = 0`. PyTorch's `binary_cross_entropy_with_logits`.
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
    /// When the shapes differ, or the batch is empty.
    #[track_caller]
    pub fn binary_cross_entropy_with_logits(&self, target: &Var<'t, F>) -> Var<'t, F> {
        self.binary_cross_entropy_with_logits_with(target, Reduction::Mean)
    }

    /// Binary cross-entropy of logits (see [`Var::binary_cross_entropy_with_logits`]) folded
    /// by `reduction`.
    ///
    /// ```
    /// # use descent_autograd::{Reduction, Tape, Tensor};
    /// let tape = Tape::new();
    /// let z = tape.watch(Tensor::from_vec(vec![0.0f64, 0.0], &[2]));
    /// let t = tape.watch(Tensor::from_vec(vec![1.0f64, 0.0], &[2]));
    /// let loss = z.binary_cross_entropy_with_logits_with(&t, Reduction::Sum);
    /// assert_eq!(loss.item(), 2.0 * 2f64.ln());
    /// ```
    ///
    /// # Panics
    /// When the shapes differ, or the batch is empty and `reduction` is the mean.
    #[track_caller]
    pub fn binary_cross_entropy_with_logits_with(
        &self,
        target: &Var<'t, F>,
        reduction: Reduction,
    ) -> Var<'t, F> {
        let name = "binary_cross_entropy_with_logits";
        expect_same_shape(name, self, target);
        reduction.apply(name, self.softplus().sub(&self.mul(target)))
    }

    /// Softmax cross-entropy of logits `[N, C]` or `[N, C, d1, …]` (classes on axis 1) against
    /// integer labels `[N]` or `[N, d1, …]`, as `torch.nn.functional.cross_entropy(z, labels,
    /// label_smoothing=ε, reduction=…)`: per position `(1 − ε)·(−ln pₗₐᵦₑₗ) + ε·mean_c(−ln p_c)`.
    /// With `ε = 0`, `[N, C]` logits and the mean, this is the fused [`Var::cross_entropy`].
    ///
    /// ```
    /// # use descent_autograd::{Reduction, Tape, Tensor};
    /// let tape = Tape::new();
    /// // Two images of 2 × 1 pixels, 3 classes: [N, C, H, W] = [2, 3, 2, 1].
    /// let z = tape.watch(Tensor::<f64>::zeros(&[2, 3, 2, 1]));
    /// let labels = Tensor::from_vec(vec![0, 1, 2, 0], &[2, 2, 1]);
    /// let loss = z.cross_entropy_with(&labels, 0.1, Reduction::None);
    /// assert_eq!(loss.shape().as_slice(), &[2, 2, 1]);
    /// assert!(loss.value().to_vec().iter().all(|l| (l - 3f64.ln()).abs() < 1e-15));
    /// ```
    ///
    /// # Panics
    /// When the logits have fewer than 2 axes, the labels' shape is not the logits' without
    /// axis 1, a label is not below `C`, `label_smoothing` is outside [0, 1], or the batch is
    /// empty and `reduction` is the mean.
    #[track_caller]
    pub fn cross_entropy_with(
        &self,
        labels: &Tensor<usize>,
        label_smoothing: F,
        reduction: Reduction,
    ) -> Var<'t, F> {
        let shape = self.shape();
        check_class_labels("cross_entropy", &shape, labels);
        if !(F::zero()..=F::one()).contains(&label_smoothing) {
            panic!("cross_entropy: label_smoothing must be in [0, 1], got {label_smoothing:?}");
        }
        let plain = label_smoothing == F::zero() && reduction == Reduction::Mean;
        if plain && shape.len() == 2 {
            return self.cross_entropy(labels);
        }
        if reduction == Reduction::Mean {
            expect_non_empty("cross_entropy", &shape);
        }
        let log_p = self.log_softmax(1);
        let mut elements = log_p.nll_elements(labels);
        if label_smoothing > F::zero() {
            let uniform = log_p.mean(1, false).neg().mul_scalar(label_smoothing);
            elements = elements
                .mul_scalar(F::one() - label_smoothing)
                .add(&uniform);
        }
        reduction.apply("cross_entropy", elements)
    }

    /// The mean negative log-likelihood of log-probabilities `[N, C]` or `[N, C, d1, …]`
    /// (classes on axis 1, e.g. from `log_softmax(1)`) at integer labels `[N]` or
    /// `[N, d1, …]`: `mean(−x[n, label])`, as `torch.nn.functional.nll_loss`.
    ///
    /// ```
    /// # use descent_autograd::{Tape, Tensor};
    /// let tape = Tape::new();
    /// let log_p = tape.watch(Tensor::from_vec(vec![-0.5f64, -1.0, -2.0, -0.25], &[2, 2]));
    /// assert_eq!(log_p.nll_loss(&Tensor::from_vec(vec![1, 0], &[2])).item(), 1.5);
    /// ```
    ///
    /// # Panics
    /// As [`Var::nll_loss_with`] with the mean.
    #[track_caller]
    pub fn nll_loss(&self, labels: &Tensor<usize>) -> Var<'t, F> {
        self.nll_loss_with(labels, Reduction::Mean)
    }

    /// The negative log-likelihood (see [`Var::nll_loss`]) folded by `reduction`.
    ///
    /// ```
    /// # use descent_autograd::{Reduction, Tape, Tensor};
    /// let tape = Tape::new();
    /// let log_p = tape.watch(Tensor::from_vec(vec![-0.5f64, -1.0, -2.0, -0.25], &[2, 2]));
    /// let labels = Tensor::from_vec(vec![1, 0], &[2]);
    /// assert_eq!(log_p.nll_loss_with(&labels, Reduction::None).value().to_vec(), vec![1.0, 2.0]);
    /// ```
    ///
    /// # Panics
    /// When the input has fewer than 2 axes, the labels' shape is not the input's without axis
    /// 1, a label is not below `C`, or the batch is empty and `reduction` is the mean.
    #[track_caller]
    pub fn nll_loss_with(&self, labels: &Tensor<usize>, reduction: Reduction) -> Var<'t, F> {
        let shape = self.shape();
        check_class_labels("nll_loss", &shape, labels);
        if reduction == Reduction::Mean {
            expect_non_empty("nll_loss", &shape);
        }
        reduction.apply("nll_loss", self.nll_elements(labels))
    }

    /// Kullback–Leibler divergence of `target` probabilities from `self` log-probabilities,
    /// `Σ t·(ln t − x) / N` over a batch of `N` rows: PyTorch's
    /// `kl_div(x, t, reduction="batchmean")`, the mathematically correct KL per sample. Where
    /// `t = 0` the term is 0, as in PyTorch.
    ///
    /// ```
    /// # use descent_autograd::{Tape, Tensor};
    /// let tape = Tape::new();
    /// let log_q = tape.watch(Tensor::from_vec(vec![0.5f64.ln(), 0.5f64.ln()], &[1, 2]));
    /// let p = tape.watch(Tensor::from_vec(vec![1.0f64, 0.0], &[1, 2]));
    /// assert!((log_q.kl_div(&p).item() - 2f64.ln()).abs() < 1e-15);
    /// ```
    ///
    /// # Panics
    /// When the shapes differ, the input is a scalar, or the batch is empty.
    #[track_caller]
    pub fn kl_div(&self, target: &Var<'t, F>) -> Var<'t, F> {
        expect_same_shape("kl_div", self, target);
        let shape = self.shape();
        if shape.is_empty() {
            panic!("kl_div: needs a batch axis, not a scalar");
        }
        expect_non_empty("kl_div", &shape);
        let ln_t = target.clamp(F::min_positive_value(), F::infinity()).ln();
        let total = target.mul(&ln_t.sub(self)).sum(&[], false);
        total.mul_scalar(F::one() / F::cast(shape[0] as f64))
    }

    /// The cosine of the angle between `self` and `other` along `axis` (PyTorch's default
    /// is 1): `Σ (a / max(‖a‖, ε)) · (b / max(‖b‖, ε))` with `ε = 1e-8`, as
    /// `torch.nn.functional.cosine_similarity`.
    ///
    /// ```
    /// # use descent_autograd::{Tape, Tensor};
    /// let tape = Tape::new();
    /// let a = tape.watch(Tensor::from_vec(vec![1.0f64, 0.0, 3.0, 4.0], &[2, 2]));
    /// let b = tape.watch(Tensor::from_vec(vec![2.0f64, 0.0, -3.0, -4.0], &[2, 2]));
    /// let cos = a.cosine_similarity(&b, 1).value().to_vec();
    /// assert!((cos[0] - 1.0).abs() < 1e-15 && (cos[1] + 1.0).abs() < 1e-15);
    /// ```
    ///
    /// # Panics
    /// When the shapes differ or the axis is out of range.
    #[track_caller]
    pub fn cosine_similarity(&self, other: &Var<'t, F>, axis: impl Axis) -> Var<'t, F> {
        expect_same_shape("cosine_similarity", self, other);
        let axis = resolve("cosine_similarity", axis, &self.shape());
        let eps = self.tape().watch(Tensor::scalar(F::cast(1e-8)));
        let unit = |v: &Var<'t, F>| v.div(&v.norm(axis, true).maximum(&eps));
        unit(self).mul(&unit(other)).sum(axis, false)
    }

    /// `−x[n, label, …]` at every position: the unreduced negative log-likelihood.
    fn nll_elements(&self, labels: &Tensor<usize>) -> Var<'t, F> {
        let one_hot = self.tape().watch(one_hot(&self.shape(), labels));
        self.mul(&one_hot).sum(1, false).neg()
    }
}

/// Checks integer labels against logits of `shape` with classes on axis 1: the labels' shape
/// is `shape` without axis 1 and every label is below the number of classes. Allocates nothing.
#[track_caller]
pub(crate) fn check_class_labels(op: &str, shape: &[usize], labels: &Tensor<usize>) {
    let expected: Shape = shape
        .iter()
        .enumerate()
        .filter(|&(i, _)| i != 1)
        .map(|(_, &d)| d)
        .collect();
    if shape.len() < 2 || labels.shape() != expected.as_slice() {
        let (l, t) = (shape, labels.shape());
        panic!("{op}: logits must be [n, classes, …] with labels [n, …], got {l:?} and {t:?}");
    }
    let classes = shape[1];
    if let Some(bad) = labels.array().iter().find(|&&c| c >= classes) {
        panic!("{op}: label {bad} is out of range for {classes} classes");
    }
}

/// The one-hot encoding of `labels` along axis 1 of a tensor of `shape`.
fn one_hot<F: Float>(shape: &[usize], labels: &Tensor<usize>) -> Tensor<F> {
    let (n, classes) = (shape[0], shape[1]);
    let rest = shape[2..].iter().product::<usize>();
    let labels = labels.to_vec();
    let hot = ndarray::Array3::from_shape_fn((n, classes, rest), |(i, c, j)| {
        match labels[i * rest + j] == c {
            true => F::one(),
            false => F::zero(),
        }
    });
    Tensor::from(hot.into_dyn()).reshape(shape)
}
