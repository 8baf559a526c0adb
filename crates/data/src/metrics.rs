//! Scoring predictions: classification (accuracy, confusion matrix, precision, recall, F1;
//! binary ones from probabilities and a threshold, [`binary_scores`]) and regression (MSE,
//! MAE, R²).
//!
//! Arguments come in scikit-learn's order, `(truth, predicted)`. Slices of different lengths
//! are a programmer error and panic with both lengths; empty slices give NaN (0 / 0) for the
//! averages. Precision, recall and F1 of a class with a zero denominator are 0, as in
//! scikit-learn (`zero_division=0`).

use ndarray::{ArrayRef, Dimension, Ix2};

mod binary;
mod classes;
mod regression;
pub use binary::{BinaryScores, binary_scores};
pub use classes::{ClassScores, class_scores, confusion_matrix};
pub use regression::{mae, mse, r2};

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
}
