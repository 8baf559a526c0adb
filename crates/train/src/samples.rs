//! [`Samples`]: a data set that hands out batches as tensors, so the common loop needs no
//! ndarray.

use descent_autograd::{Float, Tensor};
use descent_data::{Classification, Images, Regression, metrics};

/// A data set whose rows come out as tensors: inputs `[rows, features]` in the model's float
/// type and targets (`usize` classes, or `F` values `[rows, 1]`), with the score that suits
/// it. Implemented for [`Classification`], [`Regression`] and MNIST's [`Images`] (pixels
/// scaled to 0..1); [`Fit`](super::Fit) trains on any of them.
///
/// ```
/// use descent_autograd::{Tape, Tensor};
/// use descent_layers::{Dense, Module, Sequential};
/// use descent_train::Samples;
/// use rand::SeedableRng;
///
/// let digits = descent_data::digits();
/// let (x, labels): (Tensor<f32>, _) = digits.batch(&[0, 1, 2]);
/// assert_eq!(x.shape(), [3, 64]);
/// assert_eq!(labels.to_vec(), vec![0, 1, 2]);
///
/// let mut rng = rand::rngs::StdRng::seed_from_u64(0);
/// let model = Sequential::new().push(Dense::new(64, 10, &mut rng));
/// let loss = {
///     let tape = Tape::new();
///     model.forward(&tape.watch(x)).cross_entropy(&labels).item()
/// };
/// assert!(loss.is_finite());
/// ```
pub trait Samples<F: Float> {
    /// One target: a class (`usize`) or a value (`F`).
    type Target: Clone;

    /// The number of samples.
    fn count(&self) -> usize;

    /// The inputs and targets of the samples at `rows`, in that order.
    ///
    /// # Panics
    /// When a row is out of bounds.
    fn batch(&self, rows: &[usize]) -> (Tensor<F>, Tensor<Self::Target>);

    /// The model's `outputs` for some samples scored against their `targets`, with the
    /// score's name: accuracy for classes, R² for values.
    fn score(&self, outputs: &Tensor<F>, targets: &Tensor<Self::Target>) -> (&'static str, f64);

    /// Every sample, as one batch.
    ///
    /// ```
    /// use descent_autograd::Tensor;
    /// use descent_train::Samples;
    /// let (x, y): (Tensor<f64>, _) = descent_data::diabetes().all();
    /// assert_eq!((x.shape(), y.shape()), ([442, 10].as_slice(), [442, 1].as_slice()));
    /// ```
    fn all(&self) -> (Tensor<F>, Tensor<Self::Target>) {
        self.batch(&(0..self.count()).collect::<Vec<_>>())
    }
}

/// The rows of `values` (`columns` per row) at `rows`, converted, as a `[rows, columns]` tensor.
fn gather<A: Copy, F: Float>(
    values: &ndarray::ArrayRef2<A>,
    rows: &[usize],
    convert: impl Fn(A) -> F,
) -> Tensor<F> {
    let mut out = ndarray::Array2::from_elem((rows.len(), values.ncols()), F::cast(0.0));
    descent_data::gather_rows(values, rows, &mut out, convert);
    Tensor::from(out)
}

/// The labels at `rows`, as a `[rows]` tensor.
fn labels(labels: &[usize], rows: &[usize]) -> Tensor<usize> {
    Tensor::from_vec(rows.iter().map(|&r| labels[r]).collect(), &[rows.len()])
}

/// The fraction of rows whose largest output is the label; with a single output column (a
/// logit), class 1 when it is above 0.
fn accuracy<F: Float>(outputs: &Tensor<F>, labels: &Tensor<usize>) -> (&'static str, f64) {
    let predicted = match outputs.shape() {
        [_, 1] => outputs
            .to_vec()
            .iter()
            .map(|&z| usize::from(z > F::cast(0.0)))
            .collect(),
        _ => metrics::argmax(outputs.array()),
    };
    ("accuracy", metrics::accuracy(&labels.to_vec(), &predicted))
}

impl<F: Float> Samples<F> for Classification {
    type Target = usize;

    fn count(&self) -> usize {
        self.len()
    }

    fn batch(&self, rows: &[usize]) -> (Tensor<F>, Tensor<usize>) {
        (
            gather(&self.inputs, rows, F::cast),
            labels(&self.labels, rows),
        )
    }

    fn score(&self, outputs: &Tensor<F>, targets: &Tensor<usize>) -> (&'static str, f64) {
        accuracy(outputs, targets)
    }
}

impl<F: Float> Samples<F> for Images {
    type Target = usize;

    fn count(&self) -> usize {
        self.len()
    }

    /// Pixels scaled from bytes to 0..1, one image per row.
    fn batch(&self, rows: &[usize]) -> (Tensor<F>, Tensor<usize>) {
        let scale = |p: u8| F::cast(f64::from(p) / 255.0);
        (
            gather(&self.pixels, rows, scale),
            labels(&self.labels, rows),
        )
    }

    fn score(&self, outputs: &Tensor<F>, targets: &Tensor<usize>) -> (&'static str, f64) {
        accuracy(outputs, targets)
    }
}

impl<F: Float> Samples<F> for Regression {
    type Target = F;

    fn count(&self) -> usize {
        self.len()
    }

    /// Targets as a column, `[rows, 1]`, the shape of a one-output model's predictions.
    fn batch(&self, rows: &[usize]) -> (Tensor<F>, Tensor<F>) {
        let targets = rows.iter().map(|&r| F::cast(self.targets[r])).collect();
        let targets = Tensor::from_vec(targets, &[rows.len(), 1]);
        (gather(&self.inputs, rows, F::cast), targets)
    }

    fn score(&self, outputs: &Tensor<F>, targets: &Tensor<F>) -> (&'static str, f64) {
        let values = |t: &Tensor<F>| t.to_vec().iter().map(|v| v.as_f64()).collect::<Vec<_>>();
        ("R²", metrics::r2(&values(targets), &values(outputs)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn images_are_scaled_and_labels_follow_the_rows() {
        let images = Images {
            pixels: ndarray::array![[0, 255], [51, 102]],
            labels: vec![3, 7],
            rows: 1,
            cols: 2,
        };
        let (x, y): (Tensor<f32>, _) = images.batch(&[1, 0]);
        assert_eq!(x.to_vec(), vec![0.2, 0.4, 0.0, 1.0]);
        assert_eq!(y.to_vec(), vec![7, 3]);
    }

    #[test]
    fn accuracy_from_scores_or_from_one_logit() {
        let labels = Tensor::from_vec(vec![1, 0, 1], &[3]);
        let scores = Tensor::from_vec(vec![0.1f32, 0.9, 0.8, 0.2, 0.7, 0.3], &[3, 2]);
        assert_eq!(accuracy(&scores, &labels), ("accuracy", 2.0 / 3.0));
        let logits = Tensor::from_vec(vec![2.0f64, -1.0, -0.5], &[3, 1]);
        assert_eq!(accuracy(&logits, &labels), ("accuracy", 2.0 / 3.0));
    }

    #[test]
    fn regression_targets_are_a_column_scored_by_r2() {
        let set = Regression {
            inputs: ndarray::array![[1.0], [2.0], [3.0]],
            targets: ndarray::array![1.0, 2.0, 3.0],
        };
        let (_, y): (Tensor<f64>, _) = set.all();
        assert_eq!(y.shape(), [3, 1]);
        assert_eq!(set.score(&y, &y), ("R²", 1.0));
    }
}
