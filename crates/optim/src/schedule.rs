//! Learning-rate schedules: the rate as a function of the step count.
//!
//! A schedule drives any optimizer with one line before each step:
//! `optimizer.set_learning_rate(schedule.rate(optimizer.steps()))`. The step count is the
//! optimizer's own, so a run resumed from a checkpoint picks up the schedule where it left off.

use std::f64::consts::PI;

/// A learning rate for each step, counted from 0 (the rate of the first step).
///
/// ```
/// use descent_autograd::{Tensor, Variable};
/// use descent_optim::{ExponentialDecay, Optimizer, Schedule, Sgd};
/// let schedule = ExponentialDecay { initial: 0.5, gamma: 0.5 };
/// let w = Variable::new(Tensor::scalar(0.0f64));
/// let mut sgd = Sgd::new(0.0);
/// for _ in 0..3 {
///     sgd.set_learning_rate(schedule.rate(sgd.steps()));
///     sgd.apply_gradients(&[Tensor::scalar(-1.0)], &[w.clone()]);
/// }
/// assert_eq!(w.value().item(), 0.875); // 0.5 + 0.25 + 0.125
/// ```
pub trait Schedule {
    /// The learning rate of step `step` (0 for the first).
    fn rate(&self, step: usize) -> f64;
}

/// A constant rate: `0.1` is the schedule that always answers 0.1 (to put after a [`Warmup`]).
///
/// ```
/// use descent_optim::Schedule;
/// assert_eq!(0.1.rate(1000), 0.1);
/// ```
impl Schedule for f64 {
    fn rate(&self, _step: usize) -> f64 {
        *self
    }
}

/// `initial · γ^⌊step / every⌋`: multiplied by γ every `every` steps (PyTorch's `StepLR`).
///
/// ```
/// use descent_optim::{Schedule, StepDecay};
/// let schedule = StepDecay { initial: 0.1, every: 10, gamma: 0.5 };
/// assert_eq!([0, 9, 10, 25].map(|step| schedule.rate(step)), [0.1, 0.1, 0.05, 0.025]);
/// ```
///
/// # Panics
/// When `every` is 0.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StepDecay {
    /// The rate of the first `every` steps.
    pub initial: f64,
    /// How many steps between decays.
    pub every: usize,
    /// The factor applied at each decay (PyTorch's default is 0.1).
    pub gamma: f64,
}

impl Schedule for StepDecay {
    #[track_caller]
    fn rate(&self, step: usize) -> f64 {
        if self.every == 0 {
            panic!("StepDecay: `every` must be at least 1");
        }
        self.initial * self.gamma.powf((step / self.every) as f64)
    }
}

/// `initial · γ^step`: multiplied by γ every step (PyTorch's `ExponentialLR`).
///
/// ```
/// use descent_optim::{ExponentialDecay, Schedule};
/// let schedule = ExponentialDecay { initial: 1.0, gamma: 0.5 };
/// assert_eq!([0, 1, 3].map(|step| schedule.rate(step)), [1.0, 0.5, 0.125]);
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ExponentialDecay {
    /// The rate of the first step.
    pub initial: f64,
    /// The factor applied at each step.
    pub gamma: f64,
}

impl Schedule for ExponentialDecay {
    fn rate(&self, step: usize) -> f64 {
        self.initial * self.gamma.powf(step as f64)
    }
}

/// Half a cosine from `initial` down to `min` over `steps` steps, then `min`:
/// `min + (initial − min)·(1 + cos(π·step/steps))/2` (PyTorch's `CosineAnnealingLR` up to
/// `steps`; past it PyTorch's rate climbs back along the cosine, descent's stays at `min`). For
/// restarts, see [`CosineWarmRestarts`].
///
/// ```
/// use descent_optim::{CosineAnnealing, Schedule};
/// let schedule = CosineAnnealing { initial: 1.0, min: 0.0, steps: 100 };
/// assert_eq!(schedule.rate(0), 1.0);
/// assert!((schedule.rate(50) - 0.5).abs() < 1e-15);
/// assert_eq!((schedule.rate(100), schedule.rate(500)), (0.0, 0.0));
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CosineAnnealing {
    /// The rate of the first step.
    pub initial: f64,
    /// The rate at step `steps` and after.
    pub min: f64,
    /// The length of the descent.
    pub steps: usize,
}

