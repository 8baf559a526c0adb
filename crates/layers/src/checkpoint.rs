//! Checkpoints: named tensors in [safetensors](https://huggingface.co/docs/safetensors) files.
//!
//! [`save`] and [`load`] read and write any named tensors (a model's state, an optimizer's);
//! [`save_module`] and [`load_module`] do it for a [`Module`]'s [`state`](Module::state).
//! `f32` tensors are stored as `F32`, `f64` as `F64`, little-endian, so PyTorch's
//! `safetensors.torch.load_file` and NumPy's `safetensors.numpy.load_file` read them (note that a
//! [`Dense`](crate::Dense) weight is `[inputs, outputs]`, the transpose of `nn.Linear.weight`).
//! [`save_torch`] and [`load_torch`] write and read PyTorch's `state_dict` layout instead, so
//! `load_state_dict` takes the file as it is.
//!
//! Nothing here leaves a model or a file half-changed, or loads a damaged file silently:
//! - [`save`] writes a temporary file in the target's directory, flushes and fsyncs it, then
//!   renames it over the target, so a crash or a failed write leaves the previous checkpoint
//!   as it was. Saving through a symbolic link replaces the link's target (the link stays). A
//!   save killed midway leaves its temporary behind; the next save of the same file removes
//!   it (see `atomic.rs` for how it knows the temporary's process is gone).
//! - Every tensor is stored with a CRC-32 of its name, type, shape and bytes (metadata
//!   `"crc32:NAME"`), and [`load`] verifies each: a file damaged anywhere is an error naming
//!   the tensor ([`CheckpointError::Checksum`]) or the damage ([`CheckpointError::Format`]),
//!   never different weights. A file without checksums (written by another tool, or by descent
//!   before it wrote them) is refused with [`CheckpointError::Unverified`] unless
//!   [`LoadOptions::allow_unverified`] says to trust it.
//! - A value that is not finite in the element type it is loaded as (NaN, infinity, or an
//!   `f64` beyond `f32`'s range loaded as `f32`) is an error, [`CheckpointError::NonFinite`],
//!   unless [`LoadOptions::allow_non_finite`] accepts it.
//! - [`load_module`] checks every name and shape before assigning anything, so on any error
//!   the model is untouched.
//!
//! ```
//! use descent_autograd::Tensor;
//! use descent_layers::checkpoint;
//!
//! let path = std::env::temp_dir().join(format!("descent-doc-{}.safetensors", std::process::id()));
//! let tensors = vec![("step".to_string(), Tensor::scalar(3.0f32)),
//!                    ("w".to_string(), Tensor::from_vec(vec![1.0, 2.0], &[2]))];
//! checkpoint::save(&path, &tensors)?;
//! assert_eq!(checkpoint::load::<f32>(&path)?, tensors); // sorted by name
//! # std::fs::remove_file(&path).unwrap();
//! # Ok::<(), checkpoint::CheckpointError>(())
//! ```

mod atomic;
mod error;
mod format;
mod options;
#[cfg(test)]
mod tests;
mod torch;

pub use error::{CheckpointError, Result};
pub use options::LoadOptions;
pub use torch::{load_torch, save_torch};

use crate::Module;
use atomic::replace;
use descent_autograd::{Float, Tensor};
use format::write;
use std::io::BufWriter;
use std::path::Path;

/// Writes `tensors` with their checksums to a safetensors file at `path`, replacing it
/// atomically (through a symbolic link: its target).
///
/// # Errors
/// [`CheckpointError::Duplicate`] when two tensors share a name (nothing is written);
/// [`CheckpointError::Io`] when the file cannot be written (the previous file is unchanged).
pub fn save<F: Float>(path: impl AsRef<Path>, tensors: &[(String, Tensor<F>)]) -> Result<()> {
    let path = path.as_ref();
    let mut seen = std::collections::HashSet::new();
    if let Some((name, _)) = tensors.iter().find(|(name, _)| !seen.insert(name)) {
        return Err(CheckpointError::Duplicate {
            file: path.into(),
            name: name.clone(),
        });
    }
    replace(path, |file| write(BufWriter::new(file), tensors))
}

/// Reads every tensor of a safetensors file, sorted by name, verifying each tensor's checksum
/// and that every value is finite as `F`. `F32` and `F64` tensors are converted to `F` (an
/// `F64` file loaded as `f32` is rounded). [`LoadOptions`] relaxes the checks.
///
/// # Errors
/// [`CheckpointError::Io`] when the file cannot be read, [`CheckpointError::Format`] when it is
/// truncated or corrupt, [`CheckpointError::Dtype`] for other element types,
/// [`CheckpointError::Checksum`] naming a tensor whose bytes (or name, type or shape) differ
/// from what was saved, [`CheckpointError::Unverified`] for a file without checksums,
/// [`CheckpointError::NonFinite`] naming a value that is not finite as `F`.
pub fn load<F: Float>(path: impl AsRef<Path>) -> Result<Vec<(String, Tensor<F>)>> {
    LoadOptions::new().load(path)
}

/// Saves a module's [`state`](Module::state) (variables and running statistics) to `path`.
///
/// ```
/// use descent_layers::{checkpoint, BatchNorm1d, Dense, Module, Sequential};
/// use rand::{SeedableRng, rngs::StdRng};
///
/// let model = Sequential::<f32>::new()
///     .push(Dense::new(3, 2, &mut StdRng::seed_from_u64(0)))
///     .push(BatchNorm1d::new(2));
/// let copy = Sequential::<f32>::new()
///     .push(Dense::new(3, 2, &mut StdRng::seed_from_u64(1)))
///     .push(BatchNorm1d::new(2));
/// let path = std::env::temp_dir().join(format!("descent-doc-module-{}.safetensors", std::process::id()));
/// checkpoint::save_module(&path, &model)?;
/// checkpoint::load_module(&path, &copy)?;
/// assert_eq!(copy.state()[0].1.value(), model.state()[0].1.value());
/// # std::fs::remove_file(&path).unwrap();
/// # Ok::<(), checkpoint::CheckpointError>(())
/// ```
///
/// # Errors
/// As [`save`].
pub fn save_module<F: Float, M: Module<F> + ?Sized>(
    path: impl AsRef<Path>,
    module: &M,
) -> Result<()> {
    let state: Vec<_> = module
        .state()
        .into_iter()
        .map(|(name, v)| (name, v.value()))
        .collect();
    save(path, &state)
}

/// Loads a module's [`state`](Module::state) from `path`: every tensor the module has must be
/// in the file with the same shape, and nothing else may be. All of it is checked before
/// anything is assigned, so on error the module is unchanged.
///
/// # Errors
/// As [`load`], and [`CheckpointError::Missing`], [`CheckpointError::Unexpected`] or
/// [`CheckpointError::Shape`] naming the first tensor that does not match (in the module's
/// order, then the file's).
pub fn load_module<F: Float, M: Module<F> + ?Sized>(
    path: impl AsRef<Path>,
    module: &M,
) -> Result<()> {
    LoadOptions::new().load_module(path, module)
}
