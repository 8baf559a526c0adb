//! `LoadOptions`: which checks a load may skip, and the loading itself.

use super::format::read;
use super::{CheckpointError, Result};
use crate::Module;
use descent_autograd::{Float, Tensor};
use std::collections::HashMap;
use std::fs;
use std::path::Path;

/// How strictly [`load`](super::load) checks a file; the default checks everything.
///
/// ```
/// use descent_autograd::Tensor;
/// use descent_layers::checkpoint::{self, CheckpointError, LoadOptions};
///
/// let path = std::env::temp_dir().join(format!("descent-doc-options-{}.safetensors", std::process::id()));
/// checkpoint::save(&path, &[("big".to_string(), Tensor::scalar(1e300f64))])?;
/// let err = checkpoint::load::<f32>(&path).unwrap_err(); // 1e300 overflows f32
/// assert!(matches!(err, CheckpointError::NonFinite { ref name, .. } if name == "big"));
/// let loaded = LoadOptions::new().allow_non_finite().load::<f32>(&path)?;
/// assert_eq!(loaded[0].1.item(), f32::INFINITY);
/// # std::fs::remove_file(&path).unwrap();
/// # Ok::<(), CheckpointError>(())
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LoadOptions {
    pub(super) unverified: bool,
    pub(super) non_finite: bool,
}

impl LoadOptions {
    /// Every check on: checksums required and verified, every value finite.
    pub fn new() -> Self {
        Self::default()
    }

    /// Also loads files without checksums (safetensors files written by PyTorch or NumPy, or
    /// by descent before it stored checksums), unverified. Checksums a file does have are
    /// still verified.
    pub fn allow_unverified(self) -> Self {
        LoadOptions {
            unverified: true,
            ..self
        }
    }

    /// Also loads values that are not finite in the element type (NaN, infinity, `f64` values
    /// beyond `f32`'s range loaded as `f32`, which become infinite).
    pub fn allow_non_finite(self) -> Self {
        LoadOptions {
            non_finite: true,
            ..self
        }
    }

    /// [`load`](super::load) with these options.
    ///
    /// # Errors
    /// As [`load`](super::load), less the checks these options turn off.
    pub fn load<F: Float>(&self, path: impl AsRef<Path>) -> Result<Vec<(String, Tensor<F>)>> {
        let path = path.as_ref();
        let bytes = fs::read(path).map_err(|source| CheckpointError::Io {
            file: path.into(),
            source,
        })?;
        read(&bytes, path, self)
    }

    /// [`load_module`](super::load_module) with these options.
    ///
    /// # Errors
    /// As [`load_module`](super::load_module), less the checks these options turn off.
    pub fn load_module<F: Float, M: Module<F> + ?Sized>(
        &self,
        path: impl AsRef<Path>,
        module: &M,
    ) -> Result<()> {
        let path = path.as_ref();
        assign(path, self.load(path)?.into_iter().collect(), module)
    }
}

/// Assigns `stored` (read from `path`) to the module's state, after checking that every
/// tensor of the state is there with its shape and that nothing else is; on error the module
/// is unchanged.
pub(super) fn assign<F: Float, M: Module<F> + ?Sized>(
    path: &Path,
    mut stored: HashMap<String, Tensor<F>>,
    module: &M,
) -> Result<()> {
    let state = module.state();
    let mut assignments = Vec::with_capacity(state.len());
    for (name, variable) in &state {
        let expected = variable.shape().to_vec();
        let Some(tensor) = stored.remove(name) else {
            return Err(CheckpointError::Missing {
                file: path.into(),
                name: name.clone(),
                expected,
            });
        };
        if tensor.shape() != expected {
            let found = tensor.shape().to_vec();
            return Err(CheckpointError::Shape {
                file: path.into(),
                name: name.clone(),
                expected,
                found,
            });
        }
        assignments.push((variable, tensor));
    }
    if let Some(name) = stored.into_keys().min() {
        return Err(CheckpointError::Unexpected {
            file: path.into(),
            name,
        });
    }
    for (variable, tensor) in assignments {
        variable.assign(tensor);
    }
    Ok(())
}