impl Schedule for CosineAnnealing {
    fn rate(&self, step: usize) -> f64 {
        if step >= self.steps {
            return self.min;
        }
        let progress = step as f64 / self.steps as f64;
        self.min + (self.initial - self.min) * (1.0 + (PI * progress).cos()) / 2.0
    }
}

/// Cosine annealing with warm restarts (SGDR, Loshchilov & Hutter, 2017; PyTorch's
/// `CosineAnnealingWarmRestarts`): half a cosine from `initial` down towards `min` over a
/// period, then back to `initial` and again, each period `multiplier` times longer than the
/// last. Within a period of length `T` at its step `s`:
/// `min + (initial − min)·(1 + cos(π·s/T))/2`.
///
/// ```
/// use descent_optim::{CosineWarmRestarts, Schedule};
/// let schedule = CosineWarmRestarts { initial: 1.0, min: 0.0, period: 4, multiplier: 2 };
/// // Periods: steps 0..4 (length 4), 4..12 (length 8), 12..28 (length 16), ...
/// assert_eq!([0, 4, 12].map(|step| schedule.rate(step)), [1.0, 1.0, 1.0]);
/// assert!((schedule.rate(2) - 0.5).abs() < 1e-15 && (schedule.rate(8) - 0.5).abs() < 1e-15);
/// ```
///
/// # Panics
/// When `period` or `multiplier` is 0.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CosineWarmRestarts {
    /// The rate at the start of every period.
    pub initial: f64,
    /// The rate each period descends towards.
    pub min: f64,
    /// The length of the first period (PyTorch's `T_0`).
    pub period: usize,
    /// How many times longer each period is than the one before (PyTorch's `T_mult`; 1 keeps
    /// them equal).
    pub multiplier: usize,
}

impl Schedule for CosineWarmRestarts {
    #[track_caller]
    fn rate(&self, step: usize) -> f64 {
        if self.period == 0 || self.multiplier == 0 {
            panic!("CosineWarmRestarts: `period` and `multiplier` must be at least 1");
        }
        let (into, length) = match self.multiplier {
            1 => (step % self.period, self.period),
            m => {
                let (mut start, mut length) = (0usize, self.period);
                while step - start >= length {
                    start += length;
                    length = length.saturating_mul(m);
                }
                (step - start, length)
            }
        };
        let progress = into as f64 / length as f64;
        self.min + (self.initial - self.min) * (1.0 + (PI * progress).cos()) / 2.0
    }
}

/// A linear warm-up before another schedule: over the first `steps` steps the rate rises in
/// equal increments to `then.rate(0)` (step `s` gets `then.rate(0)·(s + 1)/steps`); after it,
/// `then` runs from its own step 0 (step `s` gets `then.rate(s − steps)`).
///
/// ```
/// use descent_optim::{CosineAnnealing, Schedule, Warmup};
/// let schedule = Warmup { steps: 4, then: CosineAnnealing { initial: 0.1, min: 0.0, steps: 100 } };
/// assert_eq!([0, 1, 3, 4].map(|step| schedule.rate(step)), [0.025, 0.05, 0.1, 0.1]);
/// assert_eq!(schedule.rate(104), 0.0);
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Warmup<S> {
    /// The length of the warm-up.
    pub steps: usize,
    /// The schedule that follows it.
    pub then: S,
}

impl<S: Schedule> Schedule for Warmup<S> {
    fn rate(&self, step: usize) -> f64 {
        match step.checked_sub(self.steps) {
            Some(after) => self.then.rate(after),
            None => self.then.rate(0) * (step + 1) as f64 / self.steps as f64,
        }
    }
}
