//! Small real data sets compiled into the crate, for tests, examples and first experiments.
//! Provenance, licences and checksums are in `data/README.md` at the root of the repository.

use ndarray::{Axis, Slice};

use crate::csv::parse_csv;
use crate::dataset::{Classification, Regression};
use crate::gzip;

const DIGITS: &[u8] = include_bytes!("../../../data/digits/digits.csv.gz");
const DIABETES_INPUTS: &[u8] = include_bytes!("../../../data/diabetes/diabetes_data_raw.csv.gz");
const DIABETES_TARGETS: &[u8] = include_bytes!("../../../data/diabetes/diabetes_target.csv.gz");

/// The UCI handwritten digits: 1,797 images of 8 × 8 pixels with values 0–16, as 64 `f64`
/// inputs per row, labelled 0–9 (Alpaydin & Kaynak 1998, CC BY 4.0).
///
/// ```
/// let digits = descent_data::digits();
/// assert_eq!(digits.inputs.dim(), (1797, 64));
/// assert_eq!(digits.classes, 10);
/// assert!(digits.inputs.iter().all(|&p| (0.0..=16.0).contains(&p)));
/// assert_eq!(digits.labels[..4], [0, 1, 2, 3]);
/// ```
pub fn digits() -> Classification {
    let table = parse_embedded(DIGITS, "digits.csv.gz");
    // (not `s![.., ..64]`: the macro expands to `allow(unsafe_code)`, which `forbid` refuses)
    let inputs = table.slice_axis(Axis(1), Slice::from(..64)).to_owned();
    // Labels are the integers 0..=9 written as numbers; `as` is exact for them.
    let labels = table
        .column(64)
        .iter()
        .map(|&label| label as usize)
        .collect();
    Classification {
        inputs,
        labels,
        classes: 10,
    }
}

/// The diabetes regression set: 442 patients, 10 raw baseline variables (age, sex, body mass
/// index, blood pressure and six blood serum measurements, unscaled) and a measure of disease
/// progression one year later (Efron et al. 2004, from scikit-learn).
///
/// ```
/// let diabetes = descent_data::diabetes();
/// assert_eq!(diabetes.inputs.dim(), (442, 10));
/// assert_eq!(diabetes.inputs[[0, 0]], 59.0); // age of the first patient
/// assert_eq!(diabetes.targets[0], 151.0);
/// ```
pub fn diabetes() -> Regression {
    let inputs = parse_embedded(DIABETES_INPUTS, "diabetes_data_raw.csv.gz");
    let targets = parse_embedded(DIABETES_TARGETS, "diabetes_target.csv.gz");
    Regression {
        inputs,
        targets: targets.index_axis_move(Axis(1), 0),
    }
}

/// Decompresses and parses an embedded file, which the tests below prove well formed.
fn parse_embedded(bytes: &[u8], name: &str) -> ndarray::Array2<f64> {
    let text = gzip::decode(bytes, name.as_ref()).expect("embedded data set is valid gzip");
    parse_csv(&String::from_utf8_lossy(&text), name).expect("embedded data set is valid CSV")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts(labels: &[usize], classes: usize) -> Vec<usize> {
        let mut counts = vec![0; classes];
        for &label in labels {
            counts[label] += 1;
        }
        counts
    }

    #[test]
    fn digits_have_the_published_shape_and_class_counts() {
        let digits = digits();
        assert_eq!(digits.inputs.dim(), (1797, 64));
        assert_eq!(digits.labels.len(), 1797);
        assert_eq!(
            counts(&digits.labels, 10),
            [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]
        );
        // the first image, a zero: its first row of pixels
        assert_eq!(
            digits.inputs.row(0).as_slice().unwrap()[..8],
            [0., 0., 5., 13., 9., 1., 0., 0.]
        );
        assert!(
            digits
                .inputs
                .iter()
                .all(|p| p.fract() == 0.0 && (0.0..=16.0).contains(p))
        );
    }

    #[test]
    fn diabetes_has_the_published_shape_and_values() {
        let diabetes = diabetes();
        assert_eq!(diabetes.inputs.dim(), (442, 10));
        assert_eq!(diabetes.targets.len(), 442);
        assert_eq!(
            diabetes.inputs.row(0).to_vec(),
            [59.0, 2.0, 32.1, 101.0, 157.0, 93.2, 38.0, 4.0, 4.8598, 87.0]
        );
        assert_eq!(diabetes.targets[441], 57.0);
        // sex is coded 1 or 2
        assert!(
            diabetes
                .inputs
                .column(1)
                .iter()
                .all(|&s| s == 1.0 || s == 2.0)
        );
        let range = diabetes
            .targets
            .fold((f64::MAX, f64::MIN), |(lo, hi), &t| (lo.min(t), hi.max(t)));
        assert_eq!(range, (25.0, 346.0));
    }
}
