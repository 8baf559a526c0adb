//! `Variable`: persistent trainable state that lives outside tapes (like `tf.Variable`).
//!
//! The value sits behind a read-write lock, so several threads may hold one variable. Two
//! misuses that a lock alone turns into silent failures are made loud here:
//! - **Re-entrant access.** Reading a variable inside its own [`Variable::update`] closure
//!   (`w.value()`, `tape.read(&w)`, `w.shape()`, a nested `update` or `assign`) would wait
//!   forever for the lock the closure's own thread holds. The variable remembers which thread
//!   is updating it, and such an access panics at once, naming the variable.
//! - **A panic inside `update`.** The closure may have written part of the tensor. The
//!   variable is then *poisoned*: the next [`Variable::value`] or `update` panics saying so,
//!   until [`Variable::assign`] (or loading a checkpoint) gives it a whole value again.

use crate::shape::Shape;
use crate::{Float, Tensor};
use ndarray::ArrayViewMutD;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};

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
    /// The [`thread_token`] of the thread inside `update` or `assign` right now; 0 when none.
    writer: AtomicU64,
}

/// A number for the calling thread, unique in the process and never 0.
fn thread_token() -> u64 {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    thread_local! {
        static TOKEN: u64 = NEXT.fetch_add(1, Ordering::Relaxed);
    }
    // During thread teardown the token is gone; such late accesses share one number.
    TOKEN.try_with(|token| *token).unwrap_or(u64::MAX)
}

/// The write lock, with the writing thread's token set for as long as it is held.
struct Writing<'a, F: Float> {
    guard: RwLockWriteGuard<'a, Tensor<F>>,
    writer: &'a AtomicU64,
}

