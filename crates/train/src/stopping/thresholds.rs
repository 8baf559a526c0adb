//! The rules that compare one number with a limit the user sets: the loss, its change since the
//! previous check, the gradient norm, the iteration count. All are off until set.
use super::Stopping;

impl Stopping {
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

    /// Stop when the global gradient norm (see [`gradient_norm`](crate::gradient_norm)) is
    /// below `threshold`: the parameters have (nearly) stopped moving, at a minimum or on a
    /// plateau.
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
}

#[cfg(test)]
mod tests {
    use crate::stopping::tests::run;
    use crate::{Stop, Stopping};

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
    fn limit_message() {
        let stop = run(&mut Stopping::new().max_iterations(2), &[1.0; 5]).unwrap();
        assert_eq!(
            stop.to_string(),
            "stopped at iteration 1: reached the limit of 2 iterations"
        );
    }
}
