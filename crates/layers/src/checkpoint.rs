//! Checkpoints: named tensors in [safetensors](https://huggingface.co/docs/safetensors) files.
//!
//! [`save`] and [`load`] read and write any named tensors (a model's state, an optimizer's);
//! [`save_module`] and [`load_module`] do it for a [`Module`]'s [`state`](Module::state).
//! `f32` tensors are stored as `F32`, `f64` as `F64`, little-endian, so PyTorch's
//! `safetensors.torch.load_file` and NumPy's `safetensors.numpy.load_file` read them (note that a
//! [`Dense`](crate::Dense) weight is `[inputs, outputs]`, the transpose of `nn.Linear.weight`).
//!
//! Nothing here leaves a model or a file half-changed:
//! - [`save`] writes a temporary file in the target's directory, flushes and fsyncs it, then
//!   renames it over the target, so a crash or a failed write leaves the previous checkpoint
//!   as it was.
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

mod error;
#[cfg(test)]
mod tests;

pub use error::{CheckpointError, Result};

use crate::Module;
use descent_autograd::{Float, Tensor};
use safetensors::{Dtype, SafeTensors, View};
use std::borrow::Cow;
use std::collections::HashMap;
use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// Writes `tensors` to a safetensors file at `path`, replacing it atomically.
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

/// Reads every tensor of a safetensors file, sorted by name. `F32` and `F64` tensors are
/// converted to `F` (an `F64` file loaded as `f32` is rounded).
///
/// # Errors
/// [`CheckpointError::Io`] when the file cannot be read, [`CheckpointError::Format`] when it is
/// truncated or corrupt, [`CheckpointError::Dtype`] for other element types.
pub fn load<F: Float>(path: impl AsRef<Path>) -> Result<Vec<(String, Tensor<F>)>> {
    let path = path.as_ref();
    let bytes = fs::read(path).map_err(|source| CheckpointError::Io {
        file: path.into(),
        source,
    })?;
    read(&bytes, path)
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
    let path = path.as_ref();
    let mut stored: HashMap<String, Tensor<F>> = load(path)?.into_iter().collect();
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

/// One tensor's bytes, as safetensors' serialiser wants them.
struct Raw {
    dtype: Dtype,
    shape: Vec<usize>,
    bytes: Vec<u8>,
}

impl Raw {
    /// The elements as little-endian `F32` bytes for `f32`, `F64` bytes for `f64`.
    fn encode<F: Float>(tensor: &Tensor<F>) -> Raw {
        let values = tensor.array().iter().map(|x| x.as_f64());
        let (dtype, bytes) = match std::mem::size_of::<F>() {
            4 => (
                Dtype::F32,
                values.flat_map(|x| (x as f32).to_le_bytes()).collect(),
            ),
            _ => (Dtype::F64, values.flat_map(f64::to_le_bytes).collect()),
        };
        Raw {
            dtype,
            shape: tensor.shape().to_vec(),
            bytes,
        }
    }
}

impl View for &Raw {
    fn dtype(&self) -> Dtype {
        self.dtype
    }
    fn shape(&self) -> &[usize] {
        &self.shape
    }
    fn data(&self) -> Cow<'_, [u8]> {
        Cow::Borrowed(&self.bytes)
    }
    fn data_len(&self) -> usize {
        self.bytes.len()
    }
}

/// Little-endian `F32` or `F64` bytes as `F` values; `None` for other element types.
fn decode<F: Float>(dtype: Dtype, bytes: &[u8]) -> Option<Vec<F>> {
    let values: Vec<f64> = match dtype {
        Dtype::F32 => bytes
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes(b.try_into().expect("4 bytes")).into())
            .collect(),
        Dtype::F64 => bytes
            .chunks_exact(8)
            .map(|b| f64::from_le_bytes(b.try_into().expect("8 bytes")))
            .collect(),
        _ => return None,
    };
    Some(values.into_iter().map(F::cast).collect())
}

/// Serialises `tensors` (names already unique) through `writer`, and flushes it.
fn write<F: Float, W: Write>(mut writer: W, tensors: &[(String, Tensor<F>)]) -> io::Result<()> {
    let raw: Vec<(&str, Raw)> = tensors
        .iter()
        .map(|(name, t)| (name.as_str(), Raw::encode(t)))
        .collect();
    let bytes = safetensors::serialize(raw.iter().map(|(name, raw)| (*name, raw)), None)
        .map_err(io::Error::other)?;
    writer.write_all(&bytes)?;
    writer.flush()
}

/// Parses a whole safetensors file held in memory, sorted by name; `file` names it in errors.
fn read<F: Float>(bytes: &[u8], file: &Path) -> Result<Vec<(String, Tensor<F>)>> {
    let parsed = SafeTensors::deserialize(bytes).map_err(|e| CheckpointError::Format {
        file: file.into(),
        reason: e.to_string(),
    })?;
    let mut tensors = Vec::with_capacity(parsed.len());
    for (name, view) in parsed.iter() {
        let Some(values) = decode(view.dtype(), view.data()) else {
            let dtype = format!("{:?}", view.dtype());
            return Err(CheckpointError::Dtype {
                file: file.into(),
                name: name.into(),
                dtype,
            });
        };
        let shape = view.shape();
        let array =
            ndarray::ArrayD::from_shape_vec(ndarray::IxDyn(shape), values).map_err(|e| {
                CheckpointError::Format {
                    file: file.into(),
                    reason: format!("tensor {name:?} of shape {shape:?}: {e}"),
                }
            })?;
        tensors.push((name.to_string(), Tensor::from(array)));
    }
    tensors.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(tensors)
}

/// Replaces `path` with what `fill` writes, atomically: a temporary file in the same directory
/// is written, flushed and fsynced, then renamed over `path`. On error the temporary file is
/// removed and `path` is untouched.
fn replace(path: &Path, fill: impl FnOnce(&mut File) -> io::Result<()>) -> Result<()> {
    let io_error = |source| CheckpointError::Io {
        file: path.into(),
        source,
    };
    let temp = temporary_sibling(path).map_err(io_error)?;
    let written = File::create_new(&temp).and_then(|mut file| {
        fill(&mut file)?;
        file.sync_all()?;
        fs::rename(&temp, path)
    });
    if let Err(source) = written {
        let _ = fs::remove_file(&temp); // best effort: it may not exist
        return Err(io_error(source));
    }
    sync_directory(path);
    Ok(())
}

/// A fresh name next to `path`: `.NAME.PID.N.tmp`.
fn temporary_sibling(path: &Path) -> io::Result<PathBuf> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let Some(name) = path.file_name() else {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "not a file path",
        ));
    };
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let temp = format!(".{}.{}.{n}.tmp", name.to_string_lossy(), std::process::id());
    Ok(path.with_file_name(temp))
}

/// Makes the rename durable by fsyncing the directory (Unix). Best effort: some file systems
/// refuse to sync a directory, and the checkpoint itself is already complete on disk.
fn sync_directory(path: &Path) {
    #[cfg(unix)]
    {
        let dir = match path.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent,
            _ => Path::new("."),
        };
        let _ = File::open(dir).and_then(|d| d.sync_all());
    }
    #[cfg(not(unix))]
    let _ = path;
}
