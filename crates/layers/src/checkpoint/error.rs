//! The error of checkpoint reading and writing: what went wrong, and with which file.

use std::path::PathBuf;

/// Shorthand for results whose error is [`CheckpointError`].
pub type Result<T> = std::result::Result<T, CheckpointError>;

/// What went wrong saving or loading a checkpoint. Every variant names the file; those about
/// one tensor name it too.
///
/// ```
/// use descent_layers::checkpoint::{self, CheckpointError};
/// let err = checkpoint::load::<f32>("no/such/model.safetensors").unwrap_err();
/// assert!(matches!(err, CheckpointError::Io { .. }));
/// assert!(err.to_string().starts_with("no/such/model.safetensors: "));
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CheckpointError {
    /// The file could not be read or written (missing, permissions, disk full, ...).
    #[error("{}: {source}", file.display())]
    Io {
        /// The file.
        file: PathBuf,
        /// The underlying I/O error.
        source: std::io::Error,
    },

    /// The file is not a valid safetensors file: truncated, corrupt, or something else.
    #[error("{}: not a valid safetensors file (truncated or corrupt?): {reason}", file.display())]
    Format {
        /// The file.
        file: PathBuf,
        /// What the parser found wrong.
        reason: String,
    },

    /// A tensor's element type is neither F32 nor F64.
    #[error("{}: tensor {name:?} has element type {dtype}, only F32 and F64 can be loaded", file.display())]
    Dtype {
        /// The file.
        file: PathBuf,
        /// The tensor.
        name: String,
        /// The element type found (safetensors' name for it).
        dtype: String,
    },

    /// Two tensors to save have the same name.
    #[error("{}: two tensors are named {name:?}", file.display())]
    Duplicate {
        /// The file.
        file: PathBuf,
        /// The repeated name.
        name: String,
    },

    /// The model has a tensor the file lacks.
    #[error("{}: tensor {name:?} (shape {expected:?}) is missing from the file", file.display())]
    Missing {
        /// The file.
        file: PathBuf,
        /// The model's name for the tensor.
        name: String,
        /// The model's shape for it.
        expected: Vec<usize>,
    },

    /// The file has a tensor the model lacks.
    #[error("{}: tensor {name:?} in the file is not part of the model", file.display())]
    Unexpected {
        /// The file.
        file: PathBuf,
        /// The file's name for the tensor.
        name: String,
    },

    /// A tensor's shape in the file differs from the model's.
    #[error("{}: tensor {name:?} has shape {found:?} in the file, the model expects {expected:?}", file.display())]
    Shape {
        /// The file.
        file: PathBuf,
        /// The tensor.
        name: String,
        /// The model's shape.
        expected: Vec<usize>,
        /// The file's shape.
        found: Vec<usize>,
    },

    /// A tensor's stored checksum does not match its bytes (or its name, type or shape), or
    /// one of the two is missing: the file was damaged after it was written.
    #[error("{}: tensor {name:?} fails its integrity check, the file is damaged: {reason}", file.display())]
    Checksum {
        /// The file.
        file: PathBuf,
        /// The tensor (as the file names it).
        name: String,
        /// What did not match.
        reason: String,
    },

    /// The file stores no checksums, so its integrity cannot be verified.
    #[error(
        "{}: the file has no checksums (written by another tool, or by descent before it stored \
         them), so its integrity cannot be verified; load it with \
         `LoadOptions::new().allow_unverified()` if you trust it",
        file.display()
    )]
    Unverified {
        /// The file.
        file: PathBuf,
    },

    /// A value is not finite in the element type it is loaded as.
    #[error(
        "{}: tensor {name:?} element {index} is {value:e}, which is not finite as {element}; \
         load with `LoadOptions::new().allow_non_finite()` to accept it",
        file.display()
    )]
    NonFinite {
        /// The file.
        file: PathBuf,
        /// The tensor.
        name: String,
        /// The element's position in row-major order.
        index: usize,
        /// The value as stored in the file.
        value: f64,
        /// The element type it was loaded as (`"f32"`, `"f64"`).
        element: &'static str,
    },
}
