//! The one error type of the crate: everything read from the outside world returns it.

use std::path::{Path, PathBuf};

/// Shorthand for results whose error is [`DataError`].
pub type Result<T> = std::result::Result<T, DataError>;

/// What went wrong reading a data file, and which file.
///
/// Every variant names the `file`: the path for data read from disk, or the display name the
/// caller gave for in-memory input ([`parse_idx`](crate::parse_idx),
/// [`parse_csv`](crate::parse_csv)). Malformed input always ends here, never in a panic.
///
/// ```
/// use descent_data::{parse_csv, DataError};
///
/// let err = parse_csv("1,2\n3,x\n", "tiny.csv").unwrap_err();
/// assert!(matches!(err, DataError::NotNumeric { line: 2, column: 2, .. }));
/// assert_eq!(err.to_string(), r#"tiny.csv: line 2, column 2: "x" is not a number"#);
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DataError {
    /// The file could not be read (missing, permissions, ...).
    #[error("{}: {source}", file.display())]
    Io {
        /// The file.
        file: PathBuf,
        /// The underlying I/O error.
        source: std::io::Error,
    },

    /// The data starts with the gzip magic bytes `1f 8b` but does not decompress.
    #[error("{}: corrupt gzip data: {source}", file.display())]
    Gzip {
        /// The file.
        file: PathBuf,
        /// The decoder's error.
        source: std::io::Error,
    },

    /// The first four bytes are not an IDX magic number `00 00 <type> <ndims>`.
    #[error(
        "{}: not an IDX file: magic number is {:02x} {:02x} {:02x} {:02x}, expected 00 00 <type> <ndims>",
        file.display(), found[0], found[1], found[2], found[3]
    )]
    BadMagic {
        /// The file.
        file: PathBuf,
        /// The four bytes found.
        found: [u8; 4],
    },

    /// The IDX element type is not unsigned byte (`0x08`), the only type supported.
    #[error(
        "{}: IDX element type 0x{code:02x} ({}) is not supported, only 0x08 (unsigned byte)",
        file.display(), idx_type_name(*code)
    )]
    UnsupportedType {
        /// The file.
        file: PathBuf,
        /// The type byte found (third byte of the magic number).
        code: u8,
    },

    /// The input ends before the header or the data it announces.
    #[error("{}: truncated {what}: expected {expected} bytes, found {found}", file.display())]
    Truncated {
        /// The file.
        file: PathBuf,
        /// Which part is cut short ("IDX header", "IDX data").
        what: &'static str,
        /// Bytes the header announces.
        expected: usize,
        /// Bytes present.
        found: usize,
    },

    /// The input is longer than its header announces.
    #[error("{}: {found} data bytes, but the dimensions {dims:?} need {expected}", file.display())]
    TrailingBytes {
        /// The file.
        file: PathBuf,
        /// The dimensions from the header.
        dims: Vec<usize>,
        /// Bytes the dimensions need.
        expected: usize,
        /// Bytes present.
        found: usize,
    },

    /// The product of the IDX dimensions does not fit in memory (overflows `usize`).
    #[error("{}: IDX dimensions {dims:?} are too large (their product overflows)", file.display())]
    TooLarge {
        /// The file.
        file: PathBuf,
        /// The dimensions from the header.
        dims: Vec<u32>,
    },

    /// The IDX dimensions are not the ones this reader expects (e.g. images need three).
    #[error("{}: expected {expected}, found dimensions {found:?}", file.display())]
    BadDims {
        /// The file.
        file: PathBuf,
        /// What was expected, in words.
        expected: &'static str,
        /// The dimensions found.
        found: Vec<usize>,
    },

    /// An image file and its label file hold different numbers of samples.
    #[error(
        "{} has {images} images but {} has {labels} labels",
        file.display(), labels_file.display()
    )]
    CountMismatch {
        /// The image file.
        file: PathBuf,
        /// The label file.
        labels_file: PathBuf,
        /// Number of images.
        images: usize,
        /// Number of labels.
        labels: usize,
    },

    /// A label is outside `0..classes`.
    #[error("{}: label {label} at index {index} is not in 0..{classes}", file.display())]
    BadLabel {
        /// The file.
        file: PathBuf,
        /// Position of the label (0-based sample index).
        index: usize,
        /// The label found.
        label: usize,
        /// Number of classes.
        classes: usize,
    },

    /// A CSV field is not a number (line and column are 1-based).
    #[error("{}: line {line}, column {column}: {text:?} is not a number", file.display())]
    NotNumeric {
        /// The file.
        file: PathBuf,
        /// Line number, 1-based, counting every line of the file.
        line: usize,
        /// Field number, 1-based.
        column: usize,
        /// The offending field.
        text: String,
    },

    /// A CSV row has a different number of fields from the first row.
    #[error(
        "{}: line {line} has {found} fields, but the first row has {expected}",
        file.display()
    )]
    Ragged {
        /// The file.
        file: PathBuf,
        /// Line number, 1-based.
        line: usize,
        /// Fields in the first data row.
        expected: usize,
        /// Fields in this row.
        found: usize,
    },

    /// The `csv` crate could not read a record.
    #[error("{}: line {line}: {message}", file.display())]
    Csv {
        /// The file.
        file: PathBuf,
        /// Line number, 1-based (0 if unknown).
        line: usize,
        /// The `csv` crate's message.
        message: String,
    },

    /// A CSV holds no data rows (empty, blank, or a header only).
    #[error("{}: no data rows", file.display())]
    Empty {
        /// The file.
        file: PathBuf,
    },

    /// Some MNIST files are not in the directory.
    #[error(
        "{}: MNIST files missing: {}. Mnist::load needs train-images-idx3-ubyte, \
         train-labels-idx1-ubyte, t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte \
         (each may end in .gz). MNIST is by Y. LeCun, C. Cortes and C. J. C. Burges (CC BY-SA \
         3.0): download the four .gz files from http://yann.lecun.com/exdb/mnist/ or a mirror \
         such as https://ossci-datasets.s3.amazonaws.com/mnist/, put them in one directory \
         and pass its path",
        dir.display(), missing.join(", ")
    )]
    MissingMnist {
        /// The directory searched.
        dir: PathBuf,
        /// The base names not found (with or without `.gz`).
        missing: Vec<&'static str>,
    },
}

