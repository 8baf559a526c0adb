//! What a gradient is taken with respect to: a var, or a variable read on the tape.

use super::Tape;
use crate::shape::Shape;
use crate::{Float, Var, Variable};

/// Something a gradient can be taken with respect to: a [`Var`] or a [`Variable`] read on a tape.
pub trait Source<F: Float> {
    /// The node of this source on `tape`, or `None` if it was never read there.
    fn node_on(&self, tape: &Tape<F>) -> Option<usize>;
    /// The source's shape (the shape of its gradient).
    fn source_shape(&self) -> Shape;
    /// What to call the source in a message (a variable's name); empty if it has none.
    fn source_name(&self) -> String {
        String::new()
    }
}

impl<F: Float> Source<F> for Var<'_, F> {
    fn node_on(&self, tape: &Tape<F>) -> Option<usize> {
        tape.expect_own(self, "gradient");
        Some(self.index())
    }
    fn source_shape(&self) -> Shape {
        self.shape()
    }
}

impl<F: Float> Source<F> for Variable<F> {
    fn node_on(&self, tape: &Tape<F>) -> Option<usize> {
        tape.variables
            .borrow()
            .iter()
            .find(|(id, _)| *id == self.id())
            .map(|&(_, node)| node)
    }
    fn source_shape(&self) -> Shape {
        self.shape()
    }
    fn source_name(&self) -> String {
        self.name().to_string()
    }
}

impl<F: Float, S: Source<F>> Source<F> for &S {
    fn node_on(&self, tape: &Tape<F>) -> Option<usize> {
        (*self).node_on(tape)
    }
    fn source_shape(&self) -> Shape {
        (*self).source_shape()
    }
    fn source_name(&self) -> String {
        (*self).source_name()
    }
}

impl<F: Float> Tape<F> {
    /// Gives a [`Variable`] source that was never read on this tape a zero gradient instead of
    /// panicking (TensorFlow's `unconnected_gradients=ZERO`). For when some variables are
    /// knowingly left out of a recording; the default catches the slip of recording a copy.
    ///
    /// ```
    /// use descent_autograd::{Tape, Tensor, Variable};
    /// let (used, unused) = (Variable::new(Tensor::scalar(2.0f64)), Variable::new(Tensor::scalar(1.0)));
    /// let tape = Tape::new().with_unread_as_zero();
    /// let y = tape.read(&used).square();
    /// let g = tape.gradient(&y, &[used, unused]);
    /// assert_eq!((g[0].item(), g[1].item()), (4.0, 0.0));
    /// ```
    pub fn with_unread_as_zero(mut self) -> Self {
        self.unread_as_zero = true;
        self
    }
}
