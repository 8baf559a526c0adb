//! `Dense`: the fully connected layer `y = x · W + b`.

use crate::{Init, Module};
use descent_autograd::{Float, Tensor, Var, Variable};
use rand::Rng;

/// A fully connected layer: `y = x · W + b` with `W` of shape `[inputs, outputs]` and an
/// optional bias `b` of shape `[outputs]`. The input is `[batch, inputs]` (or any `[.., inputs]`).
///
/// [`Dense::new`] initialises as PyTorch's `nn.Linear` does: weight and bias both from
/// U(−1/√inputs, 1/√inputs) (what `kaiming_uniform_(a=√5)` works out to). It is a safe default
/// for any activation; for deep ReLU stacks [`Init::HeNormal`] through [`Dense::from_tensors`]
/// keeps the activations' scale better.
///
/// ```
/// use descent_autograd::{Tape, Tensor};
/// use descent_layers::{Dense, Module};
/// use rand::{SeedableRng, rngs::StdRng};
///
/// let layer = Dense::<f32>::new(3, 2, &mut StdRng::seed_from_u64(0));
/// let tape = Tape::new();
/// let y = layer.forward(&tape.watch(Tensor::ones(&[4, 3])));
/// assert_eq!(y.shape().as_slice(), &[4, 2]);
/// let names: Vec<String> = layer.variables().into_iter().map(|(name, _)| name).collect();
/// assert_eq!(names, ["weight", "bias"]);
/// ```
#[derive(Debug)]
pub struct Dense<F: Float> {
    weight: Variable<F>,
    bias: Option<Variable<F>>,
}

impl<F: Float> Dense<F> {
    /// A layer from `inputs` to `outputs` features with a bias, drawn from `rng` as
    /// PyTorch's `nn.Linear`: U(−1/√inputs, 1/√inputs) for weight and bias.
    ///
    /// ```
    /// use descent_layers::Dense;
    /// use rand::{SeedableRng, rngs::StdRng};
    /// let layer = Dense::<f64>::new(4, 3, &mut StdRng::seed_from_u64(0));
    /// assert_eq!(layer.weight().shape().as_slice(), &[4, 3]);
    /// assert!(layer.weight().value().to_vec().iter().all(|w| w.abs() <= 0.5));
    /// ```
    pub fn new<R: Rng + ?Sized>(inputs: usize, outputs: usize, rng: &mut R) -> Self {
        let bound = 1.0 / (inputs as f64).sqrt();
        let init = Init::Uniform {
            low: -bound,
            high: bound,
        };
        let weight = init.sample(&[inputs, outputs], rng);
        let bias = init.sample(&[outputs], rng);
        Self::from_tensors(weight, Some(bias))
    }

    /// A layer holding the given weight `[inputs, outputs]` and bias `[outputs]` (or none).
    ///
    /// ```
    /// use descent_autograd::{Tape, Tensor};
    /// use descent_layers::{Dense, Init, Module};
    /// use rand::{SeedableRng, rngs::StdRng};
    ///
    /// let he = Init::HeNormal.sample(&[8, 4], &mut StdRng::seed_from_u64(0));
    /// let layer = Dense::<f32>::from_tensors(he, None);
    /// assert_eq!(layer.variables().len(), 1);
    ///
    /// let identity = Dense::from_tensors(Tensor::from_vec(vec![1.0, 0.0, 0.0, 1.0], &[2, 2]),
    ///                                    Some(Tensor::from_vec(vec![0.5, -0.5], &[2])));
    /// let tape = Tape::new();
    /// let y = identity.forward(&tape.watch(Tensor::from_vec(vec![1.0f64, 2.0], &[1, 2])));
    /// assert_eq!(y.value().to_vec(), vec![1.5, 1.5]);
    /// ```
    ///
    /// # Panics
    /// When the weight is not 2-D or the bias is not `[outputs]`.
    #[track_caller]
    pub fn from_tensors(weight: Tensor<F>, bias: Option<Tensor<F>>) -> Self {
        let [_, outputs] = weight.shape() else {
            panic!(
                "Dense: weight must be [inputs, outputs], not {:?}",
                weight.shape()
            );
        };
        if let Some(b) = bias.as_ref().filter(|b| b.shape() != [*outputs]) {
            panic!(
                "Dense: bias must be [{outputs}] for weight {:?}, not {:?}",
                weight.shape(),
                b.shape()
            );
        }
        Dense {
            weight: Variable::named("weight", weight),
            bias: bias.map(|b| Variable::named("bias", b)),
        }
    }

