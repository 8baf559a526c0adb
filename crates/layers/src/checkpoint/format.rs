//! The file format: safetensors, with a CRC-32 of every tensor in the header's metadata.
//!
//! Each tensor `NAME` gets the metadata entry `"crc32:NAME"`: eight lowercase hex digits, the
//! CRC-32 (IEEE) of the tensor's name, element type, shape and little-endian bytes. CRC-32
//! detects every error burst of up to 32 bits, so any single flipped bit of the data (or of a
//! tensor's name, type or shape) is caught; a flip anywhere else breaks the JSON header, the
//! safetensors offsets, or a stored checksum, which the loader reports too. Other readers
//! (PyTorch, NumPy) ignore the metadata.

use super::{CheckpointError, LoadOptions, Result};
use descent_autograd::{Float, Tensor};
use safetensors::{Dtype, SafeTensors, View};
use std::borrow::Cow;
use std::collections::HashMap;
use std::io::{self, Write};
use std::path::Path;

/// The metadata key of a tensor's checksum is this prefix and the tensor's name.
const CHECKSUM: &str = "crc32:";

/// The CRC-32 of one tensor: its name, element type, shape and bytes.
fn checksum(name: &str, dtype: Dtype, shape: &[usize], bytes: &[u8]) -> String {
    let mut hasher = crc32fast::Hasher::new();
    hasher.update(name.as_bytes());
    hasher.update(format!("\0{dtype:?}\0").as_bytes());
    for &dim in shape {
        hasher.update(&(dim as u64).to_le_bytes());
    }
    hasher.update(bytes);
    format!("{:08x}", hasher.finalize())
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

/// Little-endian `F32` or `F64` bytes as `f64` values; `None` for other element types.
fn decode(dtype: Dtype, bytes: &[u8]) -> Option<Vec<f64>> {
    match dtype {
        Dtype::F32 => Some(
            bytes
                .chunks_exact(4)
                .map(|b| f32::from_le_bytes(b.try_into().expect("4 bytes")).into())
                .collect(),
        ),
        Dtype::F64 => Some(
            bytes
                .chunks_exact(8)
                .map(|b| f64::from_le_bytes(b.try_into().expect("8 bytes")))
                .collect(),
        ),
        _ => None,
    }
}

/// Serialises `tensors` (names already unique) with their checksums through `writer`, and
/// flushes it.
pub(super) fn write<F: Float, W: Write>(
    mut writer: W,
    tensors: &[(String, Tensor<F>)],
) -> io::Result<()> {
    let raw: Vec<(&str, Raw)> = tensors
        .iter()
        .map(|(name, t)| (name.as_str(), Raw::encode(t)))
        .collect();
    // No metadata without tensors: safetensors 0.8 writes a malformed header for an empty
    // metadata map with no tensors.
    let checksums = (!raw.is_empty()).then(|| {
        raw.iter()
            .map(|(name, r)| {
                let sum = checksum(name, r.dtype, &r.shape, &r.bytes);
                (format!("{CHECKSUM}{name}"), sum)
            })
            .collect()
    });
    let bytes = safetensors::serialize(raw.iter().map(|(name, raw)| (*name, raw)), checksums)
        .map_err(io::Error::other)?;
    writer.write_all(&bytes)?;
    writer.flush()
}

/// Parses a whole safetensors file held in memory, sorted by name; `file` names it in errors.
/// Structure first (header, element types, shapes), then each tensor's checksum, then its
/// values' finiteness in `F`, as `options` allow.
pub(super) fn read<F: Float>(
    bytes: &[u8],
    file: &Path,
    options: &LoadOptions,
) -> Result<Vec<(String, Tensor<F>)>> {
    let format = |reason: String| CheckpointError::Format {
        file: file.into(),
        reason,
    };
    let (header, metadata) =
        SafeTensors::read_metadata(bytes).map_err(|e| format(e.to_string()))?;
    let data = &bytes[8 + header..]; // read_metadata checked the lengths
    let mut checksums: HashMap<&str, &str> = metadata
        .metadata()
        .iter()
        .flatten()
        .filter_map(|(key, sum)| Some((key.strip_prefix(CHECKSUM)?, sum.as_str())))
        .collect();
    let mut infos: Vec<_> = metadata.tensors().into_iter().collect();
    infos.sort_by(|a, b| a.0.cmp(&b.0));
    let verify = !checksums.is_empty();
    let mut tensors = Vec::with_capacity(infos.len());
    for (name, info) in infos {
        let raw = &data[info.data_offsets.0..info.data_offsets.1];
        let Some(values) = decode(info.dtype, raw) else {
            let dtype = format!("{:?}", info.dtype);
            return Err(CheckpointError::Dtype {
                file: file.into(),
                name,
                dtype,
            });
        };
        let shape = &info.shape;
        let converted: Vec<F> = values.iter().map(|&x| F::cast(x)).collect();
        let non_finite = converted.iter().position(|x| !x.is_finite());
        let array = ndarray::ArrayD::from_shape_vec(ndarray::IxDyn(shape), converted)
            .map_err(|e| format(format!("tensor {name:?} of shape {shape:?}: {e}")))?;
        if !verify && !options.unverified {
            return Err(CheckpointError::Unverified { file: file.into() });
        }
        if verify {
            let computed = checksum(&name, info.dtype, shape, raw);
            let reason = match checksums.remove(name.as_str()) {
                Some(stored) if stored == computed => None,
                Some(stored) => Some(format!("stored CRC-32 {stored}, computed {computed}")),
                None => Some("no checksum is stored for it".to_string()),
            };
            if let Some(reason) = reason {
                return Err(CheckpointError::Checksum {
                    file: file.into(),
                    name,
                    reason,
                });
            }
        }
        if let Some(index) = non_finite.filter(|_| !options.non_finite) {
            return Err(CheckpointError::NonFinite {
                file: file.into(),
                name,
                index,
                value: values[index],
                element: std::any::type_name::<F>(),
            });
        }
        tensors.push((name, Tensor::from(array)));
    }
    if let Some(&name) = checksums.keys().min() {
        return Err(CheckpointError::Checksum {
            file: file.into(),
            name: name.to_string(),
            reason: "a checksum is stored for a tensor the file does not have".into(),
        });
    }
    Ok(tensors)
}
