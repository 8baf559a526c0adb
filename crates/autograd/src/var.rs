//! `Var`: a handle to one node of one tape.

use crate::shape::Shape;
use crate::{Float, Tape, Tensor};
use std::fmt;

/// A value recorded on a [`Tape`]; every op on vars appends a node to that tape.
///
/// A var is two words (the tape and a node index) and is `Copy`. Ops are methods
/// (`x.exp()`, `a.matmul(&b)`) and operators on values (`a + b`, `a * 2.0`, `2.0 * a`, `-a`) or,
/// equally, on references (`&a + &b`).
/// Using a var on a tape it does not belong to panics.
///
/// ```
/// use descent_autograd::{Tape, Tensor};
/// let tape = Tape::new();
/// let a = tape.watch(Tensor::from_vec(vec![1.0f32, 2.0], &[2]));
/// let b = a * 2.0 + a;
/// assert_eq!(b.value().to_vec(), vec![3.0, 6.0]);
/// assert_eq!(b.shape().as_slice(), &[2]);
/// ```
#[derive(Clone, Copy)]
pub struct Var<'t, F: Float> {
    tape: &'t Tape<F>,
    index: usize,
}

impl<'t, F: Float> Var<'t, F> {
    pub(crate) fn new(tape: &'t Tape<F>, index: usize) -> Self {
        Var { tape, index }
    }

    /// The tape this var is recorded on.
    pub fn tape(&self) -> &'t Tape<F> {
        self.tape
    }

    /// The node's position on the tape.
    pub fn index(&self) -> usize {
        self.index
    }

    /// The recorded value (a cheap clone of shared storage).
    ///
    /// ```
    /// use descent_autograd::{Tape, Tensor};
    /// let tape = Tape::new();
    /// let x = tape.watch(Tensor::from_vec(vec![1.0f32, 4.0], &[2]));
    /// assert_eq!(x.sqrt().value().to_vec(), vec![1.0, 2.0]);
    /// ```
    ///
    /// # Panics
    /// When a non-persistent tape has released the value after a gradient call.
    #[track_caller]
    pub fn value(&self) -> Tensor<F> {
        self.tape.value(self.index)
    }

    /// The shape of the value.
    ///
    /// ```
    /// use descent_autograd::{Tape, Tensor};
    /// let tape = Tape::new();
    /// let x = tape.watch(Tensor::<f32>::zeros(&[2, 3]));
    /// assert_eq!(x.sum(&[1], false).shape().as_slice(), &[2]);
    /// ```
    pub fn shape(&self) -> Shape {
        self.tape.shape(self.index)
    }

    /// The single value of a one-element var (a loss, say).
    ///
    /// ```
    /// use descent_autograd::{Tape, Tensor};
    /// let tape = Tape::new();
    /// let x = tape.watch(Tensor::from_vec(vec![1.0f32, 2.0], &[2]));
    /// assert_eq!(x.sum(&[], false).item(), 3.0);
    /// ```
    ///
    /// # Panics
    /// When the var has more than one element.
    #[track_caller]
    pub fn item(&self) -> F {
        self.value().item()
    }

    /// The same value as a new leaf: gradients do not flow through it (`tf.stop_gradient`).
    ///
    /// ```
    /// use descent_autograd::{Tape, Tensor};
    /// let tape = Tape::new();
    /// let x = tape.watch(Tensor::scalar(3.0f64));
    /// let y = x * x.stop_gradient(); // treated as x · c with c = 3
    /// assert_eq!(tape.gradient(&y, &[x])[0].item(), 3.0);
    /// ```
    pub fn stop_gradient(&self) -> Var<'t, F> {
        self.tape.watch(self.value())
    }
}

impl<F: Float> fmt::Debug for Var<'_, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Var(#{} {:?})", self.index, self.shape().as_slice())
    }
}
