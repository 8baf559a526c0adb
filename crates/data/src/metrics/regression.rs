//! Regression scored: mean squared and absolute errors, R².

use super::same_length;

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

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-12
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
    #[should_panic(expected = "r2: truth has 1 values but predicted has 2")]
    fn regression_mismatch_panics() {
        let _ = r2(&[1.0], &[1.0, 2.0]);
    }
}
