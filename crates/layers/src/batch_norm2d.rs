//! `BatchNorm2d`: normalises each channel of `[N, C, H, W]` over the batch and the positions.

use crate::Module;
use crate::normalize::normalize;
use descent_autograd::{Float, Tensor, Var, Variable};

/// The weight of a new batch in the running statistics (PyTorch's default).
const MOMENTUM: f64 = 0.1;

/// Batch normalisation of `[N, C, H, W]` inputs per channel, as PyTorch's
/// `nn.BatchNorm2d(channels)`: `y = (x − mean) / √(var + 1e-5) · weight + bias`, the statistics
/// taken over the `N·H·W` values of each channel.
///
/// In training, `mean` and `var` are the batch's (variance divided by `N·H·W`), and each forward
/// moves the running statistics with momentum 0.1 (the running variance takes the unbiased
/// batch variance, divided by `N·H·W − 1`); in evaluation the running statistics are used, as
/// constants. Weight and bias are [`Module::variables`]; the running statistics are
/// non-trainable state, listed by [`Module::state`] so checkpoints keep them.
///
/// ```
/// use descent_autograd::{Tape, Tensor};
/// use descent_layers::{BatchNorm2d, Module};
///
/// let mut norm = BatchNorm2d::new(2);
/// let tape = Tape::new();
/// // channel 0 holds 1 and 3, channel 1 holds 10 and 10
/// let x = tape.watch(Tensor::from_vec(vec![1.0f64, 3.0, 10.0, 10.0], &[1, 2, 1, 2]));
/// let y = norm.forward(&x).value().to_vec();
/// assert!((y[0] + 1.0).abs() < 1e-5 && (y[1] - 1.0).abs() < 1e-5 && y[2] == 0.0);
/// assert_eq!(norm.running_mean().value().to_vec(), vec![0.2, 1.0]);
///
/// norm.set_training(false);
/// let y = norm.forward(&x).value().to_vec();
/// assert!((y[0] - (1.0 - 0.2) / (0.9f64 + 0.1 * 2.0 + 1e-5).sqrt()).abs() < 1e-12);
/// ```
#[derive(Debug)]
pub struct BatchNorm2d<F: Float> {
    weight: Variable<F>,
    bias: Variable<F>,
    running_mean: Variable<F>,
    running_var: Variable<F>,
    training: bool,
}

impl<F: Float> BatchNorm2d<F> {
    /// Batch normalisation of `channels` channels: weight 1, bias 0, running mean 0, running
    /// variance 1; in training mode.
    pub fn new(channels: usize) -> Self {
        let (zeros, ones) = (Tensor::zeros(&[channels]), Tensor::ones(&[channels]));
        BatchNorm2d {
            weight: Variable::named("weight", ones.clone()),
            bias: Variable::named("bias", zeros.clone()),
            running_mean: Variable::named("running_mean", zeros),
            running_var: Variable::named("running_var", ones),
            training: true,
        }
    }

    /// The per-channel scale `γ` ("weight"), `[C]`.
    pub fn weight(&self) -> &Variable<F> {
        &self.weight
    }

    /// The per-channel shift `β` ("bias"), `[C]`.
    pub fn bias(&self) -> &Variable<F> {
        &self.bias
    }

    /// The running mean, `[C]`.
    pub fn running_mean(&self) -> &Variable<F> {
        &self.running_mean
    }

    /// The running (unbiased) variance, `[C]`.
    pub fn running_var(&self) -> &Variable<F> {
        &self.running_var
    }

    /// Moves the running statistics towards a batch's mean and unbiased variance.
    fn track(&self, mean: &Tensor<F>, unbiased_var: &Tensor<F>) {
        let m = F::cast(MOMENTUM);
        for (running, batch) in [
            (&self.running_mean, mean),
            (&self.running_var, unbiased_var),
        ] {
            running.update(|mut r| {
                r.zip_mut_with(&batch.view(), |r, &b| *r = (F::one() - m) * *r + m * b)
            });
        }
    }
}

