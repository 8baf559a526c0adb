//! `Conv2d` and `Conv1d`: convolution layers with PyTorch's layout, names and default init.

use crate::init::conv_fans;
use crate::{Init, Module};
use descent_autograd::{Float, Tensor, Var, Variable};
use rand::Rng;

/// A 2-D convolution layer on `[N, C, H, W]` batches, as PyTorch's `nn.Conv2d`: weight
/// `[O, C, kh, kw]` ("weight"), optional bias `[O]` ("bias"), stride, zero padding and
/// dilation per spatial axis (`[height, width]`). See [`Var::conv2d`] for the output size.
///
/// [`Conv2d::new`] initialises as PyTorch does: weight and bias from U(−1/√fan_in, 1/√fan_in)
/// with fan-in `C·kh·kw`; [`Conv2d::with_init`] takes any [`Init`], whose scaled schemes
/// (He, Xavier) use the same convolution fans.
///
/// ```
/// use descent_autograd::{Tape, Tensor};
/// use descent_layers::{Conv2d, Module};
/// use rand::{SeedableRng, rngs::StdRng};
///
/// let conv = Conv2d::<f32>::new(1, 16, [5, 5], &mut StdRng::seed_from_u64(0));
/// let tape = Tape::new();
/// let y = conv.forward(&tape.watch(Tensor::zeros(&[64, 1, 28, 28])));
/// assert_eq!(y.shape().as_slice(), &[64, 16, 24, 24]);
/// let same = Conv2d::<f32>::new(3, 8, [3, 3], &mut StdRng::seed_from_u64(0)).padding([1, 1]);
/// let y = same.forward(&tape.watch(Tensor::zeros(&[2, 3, 10, 10])));
/// assert_eq!(y.shape().as_slice(), &[2, 8, 10, 10]);
/// ```
#[derive(Debug)]
pub struct Conv2d<F: Float> {
    weight: Variable<F>,
    bias: Option<Variable<F>>,
    stride: [usize; 2],
    padding: [usize; 2],
    dilation: [usize; 2],
}

impl<F: Float> Conv2d<F> {
    /// `inputs` → `outputs` channels with a `kernel` (`[kh, kw]`) and a bias, stride 1, no
    /// padding, drawn from `rng` as PyTorch's `nn.Conv2d`: U(−1/√(C·kh·kw), 1/√(C·kh·kw)).
    pub fn new<R: Rng + ?Sized>(
        inputs: usize,
        outputs: usize,
        kernel: [usize; 2],
        rng: &mut R,
    ) -> Self {
        let bound = 1.0 / ((inputs * kernel[0] * kernel[1]) as f64).sqrt();
        let init = Init::Uniform {
            low: -bound,
            high: bound,
        };
        let shape = [outputs, inputs, kernel[0], kernel[1]];
        let weight = init.sample(&shape, rng);
        let bias = init.sample(&[outputs], rng);
        Self::from_tensors(weight, Some(bias))
    }

    /// As [`Conv2d::new`], the weight drawn by `init` with fan-in `C·kh·kw` and fan-out
    /// `O·kh·kw`, the bias zero.
    ///
    /// ```
    /// use descent_layers::{Conv2d, Init};
    /// use rand::{SeedableRng, rngs::StdRng};
    /// let conv = Conv2d::<f64>::with_init(16, 32, [5, 5], Init::HeUniform, &mut StdRng::seed_from_u64(0));
    /// let bound = (6.0f64 / 400.0).sqrt();
    /// assert!(conv.weight().value().to_vec().iter().all(|w| w.abs() <= bound));
    /// assert_eq!(conv.bias().unwrap().value().to_vec(), vec![0.0; 32]);
    /// ```
    pub fn with_init<R: Rng + ?Sized>(
        inputs: usize,
        outputs: usize,
        kernel: [usize; 2],
        init: Init,
        rng: &mut R,
    ) -> Self {
        let shape = [outputs, inputs, kernel[0], kernel[1]];
        let weight = init.sample_with_fans(&shape, conv_fans(&shape), rng);
        Self::from_tensors(weight, Some(Tensor::zeros(&[outputs])))
    }

