//! MNIST (and anything in its file layout, such as Fashion-MNIST) from the four IDX files.
//!
//! Pixels stay bytes: the 70,000 images take 55 MB as `u8` and four times that as `f32`.
//! Convert a batch at a time with [`gather_rows`](crate::gather_rows), or a whole evaluation
//! set with `images.pixels.mapv(|p| f32::from(p) / 255.0)`.

use std::path::{Path, PathBuf};

use ndarray::{Array2, Axis};

use crate::error::{DataError, Result};
use crate::idx::read_idx;

/// The four files, in the order training images, training labels, test images, test labels.
const FILES: [&str; 4] = [
    "train-images-idx3-ubyte",
    "train-labels-idx1-ubyte",
    "t10k-images-idx3-ubyte",
    "t10k-labels-idx1-ubyte",
];

/// Labelled images, one flattened image per row of `pixels`.
///
/// ```
/// use descent_data::Images;
/// use ndarray::array;
///
/// // two 1 × 2 images
/// let images =
///     Images { pixels: array![[0, 255], [128, 0]], labels: vec![3, 7], rows: 1, cols: 2 };
/// let second = images.subset(&[1]);
/// assert_eq!(second.pixels, array![[128, 0]]);
/// assert_eq!(second.labels, [7]);
/// assert_eq!(second.len(), 1);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Images {
    /// One image per row, `rows * cols` bytes in row-major order (0 is background).
    pub pixels: Array2<u8>,
    /// The class of each image.
    pub labels: Vec<usize>,
    /// Image height in pixels.
    pub rows: usize,
    /// Image width in pixels.
    pub cols: usize,
}

impl Images {
    /// Number of images.
    ///
    /// ```
    /// use descent_data::Images;
    /// use ndarray::Array2;
    ///
    /// let none = Images { pixels: Array2::zeros((0, 4)), labels: vec![], rows: 2, cols: 2 };
    /// assert_eq!(none.len(), 0);
    /// ```
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    /// Whether there are no images.
    ///
    /// ```
    /// use descent_data::Images;
    /// use ndarray::Array2;
    ///
    /// let none = Images { pixels: Array2::zeros((0, 4)), labels: vec![], rows: 2, cols: 2 };
    /// assert!(none.is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// The images at `indices`, in that order (for a split or a validation set).
    ///
    /// # Panics
    ///
    /// If an index is out of bounds.
    ///
    /// ```
    /// use descent_data::Images;
    /// use ndarray::array;
    ///
    /// let images =
    ///     Images { pixels: array![[1], [2], [3]], labels: vec![0, 1, 2], rows: 1, cols: 1 };
    /// assert_eq!(images.subset(&[2, 2]).labels, [2, 2]);
    /// ```
    pub fn subset(&self, indices: &[usize]) -> Images {
        Images {
            pixels: self.pixels.select(Axis(0), indices),
            labels: indices.iter().map(|&i| self.labels[i]).collect(),
            rows: self.rows,
            cols: self.cols,
        }
    }
}

/// The MNIST training (60,000) and test (10,000) images of 28 × 28 handwritten digits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mnist {
    /// The training set.
    pub train: Images,
    /// The test set.
    pub test: Images,
}

impl Mnist {
    /// Number of classes (the digits 0–9).
    pub const CLASSES: usize = 10;

    /// Loads the four IDX files from `dir`: `train-images-idx3-ubyte`,
    /// `train-labels-idx1-ubyte`, `t10k-images-idx3-ubyte` and `t10k-labels-idx1-ubyte`, each
    /// plain or with a `.gz` suffix.
    ///
    /// Errors when a file is missing (the message lists the four names and where to get
    /// them), malformed, has the wrong number of dimensions, when an image file and its label
    /// file hold different counts, or when a label is not a digit.
    ///
    /// ```
    /// use descent_data::{DataError, Mnist};
    ///
    /// match Mnist::load("data/mnist") {
    ///     Ok(mnist) => {
    ///         assert_eq!(mnist.train.pixels.dim(), (60_000, 784));
    ///         assert_eq!((mnist.test.len(), mnist.test.rows, mnist.test.cols), (10_000, 28, 28));
    ///     }
    ///     Err(err @ DataError::MissingMnist { .. }) => {
    ///         assert!(err.to_string().contains("train-images-idx3-ubyte"));
    ///     }
    ///     Err(err) => panic!("{err}"),
    /// }
    /// ```
    pub fn load(dir: impl AsRef<Path>) -> Result<Mnist> {
        let dir = dir.as_ref();
        let found = FILES.map(|name| find(dir, name));
        let missing: Vec<&'static str> = FILES
            .iter()
            .zip(&found)
            .filter(|(_, path)| path.is_none())
            .map(|(n, _)| *n)
            .collect();
        let [
            Some(train_images),
            Some(train_labels),
            Some(test_images),
            Some(test_labels),
        ] = found
        else {
            return Err(DataError::MissingMnist {
                dir: dir.to_path_buf(),
                missing,
            });
        };
        Ok(Mnist {
            train: load_images(&train_images, &train_labels)?,
            test: load_images(&test_images, &test_labels)?,
        })
    }
}

/// `dir/name` if it is a file, else `dir/name.gz` if that is.
fn find(dir: &Path, name: &str) -> Option<PathBuf> {
    [dir.join(name), dir.join(format!("{name}.gz"))]
        .into_iter()
        .find(|path| path.is_file())
}

/// Reads an image file and its label file and checks that they agree.
fn load_images(images_file: &Path, labels_file: &Path) -> Result<Images> {
    let images = read_idx(images_file)?;
    let &[count, rows, cols] = images.dims.as_slice() else {
        return Err(DataError::BadDims {
            file: images_file.to_path_buf(),
            expected: "3 dimensions [images, rows, columns]",
            found: images.dims,
        });
    };
    let labels = read_idx(labels_file)?;
    if labels.dims.len() != 1 {
        return Err(DataError::BadDims {
            file: labels_file.to_path_buf(),
            expected: "1 dimension [labels]",
            found: labels.dims,
        });
    }
    if labels.data.len() != count {
        return Err(DataError::CountMismatch {
            file: images_file.to_path_buf(),
            labels_file: labels_file.to_path_buf(),
            images: count,
            labels: labels.data.len(),
        });
    }
    if let Some((index, &label)) = labels
        .data
        .iter()
        .enumerate()
        .find(|(_, label)| usize::from(**label) >= Mnist::CLASSES)
    {
        return Err(DataError::BadLabel {
            file: labels_file.to_path_buf(),
            index,
            label: label.into(),
            classes: Mnist::CLASSES,
        });
    }
    // `read_idx` checked that the product of the dims is the data length, so this cannot fail.
    let pixels = Array2::from_shape_vec((count, rows * cols), images.data)
        .expect("IDX data length is the product of its dims");
    Ok(Images {
        pixels,
        labels: labels.data.into_iter().map(usize::from).collect(),
        rows,
        cols,
    })
}
