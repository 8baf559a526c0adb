//! The IDX format of MNIST: a magic number `00 00 <type> <ndims>`, `ndims` big-endian `u32`
//! dimensions, then the elements in row-major order. Only unsigned bytes (type `0x08`) are
//! supported, which is all MNIST and Fashion-MNIST use. Gzip input is recognised by its magic
//! bytes, so `file` and `file.gz` read the same.
//!
//! The header is checked before anything is allocated: the product of the dimensions must not
//! overflow and must equal the number of data bytes present, exactly.

use std::path::Path;

use crate::error::{DataError, Result};
use crate::gzip;

/// The IDX element type byte for unsigned bytes.
const UNSIGNED_BYTE: u8 = 0x08;

/// An IDX array of bytes: its dimensions and its elements in row-major order.
///
/// ```
/// use descent_data::parse_idx;
///
/// // 2 × 3 bytes: magic 00 00 08 02, dims 2 and 3, then six elements
/// let bytes = [0, 0, 8, 2, 0, 0, 0, 2, 0, 0, 0, 3, 1, 2, 3, 4, 5, 6];
/// let idx = parse_idx(&bytes, "tiny.idx")?;
/// assert_eq!(idx.dims, [2, 3]);
/// assert_eq!(idx.data, [1, 2, 3, 4, 5, 6]);
/// # Ok::<(), descent_data::DataError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Idx {
    /// The dimensions, outermost first (MNIST images: `[n, 28, 28]`; labels: `[n]`).
    pub dims: Vec<usize>,
    /// The elements in row-major order; `data.len()` is the product of `dims`.
    pub data: Vec<u8>,
}

/// Parses IDX bytes (plain or gzip) held in memory; `name` names them in errors.
///
/// Pure and total: any input gives `Ok` or a [`DataError`], never a panic.
///
/// ```
/// use descent_data::{parse_idx, DataError};
///
/// // the header promises 4 bytes of data but only 3 follow
/// let err = parse_idx(&[0, 0, 8, 1, 0, 0, 0, 4, 9, 9, 9], "short.idx").unwrap_err();
/// assert!(matches!(err, DataError::Truncated { expected: 4, found: 3, .. }));
/// assert_eq!(err.to_string(), "short.idx: truncated IDX data: expected 4 bytes, found 3");
/// ```
pub fn parse_idx(bytes: &[u8], name: &str) -> Result<Idx> {
    let bytes = gzip::decode(bytes, Path::new(name))?;
    let (dims, start) = header(&bytes, Path::new(name))?;
    Ok(Idx {
        dims,
        data: bytes[start..].to_vec(),
    })
}

/// Reads an IDX file, plain or gzip.
///
/// ```
/// use descent_data::read_idx;
///
/// let path = std::env::temp_dir().join(format!("descent-doc-{}.idx", std::process::id()));
/// std::fs::write(&path, [0, 0, 8, 1, 0, 0, 0, 2, 7, 8])?;
/// let idx = read_idx(&path)?;
/// assert_eq!((idx.dims, idx.data), (vec![2], vec![7, 8]));
/// std::fs::remove_file(&path)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn read_idx(path: impl AsRef<Path>) -> Result<Idx> {
    let path = path.as_ref();
    let mut bytes = gzip::read(path)?;
    let (dims, start) = header(&bytes, path)?;
    // Drop the header in place: no second copy of a 47 MB image file.
    bytes.drain(..start);
    Ok(Idx { dims, data: bytes })
}

