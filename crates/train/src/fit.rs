//! [`Fit`]: the training loop written once, for those who want one: mini-batches, a progress
//! bar, per-epoch validation, early stopping and the best weights kept. The loop it runs is
//! the `GradientTape` loop of `docs/training.md`, which stays the way to write anything else.

use super::{PlotError, Progress, Samples, Stop, Stopping, loss_curves};
use descent_autograd::{Float, Tape, Tensor, Var};
use descent_data::Batches;
use descent_layers::Module;
use descent_optim::Optimizer;
use std::path::Path;

/// How to train: epochs, batch size, shuffling, validation data and stopping rules; then
/// [`run`](Fit::run).
///
/// Each epoch shuffles the training samples, takes one optimizer step per mini-batch, scores
/// the validation data (its loss and [`Samples::score`]) and prints a line; a progress bar is
/// drawn on a terminal and nowhere else. [`Stopping`] is checked after each epoch with the
/// epoch's mean training loss and the validation loss. When there is validation data the
/// weights of the epoch with the best validation loss are restored at the end.
///
/// ```
/// use descent_data::train_test_split;
/// use descent_layers::{Dense, Relu, Sequential};
/// use descent_optim::Adam;
/// use descent_train::{Fit, PlotError, Stopping};
/// use rand::{SeedableRng, rngs::StdRng};
///
/// let mut digits = descent_data::digits();
/// digits.inputs /= 16.0; // pixels 0–16 to 0–1
/// let (train, validation) = train_test_split(digits.len(), 0.2, 0);
/// let (train, validation) = (digits.subset(&train), digits.subset(&validation));
///
/// let mut rng = StdRng::seed_from_u64(0);
/// let mut model = Sequential::<f32>::new().push(Dense::new(64, 32, &mut rng)).push(Relu).push(Dense::new(32, 10, &mut rng));
/// let history = Fit::new(20, 32)
///     .validation(&validation)
///     .stopping(Stopping::new().patience(3))
///     .quiet()
///     .run(&mut model, &mut Adam::new(1e-2), &train, |logits, labels| logits.cross_entropy(labels));
///
/// let (name, best) = history.best_score().unwrap();
/// assert_eq!(name, "accuracy");
/// assert!(best > 0.9, "{history:?}");
/// # let path = std::env::temp_dir().join(format!("descent-fit-doc-{}.svg", std::process::id()));
/// history.plot(&path, "digits")?; // training and validation loss per epoch
/// # std::fs::remove_file(&path).unwrap();
/// # Ok::<(), PlotError>(())
/// ```
#[derive(Debug, Clone)]
pub struct Fit<'v, D> {
    epochs: usize,
    batch_size: usize,
    seed: u64,
    validation: Option<&'v D>,
    stopping: Stopping,
    quiet: bool,
}

/// What a [`Fit`] did, epoch by epoch.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct History {
    /// The mean training loss of each epoch.
    pub loss: Vec<f64>,
    /// The validation loss after each epoch (empty without validation data).
    pub validation_loss: Vec<f64>,
    /// The validation score after each epoch (accuracy, R²; empty without validation data).
    pub score: Vec<f64>,
    /// The score's name ("accuracy", "R²"; empty without validation data).
    pub score_name: &'static str,
    /// The epoch whose weights the model holds at the end: the best validation loss's (from 0).
    pub best_epoch: Option<usize>,
    /// The rule that stopped training before the last epoch, if one did.
    pub stop: Option<Stop>,
}

impl<'v, D> Fit<'v, D> {
    /// Training for `epochs` epochs of mini-batches of `batch_size` samples (the last batch of
    /// an epoch may be smaller), shuffled with seed 0, without validation.
    ///
    /// # Panics
    /// When `batch_size` is 0.
    #[track_caller]
    pub fn new(epochs: usize, batch_size: usize) -> Self {
        assert!(batch_size > 0, "Fit: the batch size must be at least 1");
        Fit {
            epochs,
            batch_size,
            seed: 0,
            validation: None,
            stopping: Stopping::new(),
            quiet: false,
        }
    }

    /// Scores `data` after every epoch; its loss drives early stopping
    /// ([`Stopping::patience`]) and picks the weights kept at the end.
    pub fn validation(self, data: &'v D) -> Self {
        Fit {
            validation: Some(data),
            ..self
        }
    }

