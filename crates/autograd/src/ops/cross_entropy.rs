//! `cross_entropy`: softmax cross-entropy from logits and integer labels, fused for stability.

use crate::op::{Backward, Grads};
use crate::{Float, Op, Tensor, Value, Var};

struct CrossEntropy {
    one_hot: Tensor<bool>,
}

impl<F: Float> Op<F> for CrossEntropy {
    fn name(&self) -> &'static str {
        "cross_entropy"
    }
    // d/dz mean(lse(z) − z[label]) = (softmax(z) − one_hot) / n
    fn backward<V: Value<F>>(&self, ctx: &Backward<'_, V>) -> Grads<V> {
        let z = &ctx.inputs[0];
        let shape = z.shape();
        let scale = F::one() / F::cast(shape[0] as f64);
        let softmax = || z.sub(&z.logsumexp(&[1], true)).exp();
        let target = self
            .one_hot
            .map(|&hit| if hit { F::one() } else { F::zero() });
        let grad = || {
            let g = ctx
                .grad
                .reshape(&[1, 1])
                .broadcast_to(&shape)
                .mul_scalar(scale);
            softmax().sub(&z.constant(target)).mul(&g)
        };
        [ctx.grad_of(0, grad)].into_iter().collect()
    }

    fn backward_fused(&self, ctx: &Backward<'_, Tensor<F>>) -> Option<Grads<Tensor<F>>> {
        let z = ctx.inputs[0].array();
        let scale = ctx.grad.item() / F::cast(z.shape()[0] as f64);
        let mut grad = z.to_owned();
        for (mut row, hits) in grad.outer_iter_mut().zip(self.one_hot.array().outer_iter()) {
            let top = row.fold(F::neg_infinity(), |m, &x| m.max(x));
            row.mapv_inplace(|x| (x - top).exp());
            let total = row.sum();
            row.zip_mut_with(&hits, |p, &hit| {
                *p = (*p / total - if hit { F::one() } else { F::zero() }) * scale
            });
        }
        Some(ctx.unary(|| grad.into()))
    }
}

#[track_caller]
fn one_hot(logits: &[usize], labels: &Tensor<usize>) -> Tensor<bool> {
    if logits.len() != 2 || labels.shape() != [logits[0]] {
        let (l, t) = (logits, labels.shape());
        panic!("cross_entropy: logits must be [n, classes] with labels [n], got {l:?} and {t:?}");
    }
    let classes = logits[1];
    if let Some(bad) = labels.array().iter().find(|&&c| c >= classes) {
        panic!("cross_entropy: label {bad} is out of range for {classes} classes");
    }
    let labels = labels.array();
    ndarray::Array2::from_shape_fn((logits[0], classes), |(i, c)| labels[i] == c).into()
}

impl<'t, F: Float> Var<'t, F> {
    /// The mean softmax cross-entropy of `[n, classes]` logits against integer labels `[n]`:
    /// `mean(logsumexp(z) − z[label])`, finite for logits of any magnitude. Its gradient is
    /// `(softmax(z) − one_hot) / n`.
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
    /// When the logits are not 2-D, the labels' length differs from the batch, or a label is
    /// not below the number of classes.
    #[track_caller]
    pub fn cross_entropy(&self, labels: &Tensor<usize>) -> Var<'t, F> {
        let logits = self.value();
        let one_hot = one_hot(logits.shape(), labels);
        let lse = logits.logsumexp(&[1], false);
        let n = logits.shape()[0];
        let mut total = 0.0;
        for (i, &label) in labels.array().iter().enumerate() {
            total += (lse.array()[[i]] - logits.array()[[i, label]]).as_f64();
        }
        let value = Tensor::scalar(F::cast(total / n as f64));
        self.tape().push(CrossEntropy { one_hot }, &[self], value)
    }
}
