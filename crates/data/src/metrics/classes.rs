//! Classification scored from the predicted classes: the confusion matrix, and precision,
//! recall and F1 per class with their macro averages.

use super::same_length;
use ndarray::Array2;

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::accuracy;
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
    #[should_panic(expected = "confusion_matrix: label 3 is not in 0..3")]
    fn out_of_range_label_panics() {
        let _ = confusion_matrix(&[0, 1], &[3, 1], 3);
    }
}