    /// The rules checked after every epoch, with the epoch as the iteration (only divergence
    /// by default).
    pub fn stopping(self, stopping: Stopping) -> Self {
        Fit { stopping, ..self }
    }

    /// The seed of the shuffle (0 by default).
    pub fn shuffle(self, seed: u64) -> Self {
        Fit { seed, ..self }
    }

    /// Neither a progress bar nor epoch lines.
    pub fn quiet(self) -> Self {
        Fit {
            quiet: true,
            ..self
        }
    }

    /// Trains `model` on `train` with `optimizer`, minimising `loss(outputs, targets)`, and
    /// leaves it in evaluation mode ([`Module::set_training`]`(false)`) with the best epoch's
    /// weights.
    pub fn run<F, M, O, L>(&self, model: &mut M, optimizer: &mut O, train: &D, loss: L) -> History
    where
        F: Float,
        D: Samples<F>,
        M: Module<F> + ?Sized,
        O: Optimizer<F> + ?Sized,
        L: for<'t> Fn(&Var<'t, F>, &Tensor<D::Target>) -> Var<'t, F>,
    {
        let mut batches = Batches::new(train.count(), self.batch_size).shuffle(self.seed);
        let mut progress = match self.quiet {
            true => Progress::hidden(self.epochs, batches.len()),
            false => Progress::new(self.epochs, batches.len()),
        };
        let mut stopping = self.stopping.clone();
        let parameters = model.parameters();
        let mut history = History::default();
        let mut best_state = None;
        for epoch in 0..self.epochs {
            model.set_training(true);
            for rows in batches.epoch() {
                let (x, y) = train.batch(rows);
                let tape = Tape::new();
                let batch_loss = loss(&model.forward(&tape.watch(x)), &y);
                let grads = tape.gradient(&batch_loss, &parameters);
                optimizer.apply_gradients(&grads, &parameters);
                progress.batch(batch_loss.item().as_f64(), rows.len());
            }
            let train_loss = progress.epoch_loss();
            history.loss.push(train_loss);
            let mut line = format!("epoch {}/{}: loss {train_loss:.4}", epoch + 1, self.epochs);
            let validation_loss = self.validation.map(|data| {
                model.set_training(false);
                let (validation_loss, (name, score)) = evaluate(model, data, &loss);
                history.validation_loss.push(validation_loss);
                history.score.push(score);
                history.score_name = name;
                line += &format!("  validation loss {validation_loss:.4}  {name} {score:.4}");
                validation_loss
            });
            let stop = stopping.check(epoch, train_loss, None, validation_loss);
            if validation_loss.is_some()
                && stopping.best_validation().map(|(e, _)| e) == Some(epoch)
            {
                // Clones share storage with the variables until they are next written.
                best_state = Some(
                    model
                        .state()
                        .into_iter()
                        .map(|(_, v)| v.value())
                        .collect::<Vec<_>>(),
                );
                history.best_epoch = Some(epoch);
            }
            progress.epoch_done(if self.quiet { String::new() } else { line });
            if stop.is_some() {
                history.stop = stop;
                break;
            }
        }
        progress.finish();
        if let Some(best) = best_state {
            model
                .state()
                .iter()
                .zip(best)
                .for_each(|((_, v), t)| v.assign(t));
        } else if self.validation.is_none() && !history.loss.is_empty() {
            history.best_epoch = Some(history.loss.len() - 1);
        }
        model.set_training(false);
        history
    }
}

