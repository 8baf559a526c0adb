//! The computation BatchNorm and LayerNorm share: standardise, then scale and shift.

use descent_autograd::{Float, Var};

/// The epsilon both normalisations add to the variance (PyTorch's default).
pub(crate) const EPS: f64 = 1e-5;

/// `(x − mean) / √(var + ε) · gamma + beta`, broadcasting.
pub(crate) fn normalize<'t, F: Float>(
    x: &Var<'t, F>,
    mean: &Var<'t, F>,
    var: &Var<'t, F>,
    gamma: &Var<'t, F>,
    beta: &Var<'t, F>,
) -> Var<'t, F> {
    let inv_std = var.add_scalar(F::cast(EPS)).powf(F::cast(-0.5));
    x.sub(mean).mul(&inv_std).mul(gamma).add(beta)
}
