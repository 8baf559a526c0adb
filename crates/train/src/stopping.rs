//! When to stop training: the stopping rules of the gradient-descent tutorials as one small
//! value, checked once per iteration (or per epoch).
//!
//! The rules, in the order they are checked: the loss **diverged** (it is NaN or infinite, or
//! has grown beyond a factor of its best, 1000× by default: the learning rate is too large);
//! the loss fell **below** a threshold; the loss **changed** by less than ε since the previous
//! check; the **gradient** is near zero (a minimum, or a plateau);
//! the **validation loss** has not improved for a number of checks (early stopping); the
//! **iteration limit** is reached. Each rule but divergence is off until it is set.
//!
//! This file holds the value and [`Stopping::check`], which runs the rules in that order; the
//! rules' builders and state are beside it: `thresholds.rs` (loss, loss change, gradient,
//! iteration limit), `divergence.rs` and `early.rs` (early stopping on the validation loss).
use crate::Stop;

mod divergence;
mod early;
mod thresholds;

/// Stopping rules, checked by [`Stopping::check`] once per iteration; the first one that fires
/// says why, as a [`Stop`].
///
/// ```
/// use descent_train::{Stop, Stopping};
///
/// // Minimise J(θ) = θ² by gradient descent, θ ← θ − α·2θ, from θ = 1.
/// let mut stopping = Stopping::new().gradient_norm_below(1e-6).max_iterations(1000);
/// let mut theta = 1.0f64;
/// let stop = (0..)
///     .find_map(|iteration| {
///         let gradient = 2.0 * theta;
///         let stop = stopping.check(iteration, theta * theta, Some(gradient.abs()), None);
///         theta -= 0.1 * gradient;
///         stop
///     })
///     .unwrap();
/// assert!(matches!(stop, Stop::GradientNearZero { iteration: 66, .. }));
/// assert!(stop.converged());
/// assert!(stop.to_string().starts_with("converged at iteration 66: gradient norm"));
/// ```
#[derive(Debug, Clone)]
pub struct Stopping {
    loss_below: Option<f64>,
    loss_change_below: Option<f64>,
    previous_loss: Option<f64>,
    gradient_norm_below: Option<f64>,
    max_iterations: Option<usize>,
    patience: Option<usize>,
    min_improvement: f64,
    divergence_factor: f64,
    best_loss: f64,
    best_validation: Option<(usize, f64)>,
    checks_without_improvement: usize,
}

impl Default for Stopping {
    fn default() -> Self {
        Stopping::new()
    }
}

impl Stopping {
    /// Only the divergence rule: stop when the loss is NaN or infinite, or has grown beyond
    /// 1000× its best so far. Add rules with the builder methods.
    ///
    /// ```
    /// use descent_train::{Stop, Stopping};
    /// let mut stopping = Stopping::new();
    /// assert_eq!(stopping.check(0, 1.0, None, None), None);
    /// assert!(matches!(stopping.check(1, f64::NAN, None, None), Some(Stop::Diverged { .. })));
    /// ```
    pub fn new() -> Self {
        Stopping {
            loss_below: None,
            loss_change_below: None,
            previous_loss: None,
            gradient_norm_below: None,
            max_iterations: None,
            patience: None,
            min_improvement: 0.0,
            divergence_factor: 1e3,
            best_loss: f64::INFINITY,
            best_validation: None,
            checks_without_improvement: 0,
        }
    }

    /// Checks the rules after an iteration and returns why to stop, or `None` to go on.
    ///
    /// `iteration` is whatever the loop counts (a step or an epoch), from 0; `loss` is the
    /// training loss (`f32` or `f64`); `gradient_norm` the global gradient norm, for
    /// [`gradient_norm_below`](Stopping::gradient_norm_below); `validation_loss` a loss on
    /// held-out data, for [`patience`](Stopping::patience). Rules are checked in the order
    /// divergence, loss, loss change, gradient, validation, iteration limit.
    ///
    /// ```
    /// use descent_train::{Stop, Stopping};
    /// let mut stopping = Stopping::new().loss_below(1e-3).max_iterations(10);
    /// let losses = [1.0f32, 0.1, 0.01, 1e-4];
    /// let stop = losses.iter().enumerate().find_map(|(i, &loss)| stopping.check(i, loss, None, None));
    /// assert!(matches!(stop, Some(Stop::LossBelow { iteration: 3, .. })));
    /// ```
    pub fn check(
        &mut self,
        iteration: usize,
        loss: impl Into<f64>,
        gradient_norm: Option<f64>,
        validation_loss: Option<f64>,
    ) -> Option<Stop> {
        let loss = loss.into();
        if let Some(diverged) = self.diverged(iteration, loss) {
            return Some(diverged);
        }
        self.best_loss = self.best_loss.min(loss);
        let previous = self.previous_loss.replace(loss);

        if let Some(threshold) = self.loss_below.filter(|&t| loss < t) {
            return Some(Stop::LossBelow {
                iteration,
                loss,
                threshold,
            });
        }
        if let (Some(threshold), Some(previous)) = (self.loss_change_below, previous) {
            let change = (loss - previous).abs();
            if change < threshold {
                return Some(Stop::LossChangeBelow {
                    iteration,
                    loss,
                    change,
                    threshold,
                });
            }
        }
        if let (Some(threshold), Some(norm)) = (self.gradient_norm_below, gradient_norm) {
            if norm < threshold {
                return Some(Stop::GradientNearZero {
                    iteration,
                    norm,
                    threshold,
                });
            }
        }
        if let Some(validation) = validation_loss {
            if let Some(no_improvement) = self.no_improvement(iteration, validation) {
                return Some(no_improvement);
            }
        }
        match self.max_iterations {
            Some(limit) if iteration + 1 >= limit => Some(Stop::MaxIterations { iteration, limit }),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Feeds `losses` to `stopping` as iterations 0, 1, 2, … until a rule fires.
    pub(super) fn run(stopping: &mut Stopping, losses: &[f64]) -> Option<Stop> {
        let mut checks = losses.iter().enumerate();
        checks.find_map(|(i, &loss)| stopping.check(i, loss, None, None))
    }

    #[test]
    fn nothing_fires_on_a_falling_loss_without_rules() {
        assert_eq!(
            run(&mut Stopping::new(), &[3.0, 2.0, 1.0, 0.5, 0.0, 0.0]),
            None
        );
    }

    #[test]
    fn divergence_wins_over_other_rules() {
        let mut stopping = Stopping::new().loss_below(1.0).max_iterations(1);
        assert!(
            stopping
                .check(0, f64::NAN, Some(0.0), None)
                .unwrap()
                .diverged()
        );
    }
}
