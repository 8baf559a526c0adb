//! `LayerNorm`: normalises each example over its last axis.

use crate::Module;
use crate::normalize::normalize;
use descent_autograd::{Float, Tensor, Var, Variable};

/// Layer normalisation (Ba et al., 2016) over the last axis, as PyTorch's
/// `nn.LayerNorm(features)`: `y = (x − mean) / √(var + 1e-5) · weight + bias`, with the mean and
/// (biased) variance of each row. It behaves the same in training and evaluation.
///
/// ```
/// use descent_autograd::{Tape, Tensor};
/// use descent_layers::{LayerNorm, Module};
///
/// let norm = LayerNorm::new(2);
/// let tape = Tape::new();
/// let y = norm.forward(&tape.watch(Tensor::from_vec(vec![1.0f64, 3.0, 10.0, 30.0], &[2, 2])));
/// let y = y.value().to_vec();
/// assert!((y[0] + 1.0).abs() < 1e-5 && (y[3] - 1.0).abs() < 1e-6);
/// ```
#[derive(Debug)]
pub struct LayerNorm<F: Float> {
    weight: Variable<F>,
    bias: Variable<F>,
}

impl<F: Float> LayerNorm<F> {
    /// Layer normalisation of a last axis of `features`: weight 1, bias 0.
    pub fn new(features: usize) -> Self {
        LayerNorm {
            weight: Variable::named("weight", Tensor::ones(&[features])),
            bias: Variable::named("bias", Tensor::zeros(&[features])),
        }
    }

    /// The per-feature scale ("weight"), `[features]`.
    pub fn weight(&self) -> &Variable<F> {
        &self.weight
    }

    /// The per-feature shift ("bias"), `[features]`.
    pub fn bias(&self) -> &Variable<F> {
        &self.bias
    }
}

impl<F: Float> Module<F> for LayerNorm<F> {
    /// # Panics
    /// When the last axis of `x` is not the layer's number of features.
    #[track_caller]
    fn forward<'t>(&self, x: &Var<'t, F>) -> Var<'t, F> {
        let shape = x.shape();
        let features = self.weight.shape()[0];
        if shape.last() != Some(&features) {
            panic!(
                "LayerNorm: input must end in {features} features, not {:?}",
                shape.as_slice()
            );
        }
        let last = shape.len() - 1;
        let (mean, var) = (x.mean(&[last], true), x.variance(&[last], true));
        let tape = x.tape();
        normalize(
            x,
            &mean,
            &var,
            &tape.read(&self.weight),
            &tape.read(&self.bias),
        )
    }

    fn variables(&self) -> Vec<(String, Variable<F>)> {
        vec![
            ("weight".into(), self.weight.clone()),
            ("bias".into(), self.bias.clone()),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use descent_autograd::Tape;

    #[test]
    fn normalises_rows_of_a_3d_input() {
        let norm = LayerNorm::new(4);
        norm.weight().assign(Tensor::full(&[4], 2.0));
        norm.bias().assign(Tensor::full(&[4], 1.0));
        let tape = Tape::new();
        let x = tape.watch(Tensor::<f64>::arange(0.0, 24.0, 1.0).reshape(&[2, 3, 4]));
        let y = norm.forward(&x);
        // each row is k + [0, 1, 2, 3]: mean k + 1.5, variance 1.25
        let expected: Vec<f64> = [-1.5, -0.5, 0.5, 1.5]
            .iter()
            .map(|d| 2.0 * d / (1.25f64 + 1e-5).sqrt() + 1.0)
            .collect();
        for row in y.value().to_vec().chunks(4) {
            row.iter()
                .zip(&expected)
                .for_each(|(a, b)| assert!((a - b).abs() < 1e-12));
        }
    }

    #[test]
    #[should_panic(expected = "LayerNorm: input must end in 4 features, not [2, 3]")]
    fn wrong_width_panics() {
        let tape = Tape::new();
        LayerNorm::new(4).forward(&tape.watch(Tensor::<f32>::zeros(&[2, 3])));
    }
}