impl<F: Float> Module<F> for BatchNorm2d<F> {
    /// # Panics
    /// When `x` is not `[N, C, H, W]` with the layer's C, or in training with one value per
    /// channel (its variance is undefined).
    #[track_caller]
    fn forward<'t>(&self, x: &Var<'t, F>) -> Var<'t, F> {
        let shape = x.shape();
        let channels = self.weight.shape()[0];
        if shape.len() != 4 || shape[1] != channels {
            panic!(
                "BatchNorm2d: input must be [N, {channels}, H, W], not {:?}",
                shape.as_slice()
            );
        }
        let tape = x.tape();
        let per_channel = |v: Var<'t, F>| v.reshape(&[1, channels, 1, 1]);
        let weight = per_channel(tape.read(&self.weight));
        let bias = per_channel(tape.read(&self.bias));
        if !self.training {
            let mean = per_channel(tape.watch(self.running_mean.value()));
            let var = per_channel(tape.watch(self.running_var.value()));
            return normalize(x, &mean, &var, &weight, &bias);
        }
        let count = shape[0] * shape[2] * shape[3];
        if count < 2 {
            panic!(
                "BatchNorm2d: a training batch needs more than one value per channel, got {shape:?}"
            );
        }
        let (mean, var) = (x.mean(&[0, 2, 3], true), x.variance(&[0, 2, 3], true));
        let unbiased = F::cast(count as f64 / (count - 1) as f64);
        self.track(
            &mean.value().reshape(&[channels]),
            &var.value().reshape(&[channels]).mul_scalar(unbiased),
        );
        normalize(x, &mean, &var, &weight, &bias)
    }

    fn variables(&self) -> Vec<(String, Variable<F>)> {
        vec![
            ("weight".into(), self.weight.clone()),
            ("bias".into(), self.bias.clone()),
        ]
    }

    fn state(&self) -> Vec<(String, Variable<F>)> {
        let mut state = self.variables();
        state.push(("running_mean".into(), self.running_mean.clone()));
        state.push(("running_var".into(), self.running_var.clone()));
        state
    }

    fn set_training(&mut self, training: bool) {
        self.training = training;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use descent_autograd::Tape;

    #[test]
    fn training_output_is_standardised_per_channel() {
        let norm = BatchNorm2d::new(3);
        let tape = Tape::new();
        let values = (0..2 * 3 * 2 * 2).map(|i| f64::from(i * i % 7)).collect();
        let y = norm.forward(&tape.watch(Tensor::from_vec(values, &[2, 3, 2, 2])));
        let mean = y.mean(&[0, 2, 3], false).value().to_vec();
        let var = y.variance(&[0, 2, 3], false).value().to_vec();
        assert!(mean.iter().all(|m| m.abs() < 1e-12));
        assert!(var.iter().all(|v| (v - 1.0).abs() < 1e-4));
    }

    #[test]
    fn checkpoints_keep_the_running_statistics() {
        let norm = BatchNorm2d::new(2);
        let tape = Tape::new();
        norm.forward(&tape.watch(Tensor::from_vec(vec![1.0f32, 3.0, 5.0, 9.0], &[1, 2, 2, 1])));
        let path =
            std::env::temp_dir().join(format!("descent-bn2d-{}.safetensors", std::process::id()));
        crate::checkpoint::save_module(&path, &norm).expect("saved");
        let restored = BatchNorm2d::new(2);
        crate::checkpoint::load_module(&path, &restored).expect("loaded");
        std::fs::remove_file(&path).expect("removed");
        let mean: Vec<f32> = restored.running_mean().value().to_vec();
        assert!((mean[0] - 0.2).abs() < 1e-6 && (mean[1] - 0.7).abs() < 1e-6);
        assert_eq!(restored.running_mean().value(), norm.running_mean().value());
        assert_eq!(restored.running_var().value(), norm.running_var().value());
    }

    #[test]
    #[should_panic(expected = "BatchNorm2d: input must be [N, 3, H, W], not [4, 2, 5, 5]")]
    fn wrong_channels_panic() {
        let tape = Tape::new();
        BatchNorm2d::new(3).forward(&tape.watch(Tensor::<f32>::zeros(&[4, 2, 5, 5])));
    }
}
