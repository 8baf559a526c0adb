//! `Embedding`: a table of vectors looked up by integer token ids.

use crate::{Init, Module};
use descent_autograd::{Float, Tape, Tensor, Var, Variable};
use rand::Rng;

/// A table of `vocab` vectors of `dim` features, looked up by token id with
/// [`Embedding::lookup`].
///
/// Token ids are integers, and a [`Var`] holds floats that the tape differentiates, so the
/// lookup takes the ids as a `Tensor<usize>` and is an inherent method rather than
/// [`Module::forward`]. `forward` is the same map written as a product: it takes rows of
/// weights over the vocabulary (one-hot rows, `[batch, vocab]`) and returns `x · table`, which
/// equals the lookup for one-hot rows and is differentiable in `x` too. Being a [`Module`]
/// also gives the table a name ("weight", as PyTorch's) for optimizers and checkpoints.
///
/// ```
/// use descent_autograd::{Tape, Tensor};
/// use descent_layers::Embedding;
/// use rand::{SeedableRng, rngs::StdRng};
///
/// let embedding = Embedding::<f32>::new(10, 4, &mut StdRng::seed_from_u64(0));
/// let tape = Tape::new();
/// let ids = Tensor::from_vec(vec![3, 1, 3, 9, 0, 0], &[2, 3]); // 2 sequences of 3 tokens
/// let vectors = embedding.lookup(&tape, &ids);
/// assert_eq!(vectors.shape().as_slice(), &[2, 3, 4]);
///
/// let grad = tape.gradient(&vectors.sum(&[], false), &[embedding.weight()]).remove(0);
/// assert_eq!(grad.to_vec()[3 * 4], 2.0); // token 3 was used twice
/// ```
#[derive(Debug)]
pub struct Embedding<F: Float> {
    weight: Variable<F>,
}

impl<F: Float> Embedding<F> {
    /// A table of `vocab × dim` drawn from N(0, 1) (PyTorch's `nn.Embedding` default).
    pub fn new<R: Rng + ?Sized>(vocab: usize, dim: usize, rng: &mut R) -> Self {
        Self::from_tensor(
            Init::Normal {
                mean: 0.0,
                std: 1.0,
            }
            .sample(&[vocab, dim], rng),
        )
    }

    /// An embedding holding the given table `[vocab, dim]`.
    ///
    /// # Panics
    /// When the table is not 2-D.
    #[track_caller]
    pub fn from_tensor(table: Tensor<F>) -> Self {
        if table.ndim() != 2 {
            panic!(
                "Embedding: table must be [vocab, dim], not {:?}",
                table.shape()
            );
        }
        Embedding {
            weight: Variable::named("weight", table),
        }
    }

    /// The table, `[vocab, dim]`.
    pub fn weight(&self) -> &Variable<F> {
        &self.weight
    }

    /// The vectors of `ids` (any shape), as `[ids.shape.., dim]`; repeated ids accumulate their
    /// gradients.
    ///
    /// ```
    /// use descent_autograd::{Tape, Tensor};
    /// use descent_layers::Embedding;
    /// let table = Tensor::from_vec(vec![0.0f64, 0.5, 1.0, 1.5, 2.0, 2.5], &[3, 2]);
    /// let embedding = Embedding::from_tensor(table);
    /// let tape = Tape::new();
    /// let rows = embedding.lookup(&tape, &Tensor::from_vec(vec![2, 0], &[2]));
    /// assert_eq!(rows.value().to_vec(), vec![2.0, 2.5, 0.0, 0.5]);
    /// ```
    ///
    /// # Panics
    /// When an id is not below the vocabulary size.
    #[track_caller]
    pub fn lookup<'t>(&self, tape: &'t Tape<F>, ids: &Tensor<usize>) -> Var<'t, F> {
        let flat = Tensor::from_vec(ids.to_vec(), &[ids.len()]);
        let rows = tape.read(&self.weight).index_select(0, &flat);
        let shape: Vec<usize> = ids
            .shape()
            .iter()
            .copied()
            .chain([self.weight.shape()[1]])
            .collect();
        rows.reshape(&shape)
    }
}

impl<F: Float> Module<F> for Embedding<F> {
    /// `x · table` for weights `x` of shape `[.., vocab]` over the vocabulary (one-hot rows
    /// give the same vectors as [`Embedding::lookup`]).
    ///
    /// # Panics
    /// When the last axis of `x` is not the vocabulary size.
    #[track_caller]
    fn forward<'t>(&self, x: &Var<'t, F>) -> Var<'t, F> {
        x.matmul(&x.tape().read(&self.weight))
    }

    fn variables(&self) -> Vec<(String, Variable<F>)> {
        vec![("weight".into(), self.weight.clone())]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forward_of_one_hot_rows_is_the_lookup() {
        let table = Tensor::from_vec((0..12).map(f64::from).collect(), &[4, 3]);
        let embedding = Embedding::from_tensor(table);
        let tape = Tape::new();
        let one_hot = Tensor::from_vec(vec![0.0, 0.0, 1.0, 0.0, 1.0, 0.0, 0.0, 0.0], &[2, 4]);
        let by_product = embedding.forward(&tape.watch(one_hot)).value();
        let by_lookup = embedding
            .lookup(&tape, &Tensor::from_vec(vec![2, 0], &[2]))
            .value();
        assert_eq!(by_product, by_lookup);
    }

    #[test]
    #[should_panic(expected = "index 5 is out of range for axis 0 of length 4")]
    fn out_of_vocabulary_panics() {
        let embedding = Embedding::from_tensor(Tensor::<f32>::zeros(&[4, 2]));
        embedding.lookup(&Tape::new(), &Tensor::from_vec(vec![5], &[1]));
    }
}
