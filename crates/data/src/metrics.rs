//! Scoring predictions: classification (accuracy, confusion matrix, precision, recall, F1;
//! binary ones from probabilities and a threshold, [`binary_scores`]) and regression (MSE,
//! MAE, R²).
//!
//! Arguments come in scikit-learn's order, `(truth, predicted)`. Slices of different lengths
//! are a programmer error and panic with both lengths; empty slices give NaN (0 / 0) for the
//! averages. Precision, recall and F1 of a class with a zero denominator are 0, as in
//! scikit-learn (`zero_division=0`).

use ndarray::{Array2, ArrayRef, Dimension, Ix2};

mod binary;
pub use binary::{BinaryScores, binary_scores};

/// The index of the largest entry of each row: predicted classes from scores, logits or
/// probabilities. Ties go to the first; a NaN counts as the largest (as in NumPy).
/// `scores` is any 2-D array, `[rows, classes]`: an `Array2`, or the dynamic-dimensional
/// array of a tensor (`argmax(logits.array())`).
///
/// # Panics
///
/// If `scores` is not 2-D or has no columns.
///
/// ```
/// use descent_data::metrics::argmax;
/// use ndarray::array;
///
/// let logits = array![[0.1f32, 2.0, -1.0], [3.0, 3.0, 0.0]];
/// assert_eq!(argmax(&logits), [1, 0]);
/// assert_eq!(argmax(&logits.into_dyn()), [1, 0]);
/// ```
pub fn argmax<F: PartialOrd + Copy, D: Dimension>(scores: &ArrayRef<F, D>) -> Vec<usize> {
    let Ok(scores) = scores.view().into_dimensionality::<Ix2>() else {
        panic!(
            "argmax: scores must be 2-D, [rows, classes], not shape {:?}",
            scores.shape()
        );
    };
    assert!(
        scores.ncols() > 0,
        "argmax: scores have no columns, shape {:?}",
        scores.shape()
    );
    let is_nan = |v: F| v.partial_cmp(&v).is_none();
    scores
        .rows()
        .into_iter()
        .map(|row| {
            let mut best = 0;
            for (i, &v) in row.iter().enumerate().skip(1) {
                let current = row[best];
                if !is_nan(current) && (v > current || is_nan(v)) {
                    best = i;
                }
            }
            best
        })
        .collect()
}

/// The fraction of predictions equal to the truth.
///
/// # Panics
///
/// If the slices differ in length.
///
/// ```
/// use descent_data::metrics::accuracy;
///
/// assert_eq!(accuracy(&[0, 1, 2, 2], &[0, 1, 1, 2]), 0.75);
/// ```
pub fn accuracy(truth: &[usize], predicted: &[usize]) -> f64 {
    same_length("accuracy", truth.len(), predicted.len());
    let right = truth.iter().zip(predicted).filter(|(t, p)| t == p).count();
    right as f64 / truth.len() as f64
}

/// Counts of (true class, predicted class) pairs: entry `[t, p]` is the number of samples of
/// class `t` predicted as `p` (rows are the truth, as in scikit-learn).
///
/// # Panics
///
/// If the slices differ in length or a label is not in `0..classes`.
///
/// ```
/// use descent_data::metrics::confusion_matrix;
/// use ndarray::array;
///
/// let truth = [0, 0, 0, 1, 1, 2];
/// let predicted = [0, 1, 0, 1, 1, 1];
/// assert_eq!(
///     confusion_matrix(&truth, &predicted, 3),
///     array![[2, 1, 0], [0, 2, 0], [0, 1, 0]]
/// );
/// ```
pub fn confusion_matrix(truth: &[usize], predicted: &[usize], classes: usize) -> Array2<usize> {
    same_length("confusion_matrix", truth.len(), predicted.len());
    let mut counts = Array2::zeros((classes, classes));
    for (&t, &p) in truth.iter().zip(predicted) {
        let label = t.max(p);
        assert!(
            label < classes,
            "confusion_matrix: label {label} is not in 0..{classes}"
        );
        counts[[t, p]] += 1;
    }
    counts
}

