//! `Sequential`: layers applied one after another.

use crate::{MaxPool2d, Module, Relu};
use descent_autograd::{Float, Var, Variable};
use std::any::Any;

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
///
/// A [`Relu`] directly followed by a [`MaxPool2d`] runs as the pool, then the ReLU: the same
/// values and gradients, bit for bit (`max` commutes with a non-decreasing function, and both
/// orders send a window's gradient to its first maximum if that is positive or NaN), with the
/// ReLU and its backward on a quarter of the elements for a 2×2 pool. Neither has variables, so
/// the names of the others are unchanged.
pub struct Sequential<F: Float> {
    layers: Vec<Box<dyn Module<F>>>,
    /// Whether the last layer pushed is a [`Relu`] (a following [`MaxPool2d`] goes before it).
    ends_in_relu: bool,
}

impl<F: Float> Default for Sequential<F> {
    fn default() -> Self {
        Self::new()
    }
}

impl<F: Float> Sequential<F> {
    /// An empty sequence (its forward is the identity).
    pub fn new() -> Self {
        Sequential {
            layers: Vec::new(),
            ends_in_relu: false,
        }
    }

    /// The sequence with `layer` appended (a [`MaxPool2d`] after a [`Relu`] goes before it).
    pub fn push<L: Module<F> + 'static>(mut self, layer: L) -> Self {
        let kind: &dyn Any = &layer;
        let pool_after_relu = self.ends_in_relu && kind.is::<MaxPool2d>();
        // After the swap the ReLU is still last, and a second pool goes before it too.
        self.ends_in_relu = kind.is::<Relu>() || pool_after_relu;
        let position = self.layers.len() - usize::from(pool_after_relu);
        self.layers.insert(position, Box::new(layer));
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
    use crate::{BatchNorm1d, Conv2d, Dense};
    use descent_autograd::{Tape, Tensor};
    use rand::{SeedableRng, rngs::StdRng};

    /// `[values, input gradient]` of `forward` at `x`, the loss weighting each output by
    /// `1 + its index` (so each gradient is told apart).
    fn run(
        x: &Tensor<f64>,
        forward: impl for<'t> Fn(&Var<'t, f64>) -> Var<'t, f64>,
    ) -> [Vec<f64>; 2] {
        let tape = Tape::new();
        let input = tape.watch(x.clone());
        let y = forward(&input);
        let weights: Vec<f64> = (1..=y.value().len()).map(|i| i as f64).collect();
        let weights = tape.watch(Tensor::from_vec(weights, &y.shape()));
        let (loss, values) = (y.mul(&weights).sum(&[], false), y.value().to_vec());
        [values, tape.gradient(&loss, &[input]).remove(0).to_vec()]
    }

    #[test]
    fn a_relu_then_a_max_pool_is_bit_identical_to_the_two_ops_in_order() {
        // Negatives, zeros of both signs, ties, NaN, windows with no positive element.
        let mut rng = StdRng::seed_from_u64(1);
        let mut values = Tensor::<f64>::uniform(&[2, 3, 7, 8], -1.0, 1.0, &mut rng).to_vec();
        for (i, v) in values.iter_mut().enumerate() {
            match i % 11 {
                0 => *v = 0.0,
                1 => *v = -0.0,
                2 => *v = 0.5,
                3 if i % 7 == 0 => *v = f64::NAN,
                4 => *v = -(*v).abs(),
                _ => {}
            }
        }
        let x = Tensor::from_vec(values, &[2, 3, 7, 8]);
        for (kernel, stride) in [([2, 2], [2, 2]), ([3, 3], [2, 2]), ([2, 3], [1, 2])] {
            let model = Sequential::new()
                .push(Relu)
                .push(MaxPool2d::new(kernel).stride(stride));
            let fused = run(&x, |x| model.forward(x));
            let in_order = run(&x, |x| x.relu().max_pool2d(kernel, stride));
            for (fused, in_order) in fused.iter().zip(&in_order) {
                let bits = |v: &[f64]| v.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
                assert_eq!(
                    bits(fused),
                    bits(in_order),
                    "kernel {kernel:?}, stride {stride:?}"
                );
            }
        }
    }

    #[test]
    fn a_max_pool_after_a_relu_runs_first_and_names_stay() {
        // Anomaly detection names the first op to produce the input's NaN: the pool.
        let model = Sequential::new().push(Relu).push(MaxPool2d::new([2, 2]));
        let first = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let tape = Tape::new().with_anomaly_detection();
            let x = tape.watch(Tensor::from_vec(vec![f64::NAN; 4], &[1, 1, 2, 2]));
            model.forward(&x);
        }));
        let message = *first.expect_err("NaN").downcast::<String>().expect("text");
        assert!(message.contains("max_pool2d (node 1"), "{message}");

        let mut rng = StdRng::seed_from_u64(0);
        let model = Sequential::<f32>::new()
            .push(Conv2d::new(1, 2, [3, 3], &mut rng))
            .push(Relu)
            .push(MaxPool2d::new([2, 2]))
            .push(Conv2d::new(2, 2, [1, 1], &mut rng));
        let names: Vec<String> = model.variables().into_iter().map(|(n, _)| n).collect();
        assert_eq!(names, ["0.weight", "0.bias", "3.weight", "3.bias"]);
    }

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
