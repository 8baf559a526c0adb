//! A progress bar over the epochs and batches of a training run, with the running loss and
//! the throughput, drawn with indicatif on stderr.
//!
//! When stderr is not a terminal (CI, a pipe, a file) or `TERM=dumb`, indicatif draws nothing,
//! so logs stay clean; the lines given to [`Progress::epoch_done`] are printed on stdout either
//! way.
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::fmt::Display;
use std::time::Instant;

/// Progress of a training run: one bar over every batch of every epoch, its message the
/// epoch, the epoch's mean loss so far and the samples per second.
///
/// ```
/// use descent_train::Progress;
///
/// let (epochs, batches) = (3, 4);
/// let mut progress = Progress::new(epochs, batches); // draws on stderr, if it is a terminal
/// for epoch in 0..epochs {
///     for batch in 0..batches {
///         let loss = 1.0 / (1 + epoch * batches + batch) as f64; // from the training step
///         progress.batch(loss, 32); // 32 samples in this batch
///     }
///     let mean = progress.epoch_loss();
///     assert!(mean > 0.0 && mean <= 1.0);
///     progress.epoch_done(format!("epoch {epoch}: mean loss {mean:.4}")); // printed on stdout
/// }
/// assert_eq!(progress.samples(), 3 * 4 * 32);
/// progress.finish();
/// ```
#[derive(Debug)]
pub struct Progress {
    bar: ProgressBar,
    epochs: usize,
    epoch: usize,
    epoch_loss_sum: f64,
    epoch_samples: usize,
    samples: usize,
    start: Instant,
}

impl Progress {
    /// A bar for `epochs` epochs of `batches_per_epoch` batches, drawn on stderr at most 10
    /// times a second, and hidden when stderr is not a terminal.
    ///
    /// ```
    /// use descent_train::Progress;
    /// let progress = Progress::new(10, 100);
    /// // Under `cargo test` in CI stderr is not a terminal, and nothing is drawn.
    /// # let _ = progress.is_hidden();
    /// progress.finish();
    /// ```
    pub fn new(epochs: usize, batches_per_epoch: usize) -> Self {
        Progress::with_target(
            epochs,
            batches_per_epoch,
            ProgressDrawTarget::stderr_with_hz(10),
        )
    }

    /// A progress that never draws (for a `--quiet` flag, or tests); it still counts, and
    /// [`epoch_done`](Progress::epoch_done) still prints its lines.
    ///
    /// ```
    /// use descent_train::Progress;
    /// let mut progress = Progress::hidden(1, 2);
    /// assert!(progress.is_hidden());
    /// progress.batch(0.5f32, 8);
    /// progress.batch(1.5f32, 8);
    /// assert_eq!(progress.epoch_loss(), 1.0);
    /// ```
    pub fn hidden(epochs: usize, batches_per_epoch: usize) -> Self {
        Progress::with_target(epochs, batches_per_epoch, ProgressDrawTarget::hidden())
    }

    fn with_target(epochs: usize, batches_per_epoch: usize, target: ProgressDrawTarget) -> Self {
        let total = epochs.saturating_mul(batches_per_epoch) as u64;
        let bar = ProgressBar::with_draw_target(Some(total), target);
        let template = "{elapsed_precise} [{bar:30}] {pos}/{len} batches  {msg}";
        bar.set_style(
            ProgressStyle::with_template(template)
                .expect("the template is valid")
                .progress_chars("=> "),
        );
        Progress {
            bar,
            epochs,
            epoch: 0,
            epoch_loss_sum: 0.0,
            epoch_samples: 0,
            samples: 0,
            start: Instant::now(),
        }
    }