/// Precision, recall and F1 of each class, with their macro averages.
///
/// For class `c` with `tp` true positives, `fp` false positives and `fn` false negatives:
/// precision `tp / (tp + fp)`, recall `tp / (tp + fn)`, F1 `2 tp / (2 tp + fp + fn)` (their
/// harmonic mean); each is 0 when its denominator is 0.
#[derive(Debug, Clone, PartialEq)]
pub struct ClassScores {
    /// Precision of each class: of the samples predicted `c`, the fraction that are `c`.
    pub precision: Vec<f64>,
    /// Recall of each class: of the samples of class `c`, the fraction predicted `c`.
    pub recall: Vec<f64>,
    /// F1 score of each class.
    pub f1: Vec<f64>,
    /// Number of samples of each class in the truth.
    pub support: Vec<usize>,
    /// Number of samples predicted as each class.
    pub predicted: Vec<usize>,
}

/// Per-class precision, recall and F1 (see [`ClassScores`]).
///
/// # Panics
///
/// If the slices differ in length or a label is not in `0..classes`.
///
/// ```
/// use descent_data::metrics::class_scores;
///
/// // confusion [[2, 1, 0], [0, 2, 0], [0, 1, 0]]: class 2 is never predicted
/// let scores = class_scores(&[0, 0, 0, 1, 1, 2], &[0, 1, 0, 1, 1, 1], 3);
/// assert_eq!(scores.precision, [1.0, 0.5, 0.0]); // 2/2, 2/4, 0/0 → 0
/// assert_eq!(scores.recall, [2.0 / 3.0, 1.0, 0.0]);
/// assert_eq!(scores.support, [3, 2, 1]);
/// assert!((scores.f1[0] - 0.8).abs() < 1e-12);
/// ```
pub fn class_scores(truth: &[usize], predicted: &[usize], classes: usize) -> ClassScores {
    let confusion = confusion_matrix(truth, predicted, classes);
    let support: Vec<usize> = confusion.rows().into_iter().map(|row| row.sum()).collect();
    let predicted: Vec<usize> = confusion
        .columns()
        .into_iter()
        .map(|col| col.sum())
        .collect();
    let ratio = |num: usize, den: usize| {
        if den == 0 {
            0.0
        } else {
            num as f64 / den as f64
        }
    };
    let (mut precision, mut recall, mut f1) = (vec![], vec![], vec![]);
    for c in 0..classes {
        let tp = confusion[[c, c]];
        precision.push(ratio(tp, predicted[c]));
        recall.push(ratio(tp, support[c]));
        // 2 tp + fp + fn = (tp + fp) + (tp + fn)
        f1.push(ratio(2 * tp, predicted[c] + support[c]));
    }
    ClassScores {
        precision,
        recall,
        f1,
        support,
        predicted,
    }
}

impl ClassScores {
    /// Mean precision over the classes that occur in the truth or the predictions (a class
    /// absent from both is left out, as scikit-learn does when not given the labels).
    ///
    /// ```
    /// use descent_data::metrics::class_scores;
    ///
    /// let scores = class_scores(&[0, 0, 0, 1, 1, 2], &[0, 1, 0, 1, 1, 1], 4); // class 3 unseen
    /// assert_eq!(scores.macro_precision(), 0.5); // (1 + 0.5 + 0) / 3
    /// ```
    pub fn macro_precision(&self) -> f64 {
        self.macro_mean(&self.precision)
    }

    /// Mean recall over the classes that occur in the truth or the predictions.
    ///
    /// ```
    /// use descent_data::metrics::class_scores;
    ///
    /// let scores = class_scores(&[0, 0, 0, 1, 1, 2], &[0, 1, 0, 1, 1, 1], 3);
    /// assert!((scores.macro_recall() - 5.0 / 9.0).abs() < 1e-12); // (2/3 + 1 + 0) / 3
    /// ```
    pub fn macro_recall(&self) -> f64 {
        self.macro_mean(&self.recall)
    }

