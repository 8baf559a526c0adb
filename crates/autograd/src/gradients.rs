//! `Gradients`: what a gradient call hands back, one tensor per source.

use crate::{Float, Tensor, pool};
use std::ops::{Deref, DerefMut};

/// The gradients of one [`crate::Tape::gradient`] call, one tensor per source, in order.
///
/// It reads as a slice of tensors (`grads[0]`, `grads.iter()`, `&grads` where a
/// `&[Tensor<F>]` is wanted, as by an optimizer). When it is dropped, storage that nothing
/// else shares goes back to the thread's spares for the next step's ops, which is what lets a
/// steady training step allocate nothing.
///
/// ```
/// use descent_autograd::{Tape, Tensor};
/// let tape = Tape::new();
/// let (a, b) = (tape.watch(Tensor::scalar(2.0f64)), tape.watch(Tensor::scalar(5.0)));
/// let grads = tape.gradient(&(a * b), &[a, b]);
/// assert_eq!((grads.len(), grads[0].item(), grads[1].item()), (2, 5.0, 2.0));
/// let owned: Vec<Tensor<f64>> = grads.into_vec();
/// assert_eq!(owned[1].item(), 2.0);
/// ```
#[derive(Clone, Debug, Default)]
pub struct Gradients<F: Float> {
    tensors: Vec<Tensor<F>>,
}

impl<F: Float> Gradients<F> {
    /// Wraps tensors as gradients.
    pub(crate) fn new(tensors: Vec<Tensor<F>>) -> Self {
        Gradients { tensors }
    }

    /// Takes out the gradient at `index`, shifting the later ones down (as `Vec::remove`).
    ///
    /// ```
    /// use descent_autograd::{Tape, Tensor};
    /// let tape = Tape::new();
    /// let x = tape.watch(Tensor::scalar(3.0f32));
    /// let dx = tape.gradient(&(x * x), &[x]).remove(0);
    /// assert_eq!(dx.item(), 6.0);
    /// ```
    ///
    /// # Panics
    /// When `index` is not below the number of gradients.
    #[track_caller]
    pub fn remove(&mut self, index: usize) -> Tensor<F> {
        let len = self.tensors.len();
        if index >= len {
            panic!("Gradients::remove: index {index} is out of range for {len} gradients");
        }
        self.tensors.remove(index)
    }

    /// The gradients as a plain vector (their storage is then not reused).
    pub fn into_vec(mut self) -> Vec<Tensor<F>> {
        std::mem::take(&mut self.tensors)
    }
}

impl<F: Float> Deref for Gradients<F> {
    type Target = [Tensor<F>];
    fn deref(&self) -> &[Tensor<F>] {
        &self.tensors
    }
}

impl<F: Float> DerefMut for Gradients<F> {
    fn deref_mut(&mut self) -> &mut [Tensor<F>] {
        &mut self.tensors
    }
}

impl<F: Float> IntoIterator for Gradients<F> {
    type Item = Tensor<F>;
    type IntoIter = std::vec::IntoIter<Tensor<F>>;
    fn into_iter(self) -> Self::IntoIter {
        self.into_vec().into_iter()
    }
}

impl<'a, F: Float> IntoIterator for &'a Gradients<F> {
    type Item = &'a Tensor<F>;
    type IntoIter = std::slice::Iter<'a, Tensor<F>>;
    fn into_iter(self) -> Self::IntoIter {
        self.tensors.iter()
    }
}

impl<F: Float> Drop for Gradients<F> {
    fn drop(&mut self) {
        if self.tensors.capacity() > 0 {
            self.tensors.drain(..).for_each(pool::recycle);
            pool::give(std::mem::take(&mut self.tensors));
        }
    }
}