impl<F: Float> Drop for Writing<'_, F> {
    fn drop(&mut self) {
        // Cleared before the guard (a field) releases the lock, so no other thread's token can
        // be overwritten.
        self.writer.store(0, Ordering::Relaxed);
    }
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

    /// A new variable with a name: its local name in its layer ("weight", "bias"), used in
    /// messages. A model gives it a path as well ("0.weight": layer 0's weight), from
    /// `Module::variables`; the path, not this name, is a checkpoint's key, because the
    /// local name repeats from layer to layer.
    pub fn named(name: impl Into<String>, value: Tensor<F>) -> Self {
        static NEXT_ID: AtomicU64 = AtomicU64::new(0);
        let id = VariableId(NEXT_ID.fetch_add(1, Ordering::Relaxed));
        Variable {
            inner: Arc::new(Inner {
                id,
                name: name.into(),
                value: RwLock::new(value.into_standard_layout()),
                writer: AtomicU64::new(0),
            }),
        }
    }

    /// The stable identity (optimizers key their state by it).
    pub fn id(&self) -> VariableId {
        self.inner.id
    }

    /// The local name given at creation ("" when none); see [`Variable::named`] for the path.
    pub fn name(&self) -> &str {
        &self.inner.name
    }

    /// The current value (a cheap clone of shared storage).
    ///
    /// # Panics
    /// Inside this variable's own [`Variable::update`] closure (read the value before calling
    /// `update`), and when the variable is poisoned (see [`Variable::is_poisoned`]).
    #[track_caller]
    pub fn value(&self) -> Tensor<F> {
        self.read("value").clone()
    }

    /// The shape of the value (known even when the variable is poisoned).
    ///
    /// # Panics
    /// Inside this variable's own [`Variable::update`] closure.
    #[track_caller]
    pub fn shape(&self) -> Shape {
        self.expect_not_updating("shape");
        let guard = self
            .inner
            .value
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        guard.dims()
    }

    /// True after a panic inside an [`Variable::update`] closure, until [`Variable::assign`].
    ///
    /// ```
    /// use descent_autograd::{Tensor, Variable};
    /// let w = Variable::named("w", Tensor::from_vec(vec![1.0f64, 2.0], &[2]));
    /// let half_written = std::panic::catch_unwind(|| {
    ///     w.update(|mut value| {
    ///         value[0] = 9.0;
    ///         panic!("the rest of the update failed");
    ///     })
    /// });
    /// assert!(half_written.is_err() && w.is_poisoned()); // w.value() would panic now
    /// w.assign(Tensor::from_vec(vec![1.0, 2.0], &[2])); // a whole value again
    /// assert!(!w.is_poisoned());
    /// assert_eq!(w.value().to_vec(), vec![1.0, 2.0]);
    /// ```
    pub fn is_poisoned(&self) -> bool {
        self.inner.value.is_poisoned()
    }

    /// Replaces the value. This also recovers a poisoned variable.
    ///
    /// ```
    /// use descent_autograd::{Tensor, Variable};
    /// let w = Variable::new(Tensor::<f32>::zeros(&[2]));
    /// w.assign(Tensor::from_vec(vec![1.0, 2.0], &[2]));
    /// assert_eq!(w.value().to_vec(), vec![1.0, 2.0]);
    /// ```
    ///
    /// # Panics
    /// When `value`'s shape differs from the current one (the variable is left unchanged), and
    /// inside this variable's own [`Variable::update`] closure.
    #[track_caller]
    pub fn assign(&self, value: Tensor<F>) {
        self.expect_not_updating("assign");
        let mut current = self
            .inner
            .value
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if current.shape() == value.shape() {
            *current = value.into_standard_layout();
            self.inner.value.clear_poison();
        } else {
            let existing = current.clone();
            drop(current); // released before the panic, so the variable is not poisoned by it
            existing.expect_shape("assign: variable and value", &value);
        }
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
    ///
    /// The closure must not touch the variable itself (not `w.value()`, `tape.read(&w)`,
    /// `w.shape()`, `w.assign` or a nested `w.update`): that would wait forever for the lock
    /// the closure holds, so it panics instead. Read first, or use the view the closure gets:
    ///
    /// ```
    /// use descent_autograd::{Tensor, Variable};
    /// let w = Variable::named("w", Tensor::from_vec(vec![1.0f64, 2.0], &[2]));
    /// let wrong = std::panic::catch_unwind(|| w.update(|_| w.value()));
    /// assert!(wrong.is_err()); // "variable \"w\" was used inside its own update closure ..."
    /// w.assign(Tensor::from_vec(vec![1.0, 2.0], &[2])); // the interrupted update poisoned it
    /// w.update(|mut value| value *= 0.5); // weight decay from the view itself
    /// assert_eq!(w.value().to_vec(), vec![0.5, 1.0]);
    /// ```
    ///
    /// # Panics
    /// On re-entrant access as above, and when the variable is poisoned (see
    /// [`Variable::is_poisoned`]). A panic inside `f` poisons the variable.
    #[track_caller]
    pub fn update<R>(&self, f: impl FnOnce(ArrayViewMutD<'_, F>) -> R) -> R {
        self.expect_not_updating("update");
        let guard = match self.inner.value.write() {
            Ok(guard) => guard,
            Err(_) => self.poisoned("update"),
        };
        self.inner.writer.store(thread_token(), Ordering::Relaxed);
        let mut writing = Writing {
            guard,
            writer: &self.inner.writer,
        };
        f(writing.guard.view_mut())
    }

    #[track_caller]
    fn read(&self, access: &str) -> RwLockReadGuard<'_, Tensor<F>> {
        self.expect_not_updating(access);
        match self.inner.value.read() {
            Ok(guard) => guard,
            Err(_) => self.poisoned(access),
        }
    }

    /// Panics when the calling thread is inside this variable's `update`.
    #[track_caller]
    fn expect_not_updating(&self, access: &str) {
        if self.inner.writer.load(Ordering::Relaxed) == thread_token() {
            panic!(
                "{}: `{access}` was called inside the variable's own `update` closure, which \
                 holds its lock: waiting for it would deadlock. Read what the closure needs \
                 before calling `update` (`let old = w.value();`), or compute it from the view \
                 the closure receives",
                self.describe()
            );
        }
    }

    #[track_caller]
    fn poisoned(&self, access: &str) -> ! {
        panic!(
            "{}: `{access}` on a poisoned variable: a panic inside an earlier `update` closure \
             may have left its value half-written. Give it a whole value with \
             `Variable::assign` (or load a checkpoint) first",
            self.describe()
        )
    }

    fn describe(&self) -> String {
        match self.name() {
            "" => format!("variable #{} (unnamed)", self.inner.id.0),
            name => format!("variable {name:?}"),
        }
    }
}

impl<F: Float> std::fmt::Debug for Variable<F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let updating = self.inner.writer.load(Ordering::Relaxed) == thread_token();
        let shape = match updating {
            true => "(being updated)".to_string(),
            false => format!("{:?}", self.shape().as_slice()),
        };
        let poisoned = if self.is_poisoned() { ", poisoned" } else { "" };
        write!(
            f,
            "Variable({:?} {:?}, {shape}{poisoned})",
            self.inner.id.0,
            self.name(),
        )
    }
}
