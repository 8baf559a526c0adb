//! Malformed files on disk give a `DataError` that names the file and the problem; nothing
//! panics.

use std::path::{Path, PathBuf};

use crate::inputs::{gzip, idx};
use descent_data::{DataError, Mnist, read_csv, read_idx};
use descent_test_support::Scratch;

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

/// Writes a tiny MNIST-shaped data set: `train` and `test` images of 2 × 3 pixels.
fn tiny_mnist(dir: &Path, train: usize, train_labels: usize, test: usize) {
    let images = |n: usize| idx(&[n as u32, 2, 3], &vec![7; n * 6]);
    let labels = |n: usize| {
        idx(
            &[n as u32],
            &(0..n).map(|i| (i % 10) as u8).collect::<Vec<_>>(),
        )
    };
    write(dir, "train-images-idx3-ubyte.gz", &gzip(&images(train)));
    write(dir, "train-labels-idx1-ubyte", &labels(train_labels));
    write(dir, "t10k-images-idx3-ubyte", &images(test));
    write(dir, "t10k-labels-idx1-ubyte.gz", &gzip(&labels(test)));
}

#[test]
fn plain_and_gzip_idx_files_read_the_same() {
    let scratch = Scratch::new("data-idx-gz");
    let dir = scratch.path();
    let bytes = idx(&[2, 2], &[1, 2, 3, 4]);
    let plain = read_idx(write(dir, "a.idx", &bytes)).unwrap();
    let zipped = read_idx(write(dir, "a.idx.gz", &gzip(&bytes))).unwrap();
    assert_eq!(plain, zipped);
    assert_eq!(plain.dims, [2, 2]);
}

#[test]
fn a_missing_file_is_an_io_error_naming_it() {
    let scratch = Scratch::new("data-missing");
    let path = scratch.path().join("nothing-here.idx");
    let err = read_idx(&path).unwrap_err();
    assert!(matches!(err, DataError::Io { .. }));
    assert!(err.to_string().contains("nothing-here.idx"), "{err}");
}

#[test]
fn bad_magic() {
    let scratch = Scratch::new("data-magic");
    let path = write(scratch.path(), "image.png", b"\x89PNG\r\n\x1a\n");
    let err = read_idx(&path).unwrap_err();
    assert!(matches!(
        err,
        DataError::BadMagic {
            found: [0x89, 0x50, 0x4e, 0x47],
            ..
        }
    ));
    let message = err.to_string();
    assert!(
        message.contains("image.png") && message.contains("89 50 4e 47"),
        "{message}"
    );
}

#[test]
fn truncated_header() {
    let scratch = Scratch::new("data-header");
    let path = write(scratch.path(), "short", &[0, 0, 8, 3, 0, 0, 0, 60, 0, 0]);
    let err = read_idx(&path).unwrap_err();
    assert!(matches!(
        err,
        DataError::Truncated {
            what: "IDX header",
            expected: 16,
            found: 10,
            ..
        }
    ));
    assert!(
        err.to_string().contains("short: truncated IDX header"),
        "{err}"
    );
}

#[test]
fn truncated_data() {
    let scratch = Scratch::new("data-data");
    let path = write(scratch.path(), "cut.idx", &idx(&[3, 28, 28], &[0; 1000]));
    let err = read_idx(&path).unwrap_err();
    assert!(matches!(
        err,
        DataError::Truncated {
            what: "IDX data",
            expected: 2352,
            found: 1000,
            ..
        }
    ));
    assert!(
        err.to_string().contains("expected 2352 bytes, found 1000"),
        "{err}"
    );
}

#[test]
fn dims_whose_product_overflows() {
    let scratch = Scratch::new("data-overflow");
    let path = write(
        scratch.path(),
        "huge.idx",
        &idx(&[u32::MAX, u32::MAX, u32::MAX], &[1]),
    );
    let err = read_idx(&path).unwrap_err();
    assert!(matches!(err, DataError::TooLarge { .. }), "{err}");
    // large but not overflowing: still refused, by length, before allocating
    let scratch = Scratch::new("data-big");
    let path = write(scratch.path(), "big.idx", &idx(&[u32::MAX, u32::MAX], &[1]));
    assert!(matches!(
        read_idx(&path).unwrap_err(),
        DataError::Truncated { .. }
    ));
}

#[test]
fn corrupt_gzip() {
    let scratch = Scratch::new("data-gzip");
    let dir = scratch.path();
    let mut bytes = gzip(&idx(&[100], &[5; 100]));
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0xff;
    let err = read_idx(write(dir, "bad.idx.gz", &bytes)).unwrap_err();
    assert!(matches!(err, DataError::Gzip { .. }), "{err}");
    assert!(
        err.to_string().contains("bad.idx.gz: corrupt gzip data"),
        "{err}"
    );

    let truncated = gzip(b"1,2\n3,4\n");
    let err = read_csv(write(dir, "cut.csv.gz", &truncated[..truncated.len() - 6])).unwrap_err();
    assert!(matches!(err, DataError::Gzip { .. }), "{err}");
}

#[test]
fn csv_plain_and_gzip() {
    let scratch = Scratch::new("data-csv");
    let dir = scratch.path();
    let text = "age sex bmi\n59 2 32.1\n48 1 21.6\n";
    let plain = read_csv(write(dir, "d.txt", text.as_bytes())).unwrap();
    let zipped = read_csv(write(dir, "d.txt.gz", &gzip(text.as_bytes()))).unwrap();
    assert_eq!(plain, zipped);
    assert_eq!(plain.dim(), (2, 3));
    assert_eq!(plain[[1, 2]], 21.6);
}

