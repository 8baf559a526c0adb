//! The one rule that is always on: the loss is NaN or infinite, or has grown beyond a factor of
//! its best (the learning rate is too large).
use super::Stopping;
use crate::Stop;

impl Stopping {
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

    /// The divergence rule for `loss` at `iteration`, against the best loss before it.
    pub(super) fn diverged(&self, iteration: usize, loss: f64) -> Option<Stop> {
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
        None
    }
}

#[cfg(test)]
mod tests {
    use crate::stopping::tests::run;
    use crate::{Stop, Stopping};

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
    #[should_panic(
        expected = "Stopping::divergence_factor: the factor must be at least 1, not 0.5"
    )]
    fn factor_below_one_panics() {
        let _ = Stopping::new().divergence_factor(0.5);
    }
}
