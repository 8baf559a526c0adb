//! Numeric CSV into an `Array2<f64>`, read with the `csv` crate.
//!
//! Rules, chosen so that both comma-separated files and scikit-learn's space-separated ones
//! read without options:
//!
//! - When the first non-blank line contains a comma or a quote, the text is comma-separated values as
//!   the `csv` crate reads them: fields may be quoted (`"1,5"` is one field, `""` an escaped
//!   quote) and are trimmed. Otherwise every line is split on runs of whitespace. Blank lines
//!   are skipped; `\r\n` endings and a UTF-8 byte order mark are accepted.
//! - **Header auto-detection:** the first row is a header, and skipped, when *none* of its
//!   fields is a number (`x1,x2,y`, or `"age","bmi"`). A first row with some numeric fields is
//!   data, so a typo in the first row is reported, not silently dropped. A header of numbers is
//!   read as data.
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
/// let quoted = parse_csv("\"x\",\"y, in m\"\n1,\"2\"\n3,4.5\n", "c.csv")?;
/// assert_eq!(commas, array![[1.0, 2.0], [3.0, 4.5]]);
/// assert_eq!(spaces, commas);
/// assert_eq!(quoted, commas);
///
/// let err = parse_csv("1,2\n3\n", "ragged.csv").unwrap_err();
/// assert_eq!(err.to_string(), "ragged.csv: line 2 has 1 fields, but the first row has 2");
/// # Ok::<(), descent_data::DataError>(())
/// ```
pub fn parse_csv(text: &str, name: &str) -> Result<Array2<f64>> {
    let file = Path::new(name);
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let commas = text
        .lines()
        .find(|line| !line.trim().is_empty())
        .is_some_and(|line| line.contains([',', '"']));
    let rows = if commas {
        comma_rows(text, file)?
    } else {
        whitespace_rows(text)
    };
    let mut values = Vec::new();
    let mut columns = None;
    for (index, (number, fields)) in rows.into_iter().enumerate() {
        if index == 0 && fields.iter().all(|field| field.parse::<f64>().is_err()) {
            continue; // a header
        }
        for (column, field) in fields.iter().enumerate() {
            let value = field.parse::<f64>().map_err(|_| DataError::NotNumeric {
                file: file.to_path_buf(),
                line: number,
                column: column + 1,
                text: field.to_string(),
            })?;
            values.push(value);
        }
        match columns {
            None => columns = Some(fields.len()),
            Some(expected) if expected != fields.len() => {
                return Err(DataError::Ragged {
                    file: file.to_path_buf(),
                    line: number,
                    expected,
                    found: fields.len(),
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

/// The non-blank records of comma-separated text, each with its 1-based line number.
fn comma_rows(text: &str, file: &Path) -> Result<Vec<(usize, Vec<String>)>> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    // The line of a record's first byte, counted on from the previous record's (the csv
    // crate's own count leaves out blank lines, and its offset is where the blank lines
    // before a record begin).
    let (mut counted, mut line) = (0, 1);
    let mut line_at = |byte: u64| {
        let bytes = text.as_bytes();
        let mut byte = (byte as usize).clamp(counted, text.len());
        while bytes.get(byte).is_some_and(|b| matches!(b, b'\n' | b'\r')) {
            byte += 1;
        }
        line += text.as_bytes()[counted..byte]
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        counted = byte;
        line
    };
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| DataError::Csv {
            file: file.to_path_buf(),
            line: e.position().map_or(0, |p| line_at(p.byte())),
            message: e.to_string(),
        })?;
        let line = record.position().map_or(0, |p| line_at(p.byte()));
        if record.len() == 1 && record[0].is_empty() {
            continue; // a line of spaces
        }
        rows.push((line, record.iter().map(str::to_string).collect()));
    }
    Ok(rows)
}

/// The non-blank lines of whitespace-separated text, split on runs of whitespace, each with
/// its 1-based line number.
fn whitespace_rows(text: &str) -> Vec<(usize, Vec<String>)> {
    let lines = (1..).zip(text.lines());
    lines
        .map(|(number, line)| {
            (
                number,
                line.split_whitespace().map(str::to_string).collect(),
            )
        })
        .filter(|(_, fields): &(usize, Vec<String>)| !fields.is_empty())
        .collect()
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
    fn quoted_fields_may_hold_commas_and_quotes_and_name_their_line() {
        let err = parse_csv("\"a, b\",c\n1,2\n\"3\",\"x \"\"y\"\"\"\n", "q.csv").unwrap_err();
        assert_eq!(
            err.to_string(),
            r#"q.csv: line 3, column 2: "x \"y\"" is not a number"#
        );
    }

    #[test]
    fn a_quoted_field_over_two_lines_counts_from_its_first() {
        let table = parse_csv("\"x\ny\",z\n1,2\n", "multi.csv").unwrap();
        assert_eq!(table, array![[1.0, 2.0]]);
        let err = parse_csv("1,2\n\"3\nx\",4\n", "multi.csv").unwrap_err();
        assert!(
            matches!(
                err,
                DataError::NotNumeric {
                    line: 2,
                    column: 1,
                    ..
                }
            ),
            "{err}"
        );
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
