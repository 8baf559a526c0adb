//! Standardising inputs: zero mean and unit variance per column, fitted on training data.

use ndarray::{Array1, Array2, ArrayRef2, Axis, Zip};

/// Per-column mean and standard deviation, fitted on the training set and applied to both
/// training and test sets (fitting on the test set would leak it into training).
///
/// The standard deviation is the population one (divide by `n`), as in scikit-learn's
/// `StandardScaler`. A **constant column** has its `std` set to 1, so it is only centred and
/// becomes exactly 0 on the data it was fitted on, never NaN or infinite.
///
/// ```
/// use descent_data::Standardizer;
/// use ndarray::array;
///
/// let train = array![[1.0, 10.0, 5.0], [3.0, 30.0, 5.0]];
/// let scaler = Standardizer::fit(&train);
/// assert_eq!(scaler.mean, array![2.0, 20.0, 5.0]);
/// assert_eq!(scaler.std, array![1.0, 10.0, 1.0]); // the constant column gets 1
/// assert_eq!(scaler.transform(&train), array![[-1.0, -1.0, 0.0], [1.0, 1.0, 0.0]]);
/// let test = array![[2.0, 40.0, 6.0]];
/// assert_eq!(scaler.transform(&test), array![[0.0, 2.0, 1.0]]);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Standardizer {
    /// Mean of each column.
    pub mean: Array1<f64>,
    /// Population standard deviation of each column, 1 for a constant column.
    pub std: Array1<f64>,
}

impl Standardizer {
    /// Fits the mean and standard deviation of each column of `inputs`.
    ///
    /// # Panics
    ///
    /// If `inputs` has no rows.
    ///
    /// ```
    /// use descent_data::{diabetes, Standardizer};
    ///
    /// let scaler = Standardizer::fit(&diabetes().inputs);
    /// assert_eq!(scaler.mean.len(), 10);
    /// assert!((scaler.mean[0] - 48.518).abs() < 1e-3); // mean age
    /// ```
    pub fn fit(inputs: &ArrayRef2<f64>) -> Standardizer {
        assert!(
            inputs.nrows() > 0,
            "Standardizer::fit: inputs have no rows, shape {:?}",
            inputs.shape()
        );
        let n = inputs.nrows() as f64;
        let columns = inputs.axis_iter(Axis(1));
        let (mean, std): (Vec<f64>, Vec<f64>) = columns
            .map(|column| {
                let first = column[0];
                if column.iter().all(|&v| v == first) {
                    // Exact: the column becomes exactly 0, whatever rounding a sum would do.
                    return (first, 1.0);
                }
                let mean = column.sum() / n;
                let variance = column.fold(0.0, |acc, &v| acc + (v - mean) * (v - mean)) / n;
                (mean, variance.sqrt())
            })
            .unzip();
        Standardizer {
            mean: Array1::from(mean),
            std: Array1::from(std),
        }
    }

    /// `(inputs - mean) / std`, column by column, as a new array.
    ///
    /// # Panics
    ///
    /// If `inputs` does not have as many columns as the data the standardizer was fitted on.
    ///
    /// ```
    /// use descent_data::{diabetes, Standardizer};
    ///
    /// let inputs = diabetes().inputs;
    /// let scaled = Standardizer::fit(&inputs).transform(&inputs);
    /// let refit = Standardizer::fit(&scaled);
    /// assert!(refit.mean.iter().all(|m| m.abs() < 1e-12));
    /// assert!(refit.std.iter().all(|s| (s - 1.0).abs() < 1e-12));
    /// ```
    pub fn transform(&self, inputs: &ArrayRef2<f64>) -> Array2<f64> {
        assert_eq!(
            inputs.ncols(),
            self.mean.len(),
            "Standardizer::transform: inputs have {} columns but the standardizer was fitted on {}",
            inputs.ncols(),
            self.mean.len()
        );
        let mut out = inputs.to_owned();
        for mut row in out.rows_mut() {
            Zip::from(&mut row)
                .and(&self.mean)
                .and(&self.std)
                .for_each(|v, &m, &s| *v = (*v - m) / s);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn a_constant_column_of_inexact_values_becomes_exactly_zero() {
        let x = array![[0.1], [0.1], [0.1]];
        let scaler = Standardizer::fit(&x);
        assert_eq!(scaler.std[0], 1.0);
        assert_eq!(scaler.transform(&x), array![[0.0], [0.0], [0.0]]);
    }

    #[test]
    #[should_panic(expected = "inputs have 2 columns but the standardizer was fitted on 3")]
    fn wrong_column_count_panics() {
        let scaler = Standardizer::fit(&array![[1.0, 2.0, 3.0]]);
        let _ = scaler.transform(&array![[1.0, 2.0]]);
    }

    #[test]
    #[should_panic(expected = "inputs have no rows")]
    fn fitting_nothing_panics() {
        let _ = Standardizer::fit(&Array2::zeros((0, 3)));
    }

    #[test]
    fn works_on_views() {
        let x = array![[1.0, 100.0], [3.0, 100.0], [5.0, 100.0]];
        let scaler = Standardizer::fit(&x.slice_axis(Axis(0), ndarray::Slice::from(..2)));
        assert_eq!(
            scaler.transform(&x.row(2).insert_axis(Axis(0))),
            array![[3.0, 0.0]]
        );
    }
}