/// The mean loss and the score of `model` on all of `data`, in chunks of 1,024 rows.
fn evaluate<F, D, M, L>(model: &M, data: &D, loss: &L) -> (f64, (&'static str, f64))
where
    F: Float,
    D: Samples<F>,
    M: Module<F> + ?Sized,
    L: for<'t> Fn(&Var<'t, F>, &Tensor<D::Target>) -> Var<'t, F>,
{
    let rows: Vec<usize> = (0..data.count()).collect();
    let (mut loss_sum, mut outputs, mut targets) = (0.0, vec![], vec![]);
    for chunk in rows.chunks(1024) {
        let (x, y) = data.batch(chunk);
        let tape = Tape::new();
        let output = model.forward(&tape.watch(x));
        loss_sum += loss(&output, &y).item().as_f64() * chunk.len() as f64;
        outputs.push(output.value());
        targets.push(y);
    }
    let (outputs, targets) = (concatenate(&outputs), concatenate(&targets));
    (loss_sum / rows.len() as f64, data.score(&outputs, &targets))
}

/// Tensors stacked along their first axis (all have the same trailing shape).
fn concatenate<T: Clone>(parts: &[Tensor<T>]) -> Tensor<T> {
    let rows = parts.iter().map(|t| t.shape()[0]).sum();
    let trailing = parts.first().map_or(&[][..], |t| &t.shape()[1..]);
    let shape = [&[rows], trailing].concat();
    Tensor::from_vec(parts.iter().flat_map(|t| t.to_vec()).collect(), &shape)
}

impl History {
    /// The best validation score and its name: the score of the epoch whose weights were
    /// kept ([`best_epoch`](History::best_epoch)); `None` without validation data.
    pub fn best_score(&self) -> Option<(&'static str, f64)> {
        let epoch = self.best_epoch?;
        Some((self.score_name, *self.score.get(epoch)?))
    }

    /// Writes the loss curves, training and (if any) validation, per epoch, to an SVG file at
    /// `path` with a logarithmic loss axis (see [`loss_curves`]).
    ///
    /// # Errors
    /// As [`loss_curves`].
    pub fn plot(&self, path: impl AsRef<Path>, title: &str) -> Result<(), PlotError> {
        let mut series: Vec<(&str, &[f64])> = vec![("training", &self.loss)];
        if !self.validation_loss.is_empty() {
            series.push(("validation", &self.validation_loss));
        }
        loss_curves(path, title, "epoch", &series, true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use descent_data::digits;
    use descent_layers::{Dense, Relu, Sequential};
    use descent_optim::Adam;
    use rand::{SeedableRng, rngs::StdRng};

    #[test]
    fn the_best_epochs_weights_are_put_back() {
        // 40 samples to train on and a fast optimizer: the validation loss soon rises.
        let mut data = digits();
        data.inputs /= 16.0;
        let (train, validation) = (
            data.subset(&(0..40).collect::<Vec<_>>()),
            data.subset(&(40..400).collect::<Vec<_>>()),
        );
        let mut rng = StdRng::seed_from_u64(0);
        let mut model = Sequential::<f64>::new()
            .push(Dense::new(64, 64, &mut rng))
            .push(Relu)
            .push(Dense::new(64, 10, &mut rng));
        let history = Fit::new(40, 8)
            .validation(&validation)
            .stopping(Stopping::new().patience(5))
            .quiet()
            .run(&mut model, &mut Adam::new(3e-2), &train, |z, y| {
                z.cross_entropy(y)
            });

        let best = history.best_epoch.unwrap();
        let lowest = history
            .validation_loss
            .iter()
            .copied()
            .fold(f64::INFINITY, f64::min);
        assert_eq!(history.validation_loss[best], lowest);
        assert!(
            best + 1 < history.loss.len(),
            "the last epoch was the best: {history:?}"
        );
        assert!(
            matches!(history.stop, Some(Stop::NoImprovement { .. })),
            "{history:?}"
        );
        // The model holds the best epoch's weights: its validation loss is that epoch's.
        let (loss, _) = evaluate(
            &model,
            &validation,
            &|z: &Var<'_, f64>, y: &Tensor<usize>| z.cross_entropy(y),
        );
        assert!((loss - lowest).abs() < 1e-12, "{loss} against {lowest}");
    }

    #[test]
    fn without_validation_every_epoch_runs_and_the_last_is_kept() {
        let data = digits().subset(&(0..64).collect::<Vec<_>>());
        let mut model =
            Sequential::<f32>::new().push(Dense::new(64, 10, &mut StdRng::seed_from_u64(1)));
        let history =
            Fit::new(3, 16)
                .quiet()
                .run(&mut model, &mut Adam::new(1e-3), &data, |z, y| {
                    z.cross_entropy(y)
                });
        assert_eq!(
            (history.loss.len(), history.best_epoch, history.stop),
            (3, Some(2), None)
        );
        assert!(history.validation_loss.is_empty() && history.best_score().is_none());
    }

    #[test]
    #[should_panic(expected = "Fit: the batch size must be at least 1")]
    fn a_zero_batch_size_panics() {
        let _ = Fit::<descent_data::Classification>::new(1, 0);
    }
}
