//! Transparent gzip: data starting with the gzip magic bytes `1f 8b` is decompressed, anything
//! else is passed through, so `name` and `name.gz` read the same.

use std::borrow::Cow;
use std::io::Read;
use std::path::Path;

use flate2::read::MultiGzDecoder;

use crate::error::{DataError, Result};

/// The two bytes every gzip stream starts with.
const MAGIC: [u8; 2] = [0x1f, 0x8b];

/// `bytes`, decompressed if they are gzip.
pub(crate) fn decode<'a>(bytes: &'a [u8], file: &Path) -> Result<Cow<'a, [u8]>> {
    if !bytes.starts_with(&MAGIC) {
        return Ok(Cow::Borrowed(bytes));
    }
    let mut out = Vec::new();
    MultiGzDecoder::new(bytes)
        .read_to_end(&mut out)
        .map_err(|source| DataError::Gzip {
            file: file.to_path_buf(),
            source,
        })?;
    Ok(Cow::Owned(out))
}

/// The contents of the file at `path`, decompressed if they are gzip.
pub(crate) fn read(path: &Path) -> Result<Vec<u8>> {
    let bytes = std::fs::read(path).map_err(|source| DataError::Io {
        file: path.to_path_buf(),
        source,
    })?;
    match decode(&bytes, path)? {
        Cow::Borrowed(_) => Ok(bytes),
        Cow::Owned(decoded) => Ok(decoded),
    }
}