    /// The weight, `[inputs, outputs]`.
    pub fn weight(&self) -> &Variable<F> {
        &self.weight
    }

    /// The bias, `[outputs]`, if the layer has one.
    pub fn bias(&self) -> Option<&Variable<F>> {
        self.bias.as_ref()
    }
}

/// The layer's computation, in one place so that a fused primitive can replace it.
/// The fused `linear` op for a batch of rows with a bias; a plain product otherwise (e.g. for
/// inputs with more than two axes, where the bias broadcasts).
fn linear<'t, F: Float>(
    x: &Var<'t, F>,
    weight: &Var<'t, F>,
    bias: Option<&Var<'t, F>>,
) -> Var<'t, F> {
    match bias {
        Some(b) if x.shape().len() == 2 => x.linear(weight, b),
        Some(b) => x.matmul(weight).add(b),
        None => x.matmul(weight),
    }
}

impl<F: Float> Module<F> for Dense<F> {
    /// `x · W + b`.
    ///
    /// # Panics
    /// When the last axis of `x` is not the layer's number of inputs.
    #[track_caller]
    fn forward<'t>(&self, x: &Var<'t, F>) -> Var<'t, F> {
        let tape = x.tape();
        let bias = self.bias.as_ref().map(|b| tape.read(b));
        linear(x, &tape.read(&self.weight), bias.as_ref())
    }

    fn variables(&self) -> Vec<(String, Variable<F>)> {
        let weight = ("weight".to_string(), self.weight.clone());
        let bias = self.bias.iter().map(|b| ("bias".to_string(), b.clone()));
        std::iter::once(weight).chain(bias).collect()
    }

    /// `["weight"]`: `nn.Linear` stores it `[outputs, inputs]`.
    fn torch_transposed(&self) -> Vec<String> {
        vec!["weight".to_string()]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use descent_autograd::Tape;
    use rand::{SeedableRng, rngs::StdRng};

    #[test]
    fn computes_x_w_plus_b() {
        // [1 2] · [[1 2 3] [4 5 6]] + [10 20 30] = [19 32 45]
        let w = Tensor::from_vec(vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0], &[2, 3]);
        let layer = Dense::from_tensors(w, Some(Tensor::from_vec(vec![10.0, 20.0, 30.0], &[3])));
        let tape = Tape::new();
        let y = layer.forward(&tape.watch(Tensor::from_vec(vec![1.0f64, 2.0], &[1, 2])));
        assert_eq!(y.value().to_vec(), vec![19.0, 32.0, 45.0]);
    }

    #[test]
    fn default_init_is_pytorch_bound() {
        let layer = Dense::<f64>::new(100, 50, &mut StdRng::seed_from_u64(0));
        let bias = layer.bias().expect("bias").value().to_vec();
        let weight = layer.weight().value().to_vec();
        assert!(weight.iter().chain(&bias).all(|x| x.abs() <= 0.1));
        assert!(weight.iter().any(|x| x.abs() > 0.09), "spans the interval");
    }

    #[test]
    #[should_panic(expected = "Dense: bias must be [3] for weight [2, 3], not [2]")]
    fn wrong_bias_panics() {
        Dense::from_tensors(Tensor::<f32>::zeros(&[2, 3]), Some(Tensor::zeros(&[2])));
    }
}
