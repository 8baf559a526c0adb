#![doc(test(attr(deny(warnings))))]
//! Helpers around the training loop you write: when to stop ([`Stopping`], [`Stop`],
//! [`gradient_norm`]), what to show while it runs ([`Progress`]) and what to look at after
//! ([`loss_curves`]); and, for the common case, the loop written once ([`Fit`] over any
//! [`Samples`]). The facade re-exports this crate as `descent::train`.
//!
//! The helpers do not run the loop: the loop stays yours and readable (see `docs/training.md`).
//!
//! ```
//! use descent_autograd::{Tape, Tensor, Variable};
//! use descent_optim::{Optimizer, Sgd};
//! use descent_train::{PlotError, Stopping, gradient_norm, loss_curves};
//!
//! // Gradient descent on J(w) = (w − 3)², stopped when the gradient is near zero.
//! let w = Variable::named("w", Tensor::scalar(0.0f64));
//! let variables = [w.clone()];
//! let mut optimizer = Sgd::new(0.1);
//! let mut stopping = Stopping::new().gradient_norm_below(1e-8).max_iterations(1000);
//! let mut losses = vec![];
//! let stop = (0..)
//!     .find_map(|iteration| {
//!         let tape = Tape::new();
//!         let loss = tape.read(&w).add_scalar(-3.0).square();
//!         let grads = tape.gradient(&loss, &variables);
//!         optimizer.apply_gradients(&grads, &variables);
//!         losses.push(loss.item());
//!         stopping.check(iteration, loss.item(), Some(gradient_norm(&grads)), None)
//!     })
//!     .unwrap();
//! assert!(stop.converged(), "{stop}");
//! assert!((w.value().item() - 3.0).abs() < 1e-8);
//! # let path = std::env::temp_dir().join(format!("descent-train-doc-{}.svg", std::process::id()));
//! loss_curves(&path, "J(w) = (w − 3)²", "iteration", &[("SGD, lr 0.1", &losses)], true)?;
//! # std::fs::remove_file(&path).unwrap();
//! # Ok::<(), PlotError>(())
//! ```
//!
//! Design choices:
//! - **The loop stays the user's.** [`Stopping`], [`Progress`] and [`loss_curves`] are values
//!   and functions a hand-written loop calls; [`Fit`] is that same `GradientTape` loop written
//!   once on the public API of the other crates, with nothing a user's loop could not do.
//! - **Why it stopped is a value and a sentence**: [`Stopping::check`] returns a [`Stop`] whose
//!   `Display` is a line for the log, and which says whether the run converged or diverged.
//! - **Quiet where nobody watches**: the progress bar (indicatif) draws only on a terminal, so
//!   CI logs and pipes get the epoch lines and nothing else.
//! - **Plots are SVG files**, drawn with plotters built with its SVG backend alone (no bitmap or
//!   font-rendering features); values that cannot be drawn break a line instead of failing
//!   the plot.

mod fit;
mod gradient_norm;
mod plot;
mod progress;
mod samples;
mod stop;
mod stopping;

pub use fit::{Fit, History};
pub use gradient_norm::gradient_norm;
pub use plot::{PlotError, loss_curves};
pub use progress::Progress;
pub use samples::Samples;
pub use stop::Stop;
pub use stopping::Stopping;
