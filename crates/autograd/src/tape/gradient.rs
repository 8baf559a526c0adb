//! The gradient calls: first-order gradients and vector-Jacobian products on tensors, and
//! differentiable gradients recorded on the tape.

use super::{Source, Tape};
use crate::{Float, Gradients, Tensor, Var, pool};

impl<F: Float> Tape<F> {
    /// The gradients of a one-element `target` with respect to each source, in order.
    ///
    /// A source the target does not depend on gets a zero gradient of its own shape. A
    /// [`Variable`](crate::Variable) that was never read on this tape is a panic instead (see
    /// [`Tape::with_unread_as_zero`]): it is almost always `tape.watch(w.value())` written for
    /// `tape.read(&w)`, which would train nothing. On a tape made by [`Tape::new`] this releases
    /// the recorded values (all but the target's).
    ///
    /// ```
    /// use descent_autograd::{Tape, Tensor};
    /// let tape = Tape::new();
    /// let (a, b) = (tape.watch(Tensor::scalar(2.0f64)), tape.watch(Tensor::scalar(5.0)));
    /// let y = a * b;
    /// let g = tape.gradient(&y, &[a, b]);
    /// assert_eq!((g[0].item(), g[1].item()), (5.0, 2.0));
    /// ```
    ///
    /// # Panics
    /// When `target` has more than one element (use [`Tape::vjp`]), when it belongs to another
    /// tape, when a non-persistent tape has already answered a gradient call, or when a
    /// variable source was never read on this tape (naming it).
    #[track_caller]
    pub fn gradient<S: Source<F>>(&self, target: &Var<'_, F>, sources: &[S]) -> Gradients<F> {
        let shape = target.shape();
        if shape.iter().product::<usize>() != 1 {
            panic!("gradient: target must be a single value, not shape {shape:?}; use Tape::vjp");
        }
        let seed = Tensor::pooled(&shape, |one| one.fill(F::one()));
        self.vjp_owned(target, seed, sources)
    }

    /// The vector-Jacobian product: gradients of `Σ seed · target` with respect to the sources.
    ///
    /// ```
    /// use descent_autograd::{Tape, Tensor};
    /// let tape = Tape::new();
    /// let x = tape.watch(Tensor::from_vec(vec![1.0, 2.0], &[2]));
    /// let y = x.exp();
    /// let g = tape.vjp(&y, &Tensor::from_vec(vec![1.0, 0.0], &[2]), &[x]);
    /// assert_eq!(g[0].to_vec(), vec![1f64.exp(), 0.0]);
    /// ```
    ///
    /// # Panics
    /// When `seed`'s shape differs from the target's, and as [`Tape::gradient`].
    #[track_caller]
    pub fn vjp<S: Source<F>>(
        &self,
        target: &Var<'_, F>,
        seed: &Tensor<F>,
        sources: &[S],
    ) -> Gradients<F> {
        target.value().expect_shape("vjp: seed and target", seed);
        self.vjp_owned(target, seed.clone(), sources)
    }

    /// [`Tape::vjp`] with a seed of the target's shape that the sweep may consume.
    #[track_caller]
    fn vjp_owned<S: Source<F>>(
        &self,
        target: &Var<'_, F>,
        seed: Tensor<F>,
        sources: &[S],
    ) -> Gradients<F> {
        let mut grads = pool::take();
        self.sweep(
            target,
            seed,
            sources,
            (|i| self.value(i), |op, ctx| op.backward_tensor(ctx)),
            pool::recycle,
            &mut grads,
        );
        if !self.persistent {
            self.release(target.index());
        }
        Gradients::new(grads)
    }

    /// Differentiable gradients: like [`Tape::gradient`], but the backward pass is recorded on
    /// this tape, so the results are vars that can be differentiated again (Hessian-vector
    /// products, gradient penalties).
    ///
    /// It releases nothing, so one `gradient_vars` followed by one [`Tape::gradient`] (a
    /// second derivative, a Hessian-vector product) works on a tape from [`Tape::new`]; that
    /// `gradient` call then releases the tape as usual. A [`Tape::persistent`] tape is needed
    /// only for more gradient calls after that one.
    ///
    /// ```
    /// use descent_autograd::{Tape, Tensor};
    /// let tape = Tape::new();
    /// let x = tape.watch(Tensor::scalar(2.0f64));
    /// let y = x.powf(3.0);                                  // y = x³
    /// let dy = tape.gradient_vars(&y, &[x]).remove(0);     // 3x² = 12
    /// let d2y = tape.gradient(&dy, &[x]);                   // 6x  = 12
    /// assert_eq!((dy.value().item(), d2y[0].item()), (12.0, 12.0));
    /// ```
    ///
    /// # Panics
    /// As [`Tape::gradient`].
    #[track_caller]
    pub fn gradient_vars<'t, S: Source<F>>(
        &'t self,
        target: &Var<'t, F>,
        sources: &[S],
    ) -> Vec<Var<'t, F>> {
        let shape = target.shape();
        if shape.iter().product::<usize>() != 1 {
            panic!("gradient_vars: target must be a single value, not shape {shape:?}");
        }
        let seed = self.watch(Tensor::ones(&shape));
        let mut grads = Vec::new();
        self.sweep(
            target,
            seed,
            sources,
            (|i| Var::new(self, i), |op, ctx| op.backward_var(ctx)),
            drop,
            &mut grads,
        );
        grads
    }
}
