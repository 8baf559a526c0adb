//! `Dropout`: zeroes random units in training, scaling the rest.

use crate::Module;
use descent_autograd::{Float, Tensor, Var, Variable};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::marker::PhantomData;
use std::sync::Mutex;

/// Inverted dropout (Srivastava et al., 2014): in training, each unit is zeroed with
/// probability `p` and the kept ones are scaled by `1 / (1 − p)`, so the expected output equals
/// the input; in evaluation it is the identity.
///
/// The layer draws its masks from its own RNG, seeded once from the caller's, behind a `Mutex`
/// (so the module stays `Sync`): the same seed gives the same sequence of masks. The mask is a
/// constant on the tape; the gradient flows through kept units only.
///
/// ```
/// use descent_autograd::{Tape, Tensor};
/// use descent_layers::{Dropout, Module};
/// use rand::{SeedableRng, rngs::StdRng};
///
/// let mut dropout = Dropout::new(0.5, &mut StdRng::seed_from_u64(0));
/// let tape = Tape::new();
/// let x = tape.watch(Tensor::<f32>::ones(&[1, 1000]));
/// let y = dropout.forward(&x).value().to_vec();
/// assert!(y.iter().all(|&v| v == 0.0 || v == 2.0));
/// let kept = y.iter().filter(|&&v| v == 2.0).count();
/// assert!((450..550).contains(&kept));
///
/// dropout.set_training(false);
/// assert_eq!(dropout.forward(&x).value().to_vec(), vec![1.0; 1000]);
/// ```
#[derive(Debug)]
pub struct Dropout<F: Float> {
    p: f64,
    rng: Mutex<StdRng>,
    training: bool,
    element: PhantomData<fn() -> F>,
}

impl<F: Float> Dropout<F> {
    /// Dropout with drop probability `p`, its mask RNG seeded from `rng`; in training mode.
    ///
    /// # Panics
    /// When `p` is not in `[0, 1]`.
    #[track_caller]
    pub fn new<R: Rng + ?Sized>(p: f64, rng: &mut R) -> Self {
        if !(0.0..=1.0).contains(&p) {
            panic!("Dropout: probability {p} is not in [0, 1]");
        }
        Dropout {
            p,
            rng: Mutex::new(StdRng::from_rng(rng)),
            training: true,
            element: PhantomData,
        }
    }

    /// The next mask for `shape`: 0 for dropped units, `1 / (1 − p)` for kept ones.
    fn mask(&self, shape: &[usize]) -> Tensor<F> {
        let mut rng = self
            .rng
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let (p, scale) = (F::cast(self.p), F::cast(1.0 / (1.0 - self.p)));
        let mut mask = Tensor::zeros(shape);
        mask.view_mut().map_inplace(|m| {
            if F::sample_uniform(&mut *rng, F::zero(), F::one()) >= p {
                *m = scale;
            }
        });
        mask
    }
}

impl<F: Float> Module<F> for Dropout<F> {
    fn forward<'t>(&self, x: &Var<'t, F>) -> Var<'t, F> {
        if !self.training || self.p == 0.0 {
            return *x;
        }
        x.mul(&x.tape().watch(self.mask(&x.shape())))
    }

    fn variables(&self) -> Vec<(String, Variable<F>)> {
        Vec::new()
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
    fn gradient_flows_through_kept_units_only() {
        let dropout = Dropout::new(0.3, &mut StdRng::seed_from_u64(1));
        let tape = Tape::new();
        let x = tape.watch(Tensor::<f64>::ones(&[4, 5]));
        let y = dropout.forward(&x);
        let mask = y.value(); // x = 1, so y is the mask
        let grad = tape.gradient(&y.sum(&[], false), &[x]).remove(0);
        assert_eq!(grad, mask); // d(x·m)/dx = m
    }

    #[test]
    fn extremes() {
        let mut rng = StdRng::seed_from_u64(0);
        let tape = Tape::new();
        let x = tape.watch(Tensor::<f32>::ones(&[3]));
        assert_eq!(
            Dropout::new(0.0, &mut rng).forward(&x).value().to_vec(),
            vec![1.0; 3]
        );
        assert_eq!(
            Dropout::new(1.0, &mut rng).forward(&x).value().to_vec(),
            vec![0.0; 3]
        );
    }

    #[test]
    #[should_panic(expected = "Dropout: probability 1.5 is not in [0, 1]")]
    fn rejects_bad_probability() {
        Dropout::<f32>::new(1.5, &mut StdRng::seed_from_u64(0));
    }
}
