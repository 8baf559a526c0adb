//! Initialisers: how a layer's first values are drawn from the caller's seeded RNG.
//!
//! An [`Init`] is a value (a choice), sampled into a tensor of any shape with
//! [`Init::sample`]. The scaled schemes read fan-in and fan-out from the shape with [`fans`],
//! for descent's `[inputs, outputs]` weight layout.

use descent_autograd::{Float, Tensor};
use rand::Rng;

/// A way to fill a new tensor.
///
/// ```
/// use descent_layers::Init;
/// use rand::{SeedableRng, rngs::StdRng};
/// let mut rng = StdRng::seed_from_u64(0);
/// let w = Init::XavierUniform.sample::<f64, _>(&[300, 100], &mut rng);
/// let bound = (6.0f64 / 400.0).sqrt();
/// assert!(w.to_vec().iter().all(|x| x.abs() <= bound));
/// assert_eq!(Init::Constant(0.5).sample::<f32, _>(&[2], &mut rng).to_vec(), vec![0.5, 0.5]);
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Init {
    /// Every element 0.
    Zeros,
    /// Every element the given value.
    Constant(f64),
    /// U(low, high).
    Uniform {
        /// The lower bound (included).
        low: f64,
        /// The upper bound (excluded).
        high: f64,
    },
    /// N(mean, std²).
    Normal {
        /// The mean.
        mean: f64,
        /// The standard deviation.
        std: f64,
    },
    /// Glorot & Bengio (2010): U(−a, a) with `a = √(6 / (fan_in + fan_out))`.
    XavierUniform,
    /// Glorot & Bengio (2010): N(0, 2 / (fan_in + fan_out)).
    XavierNormal,
    /// He et al. (2015), for ReLU layers: U(−a, a) with `a = √(6 / fan_in)`.
    HeUniform,
    /// He et al. (2015), for ReLU layers: N(0, 2 / fan_in).
    HeNormal,
}

impl Init {
    /// A tensor of `shape` drawn by this scheme from `rng`.
    ///
    /// ```
    /// use descent_layers::Init;
    /// use rand::{SeedableRng, rngs::StdRng};
    /// let w = Init::HeNormal.sample::<f64, _>(&[1000, 200], &mut StdRng::seed_from_u64(1));
    /// let var = w.to_vec().iter().map(|x| x * x).sum::<f64>() / w.len() as f64;
    /// assert!((var - 2.0 / 1000.0).abs() < 1e-4); // 2 / fan_in
    /// ```
    pub fn sample<F: Float, R: Rng + ?Sized>(&self, shape: &[usize], rng: &mut R) -> Tensor<F> {
        self.sample_with_fans(shape, fans(shape), rng)
    }

    /// A tensor of `shape` drawn by this scheme with the given `(fan_in, fan_out)`, for layouts
    /// [`fans`] does not read, such as a convolution's `[O, C, kh, kw]` ([`conv_fans`]).
    ///
    /// ```
    /// use descent_layers::{Init, init::conv_fans};
    /// use rand::{SeedableRng, rngs::StdRng};
    /// let shape = [16, 1, 5, 5];
    /// let w = Init::HeUniform.sample_with_fans::<f64, _>(&shape, conv_fans(&shape), &mut StdRng::seed_from_u64(0));
    /// let bound = (6.0f64 / 25.0).sqrt(); // fan-in C·kh·kw = 25
    /// assert!(w.to_vec().iter().all(|x| x.abs() <= bound));
    /// assert!(w.to_vec().iter().any(|x| x.abs() > 0.9 * bound));
    /// ```
    pub fn sample_with_fans<F: Float, R: Rng + ?Sized>(
        &self,
        shape: &[usize],
        (fan_in, fan_out): (usize, usize),
        rng: &mut R,
    ) -> Tensor<F> {
        let (fan_in, fan_sum) = (fan_in as f64, (fan_in + fan_out) as f64);
        let uniform = |a: f64, rng: &mut R| Tensor::uniform(shape, F::cast(-a), F::cast(a), rng);
        let normal = |std: f64, rng: &mut R| Tensor::normal(shape, F::zero(), F::cast(std), rng);
        match *self {
            Init::Zeros => Tensor::zeros(shape),
            Init::Constant(value) => Tensor::full(shape, F::cast(value)),
            Init::Uniform { low, high } => Tensor::uniform(shape, F::cast(low), F::cast(high), rng),
            Init::Normal { mean, std } => Tensor::normal(shape, F::cast(mean), F::cast(std), rng),
            Init::XavierUniform => uniform((6.0 / fan_sum).sqrt(), rng),
            Init::XavierNormal => normal((2.0 / fan_sum).sqrt(), rng),
            Init::HeUniform => uniform((6.0 / fan_in).sqrt(), rng),
            Init::HeNormal => normal((2.0 / fan_in).sqrt(), rng),
        }
    }
}

