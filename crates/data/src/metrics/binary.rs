//! Binary classification scored from probabilities and a threshold.

use super::same_length;

/// Precision, recall, F1 and accuracy of a binary classifier at one threshold, with the counts
/// they come from. A zero denominator gives 0, as in scikit-learn.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BinaryScores {
    /// True positives: positive, predicted positive.
    pub true_positives: usize,
    /// False positives: negative, predicted positive.
    pub false_positives: usize,
    /// False negatives: positive, predicted negative.
    pub false_negatives: usize,
    /// True negatives: negative, predicted negative.
    pub true_negatives: usize,
}

/// Scores the predictions `probability > threshold` against the truth (`true` is the
/// positive class). The probabilities may be `f32` or `f64` (or any scores, with a threshold
/// on their scale: 0 for logits).
///
/// # Panics
///
/// If the slices differ in length.
///
/// ```
/// use descent_data::metrics::binary_scores;
///
/// let truth = [true, true, false, false, true];
/// let probability = [0.9f32, 0.4, 0.6, 0.1, 0.8];
/// let scores = binary_scores(&truth, &probability, 0.5);
/// assert_eq!(scores.precision(), 2.0 / 3.0); // of the 3 called positive, 2 are
/// assert_eq!(scores.recall(), 2.0 / 3.0); // of the 3 positives, 2 are found
/// assert!((scores.f1() - 2.0 / 3.0).abs() < 1e-12);
/// assert_eq!(scores.accuracy(), 0.6);
///
/// let lower = binary_scores(&truth, &probability, 0.3); // a lower threshold finds more
/// assert_eq!((lower.recall(), lower.precision()), (1.0, 0.75));
/// ```
pub fn binary_scores<P: Into<f64> + Copy>(
    truth: &[bool],
    probability: &[P],
    threshold: f64,
) -> BinaryScores {
    same_length("binary_scores", truth.len(), probability.len());
    let mut counts = [[0; 2]; 2]; // [truth][predicted]
    for (&positive, &p) in truth.iter().zip(probability) {
        counts[usize::from(positive)][usize::from(p.into() > threshold)] += 1;
    }
    BinaryScores {
        true_positives: counts[1][1],
        false_positives: counts[0][1],
        false_negatives: counts[1][0],
        true_negatives: counts[0][0],
    }
}

/// `num / den`, or 0 when `den` is 0.
fn ratio(num: usize, den: usize) -> f64 {
    if den == 0 {
        0.0
    } else {
        num as f64 / den as f64
    }
}

impl BinaryScores {
    /// Of the samples predicted positive, the fraction that are: `tp / (tp + fp)`.
    pub fn precision(&self) -> f64 {
        ratio(
            self.true_positives,
            self.true_positives + self.false_positives,
        )
    }

    /// Of the positive samples, the fraction predicted positive: `tp / (tp + fn)`.
    pub fn recall(&self) -> f64 {
        ratio(
            self.true_positives,
            self.true_positives + self.false_negatives,
        )
    }

    /// The harmonic mean of precision and recall: `2 tp / (2 tp + fp + fn)`.
    pub fn f1(&self) -> f64 {
        let wrong = self.false_positives + self.false_negatives;
        ratio(2 * self.true_positives, 2 * self.true_positives + wrong)
    }

    /// The fraction classified correctly (NaN for no samples).
    pub fn accuracy(&self) -> f64 {
        let right = self.true_positives + self.true_negatives;
        let all = right + self.false_positives + self.false_negatives;
        right as f64 / all as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_by_hand_and_the_threshold_is_strict() {
        // p > 0.5: predicted [1, 0, 1, 0]; truth [1, 1, 0, 0]
        let s = binary_scores(&[true, true, false, false], &[0.7, 0.5, 0.51, 0.0], 0.5);
        let counts = (
            s.true_positives,
            s.false_positives,
            s.false_negatives,
            s.true_negatives,
        );
        assert_eq!(counts, (1, 1, 1, 1));
        assert_eq!(
            (s.precision(), s.recall(), s.f1(), s.accuracy()),
            (0.5, 0.5, 0.5, 0.5)
        );
    }

    #[test]
    fn nothing_predicted_positive_gives_zero_not_nan() {
        let s = binary_scores(&[true, false], &[0.1, 0.2], 0.5);
        assert_eq!((s.precision(), s.recall(), s.f1()), (0.0, 0.0, 0.0));
        assert!(binary_scores::<f64>(&[], &[], 0.5).accuracy().is_nan());
    }

    #[test]
    #[should_panic(expected = "binary_scores: truth has 2 values but predicted has 1")]
    fn mismatched_lengths_panic() {
        let _ = binary_scores(&[true, false], &[0.5], 0.5);
    }
}
