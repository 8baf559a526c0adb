//! In-memory data sets: inputs as rows of an [`Array2`], one target per row.
//!
//! Two plain structs rather than one generic `Dataset<X, Y>`: a classification set needs its
//! number of classes, a regression set does not, and MNIST's images (kept as bytes, with their
//! 28 × 28 shape) are a third struct, [`Images`](crate::Images). What they share, taking rows by
//! index, is ndarray's `select`, and for a training loop [`gather_rows`](crate::gather_rows),
//! which works on any element type. Fields are public: these are data, not abstractions.

use ndarray::{Array1, Array2, Axis};

/// Inputs with a class label per row.
///
/// ```
/// use descent_data::Classification;
/// use ndarray::array;
///
/// let set = Classification {
///     inputs: array![[0.0, 1.0], [1.0, 0.0], [1.0, 1.0]],
///     labels: vec![0, 1, 1],
///     classes: 2,
/// };
/// let picked = set.subset(&[2, 0]);
/// assert_eq!(picked.inputs, array![[1.0, 1.0], [0.0, 1.0]]);
/// assert_eq!(picked.labels, [1, 0]);
/// assert_eq!(picked.classes, 2);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Classification {
    /// One sample per row.
    pub inputs: Array2<f64>,
    /// The class of each row, in `0..classes`.
    pub labels: Vec<usize>,
    /// Number of classes.
    pub classes: usize,
}

impl Classification {
    /// Number of samples.
    ///
    /// ```
    /// assert_eq!(descent_data::digits().len(), 1797);
    /// ```
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    /// Whether there are no samples.
    ///
    /// ```
    /// assert!(!descent_data::digits().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// The samples at `indices`, in that order (for a split or a batch).
    ///
    /// # Panics
    ///
    /// If an index is out of bounds.
    ///
    /// ```
    /// let digits = descent_data::digits();
    /// let first = digits.subset(&[0, 1, 2]);
    /// assert_eq!(first.inputs.dim(), (3, 64));
    /// assert_eq!(first.labels, [0, 1, 2]);
    /// ```
    pub fn subset(&self, indices: &[usize]) -> Classification {
        Classification {
            inputs: self.inputs.select(Axis(0), indices),
            labels: indices.iter().map(|&i| self.labels[i]).collect(),
            classes: self.classes,
        }
    }
}

/// Inputs with a real-valued target per row.
///
/// ```
/// use descent_data::Regression;
/// use ndarray::array;
///
/// let set = Regression { inputs: array![[1.0], [2.0], [3.0]], targets: array![2.0, 4.0, 6.0] };
/// let picked = set.subset(&[1]);
/// assert_eq!(picked.inputs, array![[2.0]]);
/// assert_eq!(picked.targets, array![4.0]);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Regression {
    /// One sample per row.
    pub inputs: Array2<f64>,
    /// The target of each row.
    pub targets: Array1<f64>,
}

impl Regression {
    /// Number of samples.
    ///
    /// ```
    /// assert_eq!(descent_data::diabetes().len(), 442);
    /// ```
    pub fn len(&self) -> usize {
        self.targets.len()
    }

    /// Whether there are no samples.
    ///
    /// ```
    /// assert!(!descent_data::diabetes().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.targets.is_empty()
    }

    /// The samples at `indices`, in that order (for a split or a batch).
    ///
    /// # Panics
    ///
    /// If an index is out of bounds.
    ///
    /// ```
    /// let diabetes = descent_data::diabetes();
    /// let last = diabetes.subset(&[441]);
    /// assert_eq!(last.inputs.dim(), (1, 10));
    /// assert_eq!(last.targets[0], 57.0);
    /// ```
    pub fn subset(&self, indices: &[usize]) -> Regression {
        Regression {
            inputs: self.inputs.select(Axis(0), indices),
            targets: self.targets.select(Axis(0), indices),
        }
    }
}