    /// Records one batch: its loss (the batch mean, `f32` or `f64`) and how many samples it
    /// held. Advances the bar and updates its message.
    ///
    /// ```
    /// use descent_train::Progress;
    /// let mut progress = Progress::hidden(1, 2);
    /// progress.batch(2.0, 3); // a batch of 3 with mean loss 2
    /// progress.batch(0.0, 1); // a last, partial batch of 1
    /// assert_eq!(progress.epoch_loss(), 1.5); // (3·2 + 1·0) / 4: weighted by samples
    /// assert_eq!(progress.samples(), 4);
    /// ```
    pub fn batch(&mut self, loss: impl Into<f64>, samples: usize) {
        self.epoch_loss_sum += loss.into() * samples as f64;
        self.epoch_samples += samples;
        self.samples += samples;
        if !self.bar.is_hidden() {
            let loss = self.epoch_loss();
            let loss = if (1e-3..1e4).contains(&loss.abs()) {
                format!("{loss:.4}")
            } else {
                format!("{loss:.3e}")
            };
            let message = format!(
                "epoch {}/{}  loss {loss}  {:.0} samples/s",
                self.epoch + 1,
                self.epochs,
                self.samples_per_second()
            );
            self.bar.set_message(message);
        }
        self.bar.inc(1);
    }

    /// The mean loss of the batches of the current epoch so far, weighted by their samples
    /// (NaN before the first batch).
    ///
    /// ```
    /// use descent_train::Progress;
    /// assert!(Progress::hidden(1, 1).epoch_loss().is_nan());
    /// ```
    pub fn epoch_loss(&self) -> f64 {
        self.epoch_loss_sum / self.epoch_samples as f64
    }

    /// Samples recorded by [`batch`](Progress::batch) since the start.
    ///
    /// ```
    /// use descent_train::Progress;
    /// let mut progress = Progress::hidden(2, 1);
    /// progress.batch(1.0, 10);
    /// progress.epoch_done("");
    /// progress.batch(1.0, 10);
    /// assert_eq!(progress.samples(), 20);
    /// ```
    pub fn samples(&self) -> usize {
        self.samples
    }

    /// Throughput since the start, in samples per second.
    ///
    /// ```
    /// use descent_train::Progress;
    /// let mut progress = Progress::hidden(1, 1);
    /// progress.batch(1.0, 1000);
    /// assert!(progress.samples_per_second() > 0.0);
    /// ```
    pub fn samples_per_second(&self) -> f64 {
        self.samples as f64 / self.start.elapsed().as_secs_f64().max(1e-9)
    }

    /// Ends an epoch: prints `message` on stdout (above the bar, which is redrawn below it;
    /// nothing for an empty message) and starts the next epoch's mean loss from zero.
    ///
    /// ```
    /// use descent_train::Progress;
    /// let mut progress = Progress::hidden(2, 1);
    /// progress.batch(4.0, 1);
    /// progress.epoch_done(format!("epoch 1: loss {:.1}", progress.epoch_loss())); // prints it
    /// assert!(progress.epoch_loss().is_nan()); // a new epoch, no batch yet
    /// ```
    pub fn epoch_done(&mut self, message: impl Display) {
        let message = message.to_string();
        if !message.is_empty() {
            self.bar.suspend(|| println!("{message}"));
        }
        self.epoch += 1;
        self.epoch_loss_sum = 0.0;
        self.epoch_samples = 0;
    }

    /// Whether the bar is hidden (stderr is not a terminal, or [`Progress::hidden`]).
    ///
    /// ```
    /// use descent_train::Progress;
    /// assert!(Progress::hidden(1, 1).is_hidden());
    /// ```
    pub fn is_hidden(&self) -> bool {
        self.bar.is_hidden()
    }

    /// Removes the bar from the terminal (the printed epoch lines stay).
    ///
    /// ```
    /// use descent_train::Progress;
    /// Progress::hidden(1, 1).finish();
    /// ```
    pub fn finish(self) {
        self.bar.finish_and_clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_while_hidden() {
        let mut progress = Progress::hidden(2, 3);
        for _ in 0..2 {
            for loss in [1.0, 2.0, 3.0] {
                progress.batch(loss, 2);
            }
            assert_eq!(progress.epoch_loss(), 2.0);
            progress.epoch_done("");
        }
        assert_eq!(progress.bar.position(), 6);
        assert_eq!(progress.bar.length(), Some(6));
        assert_eq!(progress.samples(), 12);
        assert!(progress.bar.message().is_empty()); // hidden: no message formatted
        progress.finish();
    }

    #[test]
    fn hidden_whenever_stderr_is_not_a_terminal() {
        use std::io::IsTerminal;
        let progress = Progress::new(1, 1);
        if !std::io::stderr().is_terminal() {
            assert!(progress.is_hidden());
        }
    }
}
