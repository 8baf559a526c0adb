//! Smooth activation composites, with PyTorch's definitions: `gelu` (exact, PyTorch's
//! default), `gelu_tanh` (`approximate="tanh"`), `silu`, `mish`, `selu`, `softsign`,
//! `log_sigmoid`.

use crate::{Float, Var};

impl<'t, F: Float> Var<'t, F> {
    /// GELU, exactly as PyTorch's default `gelu`: `x · Φ(x) = ½ x (1 + erf(x / √2))`.
    /// [`Var::gelu_tanh`] is the tanh approximation.
    ///
    /// ```
    /// # use descent_autograd::{Tape, Tensor};
    /// let tape = Tape::new();
    /// let x = tape.watch(Tensor::from_vec(vec![0.0f64, 1.0, -3.0], &[3]));
    /// let y = x.gelu().value().to_vec();
    /// assert_eq!(y[0], 0.0);
    /// assert!((y[1] - 0.8413447460685429).abs() < 1e-15); // torch.nn.functional.gelu
    /// assert!((y[2] + 0.004049694094890284).abs() < 1e-15);
    /// ```
    pub fn gelu(&self) -> Var<'t, F> {
        let phi = self
            .mul_scalar(F::cast(std::f64::consts::FRAC_1_SQRT_2))
            .erf()
            .add_scalar(F::one());
        self.mul(&phi).mul_scalar(F::cast(0.5))
    }

    /// GELU with the tanh approximation, PyTorch's `gelu(x, approximate="tanh")`:
    /// `½ x (1 + tanh(√(2/π) (x + 0.044715 x³)))`.
    ///
    /// ```
    /// # use descent_autograd::{Tape, Tensor};
    /// let tape = Tape::new();
    /// let x = tape.watch(Tensor::from_vec(vec![0.0f64, 1.0], &[2]));
    /// let y = x.gelu_tanh().value().to_vec();
    /// assert!(y[0] == 0.0 && (y[1] - 0.8411919906082768).abs() < 1e-15);
    /// ```
    pub fn gelu_tanh(&self) -> Var<'t, F> {
        let c = F::cast((2.0 / std::f64::consts::PI).sqrt());
        let inner = self.add(&self.powf(F::cast(3.0)).mul_scalar(F::cast(0.044715)));
        self.mul(&inner.mul_scalar(c).tanh().add_scalar(F::one()))
            .mul_scalar(F::cast(0.5))
    }

    /// SiLU (swish): `x · σ(x)`, as `torch.nn.functional.silu`.
    ///
    /// ```
    /// # use descent_autograd::{Tape, Tensor};
    /// let tape = Tape::new();
    /// let x = tape.watch(Tensor::from_vec(vec![0.0f64, 1.0], &[2]));
    /// assert_eq!(x.silu().value().to_vec(), vec![0.0, 1.0 / (1.0 + (-1f64).exp())]);
    /// ```
    pub fn silu(&self) -> Var<'t, F> {
        self.mul(&self.sigmoid())
    }

    /// Mish: `x · tanh(softplus(x))`, as `torch.nn.functional.mish`.
    ///
    /// ```
    /// # use descent_autograd::{Tape, Tensor};
    /// let tape = Tape::new();
    /// let x = tape.watch(Tensor::from_vec(vec![0.0f64, 1.0], &[2]));
    /// let y = x.mish().value().to_vec();
    /// assert!(y[0] == 0.0 && (y[1] - 0.8650983882673103).abs() < 1e-15);
    /// ```
    pub fn mish(&self) -> Var<'t, F> {
        self.mul(&self.softplus().tanh())
    }

    /// SELU: `scale · elu(x, alpha)` with PyTorch's constants `alpha ≈ 1.6733`,
    /// `scale ≈ 1.0507` (self-normalising networks, Klambauer et al. 2017).
    ///
    /// ```
    /// # use descent_autograd::{Tape, Tensor};
    /// let tape = Tape::new();
    /// let x = tape.watch(Tensor::from_vec(vec![1.0f64, -1.0], &[2]));
    /// let y = x.selu().value().to_vec();
    /// assert!((y[0] - 1.0507009873554805).abs() < 1e-15);
    /// assert!((y[1] + 1.1113307378125625).abs() < 1e-15);
    /// ```
    pub fn selu(&self) -> Var<'t, F> {
        const ALPHA: f64 = 1.673_263_242_354_377_3;
        const SCALE: f64 = 1.050_700_987_355_480_5;
        self.elu(F::cast(ALPHA)).mul_scalar(F::cast(SCALE))
    }

    /// Softsign: `x / (1 + |x|)`, as `torch.nn.functional.softsign`.
    ///
    /// ```
    /// # use descent_autograd::{Tape, Tensor};
    /// let tape = Tape::new();
    /// let x = tape.watch(Tensor::from_vec(vec![1.0f64, -3.0], &[2]));
    /// assert_eq!(x.softsign().value().to_vec(), vec![0.5, -0.75]);
    /// ```
    pub fn softsign(&self) -> Var<'t, F> {
        self.div(&self.abs().add_scalar(F::one()))
    }

    /// `ln σ(x) = −softplus(−x)`, finite for inputs of any magnitude, as
    /// `torch.nn.functional.logsigmoid`.
    ///
    /// ```
    /// # use descent_autograd::{Tape, Tensor};
    /// let tape = Tape::new();
    /// let x = tape.watch(Tensor::from_vec(vec![0.0f64, -1000.0, 1000.0], &[3]));
    /// assert_eq!(x.log_sigmoid().value().to_vec(), vec![-2f64.ln(), -1000.0, 0.0]);
    /// ```
    pub fn log_sigmoid(&self) -> Var<'t, F> {
        self.neg().softplus().neg()
    }
}
