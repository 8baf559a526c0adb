//! `linear`: `x · W + b` in one op, the forward of a dense layer.

use crate::op::{Backward, Grads};
use crate::ops::matmul::{gemm, product};
use crate::shape::mismatch;
use crate::{Float, Op, Operand, Tensor, Var};
use ndarray::Ix2;

struct Linear;

impl<F: Float> Op<F> for Linear {
    fn name(&self) -> &'static str {
        "linear"
    }
    // d/dx = G·Wᵀ, d/dW = xᵀ·G, d/db = Σ_rows G (products on transposed views, no copies)
    fn backward<V: Operand<F>>(&self, ctx: &Backward<'_, V>) -> Grads<V> {
        let [x, w] = [&ctx.inputs[0], &ctx.inputs[1]];
        let g = ctx.grad;
        [
            ctx.grad_of(0, || g.matmul(&w.transpose())),
            ctx.grad_of(1, || x.transpose().matmul(g)),
            ctx.grad_of(2, || g.sum(&[0], false)),
        ]
        .into_iter()
        .collect()
    }
    fn backward_fused(&self, ctx: &Backward<'_, Tensor<F>>) -> Option<Grads<Tensor<F>>> {
        let (x, w, g) = (ctx.inputs[0].view(), ctx.inputs[1].view(), ctx.grad.view());
        let [x, w, g] = [x, w, g].map(|v| v.into_dimensionality::<Ix2>().expect("2-D"));
        let column_sums = || {
            let g = g.as_standard_layout();
            let columns = g.ncols();
            let g = g.as_slice().expect("standard layout");
            Tensor::pooled(&[columns], |sums| {
                sums.fill(F::zero());
                for row in g.chunks_exact(columns.max(1)) {
                    sums.iter_mut().zip(row).for_each(|(s, &x)| *s += x);
                }
            })
        };
        let grads = [
            ctx.grad_of(0, || product(g.view(), w.t())),
            ctx.grad_of(1, || product(x.t(), g.view())),
            ctx.grad_of(2, column_sums),
        ];
        Some(grads.into_iter().collect())
    }
}

impl<F: Float> Tensor<F> {
    /// `x · W + b` for `x` `[n, in]`, `W` `[in, out]`, `b` `[out]`: the bias is written into the
    /// output first and the product accumulated onto it, in one pass.
    ///
    /// # Panics
    /// When the shapes do not fit.
    #[track_caller]
    pub fn linear(&self, weight: &Self, bias: &Self) -> Self {
        let (sx, sw, sb) = (self.shape(), weight.shape(), bias.shape());
        if sx.len() != 2 || sw.len() != 2 || sx[1] != sw[0] {
            mismatch("linear", "cannot multiply", sx, sw);
        }
        if sb != [sw[1]] {
            mismatch("linear", "bias must match the weight's columns:", sb, sw);
        }
        let bias = bias.array().as_standard_layout();
        let bias = bias.as_slice().expect("standard layout");
        let mut out = Tensor::pooled(&[sx[0], sw[1]], |out| {
            for row in out.chunks_exact_mut(sw[1].max(1)) {
                row.copy_from_slice(bias);
            }
        });
        let x = self.view().into_dimensionality::<Ix2>().expect("2-D");
        let w = weight.view().into_dimensionality::<Ix2>().expect("2-D");
        let c = out.view_mut().into_dimensionality::<Ix2>().expect("2-D");
        gemm(x, w, F::one(), c);
        out
    }
}

impl<'t, F: Float> Var<'t, F> {
    /// `self · weight + bias` for `self` `[n, in]`, `weight` `[in, out]`, `bias` `[out]`: a dense
    /// layer's forward as one op (no broadcast copy of the bias, the bias gradient a column sum).
    ///
    /// ```
    /// # use descent_autograd::{Tape, Tensor};
    /// let tape = Tape::new();
    /// let x = tape.watch(Tensor::from_vec(vec![1.0f32, 2.0], &[1, 2]));
    /// let w = tape.watch(Tensor::from_vec(vec![1.0f32, 0.0, 1.0, 0.0, 1.0, 1.0], &[2, 3]));
    /// let b = tape.watch(Tensor::from_vec(vec![0.5f32, 0.5, 0.5], &[3]));
    /// assert_eq!(x.linear(&w, &b).value().to_vec(), vec![1.5, 2.5, 3.5]);
    /// ```
    ///
    /// # Panics
    /// When the shapes do not fit; the message names `linear` and the shapes.
    #[track_caller]
    pub fn linear(&self, weight: &Var<'t, F>, bias: &Var<'t, F>) -> Var<'t, F> {
        let value = self.value().linear(&weight.value(), &bias.value());
        self.tape().push(Linear, &[self, weight, bias], value)
    }
}
