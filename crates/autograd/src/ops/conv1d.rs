//! `conv1d`: 1-D convolution, a `conv2d` over images one row high.

use crate::{Float, Var};

/// `[a, b, 1, c]` for a 3-D `[a, b, c]` shape, naming `what` in the panic otherwise.
#[track_caller]
fn one_row(what: &str, layout: &str, shape: &[usize]) -> [usize; 4] {
    match *shape {
        [a, b, c] => [a, b, 1, c],
        _ => panic!("conv1d: {what} must be 3-D {layout}, not {shape:?}"),
    }
}

impl<'t, F: Float> Var<'t, F> {
    /// The 1-D convolution of an `[N, C, L]` input by `weight` `[O, C, k]`, plus `bias` `[O]` if
    /// given: `[N, O, (L + 2·padding − dilation·(k − 1) − 1) / stride + 1]`. PyTorch's
    /// `F.conv1d(x, weight, bias, stride, padding, dilation)`; computed as [`Var::conv2d`] on
    /// `[N, C, 1, L]`, so it shares its gradients.
    ///
    /// ```
    /// # use descent_autograd::{Tape, Tensor};
    /// let tape = Tape::new();
    /// let x = tape.watch(Tensor::from_vec(vec![1.0f64, 2.0, 3.0, 4.0], &[1, 1, 4]));
    /// let w = tape.watch(Tensor::from_vec(vec![1.0, 1.0], &[1, 1, 2]));
    /// let y = x.conv1d(&w, None, 2, 0, 1); // sums of the pairs (1, 2) and (3, 4)
    /// assert_eq!(y.value().to_vec(), vec![3.0, 7.0]);
    /// ```
    ///
    /// # Panics
    /// When the input or the weight is not 3-D, and as [`Var::conv2d`].
    #[track_caller]
    pub fn conv1d(
        &self,
        weight: &Var<'t, F>,
        bias: Option<&Var<'t, F>>,
        stride: usize,
        padding: usize,
        dilation: usize,
    ) -> Var<'t, F> {
        let x = one_row("input", "[N, C, L]", &self.shape());
        let w = one_row("weight", "[O, C, k]", &weight.shape());
        if x[1] != w[1] {
            let (sx, sw) = (self.shape(), weight.shape());
            panic!(
                "conv1d: input {sx:?} has {} channels but weight {sw:?} expects {}",
                x[1], w[1]
            );
        }
        let y = self.reshape(&x).conv2d(
            &weight.reshape(&w),
            bias,
            [1, stride],
            [0, padding],
            [1, dilation],
        );
        let s = y.shape();
        y.reshape(&[s[0], s[1], s[3]])
    }
}

#[cfg(test)]
mod tests {
    use crate::{Tape, Tensor};

    #[test]
    #[should_panic(expected = "conv1d: input must be 3-D [N, C, L], not [2, 8]")]
    fn non_3d_input_panics() {
        let tape = Tape::new();
        let x = tape.watch(Tensor::<f32>::zeros(&[2, 8]));
        let w = tape.watch(Tensor::<f32>::zeros(&[4, 2, 3]));
        x.conv1d(&w, None, 1, 0, 1);
    }

    #[test]
    #[should_panic(
        expected = "conv1d: input [2, 3, 8] has 3 channels but weight [4, 2, 3] expects 2"
    )]
    fn channel_mismatch_panics() {
        let tape = Tape::new();
        let x = tape.watch(Tensor::<f32>::zeros(&[2, 3, 8]));
        let w = tape.watch(Tensor::<f32>::zeros(&[4, 2, 3]));
        x.conv1d(&w, None, 1, 0, 1);
    }
}
