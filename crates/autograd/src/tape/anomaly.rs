//! Anomaly detection: the first NaN or infinity, forward or backward, named by its op.

use super::Tape;
use crate::{Float, Tensor};

impl<F: Float> Tape<F> {
    /// Turns on anomaly detection (like PyTorch's `detect_anomaly`): the first op whose output,
    /// or whose gradient for an input, contains NaN or infinity panics with the op's name, its
    /// position on the tape, its input shapes and the pass. Off by default; when off it costs
    /// one branch per op.
    ///
    /// ```should_panic
    /// use descent_autograd::{Tape, Tensor};
    /// let tape = Tape::new().with_anomaly_detection();
    /// let x = tape.watch(Tensor::from_vec(vec![1.0f32, 0.0], &[2]));
    /// x.ln(); // panics: anomaly in the forward pass: ln (node 1, inputs [[2]]) …
    /// ```
    pub fn with_anomaly_detection(mut self) -> Self {
        self.detect_anomalies = true;
        self
    }

    #[track_caller]
    pub(super) fn report_anomaly(
        &self,
        pass: &str,
        op: &str,
        node: usize,
        inputs: &[usize],
        what: &str,
    ) -> ! {
        let shapes: Vec<Vec<usize>> = inputs.iter().map(|&j| self.shape(j).to_vec()).collect();
        panic!(
            "anomaly in the {pass} pass: {op} (node {node}, inputs {shapes:?}) produced NaN or \
             infinity in {what}"
        )
    }
}

pub(super) fn all_finite<F: Float>(t: &Tensor<F>) -> bool {
    t.array().iter().all(|x| x.is_finite())
}