impl DataError {
    /// The file (or, for [`DataError::MissingMnist`], the directory) the error is about.
    ///
    /// ```
    /// use descent_data::read_idx;
    /// use std::path::Path;
    ///
    /// let err = read_idx("no/such/file.idx").unwrap_err();
    /// assert_eq!(err.file(), Path::new("no/such/file.idx"));
    /// ```
    pub fn file(&self) -> &Path {
        match self {
            DataError::Io { file, .. }
            | DataError::Gzip { file, .. }
            | DataError::BadMagic { file, .. }
            | DataError::UnsupportedType { file, .. }
            | DataError::Truncated { file, .. }
            | DataError::TrailingBytes { file, .. }
            | DataError::TooLarge { file, .. }
            | DataError::BadDims { file, .. }
            | DataError::CountMismatch { file, .. }
            | DataError::BadLabel { file, .. }
            | DataError::NotNumeric { file, .. }
            | DataError::Ragged { file, .. }
            | DataError::Csv { file, .. }
            | DataError::Empty { file } => file,
            DataError::MissingMnist { dir, .. } => dir,
        }
    }
}

/// The IDX name of an element type byte, for error messages.
fn idx_type_name(code: u8) -> &'static str {
    match code {
        0x08 => "unsigned byte",
        0x09 => "signed byte",
        0x0B => "i16",
        0x0C => "i32",
        0x0D => "f32",
        0x0E => "f64",
        _ => "unknown",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_can_cross_threads_and_be_boxed() {
        fn send_sync_static<T: Send + Sync + 'static>() {}
        send_sync_static::<DataError>();
    }

    #[test]
    fn the_io_error_is_the_source() {
        let err = DataError::Io {
            file: "x".into(),
            source: std::io::Error::new(std::io::ErrorKind::NotFound, "gone"),
        };
        assert_eq!(err.to_string(), "x: gone");
        assert!(std::error::Error::source(&err).is_some());
    }
}
