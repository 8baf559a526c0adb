//! When to stop training: the stopping rules of the gradient-descent tutorials as one small
//! value, checked once per iteration (or per epoch).
//!
//! The rules, in the order they are checked: the loss **diverged** (it is NaN or infinite, or
//! has grown beyond a factor of its best, 1000× by default: the learning rate is too large);
//! the loss fell **below** a threshold; the loss **changed** by less than ε since the previous
//! check; the **gradient** is near zero (a minimum, or a plateau);
//! the **validation loss** has not improved for a number of checks (early stopping); the
//! **iteration limit** is reached. Each rule but divergence is off until it is set.
use super::Stop;
use descent_autograd::{Float, Tensor};
use descent_optim::clip_by_global_norm;

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

    /// Stop when the loss is below `threshold` (converged, when you know the loss a good fit
    /// reaches).
    ///
    /// ```
    /// use descent_train::{Stop, Stopping};
    /// let mut stopping = Stopping::new().loss_below(0.01);
    /// assert_eq!(stopping.check(0, 0.5, None, None), None);
    /// let stop = stopping.check(1, 0.005, None, None).unwrap();
    /// assert_eq!(stop, Stop::LossBelow { iteration: 1, loss: 0.005, threshold: 0.01 });
    /// assert_eq!(stop.to_string(), "converged at iteration 1: loss 5.000e-3 is below 1e-2");
    /// ```
    pub fn loss_below(mut self, threshold: f64) -> Self {
        self.loss_below = Some(threshold);
        self
    }

    /// Stop when the loss changed by less than `epsilon` since the previous check,
    /// `|loss − previous| < ε`: the tutorials' most common convergence test. Feed it losses
    /// that are comparable from check to check (the whole training set's, or an epoch's mean).
    ///
    /// ```
    /// use descent_train::{Stop, Stopping};
    /// let mut stopping = Stopping::new().loss_change_below(1e-3);
    /// assert_eq!(stopping.check(0, 1.0, None, None), None); // nothing to compare with yet
    /// assert_eq!(stopping.check(1, 0.5, None, None), None);
    /// let stop = stopping.check(2, 0.4995, None, None).unwrap();
    /// assert!(matches!(stop, Stop::LossChangeBelow { iteration: 2, .. }));
    /// assert!(stop.converged());
    /// assert_eq!(
    ///     stop.to_string(),
    ///     "converged at iteration 2: loss 4.995e-1 changed by 5.000e-4, less than 1e-3"
    /// );
    /// ```
    pub fn loss_change_below(mut self, epsilon: f64) -> Self {
        self.loss_change_below = Some(epsilon);
        self
    }

    /// Stop when the global gradient norm (see [`gradient_norm`]) is below `threshold`: the
    /// parameters have (nearly) stopped moving, at a minimum or on a plateau.
    ///
    /// ```
    /// use descent_train::{Stop, Stopping};
    /// let mut stopping = Stopping::new().gradient_norm_below(1e-6);
    /// assert_eq!(stopping.check(0, 0.3, Some(1e-3), None), None);
    /// assert!(matches!(stopping.check(1, 0.3, Some(1e-7), None), Some(Stop::GradientNearZero { .. })));
    /// ```
    pub fn gradient_norm_below(mut self, threshold: f64) -> Self {
        self.gradient_norm_below = Some(threshold);
        self
    }

    /// Stop after `limit` iterations: `check` counts iterations from 0, so it stops at
    /// iteration `limit − 1`, when `limit` of them have run.
    ///
    /// ```
    /// use descent_train::{Stop, Stopping};
    /// let mut stopping = Stopping::new().max_iterations(3);
    /// assert_eq!(stopping.check(1, 1.0, None, None), None);
    /// let stop = stopping.check(2, 1.0, None, None).unwrap();
    /// assert_eq!(stop, Stop::MaxIterations { iteration: 2, limit: 3 });
    /// assert!(!stop.converged());
    /// ```
    pub fn max_iterations(mut self, limit: usize) -> Self {
        self.max_iterations = Some(limit);
        self
    }

    /// Early stopping: stop when the validation loss has not improved (by more than
    /// [`min_improvement`](Stopping::min_improvement)) for `checks` checks in a row. Only calls
    /// to [`check`](Stopping::check) with a validation loss count as checks, so it can be
    /// measured every few iterations. [`best_validation`](Stopping::best_validation) tells
    /// which iteration was best, to restore its weights.
    ///
    /// ```
    /// use descent_train::{Stop, Stopping};
    /// let mut stopping = Stopping::new().patience(2);
    /// let validation = [0.9, 0.5, 0.6, 0.55];
    /// let stop = (0..4).find_map(|i| stopping.check(i, 0.1, None, Some(validation[i]))).unwrap();
    /// assert_eq!(stop, Stop::NoImprovement { iteration: 3, checks: 2, best: 0.5, best_iteration: 1 });
    /// assert_eq!(stopping.best_validation(), Some((1, 0.5)));
    /// ```
    pub fn patience(mut self, checks: usize) -> Self {
        self.patience = Some(checks);
        self
    }

    /// How much the validation loss must fall below its best to count as an improvement for
    /// [`patience`](Stopping::patience) (0 by default: any decrease counts).
    ///
    /// ```
    /// use descent_train::Stopping;
    /// let mut stopping = Stopping::new().patience(1).min_improvement(0.01);
    /// assert_eq!(stopping.check(0, 1.0, None, Some(0.500)), None);
    /// assert!(stopping.check(1, 1.0, None, Some(0.495)).is_some()); // less than 0.01 better
    /// ```
    pub fn min_improvement(mut self, delta: f64) -> Self {
        self.min_improvement = delta;
        self
    }

    /// Divergence: the loss has grown beyond `factor` times the best (lowest) loss seen so
    /// far (1000 by default). The factor is only applied while the best loss is positive; a
    /// NaN or infinite loss always counts as divergence. `f64::INFINITY` turns the growth
    /// rule off.
    ///
    /// The losses given to `check` should be comparable from one call to the next (the loss
    /// on the whole training set, or an epoch's mean): a single sample's loss in stochastic
    /// descent can legitimately vary by more than 1000×.
    ///
    /// ```
    /// use descent_train::{Stop, Stopping};
    /// let mut stopping = Stopping::new().divergence_factor(10.0);
    /// assert_eq!(stopping.check(0, 2.0, None, None), None);
    /// assert_eq!(stopping.check(1, 15.0, None, None), None); // 7.5× the best, 2.0
    /// let stop = stopping.check(2, 25.0, None, None).unwrap();
    /// assert_eq!(stop, Stop::Diverged { iteration: 2, loss: 25.0, best: 2.0, factor: 10.0 });
    /// ```
    ///
    /// # Panics
    /// When `factor` is below 1 or NaN.
    #[track_caller]
    pub fn divergence_factor(mut self, factor: f64) -> Self {
        assert!(
            factor >= 1.0,
            "Stopping::divergence_factor: the factor must be at least 1, not {factor}"
        );
        self.divergence_factor = factor;
        self
    }

    /// The iteration and value of the best validation loss passed to
    /// [`check`](Stopping::check) so far, if any.
    ///
    /// ```
    /// use descent_train::Stopping;
    /// let mut stopping = Stopping::new();
    /// assert_eq!(stopping.best_validation(), None);
    /// stopping.check(4, 1.0, None, Some(0.7));
    /// stopping.check(5, 1.0, None, Some(0.8));
    /// assert_eq!(stopping.best_validation(), Some((4, 0.7)));
    /// ```
    pub fn best_validation(&self) -> Option<(usize, f64)> {
        self.best_validation
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
        let best = self.best_loss;
        if !loss.is_finite() || (best > 0.0 && loss > self.divergence_factor * best) {
            let factor = self.divergence_factor;
            return Some(Stop::Diverged {
                iteration,
                loss,
                best,
                factor,
            });
        }
        self.best_loss = best.min(loss);
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
            let improved = match self.best_validation {
                Some((_, best)) => validation < best - self.min_improvement,
                None => !validation.is_nan(),
            };
            if improved {
                self.best_validation = Some((iteration, validation));
                self.checks_without_improvement = 0;
            } else {
                self.checks_without_improvement += 1; // NaN never improves
            }
            let checks = self.checks_without_improvement;
            if let (Some(patience), Some((best_iteration, best))) =
                (self.patience, self.best_validation)
            {
                if checks > 0 && checks >= patience {
                    return Some(Stop::NoImprovement {
                        iteration,
                        checks,
                        best,
                        best_iteration,
                    });
                }
            }
        }
        match self.max_iterations {
            Some(limit) if iteration + 1 >= limit => Some(Stop::MaxIterations { iteration, limit }),
            _ => None,
        }
    }
}