    /// A layer holding `weight` `[O, C, kh, kw]` and `bias` `[O]` (or none), stride 1, no
    /// padding.
    ///
    /// # Panics
    /// When the weight is not 4-D or the bias is not `[O]`.
    #[track_caller]
    pub fn from_tensors(weight: Tensor<F>, bias: Option<Tensor<F>>) -> Self {
        let &[outputs, _, _, _] = weight.shape() else {
            panic!(
                "Conv2d: weight must be [O, C, kh, kw], not {:?}",
                weight.shape()
            );
        };
        if let Some(b) = bias.as_ref().filter(|b| b.shape() != [outputs]) {
            panic!(
                "Conv2d: bias must be [{outputs}] for weight {:?}, not {:?}",
                weight.shape(),
                b.shape()
            );
        }
        Conv2d {
            weight: Variable::named("weight", weight),
            bias: bias.map(|b| Variable::named("bias", b)),
            stride: [1, 1],
            padding: [0, 0],
            dilation: [1, 1],
        }
    }

    /// The layer with this stride `[sh, sw]`.
    pub fn stride(self, stride: [usize; 2]) -> Self {
        Conv2d { stride, ..self }
    }

    /// The layer with this zero padding `[ph, pw]` on each side.
    pub fn padding(self, padding: [usize; 2]) -> Self {
        Conv2d { padding, ..self }
    }

    /// The layer with this dilation `[dh, dw]`.
    pub fn dilation(self, dilation: [usize; 2]) -> Self {
        Conv2d { dilation, ..self }
    }

    /// The weight, `[O, C, kh, kw]`.
    pub fn weight(&self) -> &Variable<F> {
        &self.weight
    }

    /// The bias, `[O]`, if the layer has one.
    pub fn bias(&self) -> Option<&Variable<F>> {
        self.bias.as_ref()
    }
}

/// The variables of a convolution: "weight", then "bias" if there is one.
fn listed<F: Float>(
    weight: &Variable<F>,
    bias: Option<&Variable<F>>,
) -> Vec<(String, Variable<F>)> {
    let weight = ("weight".to_string(), weight.clone());
    let bias = bias.map(|b| ("bias".to_string(), b.clone()));
    std::iter::once(weight).chain(bias).collect()
}

impl<F: Float> Module<F> for Conv2d<F> {
    /// # Panics
    /// As [`Var::conv2d`]: an input that is not `[N, C, H, W]` with the layer's C, or smaller
    /// than the kernel.
    #[track_caller]
    fn forward<'t>(&self, x: &Var<'t, F>) -> Var<'t, F> {
        let tape = x.tape();
        let bias = self.bias.as_ref().map(|b| tape.read(b));
        let weight = tape.read(&self.weight);
        x.conv2d(
            &weight,
            bias.as_ref(),
            self.stride,
            self.padding,
            self.dilation,
        )
    }

    fn variables(&self) -> Vec<(String, Variable<F>)> {
        listed(&self.weight, self.bias.as_ref())
    }
}

/// A 1-D convolution layer on `[N, C, L]` batches, as PyTorch's `nn.Conv1d`: weight `[O, C, k]`,
/// optional bias `[O]`, stride, zero padding and dilation; initialised as [`Conv2d`] with
/// fan-in `C·k`.
///
/// ```
/// use descent_autograd::{Tape, Tensor};
/// use descent_layers::{Conv1d, Module};
/// use rand::{SeedableRng, rngs::StdRng};
///
/// let conv = Conv1d::<f64>::new(2, 4, 3, &mut StdRng::seed_from_u64(0)).stride(2).padding(1);
/// let tape = Tape::new();
/// let y = conv.forward(&tape.watch(Tensor::zeros(&[5, 2, 9])));
/// assert_eq!(y.shape().as_slice(), &[5, 4, 5]);
/// assert_eq!(conv.weight().shape().as_slice(), &[4, 2, 3]);
/// ```
#[derive(Debug)]
pub struct Conv1d<F: Float> {
    weight: Variable<F>,
    bias: Option<Variable<F>>,
    stride: usize,
    padding: usize,
    dilation: usize,
}

impl<F: Float> Conv1d<F> {
    /// `inputs` → `outputs` channels with a kernel of `kernel` taps and a bias, stride 1, no
    /// padding, drawn from `rng` as PyTorch's `nn.Conv1d`: U(−1/√(C·k), 1/√(C·k)).
    pub fn new<R: Rng + ?Sized>(inputs: usize, outputs: usize, kernel: usize, rng: &mut R) -> Self {
        let bound = 1.0 / ((inputs * kernel) as f64).sqrt();
        let init = Init::Uniform {
            low: -bound,
            high: bound,
        };
        let weight = init.sample(&[outputs, inputs, kernel], rng);
        let bias = init.sample(&[outputs], rng);
        Self::from_tensors(weight, Some(bias))
    }