/// The fan-in and fan-out of a weight of this shape.
///
/// descent stores a dense weight as `[inputs, outputs]`, so for 2-D shapes the fan-in is the
/// first dimension and the fan-out the second (PyTorch's `[out, in]` is the other way round).
/// Higher-rank shapes are read as `[..receptive field, inputs, outputs]` (Keras' convolution
/// kernels): both fans are multiplied by the receptive field's size. A 1-D shape `[n]` has
/// both fans `n`, a scalar both 1.
///
/// ```
/// use descent_layers::init::fans;
/// assert_eq!(fans(&[784, 128]), (784, 128));
/// assert_eq!(fans(&[3, 3, 16, 32]), (144, 288));
/// assert_eq!(fans(&[10]), (10, 10));
/// ```
pub fn fans(shape: &[usize]) -> (usize, usize) {
    match shape {
        [] => (1, 1),
        [n] => (*n, *n),
        [receptive @ .., inputs, outputs] => {
            let field: usize = receptive.iter().product();
            (inputs * field, outputs * field)
        }
    }
}

/// The fan-in and fan-out of a convolution weight in PyTorch's layout `[O, C, k..]`
/// (`[O, C, kh, kw]` for 2-D, `[O, C, k]` for 1-D): `C · field` and `O · field`, where the
/// field is the product of the kernel sizes.
///
/// ```
/// use descent_layers::init::conv_fans;
/// assert_eq!(conv_fans(&[32, 16, 5, 5]), (400, 800));
/// assert_eq!(conv_fans(&[8, 3, 7]), (21, 56));
/// ```
///
/// # Panics
/// When the shape has fewer than 3 axes.
#[track_caller]
pub fn conv_fans(shape: &[usize]) -> (usize, usize) {
    match shape {
        [outputs, inputs, kernel @ ..] if !kernel.is_empty() => {
            let field: usize = kernel.iter().product();
            (inputs * field, outputs * field)
        }
        _ => panic!("conv_fans: a convolution weight is [O, C, k..], not {shape:?}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{SeedableRng, rngs::StdRng};

    fn std_of(t: &Tensor<f64>) -> f64 {
        let v = t.to_vec();
        let mean = v.iter().sum::<f64>() / v.len() as f64;
        (v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / v.len() as f64).sqrt()
    }

    #[test]
    fn scaled_schemes_have_their_variance() {
        let mut rng = StdRng::seed_from_u64(3);
        let shape = [400, 600];
        let cases = [
            (Init::XavierUniform, (2.0f64 / 1000.0).sqrt()),
            (Init::XavierNormal, (2.0f64 / 1000.0).sqrt()),
            (Init::HeUniform, (2.0f64 / 400.0).sqrt()),
            (Init::HeNormal, (2.0f64 / 400.0).sqrt()),
            (
                Init::Normal {
                    mean: 1.0,
                    std: 0.1,
                },
                0.1,
            ),
            (
                Init::Uniform {
                    low: 0.0,
                    high: 1.0,
                },
                (1.0f64 / 12.0).sqrt(),
            ),
        ];
        for (init, expected) in cases {
            let std = std_of(&init.sample(&shape, &mut rng));
            assert!(
                (std / expected - 1.0).abs() < 0.01,
                "{init:?}: std {std}, expected {expected}"
            );
        }
    }

    #[test]
    fn same_seed_same_values() {
        let draw = || Init::HeUniform.sample::<f32, _>(&[3, 4], &mut StdRng::seed_from_u64(9));
        assert_eq!(draw(), draw());
        assert_eq!(
            Init::Zeros
                .sample::<f32, _>(&[2, 2], &mut StdRng::seed_from_u64(0))
                .to_vec(),
            vec![0.0; 4]
        );
    }
}
