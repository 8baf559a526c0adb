//! Numeric CSV into an `Array2<f64>`.
//!
//! Rules, chosen so that both comma-separated files and scikit-learn's space-separated ones
//! read without options:
//!
//! - A line containing a comma is split on commas (fields are trimmed); any other line is
//!   split on runs of whitespace. Blank lines are skipped; `\r\n` endings and a UTF-8 byte order
//!   mark are accepted.
//! - **Header auto-detection:** the first non-blank line is a header, and skipped, when *none*
//!   of its fields is a number (`x1,x2,y`). A first line with some numeric fields is data, so a
//!   typo in the first row is reported, not silently dropped. A header of numbers is read as
//!   data.
//! - Every field must parse as an `f64` (Rust's syntax: `1`, `-2.5e3`, `nan`, `inf`), and
//!   every row must have as many fields as the first. Otherwise the error names the line and
//!   column, both 1-based, counted in the file as a person sees it.

use std::path::Path;

use ndarray::Array2;

use crate::error::{DataError, Result};
use crate::gzip;

/// Parses numeric CSV text into a rows × columns array; `name` names the text in errors.
///
/// Pure and total: any input gives `Ok` or a [`DataError`], never a panic.
///
/// ```
/// use descent_data::parse_csv;
/// use ndarray::array;
///
/// let commas = parse_csv("x,y\n1,2\n3,4.5\n", "a.csv")?; // header detected and skipped
/// let spaces = parse_csv("1  2\n3\t4.5\n", "b.txt")?;    // runs of whitespace
/// assert_eq!(commas, array![[1.0, 2.0], [3.0, 4.5]]);
/// assert_eq!(spaces, commas);
///
/// let err = parse_csv("1,2\n3\n", "ragged.csv").unwrap_err();
/// assert_eq!(err.to_string(), "ragged.csv: line 2 has 1 fields, but the first row has 2");
/// # Ok::<(), descent_data::DataError>(())
/// ```
pub fn parse_csv(text: &str, name: &str) -> Result<Array2<f64>> {
    let file = Path::new(name);
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut values = Vec::new();
    let mut columns = None;
    let mut first = true;
    for (number, line) in (1..).zip(text.lines()) {
        if line.trim().is_empty() {
            continue;
        }
        if first && fields(line).all(|field| field.parse::<f64>().is_err()) {
            first = false;
            continue;
        }
        first = false;
        let before = values.len();
        for (column, field) in fields(line).enumerate() {
            let value = field.parse::<f64>().map_err(|_| DataError::NotNumeric {
                file: file.to_path_buf(),
                line: number,
                column: column + 1,
                text: field.to_string(),
            })?;
            values.push(value);
        }
        let found = values.len() - before;
        match columns {
            None => columns = Some(found),
            Some(expected) if expected != found => {
                return Err(DataError::Ragged {
                    file: file.to_path_buf(),
                    line: number,
                    expected,
                    found,
                });
            }
            Some(_) => {}
        }
    }
    let Some(columns) = columns else {
        return Err(DataError::Empty {
            file: file.to_path_buf(),
        });
    };
    let rows = values.len() / columns;
    Ok(Array2::from_shape_vec((rows, columns), values)
        .expect("every row was checked to have `columns` fields"))
}

/// Reads a numeric CSV file, plain or gzip (see [`parse_csv`] for the rules).
///
/// Bytes that are not UTF-8 are replaced by `�`, so they surface as a
/// [`DataError::NotNumeric`] at their line and column.
///
/// ```
/// use descent_data::read_csv;
///
/// let path = std::env::temp_dir().join(format!("descent-doc-{}.csv", std::process::id()));
/// std::fs::write(&path, "a b\n1 2\n")?;
/// assert_eq!(read_csv(&path)?, ndarray::array![[1.0, 2.0]]);
/// std::fs::remove_file(&path)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn read_csv(path: impl AsRef<Path>) -> Result<Array2<f64>> {
    let path = path.as_ref();
    let bytes = gzip::read(path)?;
    parse_csv(&String::from_utf8_lossy(&bytes), &path.to_string_lossy())
}

/// The fields of one line: split on commas if it has any, else on runs of whitespace.
fn fields(line: &str) -> impl Iterator<Item = &str> {
    let commas = line.contains(',');
    line.split(move |c: char| if commas { c == ',' } else { c.is_whitespace() })
        .map(str::trim)
        // Between commas an empty field is kept (and refused); between spaces it is a run.
        .filter(move |field| commas || !field.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn a_non_numeric_field_names_line_and_column() {
        let err = parse_csv("h1,h2,h3\n1,2,3\n\n4,five,6\n", "f.csv").unwrap_err();
        let DataError::NotNumeric {
            line, column, text, ..
        } = err
        else {
            panic!("{err}")
        };
        assert_eq!((line, column, text.as_str()), (4, 2, "five"));
    }

    #[test]
    fn a_first_line_with_some_numbers_is_data_not_a_header() {
        let err = parse_csv("1,x,3\n4,5,6\n", "typo.csv").unwrap_err();
        assert!(matches!(
            err,
            DataError::NotNumeric {
                line: 1,
                column: 2,
                ..
            }
        ));
    }

    #[test]
    fn empty_fields_between_commas_are_not_numbers() {
        let err = parse_csv("1,,3\n", "gap.csv").unwrap_err();
        assert_eq!(
            err.to_string(),
            r#"gap.csv: line 1, column 2: "" is not a number"#
        );
    }

    #[test]
    fn crlf_bom_and_blank_lines_are_accepted() {
        let a = parse_csv("\u{feff}a, b\r\n\r\n 1, 2 \r\n3,4\r\n", "w.csv").unwrap();
        assert_eq!(a, array![[1.0, 2.0], [3.0, 4.0]]);
    }

    #[test]
    fn header_only_or_blank_text_is_empty() {
        for text in ["", "\n  \n", "a,b\n"] {
            assert!(matches!(
                parse_csv(text, "e").unwrap_err(),
                DataError::Empty { .. }
            ));
        }
    }
}
