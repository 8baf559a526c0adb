//! `cross_entropy`: softmax cross-entropy from logits and integer labels, fused for stability.

use crate::op::{Backward, Grads};
use crate::ops::classification::check_class_labels;
use crate::reduction::expect_non_empty;
use crate::{Float, Op, Operand, Reduction, Tensor, Var};

/// Inputs: the logits `[n, classes]` and the labels `[n]` as a constant leaf of class indices
/// stored as floats (exact below 2²⁴), so the op holds no state of its own.
struct CrossEntropy;

impl<F: Float> Op<F> for CrossEntropy {
    fn name(&self) -> &'static str {
        "cross_entropy"
    }
    // d/dz mean(lse(z) − z[label]) = (softmax(z) − one_hot) / n
    fn backward<V: Operand<F>>(&self, ctx: &Backward<'_, V>) -> Grads<V> {
        let z = &ctx.inputs[0];
        let shape = z.shape();
        let scale = F::one() / F::cast(shape[0] as f64);
        let softmax = || z.sub(&z.logsumexp(&[1], true)).exp();
        let labels = ctx.inputs[1].tensor();
        let target = ndarray::Array2::from_shape_fn((shape[0], shape[1]), |(i, c)| {
            match labels.array()[[i]] == F::cast(c as f64) {
                true => F::one(),
                false => F::zero(),
            }
        });
        let grad = || {
            let g = ctx
                .grad
                .reshape(&[1, 1])
                .broadcast_to(&shape)
                .mul_scalar(scale);
            softmax().sub(&z.constant(target.into())).mul(&g)
        };
        [ctx.grad_of(0, grad), None].into_iter().collect()
    }

    fn backward_fused(&self, ctx: &Backward<'_, Tensor<F>>) -> Option<Grads<Tensor<F>>> {
        let z = ctx.inputs[0].array();
        let labels = ctx.inputs[1].array();
        let classes = z.shape()[1];
        let scale = ctx.grad.item() / F::cast(z.shape()[0] as f64);
        let grad = Tensor::pooled(z.shape(), |out| {
            let rows = out.chunks_exact_mut(classes.max(1));
            for ((p, row), &label) in rows.zip(z.outer_iter()).zip(labels) {
                let top = row.fold(F::neg_infinity(), |m, &x| m.max(x));
                p.iter_mut()
                    .zip(row)
                    .for_each(|(p, &x)| *p = (x - top).exp());
                let norm = scale / p.iter().copied().sum::<F>();
                p.iter_mut().for_each(|p| *p *= norm);
                p[label.to_usize().expect("a class index")] -= scale;
            }
        });
        Some([Some(grad), None].into_iter().collect())
    }
}

impl<'t, F: Float> Var<'t, F> {
    /// The mean softmax cross-entropy of `[n, classes]` logits against integer labels `[n]`:
    /// `mean(logsumexp(z) − z[label])`, finite for logits of any magnitude, fused into one op
    /// whose gradient is `(softmax(z) − one_hot) / n`. Logits `[n, classes, d1, …]` with labels
    /// `[n, d1, …]` go to [`Var::cross_entropy_with`], which also takes label smoothing and a
    /// [`Reduction`].
    ///
    /// ```
    /// # use descent_autograd::{Tape, Tensor};
    /// let tape = Tape::new();
    /// let z = tape.watch(Tensor::from_vec(vec![1e4f32, 0.0, 0.0, 0.0], &[2, 2]));
    /// let loss = z.cross_entropy(&Tensor::from_vec(vec![0, 1], &[2]));
    /// assert!((loss.item() - 2f32.ln() / 2.0).abs() < 1e-6);
    /// ```
    ///
    /// # Panics
    /// When the logits have fewer than 2 axes, the batch is empty, the labels' shape is not the
    /// logits' without axis 1, or a label is not below the number of classes.
    #[track_caller]
    pub fn cross_entropy(&self, labels: &Tensor<usize>) -> Var<'t, F> {
        let logits = self.value();
        if logits.ndim() != 2 {
            return self.cross_entropy_with(labels, F::zero(), Reduction::Mean);
        }
        check_class_labels("cross_entropy", logits.shape(), labels);
        expect_non_empty("cross_entropy", logits.shape());
        let mut total = 0.0;
        for (row, &label) in logits.array().outer_iter().zip(labels.array()) {
            let top = row.fold(F::neg_infinity(), |m, &x| m.max(x));
            let lse = top + row.iter().map(|&x| (x - top).exp()).sum::<F>().ln();
            total += (lse - row[label]).as_f64();
        }
        let n = logits.shape()[0];
        let loss = Tensor::pooled(&[], |loss| loss[0] = F::cast(total / n as f64));
        let labels = Tensor::pooled(&[n], |out| {
            out.iter_mut()
                .zip(labels.array())
                .for_each(|(o, &c)| *o = F::cast(c as f64))
        });
        let labels = self.tape().watch(labels);
        self.tape().push(CrossEntropy, &[self, &labels], loss)
    }
}