/// The global norm `√(Σ g²)` over every element of every gradient, in `f64`: the number
/// [`Stopping::gradient_norm_below`] compares. It is the norm `descent_optim`'s
/// [`clip_by_global_norm`] computes (and returns); when you clip, use its return value
/// instead of calling this.
///
/// ```
/// use descent_autograd::Tensor;
/// use descent_train::gradient_norm;
/// let grads = [Tensor::from_vec(vec![3.0f32, 0.0], &[2]), Tensor::from_vec(vec![4.0], &[1])];
/// assert_eq!(gradient_norm(&grads), 5.0);
/// assert_eq!(grads[0].to_vec(), vec![3.0, 0.0]); // unchanged
/// ```
pub fn gradient_norm<F: Float>(gradients: &[Tensor<F>]) -> f64 {
    // Clones share storage, and an infinite limit never scales, so nothing is copied.
    let mut shared = gradients.to_vec();
    clip_by_global_norm(&mut shared, F::infinity()).as_f64()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(stopping: &mut Stopping, losses: &[f64]) -> Option<Stop> {
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
    fn growth_is_measured_against_the_best_loss() {
        let mut stopping = Stopping::new();
        // 0.01 is the best; 9 is 900× it (allowed), 11 is 1100× it.
        let stop = run(&mut stopping, &[1.0, 0.01, 9.0, 11.0]).unwrap();
        assert_eq!(
            stop,
            Stop::Diverged {
                iteration: 3,
                loss: 11.0,
                best: 0.01,
                factor: 1e3
            }
        );
    }

    #[test]
    fn infinite_loss_diverges_even_on_the_first_check() {
        let stop = run(&mut Stopping::new(), &[f64::INFINITY]).unwrap();
        assert!(stop.diverged());
        assert_eq!(
            stop.to_string(),
            "diverged at iteration 0: loss is inf; lower the learning rate"
        );
    }

    #[test]
    fn zero_or_negative_best_only_stops_on_non_finite() {
        assert_eq!(run(&mut Stopping::new(), &[0.0, 5.0, -1.0, 100.0]), None);
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

    #[test]
    fn loss_change_compares_with_the_previous_check_not_the_best() {
        let mut stopping = Stopping::new().loss_change_below(0.1);
        // 1.0 → 2.0 → 1.0 → 1.05: changes 1, 1, 0.05 (the best, 1.0, never matters)
        let stop = run(&mut stopping, &[1.0, 2.0, 1.0, 1.05]).unwrap();
        assert!(
            matches!(stop, Stop::LossChangeBelow { iteration: 3, .. }),
            "{stop}"
        );
        let mut rising = Stopping::new().loss_change_below(0.1);
        assert_eq!(run(&mut rising, &[1.0, 1.2, 1.4]), None);
    }

    #[test]
    fn gradient_rule_needs_a_norm() {
        let mut stopping = Stopping::new().gradient_norm_below(1.0);
        assert_eq!(stopping.check(0, 1.0, None, None), None);
        assert!(stopping.check(1, 1.0, Some(0.5), None).unwrap().converged());
    }

    #[test]
    fn patience_counts_only_validation_checks_and_resets_on_improvement() {
        let mut stopping = Stopping::new().patience(2);
        let validation = [
            Some(1.0),
            None,
            Some(1.1),
            Some(0.9),
            Some(0.95),
            None,
            Some(0.91),
        ];
        let stop = (0..validation.len())
            .find_map(|i| stopping.check(i, 1.0, None, validation[i]))
            .unwrap();
        assert_eq!(
            stop,
            Stop::NoImprovement {
                iteration: 6,
                checks: 2,
                best: 0.9,
                best_iteration: 3
            }
        );
        assert!(
            stop.to_string()
                .contains("has not improved for 2 checks (best 9.0000e-1 at iteration 3)")
        );
    }

    #[test]
    fn nan_validation_is_no_improvement() {
        let mut stopping = Stopping::new().patience(1);
        assert_eq!(stopping.check(0, 1.0, None, Some(0.5)), None);
        assert!(matches!(
            stopping.check(1, 1.0, None, Some(f64::NAN)),
            Some(Stop::NoImprovement { .. })
        ));
    }

    #[test]
    fn a_nan_first_validation_is_not_a_best() {
        let mut stopping = Stopping::new().patience(2);
        assert_eq!(stopping.check(0, 1.0, None, Some(f64::NAN)), None);
        assert_eq!(stopping.best_validation(), None);
        assert_eq!(stopping.check(1, 1.0, None, Some(0.5)), None);
        assert_eq!(stopping.best_validation(), Some((1, 0.5)));
    }

    #[test]
    fn limit_message() {
        let stop = run(&mut Stopping::new().max_iterations(2), &[1.0; 5]).unwrap();
        assert_eq!(
            stop.to_string(),
            "stopped at iteration 1: reached the limit of 2 iterations"
        );
    }

    #[test]
    #[should_panic(
        expected = "Stopping::divergence_factor: the factor must be at least 1, not 0.5"
    )]
    fn factor_below_one_panics() {
        let _ = Stopping::new().divergence_factor(0.5);
    }

    #[test]
    fn norm_of_f64_gradients_and_of_nothing() {
        let grads = [Tensor::from_vec(vec![1.0f64, 2.0, 2.0], &[3])];
        assert_eq!(gradient_norm(&grads), 3.0);
        assert_eq!(gradient_norm::<f32>(&[]), 0.0);
        assert!(gradient_norm(&[Tensor::from_vec(vec![f32::NAN], &[1])]).is_nan());
    }
}