#[test]
fn csv_with_a_non_numeric_field() {
    let scratch = Scratch::new("data-csv-text");
    let path = write(
        scratch.path(),
        "data.csv",
        b"a,b,c\n1,2,3\n4,5,6\n7,8,n/a\n",
    );
    let err = read_csv(&path).unwrap_err();
    assert!(
        matches!(
            err,
            DataError::NotNumeric {
                line: 4,
                column: 3,
                ..
            }
        ),
        "{err}"
    );
    let message = err.to_string();
    assert!(
        message.ends_with(r#"data.csv: line 4, column 3: "n/a" is not a number"#),
        "{message}"
    );
}

#[test]
fn csv_that_is_not_utf8_reports_the_field() {
    let scratch = Scratch::new("data-csv-latin1");
    let path = write(scratch.path(), "latin1.csv", b"1,2\n3,\xe94\n");
    let err = read_csv(&path).unwrap_err();
    assert!(
        matches!(
            err,
            DataError::NotNumeric {
                line: 2,
                column: 2,
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn ragged_csv() {
    let scratch = Scratch::new("data-ragged");
    let path = write(scratch.path(), "ragged.csv", b"1 2 3\n4 5 6\n7 8\n");
    let err = read_csv(&path).unwrap_err();
    assert!(
        matches!(
            err,
            DataError::Ragged {
                line: 3,
                expected: 3,
                found: 2,
                ..
            }
        ),
        "{err}"
    );
    assert!(
        err.to_string()
            .contains("line 3 has 2 fields, but the first row has 3"),
        "{err}"
    );
}

#[test]
fn missing_mnist_dir_names_the_files_and_where_to_get_them() {
    let scratch = Scratch::new("data-no-mnist");
    let dir = scratch.path().join("mnist");
    let err = Mnist::load(&dir).unwrap_err();
    let message = err.to_string();
    for name in [
        "train-images-idx3-ubyte",
        "train-labels-idx1-ubyte",
        "t10k-images-idx3-ubyte",
        "t10k-labels-idx1-ubyte",
    ] {
        assert!(message.contains(name), "{message}");
    }
    assert!(
        message.contains("http://yann.lecun.com/exdb/mnist/"),
        "{message}"
    );
    assert!(
        message.contains("https://ossci-datasets.s3.amazonaws.com/mnist/"),
        "{message}"
    );
    assert!(!message.contains("../shared"), "{message}"); // no development path
    assert!(matches!(err, DataError::MissingMnist { ref missing, .. } if missing.len() == 4));
}

#[test]
fn partly_missing_mnist_lists_what_is_missing() {
    let scratch = Scratch::new("data-half-mnist");
    let dir = scratch.path();
    tiny_mnist(dir, 3, 3, 2);
    std::fs::remove_file(dir.join("t10k-labels-idx1-ubyte.gz")).unwrap();
    let err = Mnist::load(dir).unwrap_err();
    assert!(
        matches!(err, DataError::MissingMnist { ref missing, .. }
            if missing == &["t10k-labels-idx1-ubyte"]),
        "{err}"
    );
}

#[test]
fn tiny_mnist_loads_from_plain_and_gzip_files() {
    let scratch = Scratch::new("data-tiny-mnist");
    let dir = scratch.path();
    tiny_mnist(dir, 12, 12, 3);
    let mnist = Mnist::load(dir).unwrap();
    assert_eq!(mnist.train.pixels.dim(), (12, 6));
    assert_eq!((mnist.train.rows, mnist.train.cols), (2, 3));
    assert_eq!(mnist.train.labels[..3], [0, 1, 2]);
    assert_eq!(mnist.train.labels[11], 1);
    assert_eq!(mnist.test.len(), 3);
}

#[test]
fn image_and_label_counts_that_differ() {
    let scratch = Scratch::new("data-count-mismatch");
    let dir = scratch.path();
    tiny_mnist(dir, 5, 4, 2);
    let err = Mnist::load(dir).unwrap_err();
    assert!(
        matches!(
            err,
            DataError::CountMismatch {
                images: 5,
                labels: 4,
                ..
            }
        ),
        "{err}"
    );
    let message = err.to_string();
    assert!(
        message.contains("train-images-idx3-ubyte.gz has 5 images"),
        "{message}"
    );
    assert!(
        message.contains("train-labels-idx1-ubyte has 4 labels"),
        "{message}"
    );
}

#[test]
fn images_with_the_wrong_number_of_dims() {
    let scratch = Scratch::new("data-flat-images");
    let dir = scratch.path();
    tiny_mnist(dir, 2, 2, 2);
    write(dir, "t10k-images-idx3-ubyte", &idx(&[12], &[0; 12]));
    let err = Mnist::load(dir).unwrap_err();
    assert!(
        matches!(err, DataError::BadDims { ref found, .. } if found == &[12]),
        "{err}"
    );
    assert!(err.to_string().contains("expected 3 dimensions"), "{err}");
}

#[test]
fn a_label_that_is_not_a_digit() {
    let scratch = Scratch::new("data-bad-label");
    let dir = scratch.path();
    tiny_mnist(dir, 2, 2, 2);
    write(dir, "train-labels-idx1-ubyte", &idx(&[2], &[3, 10]));
    let err = Mnist::load(dir).unwrap_err();
    assert!(
        matches!(
            err,
            DataError::BadLabel {
                index: 1,
                label: 10,
                classes: 10,
                ..
            }
        ),
        "{err}"
    );
}
