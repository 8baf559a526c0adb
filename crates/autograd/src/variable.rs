//! `Variable`: persistent trainable state that lives outside tapes (like `tf.Variable`).

use crate::shape::Shape;
use crate::{Float, Tensor};
use ndarray::ArrayViewMutD;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

/// The stable identity of a [`Variable`], unique within the process.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct VariableId(u64);

/// Trainable state: read onto a tape with [`crate::Tape::read`], updated in place by optimizers.
///
/// A `Variable` is a handle: clones refer to the same state (as `tf.Variable` references do),
/// so a model and an optimizer can both hold it without copying the tensor.
///
/// ```
/// use descent_autograd::{Tensor, Variable};
/// let w = Variable::named("w", Tensor::from_vec(vec![1.0f32, 2.0], &[2]));
/// let alias = w.clone();
/// w.update(|mut value| value -= 0.5);
/// assert_eq!(alias.value().to_vec(), vec![0.5, 1.5]);
/// assert_eq!((w.name(), w.id()), ("w", alias.id()));
/// ```
#[derive(Clone)]
pub struct Variable<F: Float> {
    inner: Arc<Inner<F>>,
}

struct Inner<F: Float> {
    id: VariableId,
    name: String,
    value: RwLock<Tensor<F>>,
}

impl<F: Float> Variable<F> {
    /// A new, unnamed variable holding `value`.
    ///
    /// ```
    /// use descent_autograd::{Tensor, Variable};
    /// let (a, b) = (Variable::new(Tensor::scalar(1.0f32)), Variable::new(Tensor::scalar(1.0f32)));
    /// assert_ne!(a.id(), b.id());
    /// assert_eq!(a.name(), "");
    /// ```
    pub fn new(value: Tensor<F>) -> Self {
        Self::named("", value)
    }

    /// A new variable with a name (used in messages; checkpoints name variables by model path).
    pub fn named(name: impl Into<String>, value: Tensor<F>) -> Self {
        static NEXT_ID: AtomicU64 = AtomicU64::new(0);
        let id = VariableId(NEXT_ID.fetch_add(1, Ordering::Relaxed));
        Variable {
            inner: Arc::new(Inner {
                id,
                name: name.into(),
                value: RwLock::new(value),
            }),
        }
    }

    /// The stable identity (optimizers key their state by it).
    pub fn id(&self) -> VariableId {
        self.inner.id
    }

    /// The name given at creation ("" when none).
    pub fn name(&self) -> &str {
        &self.inner.name
    }

    /// The current value (a cheap clone of shared storage).
    pub fn value(&self) -> Tensor<F> {
        self.read().clone()
    }

    /// The shape of the value.
    pub fn shape(&self) -> Shape {
        self.read().dims()
    }

    /// Replaces the value.
    ///
    /// ```
    /// use descent_autograd::{Tensor, Variable};
    /// let w = Variable::new(Tensor::<f32>::zeros(&[2]));
    /// w.assign(Tensor::from_vec(vec![1.0, 2.0], &[2]));
    /// assert_eq!(w.value().to_vec(), vec![1.0, 2.0]);
    /// ```
    ///
    /// # Panics
    /// When `value`'s shape differs from the current one.
    #[track_caller]
    pub fn assign(&self, value: Tensor<F>) {
        let mut current = self.write();
        current.expect_shape("assign: variable and value", &value);
        *current = value;
    }

    /// Updates the value in place. The storage is copied first only if something else (a live
    /// tape, a clone of the value) still shares it.
    ///
    /// ```
    /// use descent_autograd::{Tensor, Variable};
    /// let w = Variable::new(Tensor::from_vec(vec![1.0f64, 2.0], &[2]));
    /// let g = Tensor::from_vec(vec![10.0, 10.0], &[2]);
    /// w.update(|mut value| value.scaled_add(-0.1, &g.view())); // w ← w − α·g
    /// assert_eq!(w.value().to_vec(), vec![0.0, 1.0]);
    /// ```
    pub fn update<R>(&self, f: impl FnOnce(ArrayViewMutD<'_, F>) -> R) -> R {
        f(self.write().view_mut())
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, Tensor<F>> {
        self.inner
            .value
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, Tensor<F>> {
        self.inner
            .value
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl<F: Float> std::fmt::Debug for Variable<F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Variable({:?} {:?}, {:?})",
            self.inner.id.0,
            self.name(),
            self.shape().as_slice()
        )
    }
}
