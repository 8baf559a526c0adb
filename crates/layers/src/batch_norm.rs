//! `BatchNorm1d`: normalises each feature over the batch.

use crate::Module;
use crate::normalize::normalize;
use descent_autograd::{Float, Tensor, Var, Variable};

/// The weight of a new batch in the running statistics (PyTorch's default).
const MOMENTUM: f64 = 0.1;

/// Batch normalisation (Ioffe & Szegedy, 2015) of `[batch, features]` inputs, as PyTorch's
/// `nn.BatchNorm1d(features)`: `y = (x − mean) / √(var + 1e-5) · weight + bias`.
///
/// In training, `mean` and `var` are the batch's own (variance divided by n), and each forward
/// updates the running statistics with momentum 0.1:
/// `running = 0.9 · running + 0.1 · batch`, where the running variance takes the unbiased batch
/// variance (divided by n − 1). In evaluation the running statistics are used instead, as
/// constants. The running statistics are non-trainable variables, listed by
/// [`Module::state`] (so checkpoints keep them) but not by [`Module::variables`].
///
/// ```
/// use descent_autograd::{Tape, Tensor};
/// use descent_layers::{BatchNorm1d, Module};
///
/// let mut norm = BatchNorm1d::new(1);
/// let tape = Tape::new();
/// let x = tape.watch(Tensor::from_vec(vec![1.0f64, 3.0], &[2, 1]));
/// let y = norm.forward(&x).value().to_vec();
/// assert!((y[0] + 1.0).abs() < 1e-5 && (y[1] - 1.0).abs() < 1e-5); // mean 2, variance 1
/// assert_eq!(norm.running_mean().value().to_vec(), vec![0.2]);        // 0.9·0 + 0.1·2
/// assert_eq!(norm.running_var().value().to_vec(), vec![0.9 + 0.1 * 2.0]); // unbiased var 2
///
/// norm.set_training(false);
/// let y = norm.forward(&x).value().to_vec();
/// assert!((y[0] - (1.0 - 0.2) / (1.1f64 + 1e-5).sqrt()).abs() < 1e-12);
/// ```
#[derive(Debug)]
pub struct BatchNorm1d<F: Float> {
    weight: Variable<F>,
    bias: Variable<F>,
    running_mean: Variable<F>,
    running_var: Variable<F>,
    training: bool,
}

impl<F: Float> BatchNorm1d<F> {
    /// Batch normalisation of `features` features: weight 1, bias 0, running mean 0, running
    /// variance 1; in training mode.
    pub fn new(features: usize) -> Self {
        let (zeros, ones) = (Tensor::zeros(&[features]), Tensor::ones(&[features]));
        BatchNorm1d {
            weight: Variable::named("weight", ones.clone()),
            bias: Variable::named("bias", zeros.clone()),
            running_mean: Variable::named("running_mean", zeros),
            running_var: Variable::named("running_var", ones),
            training: true,
        }
    }

    /// The per-feature scale `γ` ("weight"), `[features]`.
    pub fn weight(&self) -> &Variable<F> {
        &self.weight
    }

    /// The per-feature shift `β` ("bias"), `[features]`.
    pub fn bias(&self) -> &Variable<F> {
        &self.bias
    }

    /// The running mean, `[features]`.
    pub fn running_mean(&self) -> &Variable<F> {
        &self.running_mean
    }

    /// The running (unbiased) variance, `[features]`.
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

impl<F: Float> Module<F> for BatchNorm1d<F> {
    /// # Panics
    /// When `x` is not `[batch, features]`, or in training with a batch of one (its variance
    /// is undefined).
    #[track_caller]
    fn forward<'t>(&self, x: &Var<'t, F>) -> Var<'t, F> {
        let shape = x.shape();
        let features = self.weight.shape()[0];
        if shape.len() != 2 || shape[1] != features {
            panic!(
                "BatchNorm1d: input must be [batch, {features}], not {:?}",
                shape.as_slice()
            );
        }
        let tape = x.tape();
        let (weight, bias) = (tape.read(&self.weight), tape.read(&self.bias));
        if !self.training {
            let mean = tape.watch(self.running_mean.value());
            let var = tape.watch(self.running_var.value());
            return normalize(x, &mean, &var, &weight, &bias);
        }
        let n = shape[0];
        if n < 2 {
            panic!(
                "BatchNorm1d: a training batch needs more than one row per feature, got [1, {features}]"
            );
        }
        let (mean, var) = (x.mean(&[0], false), x.variance(&[0], false));
        self.track(
            &mean.value(),
            &var.value().mul_scalar(F::cast(n as f64 / (n - 1) as f64)),
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
    fn training_output_is_standardised_per_feature() {
        let norm = BatchNorm1d::new(2);
        let tape = Tape::new();
        let x = tape.watch(Tensor::from_vec(
            vec![1.0f64, 10.0, 2.0, 20.0, 6.0, 60.0],
            &[3, 2],
        ));
        let y = norm.forward(&x);
        let mean = y.mean(&[0], false).value().to_vec();
        let var = y.variance(&[0], false).value().to_vec();
        assert!(mean.iter().all(|m| m.abs() < 1e-12));
        assert!(var.iter().all(|v| (v - 1.0).abs() < 1e-4));
        // running mean: 0.1 · [3, 30]; running var: 0.9 + 0.1 · [7, 700] (unbiased)
        let rm = norm.running_mean().value().to_vec();
        let rv = norm.running_var().value().to_vec();
        assert!((rm[0] - 0.3).abs() < 1e-12 && (rm[1] - 3.0).abs() < 1e-12);
        assert!((rv[0] - 1.6).abs() < 1e-12 && (rv[1] - 70.9).abs() < 1e-12);
    }

    #[test]
    #[should_panic(expected = "BatchNorm1d: input must be [batch, 3], not [4, 2]")]
    fn wrong_width_panics() {
        let tape = Tape::new();
        BatchNorm1d::new(3).forward(&tape.watch(Tensor::<f32>::zeros(&[4, 2])));
    }

    #[test]
    #[should_panic(expected = "more than one row")]
    fn batch_of_one_panics_in_training() {
        let tape = Tape::new();
        BatchNorm1d::new(2).forward(&tape.watch(Tensor::<f32>::zeros(&[1, 2])));
    }
}