    /// Mean F1 over the classes that occur in the truth or the predictions (the mean of the
    /// per-class F1 scores, not the F1 of the macro precision and recall).
    ///
    /// ```
    /// use descent_data::metrics::class_scores;
    ///
    /// let scores = class_scores(&[0, 0, 0, 1, 1, 2], &[0, 1, 0, 1, 1, 1], 3);
    /// assert!((scores.macro_f1() - 22.0 / 45.0).abs() < 1e-12); // (4/5 + 2/3 + 0) / 3
    /// ```
    pub fn macro_f1(&self) -> f64 {
        self.macro_mean(&self.f1)
    }

    fn macro_mean(&self, values: &[f64]) -> f64 {
        let occurring = |c: &usize| self.support[*c] + self.predicted[*c] > 0;
        let classes: Vec<usize> = (0..values.len()).filter(occurring).collect();
        classes.iter().map(|&c| values[c]).sum::<f64>() / classes.len() as f64
    }
}

/// Mean squared error, `mean((truth - predicted)²)`.
///
/// # Panics
///
/// If the slices differ in length.
///
/// ```
/// use descent_data::metrics::mse;
///
/// assert_eq!(mse(&[1.0, 2.0, 3.0], &[1.0, 4.0, 2.0]), 5.0 / 3.0);
/// ```
pub fn mse(truth: &[f64], predicted: &[f64]) -> f64 {
    same_length("mse", truth.len(), predicted.len());
    let sum: f64 = truth
        .iter()
        .zip(predicted)
        .map(|(t, p)| (t - p) * (t - p))
        .sum();
    sum / truth.len() as f64
}

/// Mean absolute error, `mean(|truth - predicted|)`.
///
/// # Panics
///
/// If the slices differ in length.
///
/// ```
/// use descent_data::metrics::mae;
///
/// assert_eq!(mae(&[1.0, 2.0, 3.0], &[1.0, 4.0, 2.0]), 1.0);
/// ```
pub fn mae(truth: &[f64], predicted: &[f64]) -> f64 {
    same_length("mae", truth.len(), predicted.len());
    let sum: f64 = truth
        .iter()
        .zip(predicted)
        .map(|(t, p)| (t - p).abs())
        .sum();
    sum / truth.len() as f64
}

/// Coefficient of determination, `1 - Σ(truth - predicted)² / Σ(truth - mean(truth))²`: 1 for
/// perfect predictions, 0 for predicting the mean, negative for worse.
///
/// When the truth is constant the ratio is 0 / 0; the result is then 1 if the predictions
/// are perfect and 0 otherwise (scikit-learn's `force_finite=True`).
///
/// # Panics
///
/// If the slices differ in length.
///
/// ```
/// use descent_data::metrics::r2;
///
/// let truth = [1.0, 2.0, 3.0];
/// assert_eq!(r2(&truth, &[1.0, 2.0, 3.0]), 1.0);
/// assert_eq!(r2(&truth, &[2.0, 2.0, 2.0]), 0.0);
/// assert_eq!(r2(&truth, &[1.0, 3.0, 3.0]), 0.5); // 1 - 1/2
/// ```
pub fn r2(truth: &[f64], predicted: &[f64]) -> f64 {
    same_length("r2", truth.len(), predicted.len());
    let mean = truth.iter().sum::<f64>() / truth.len() as f64;
    let residual: f64 = truth
        .iter()
        .zip(predicted)
        .map(|(t, p)| (t - p) * (t - p))
        .sum();
    let total: f64 = truth.iter().map(|t| (t - mean) * (t - mean)).sum();
    match (residual == 0.0, total == 0.0) {
        (true, true) => 1.0,
        (false, true) => 0.0,
        _ => 1.0 - residual / total,
    }
}