    /// A layer holding `weight` `[O, C, k]` and `bias` `[O]` (or none), stride 1, no padding.
    ///
    /// # Panics
    /// When the weight is not 3-D or the bias is not `[O]`.
    #[track_caller]
    pub fn from_tensors(weight: Tensor<F>, bias: Option<Tensor<F>>) -> Self {
        let &[outputs, _, _] = weight.shape() else {
            panic!("Conv1d: weight must be [O, C, k], not {:?}", weight.shape());
        };
        if let Some(b) = bias.as_ref().filter(|b| b.shape() != [outputs]) {
            panic!(
                "Conv1d: bias must be [{outputs}] for weight {:?}, not {:?}",
                weight.shape(),
                b.shape()
            );
        }
        Conv1d {
            weight: Variable::named("weight", weight),
            bias: bias.map(|b| Variable::named("bias", b)),
            stride: 1,
            padding: 0,
            dilation: 1,
        }
    }

    /// The layer with this stride.
    pub fn stride(self, stride: usize) -> Self {
        Conv1d { stride, ..self }
    }

    /// The layer with this zero padding on each side.
    pub fn padding(self, padding: usize) -> Self {
        Conv1d { padding, ..self }
    }

    /// The layer with this dilation.
    pub fn dilation(self, dilation: usize) -> Self {
        Conv1d { dilation, ..self }
    }

    /// The weight, `[O, C, k]`.
    pub fn weight(&self) -> &Variable<F> {
        &self.weight
    }

    /// The bias, `[O]`, if the layer has one.
    pub fn bias(&self) -> Option<&Variable<F>> {
        self.bias.as_ref()
    }
}

impl<F: Float> Module<F> for Conv1d<F> {
    /// # Panics
    /// As [`Var::conv1d`].
    #[track_caller]
    fn forward<'t>(&self, x: &Var<'t, F>) -> Var<'t, F> {
        let tape = x.tape();
        let bias = self.bias.as_ref().map(|b| tape.read(b));
        let weight = tape.read(&self.weight);
        x.conv1d(
            &weight,
            bias.as_ref(),
            self.stride,
            self.padding,
            self.dilation,
        )
    }

    fn variables(&self) -> Vec<(String, Variable<F>)> {
        listed(&self.weight, self.bias.as_ref())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use descent_autograd::Tape;
    use rand::{SeedableRng, rngs::StdRng};

    #[test]
    fn default_init_is_pytorch_bound() {
        let conv = Conv2d::<f64>::new(16, 32, [5, 5], &mut StdRng::seed_from_u64(0));
        let weight = conv.weight().value().to_vec();
        assert!(weight.iter().all(|w| w.abs() <= 0.05)); // 1/√400
        assert!(weight.iter().any(|w| w.abs() > 0.049), "spans the interval");
        let names: Vec<String> = conv.variables().into_iter().map(|(n, _)| n).collect();
        assert_eq!(names, ["weight", "bias"]);
    }

    #[test]
    fn identity_kernel_copies_the_input() {
        let conv = Conv1d::from_tensors(Tensor::from_vec(vec![0.0, 1.0, 0.0], &[1, 1, 3]), None);
        let tape = Tape::new();
        let x = Tensor::from_vec(vec![1.0f32, 2.0, 3.0], &[1, 1, 3]);
        let y = conv.padding(1).forward(&tape.watch(x.clone()));
        assert_eq!(y.value(), x);
    }

    #[test]
    #[should_panic(expected = "Conv2d: bias must be [4] for weight [4, 1, 3, 3], not [3]")]
    fn wrong_bias_panics() {
        Conv2d::from_tensors(
            Tensor::<f32>::zeros(&[4, 1, 3, 3]),
            Some(Tensor::zeros(&[3])),
        );
    }

    #[test]
    #[should_panic(
        expected = "conv2d: input [2, 3, 8, 8] has 3 channels but weight [4, 1, 3, 3] expects 1"
    )]
    fn channel_mismatch_panics() {
        let conv = Conv2d::<f32>::new(1, 4, [3, 3], &mut StdRng::seed_from_u64(0));
        conv.forward(&Tape::new().watch(Tensor::zeros(&[2, 3, 8, 8])));
    }
}
