//! The `Module` trait: what every layer is to a training loop.

use descent_autograd::{Float, Tape, Tensor, Var, Variable};

/// A layer or a model: a function of a batch, with the variables it trains.
///
/// A module owns its [`Variable`]s (shared handles) and reads them onto the input's tape in
/// [`Module::forward`], so `tape.gradient(&loss, &vars)` finds them. Names are paths:
/// a [`Sequential`](crate::Sequential) prefixes its children's names with their position.
///
/// ```
/// use descent_autograd::{Tape, Tensor, Variable};
/// use descent_layers::Module;
///
/// // A layer written by hand: y = x · s, one trainable scale per feature.
/// struct Scale { s: Variable<f64> }
///
/// impl Module<f64> for Scale {
///     fn forward<'t>(&self, x: &descent_autograd::Var<'t, f64>) -> descent_autograd::Var<'t, f64> {
///         x.mul(&x.tape().read(&self.s))
///     }
///     fn variables(&self) -> Vec<(String, Variable<f64>)> {
///         vec![("s".into(), self.s.clone())]
///     }
/// }
///
/// let layer = Scale { s: Variable::new(Tensor::from_vec(vec![2.0, 3.0], &[2])) };
/// let tape = Tape::new();
/// let y = layer.forward(&tape.watch(Tensor::from_vec(vec![1.0, 1.0], &[1, 2])));
/// assert_eq!(y.value().to_vec(), vec![2.0, 3.0]);
/// let grads = tape.gradient(&y.sum(&[], false), &[&layer.s]);
/// assert_eq!(grads[0].to_vec(), vec![1.0, 1.0]);
/// ```
pub trait Module<F: Float>: Send + Sync {
    /// The layer applied to a batch.
    fn forward<'t>(&self, x: &Var<'t, F>) -> Var<'t, F>;

    /// Trainable variables with their paths in the model ("0.weight": layer 0's variable named
    /// "weight"), in a fixed order; the paths are checkpoint keys.
    fn variables(&self) -> Vec<(String, Variable<F>)>;

    /// The trainable variables without their names, in [`variables`](Module::variables)'
    /// order: what `tape.gradient` and an optimizer take.
    ///
    /// ```
    /// use descent_layers::{Dense, Module};
    /// use rand::{SeedableRng, rngs::StdRng};
    ///
    /// let layer = Dense::<f32>::new(3, 2, &mut StdRng::seed_from_u64(0));
    /// let parameters = layer.parameters();
    /// assert_eq!(parameters.len(), 2);
    /// assert_eq!(parameters[0].id(), layer.variables()[0].1.id());
    /// ```
    fn parameters(&self) -> Vec<Variable<F>> {
        self.variables().into_iter().map(|(_, v)| v).collect()
    }

    /// The module applied to `x` for inference: a forward pass on a throwaway tape, its value.
    /// Nothing is kept for a gradient. Switch Dropout and BatchNorm to evaluation first with
    /// [`set_training(false)`](Module::set_training).
    ///
    /// ```
    /// use descent_autograd::Tensor;
    /// use descent_layers::{Dense, Module};
    ///
    /// let double = Dense::from_tensors(Tensor::from_vec(vec![2.0f64], &[1, 1]), None);
    /// let y = double.predict(&Tensor::from_vec(vec![1.0, 3.0], &[2, 1]));
    /// assert_eq!(y.to_vec(), vec![2.0, 6.0]);
    /// ```
    fn predict(&self, x: &Tensor<F>) -> Tensor<F> {
        let tape = Tape::new();
        self.forward(&tape.watch(x.clone())).value()
    }

    /// Everything a checkpoint saves: the variables plus non-trainable state (running statistics).
    fn state(&self) -> Vec<(String, Variable<F>)> {
        self.variables()
    }

    /// Switch between training and evaluation behaviour (Dropout, BatchNorm).
    fn set_training(&mut self, _training: bool) {}

    /// The names (as in [`state`](Module::state)) of the tensors PyTorch stores transposed:
    /// `nn.Linear` keeps its weight `[outputs, inputs]` where [`Dense`](crate::Dense) keeps
    /// `[inputs, outputs]`. Used by [`checkpoint::save_torch`](crate::checkpoint::save_torch)
    /// and [`checkpoint::load_torch`](crate::checkpoint::load_torch); none by default.
    ///
    /// ```
    /// use descent_layers::{Dense, Module, Relu, Sequential};
    /// use rand::{SeedableRng, rngs::StdRng};
    ///
    /// let mut rng = StdRng::seed_from_u64(0);
    /// let model = Sequential::<f32>::new().push(Dense::new(2, 3, &mut rng)).push(Relu);
    /// assert_eq!(model.torch_transposed(), ["0.weight"]);
    /// ```
    fn torch_transposed(&self) -> Vec<String> {
        Vec::new()
    }
}