/// Panics with the metric's name and both lengths unless they are equal.
pub(crate) fn same_length(metric: &str, truth: usize, predicted: usize) {
    assert!(
        truth == predicted,
        "{metric}: truth has {truth} values but predicted has {predicted}"
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-12
    }

    // truth [0 0 0 1 1 2 2 2], predicted [0 0 1 1 2 2 2 0]; on paper:
    //            pred 0  1  2
    //   true 0      [ 2, 1, 0 ]   recall 2/3
    //   true 1      [ 0, 1, 1 ]   recall 1/2
    //   true 2      [ 1, 0, 2 ]   recall 2/3
    //   precision    2/3 1/2 2/3
    const TRUTH: [usize; 8] = [0, 0, 0, 1, 1, 2, 2, 2];
    const PREDICTED: [usize; 8] = [0, 0, 1, 1, 2, 2, 2, 0];

    #[test]
    fn confusion_and_scores_by_hand() {
        assert_eq!(
            confusion_matrix(&TRUTH, &PREDICTED, 3),
            array![[2, 1, 0], [0, 1, 1], [1, 0, 2]]
        );
        assert_eq!(accuracy(&TRUTH, &PREDICTED), 5.0 / 8.0);
        let s = class_scores(&TRUTH, &PREDICTED, 3);
        assert_eq!(s.precision, [2.0 / 3.0, 0.5, 2.0 / 3.0]);
        assert_eq!(s.recall, [2.0 / 3.0, 0.5, 2.0 / 3.0]);
        assert!(close(s.macro_f1(), 11.0 / 18.0));
        assert_eq!((s.support, s.predicted), (vec![3, 2, 3], vec![3, 2, 3]));
    }

    #[test]
    fn zero_division_gives_zero() {
        // class 1 is predicted once but never true: recall 0/0 → 0; class 2 never occurs
        let s = class_scores(&[0, 0], &[0, 1], 3);
        assert_eq!(s.precision, [1.0, 0.0, 0.0]);
        assert_eq!(s.recall, [0.5, 0.0, 0.0]);
        assert!(close(s.f1[0], 2.0 / 3.0));
        assert_eq!(s.f1[1], 0.0);
        assert!(close(s.macro_f1(), 1.0 / 3.0)); // over classes 0 and 1 only
        assert_eq!(s.macro_precision(), 0.5);
        assert_eq!(s.macro_recall(), 0.25);
    }

    #[test]
    fn regression_metrics_by_hand() {
        let truth = [3.0, -0.5, 2.0, 7.0];
        let predicted = [2.5, 0.0, 2.0, 8.0];
        assert_eq!(mse(&truth, &predicted), 0.375); // (0.25 + 0.25 + 0 + 1) / 4
        assert_eq!(mae(&truth, &predicted), 0.5); // (0.5 + 0.5 + 0 + 1) / 4
        // mean 2.875; total = 0.015625 + 11.390625 + 0.765625 + 17.015625 = 29.1875
        assert!(close(r2(&truth, &predicted), 1.0 - 1.5 / 29.1875));
    }

    #[test]
    fn constant_truth_r2_is_finite() {
        assert_eq!(r2(&[2.0, 2.0], &[2.0, 2.0]), 1.0);
        assert_eq!(r2(&[2.0, 2.0], &[2.0, 3.0]), 0.0);
    }

    #[test]
    fn empty_inputs_give_nan() {
        assert!(accuracy(&[], &[]).is_nan());
        assert!(mse(&[], &[]).is_nan());
        assert!(class_scores(&[], &[], 2).macro_f1().is_nan());
    }

    #[test]
    fn argmax_ties_and_nan() {
        let x = array![
            [1.0, 1.0, 0.0],
            [0.0, f64::NAN, 5.0],
            [f64::NAN, 9.0, 1.0],
            [-1.0, -0.5, -2.0]
        ];
        assert_eq!(argmax(&x), [0, 1, 0, 1]);
    }

    #[test]
    #[should_panic(expected = "argmax: scores must be 2-D, [rows, classes], not shape [3]")]
    fn argmax_of_a_vector_panics() {
        let _ = argmax(&array![1.0, 2.0, 3.0]);
    }

    #[test]
    #[should_panic(expected = "accuracy: truth has 3 values but predicted has 2")]
    fn mismatched_lengths_panic_with_both() {
        let _ = accuracy(&[0, 1, 2], &[0, 1]);
    }

    #[test]
    #[should_panic(expected = "confusion_matrix: label 3 is not in 0..3")]
    fn out_of_range_label_panics() {
        let _ = confusion_matrix(&[0, 1], &[3, 1], 3);
    }

    #[test]
    #[should_panic(expected = "r2: truth has 1 values but predicted has 2")]
    fn regression_mismatch_panics() {
        let _ = r2(&[1.0], &[1.0, 2.0]);
    }
}
