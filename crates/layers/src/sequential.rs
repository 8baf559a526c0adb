//! `Sequential`: layers applied one after another.

use crate::Module;
use descent_autograd::{Float, Var, Variable};

/// Layers applied in order; a child's variables are named by its position ("0.weight",
/// "2.bias"), as PyTorch's `nn.Sequential` names them, and nest ("1.0.weight").
///
/// ```
/// use descent_autograd::{Tape, Tensor};
/// use descent_layers::{Dense, Module, Relu, Sequential};
/// use rand::{SeedableRng, rngs::StdRng};
///
/// let mut rng = StdRng::seed_from_u64(0);
/// let model = Sequential::new()
///     .push(Dense::new(4, 8, &mut rng))
///     .push(Relu)
///     .push(Dense::new(8, 3, &mut rng));
/// let names: Vec<String> = model.variables().into_iter().map(|(name, _)| name).collect();
/// assert_eq!(names, ["0.weight", "0.bias", "2.weight", "2.bias"]);
///
/// let tape = Tape::new();
/// let logits = model.forward(&tape.watch(Tensor::<f32>::ones(&[5, 4])));
/// assert_eq!(logits.shape().as_slice(), &[5, 3]);
/// ```
pub struct Sequential<F: Float> {
    layers: Vec<Box<dyn Module<F>>>,
}

impl<F: Float> Default for Sequential<F> {
    fn default() -> Self {
        Self::new()
    }
}

impl<F: Float> Sequential<F> {
    /// An empty sequence (its forward is the identity).
    pub fn new() -> Self {
        Sequential { layers: Vec::new() }
    }

    /// The sequence with `layer` appended.
    pub fn push(mut self, layer: impl Module<F> + 'static) -> Self {
        self.layers.push(Box::new(layer));
        self
    }

    /// The number of layers.
    ///
    /// ```
    /// use descent_layers::{Relu, Sequential, Tanh};
    /// let model = Sequential::<f32>::new().push(Relu).push(Tanh);
    /// assert_eq!((model.len(), model.is_empty()), (2, false));
    /// ```
    pub fn len(&self) -> usize {
        self.layers.len()
    }

    /// True when there are no layers.
    pub fn is_empty(&self) -> bool {
        self.layers.is_empty()
    }
}

/// Each child's names (with whatever goes with them), prefixed with the child's position.
fn prefixed<F: Float, T>(
    layers: &[Box<dyn Module<F>>],
    list: impl Fn(&dyn Module<F>) -> Vec<(String, T)>,
) -> Vec<(String, T)> {
    let children = layers.iter().enumerate();
    children
        .flat_map(|(i, layer)| {
            list(layer.as_ref())
                .into_iter()
                .map(move |(name, v)| (format!("{i}.{name}"), v))
        })
        .collect()
}

impl<F: Float> Module<F> for Sequential<F> {
    fn forward<'t>(&self, x: &Var<'t, F>) -> Var<'t, F> {
        self.layers.iter().fold(*x, |x, layer| layer.forward(&x))
    }

    fn variables(&self) -> Vec<(String, Variable<F>)> {
        prefixed(&self.layers, |layer| layer.variables())
    }

    fn state(&self) -> Vec<(String, Variable<F>)> {
        prefixed(&self.layers, |layer| layer.state())
    }

    fn set_training(&mut self, training: bool) {
        self.layers
            .iter_mut()
            .for_each(|layer| layer.set_training(training));
    }

    fn torch_transposed(&self) -> Vec<String> {
        let names = |layer: &dyn Module<F>| {
            let names = layer.torch_transposed().into_iter();
            names.map(|name| (name, ())).collect()
        };
        prefixed(&self.layers, names)
            .into_iter()
            .map(|(name, ())| name)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{BatchNorm1d, Dense, Relu};
    use rand::{SeedableRng, rngs::StdRng};

    #[test]
    fn nested_names_and_state() {
        let mut rng = StdRng::seed_from_u64(0);
        let block = Sequential::new()
            .push(Dense::<f32>::new(2, 2, &mut rng))
            .push(BatchNorm1d::new(2));
        let model = Sequential::new().push(Relu).push(block);
        let names = |list: Vec<(String, Variable<f32>)>| {
            list.into_iter().map(|(n, _)| n).collect::<Vec<_>>()
        };
        assert_eq!(
            names(model.variables()),
            ["1.0.weight", "1.0.bias", "1.1.weight", "1.1.bias"]
        );
        assert_eq!(
            names(model.state()),
            [
                "1.0.weight",
                "1.0.bias",
                "1.1.weight",
                "1.1.bias",
                "1.1.running_mean",
                "1.1.running_var"
            ]
        );
    }
}