/// Checks the header against the length of `bytes`; returns the dimensions and where the
/// data starts.
fn header(bytes: &[u8], file: &Path) -> Result<(Vec<usize>, usize)> {
    let truncated = |expected| DataError::Truncated {
        file: file.to_path_buf(),
        what: "IDX header",
        expected,
        found: bytes.len(),
    };
    let Some(&[zero0, zero1, code, ndims]) = bytes.first_chunk::<4>() else {
        return Err(truncated(4));
    };
    if [zero0, zero1] != [0, 0] {
        return Err(DataError::BadMagic {
            file: file.to_path_buf(),
            found: [zero0, zero1, code, ndims],
        });
    }
    if code != UNSIGNED_BYTE {
        return Err(DataError::UnsupportedType {
            file: file.to_path_buf(),
            code,
        });
    }
    let start = 4 + 4 * usize::from(ndims);
    let Some(raw) = bytes.get(4..start) else {
        return Err(truncated(start));
    };
    let raw: Vec<u32> = raw
        .chunks_exact(4)
        .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
        .collect();
    let too_large = || DataError::TooLarge {
        file: file.to_path_buf(),
        dims: raw.clone(),
    };
    let dims = raw
        .iter()
        .map(|&d| usize::try_from(d).map_err(|_| too_large()))
        .collect::<Result<Vec<usize>>>()?;
    let expected = dims
        .iter()
        .try_fold(1usize, |len, &d| len.checked_mul(d))
        .ok_or_else(too_large)?;
    // No elements, but a shape ndarray refuses: non-zero dims multiplying past `isize::MAX`.
    let nonzero = dims
        .iter()
        .filter(|&&d| d > 0)
        .try_fold(1usize, |n, &d| n.checked_mul(d));
    if expected == 0 && nonzero.is_none_or(|n| n > isize::MAX as usize) {
        return Err(too_large());
    }
    let found = bytes.len() - start;
    if found < expected {
        return Err(DataError::Truncated {
            file: file.to_path_buf(),
            what: "IDX data",
            expected,
            found,
        });
    }
    if found > expected {
        return Err(DataError::TrailingBytes {
            file: file.to_path_buf(),
            dims,
            expected,
            found,
        });
    }
    Ok((dims, start))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_three_dimensional_array() {
        let mut bytes = vec![0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 1];
        bytes.extend([10, 20, 30, 40]);
        let idx = parse_idx(&bytes, "a").unwrap();
        assert_eq!(idx.dims, [2, 2, 1]);
        assert_eq!(idx.data, [10, 20, 30, 40]);
    }

    #[test]
    fn zero_dimensions_hold_one_element() {
        let idx = parse_idx(&[0, 0, 8, 0, 42], "scalar").unwrap();
        assert_eq!((idx.dims, idx.data), (vec![], vec![42]));
    }

    #[test]
    fn an_empty_dimension_holds_nothing() {
        let idx = parse_idx(&[0, 0, 8, 2, 0, 0, 0, 0, 0, 0, 0, 9], "empty").unwrap();
        assert_eq!(idx.dims, [0, 9]);
        assert!(idx.data.is_empty());
    }

    #[test]
    fn bad_magic_shows_the_bytes() {
        let err = parse_idx(b"P5\n28 28", "image.pgm").unwrap_err();
        assert_eq!(
            err.to_string(),
            "image.pgm: not an IDX file: magic number is 50 35 0a 32, expected 00 00 <type> <ndims>"
        );
    }

    #[test]
    fn other_element_types_are_refused_by_name() {
        let err = parse_idx(&[0, 0, 0x0D, 1, 0, 0, 0, 1, 0, 0, 0, 0], "f.idx").unwrap_err();
        assert!(
            err.to_string().contains("0x0d (f32) is not supported"),
            "{err}"
        );
    }

    #[test]
    fn header_shorter_than_its_dims_is_truncated() {
        let err = parse_idx(&[0, 0, 8, 3, 0, 0, 0, 1], "h").unwrap_err();
        assert!(matches!(
            err,
            DataError::Truncated {
                what: "IDX header",
                expected: 16,
                found: 8,
                ..
            }
        ));
    }

    #[test]
    fn trailing_bytes_are_an_error() {
        let err = parse_idx(&[0, 0, 8, 1, 0, 0, 0, 1, 5, 6], "t").unwrap_err();
        assert!(matches!(
            err,
            DataError::TrailingBytes {
                expected: 1,
                found: 2,
                ..
            }
        ));
    }

    #[test]
    fn dims_whose_product_overflows_are_refused_before_allocating() {
        let mut bytes = vec![0, 0, 8, 3];
        for _ in 0..3 {
            bytes.extend(u32::MAX.to_be_bytes());
        }
        let err = parse_idx(&bytes, "huge").unwrap_err();
        assert!(matches!(err, DataError::TooLarge { .. }), "{err}");
        assert!(err.to_string().contains("too large"));
    }
}
