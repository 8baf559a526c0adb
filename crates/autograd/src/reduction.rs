//! [`Reduction`]: how a loss folds its per-element losses, PyTorch's `reduction` argument.

use crate::{Float, Var};

/// How a loss folds its per-element losses into the result: PyTorch's `reduction` argument.
///
/// Every loss has a plain form that takes the mean (`x.mse(&t)`, PyTorch's default) and a
/// `_with` form whose last argument is the reduction (`x.mse_with(&t, Reduction::Sum)`).
///
/// ```
/// use descent_autograd::{Reduction, Tape, Tensor};
/// let tape = Tape::new();
/// let p = tape.watch(Tensor::from_vec(vec![1.0f32, 3.0], &[2]));
/// let t = tape.watch(Tensor::from_vec(vec![0.0f32, 0.0], &[2]));
/// assert_eq!(p.mse_with(&t, Reduction::Mean).item(), 5.0);
/// assert_eq!(p.mse_with(&t, Reduction::Sum).item(), 10.0);
/// assert_eq!(p.mse_with(&t, Reduction::None).value().to_vec(), vec![1.0, 9.0]);
/// assert_eq!(Reduction::default(), Reduction::Mean);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Reduction {
    /// The mean over every element (PyTorch's default). An empty batch panics instead of
    /// returning the NaN of `0 / 0`.
    #[default]
    Mean,
    /// The sum over every element (0 for an empty batch).
    Sum,
    /// No reduction: one loss per element, in the elementwise shape.
    None,
}

impl Reduction {
    /// Folds the per-element losses of `loss` (named in the empty-batch panic).
    #[track_caller]
    pub(crate) fn apply<'t, F: Float>(self, loss: &str, elements: Var<'t, F>) -> Var<'t, F> {
        match self {
            Reduction::Mean => {
                expect_non_empty(loss, &elements.shape());
                elements.mean(&[], false)
            }
            Reduction::Sum => elements.sum(&[], false),
            Reduction::None => elements,
        }
    }
}

/// Panics when a batch of `shape` is empty: its mean would be `0 / 0`.
#[track_caller]
pub(crate) fn expect_non_empty(loss: &str, shape: &[usize]) {
    if shape.iter().product::<usize>() == 0 {
        panic!(
            "{loss}: the batch is empty (shape {shape:?}): its mean would be 0/0 = NaN; skip \
             empty batches before computing the loss"
        );
    }
}

/// Panics unless the prediction and the target have one shape: losses do not broadcast (a
/// `[N, 1]` prediction against an `[N]` target would silently average an `[N, N]` matrix).
#[track_caller]
pub(crate) fn expect_same_shape<F: Float>(
    loss: &str,
    prediction: &Var<'_, F>,
    target: &Var<'_, F>,
) {
    let (p, t) = (prediction.shape(), target.shape());
    if p != t {
        panic!(
            "{loss}: the prediction {:?} and the target {:?} must have one shape (losses do not \
             broadcast; reshape one of them)",
            p.as_slice(),
            t.as_slice()
        );
    }
}
