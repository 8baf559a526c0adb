//! The real MNIST, when a copy is at `../shared/data/mnist` next to the repository; skipped
//! (with a note) when it is not.

use std::path::PathBuf;

use descent_data::Mnist;

fn counts(labels: &[usize]) -> Vec<usize> {
    let mut counts = vec![0; Mnist::CLASSES];
    for &label in labels {
        counts[label] += 1;
    }
    counts
}

#[test]
fn real_mnist_has_the_published_label_counts() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/mnist");
    if !dir.is_dir() {
        eprintln!(
            "note: {} not found, skipping the real-MNIST test",
            dir.display()
        );
        return;
    }
    let mnist = Mnist::load(&dir).unwrap();
    assert_eq!(mnist.train.pixels.dim(), (60_000, 784));
    assert_eq!(mnist.test.pixels.dim(), (10_000, 784));
    assert_eq!((mnist.train.rows, mnist.train.cols), (28, 28));
    assert_eq!(
        counts(&mnist.train.labels),
        [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
    );
    assert_eq!(
        counts(&mnist.test.labels),
        [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
    );
    assert_eq!(mnist.train.labels[..5], [5, 0, 4, 1, 9]);
    assert_eq!(mnist.test.labels[..5], [7, 2, 1, 0, 4]);
    // the border of every image is background
    assert!(
        mnist
            .train
            .pixels
            .rows()
            .into_iter()
            .all(|image| image[0] == 0 && image[783] == 0)
    );
}
