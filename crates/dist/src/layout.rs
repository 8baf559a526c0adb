//! What the processes must agree on before the first all-reduce: each tensor's name and shape,
//! in order, and (to check that replicas stayed equal) a checksum of its values.
//!
//! Each process describes its model as a [`Layout`], the processes exchange the layouts, and
//! every process runs [`agree`] on the same list. So all of them reach the same verdict and
//! stop together with the same message, instead of some of them waiting forever in an
//! all-reduce whose sizes do not match.

use descent_autograd::{Float, Variable};
use std::fmt;

/// One tensor as the processes compare it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// The name the model gives it ("0.weight").
    pub name: String,
    /// Its shape.
    pub shape: Vec<usize>,
    /// A CRC-32 of its values' bytes, when the layout was taken with values.
    pub checksum: Option<u32>,
}

impl fmt::Display for Entry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?} {:?}", self.name, self.shape)?;
        match self.checksum {
            Some(checksum) => write!(f, " with values of checksum {checksum:08x}"),
            None => Ok(()),
        }
    }
}

/// The tensors of a model in order, as one process sees them.
///
/// ```
/// use descent_autograd::{Tensor, Variable};
/// use descent_dist::Layout;
///
/// let w = Variable::new(Tensor::<f32>::zeros(&[3, 2]));
/// let layout = Layout::of(&[("w".to_string(), w)]);
/// assert_eq!(layout.elements(), 6);
/// assert_eq!(Layout::decode(&layout.encode()), Some(layout)); // what is sent to the others
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Layout {
    entries: Vec<Entry>,
}

impl Layout {
    /// The names and shapes of `variables` (as [`Module::variables`] or [`Module::state`]
    /// list them).
    ///
    /// [`Module::variables`]: descent_layers::Module::variables
    /// [`Module::state`]: descent_layers::Module::state
    pub fn of<F: Float>(variables: &[(String, Variable<F>)]) -> Layout {
        let entries = variables.iter().map(|(name, variable)| Entry {
            name: name.clone(),
            shape: variable.shape().as_slice().to_vec(),
            checksum: None,
        });
        Layout {
            entries: entries.collect(),
        }
    }

    /// As [`Layout::of`], with a checksum of each tensor's values: equal on two processes
    /// when their values are equal bit for bit.
    ///
    /// ```
    /// use descent_autograd::{Tensor, Variable};
    /// use descent_dist::Layout;
    ///
    /// let w = [("w".to_string(), Variable::new(Tensor::from_vec(vec![1.0f32, 2.0], &[2])))];
    /// let before = Layout::with_values(&w);
    /// w[0].1.update(|mut v| v[0] = 1.0 + f32::EPSILON);
    /// assert_ne!(Layout::with_values(&w), before);
    /// ```
    pub fn with_values<F: Float>(variables: &[(String, Variable<F>)]) -> Layout {
        let mut layout = Layout::of(variables);
        for (entry, (_, variable)) in layout.entries.iter_mut().zip(variables) {
            let mut hasher = crc32fast::Hasher::new();
            for value in variable.value().view() {
                hasher.update(&value.as_f64().to_le_bytes());
            }
            entry.checksum = Some(hasher.finalize());
        }
        layout
    }

    /// The tensors, in order.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// The number of elements of all tensors together: the length of the buffer one
    /// all-reduce or broadcast carries (the all-reduce adds one, for the row count).
    pub fn elements(&self) -> usize {
        self.entries
            .iter()
            .map(|entry| entry.shape.iter().product::<usize>())
            .sum()
    }

    /// The layout as bytes, to send to the other processes: per tensor a line
    /// `NAME_LENGTH:NAME:DIMS:CHECKSUM` (dims comma-separated, checksum in hex or `-`), so a
    /// name may hold any character.
    pub fn encode(&self) -> Vec<u8> {
        let mut bytes = Vec::new();
        for entry in &self.entries {
            let dims: Vec<String> = entry.shape.iter().map(usize::to_string).collect();
            let checksum = entry
                .checksum
                .map_or_else(|| "-".to_string(), |c| format!("{c:08x}"));
            let line = format!(
                "{}:{}:{}:{checksum}\n",
                entry.name.len(),
                entry.name,
                dims.join(",")
            );
            bytes.extend_from_slice(line.as_bytes());
        }
        bytes
    }

    /// Reads what [`Layout::encode`] wrote; `None` when `bytes` are not such a layout.
    pub fn decode(bytes: &[u8]) -> Option<Layout> {
        let mut text = std::str::from_utf8(bytes).ok()?;
        let mut entries = Vec::new();
        while !text.is_empty() {
            let (length, rest) = text.split_once(':')?;
            let length: usize = length.parse().ok()?;
            let name = rest.get(..length)?;
            let (fields, rest) = rest.get(length..)?.strip_prefix(':')?.split_once('\n')?;
            let (dims, checksum) = fields.split_once(':')?;
            let shape = match dims {
                "" => Vec::new(),
                dims => dims
                    .split(',')
                    .map(|d| d.parse().ok())
                    .collect::<Option<_>>()?,
            };
            let checksum = match checksum {
                "-" => None,
                hex => Some(u32::from_str_radix(hex, 16).ok()?),
            };
            entries.push(Entry {
                name: name.to_string(),
                shape,
                checksum,
            });
            text = rest;
        }
        Some(Layout { entries })
    }
}

/// Checks that every process's layout equals rank 0's; `layouts[r]` is rank `r`'s. `what`
/// names the tensors in the message ("variable", "state tensor").
///
/// # Errors
///
/// The first rank whose layout differs, and the first tensor where it does.
///
/// ```
/// use descent_autograd::{Tensor, Variable};
/// use descent_dist::{Layout, agree};
///
/// let layout = |cols| Layout::of(&[
///     ("0.weight".to_string(), Variable::new(Tensor::<f32>::zeros(&[784, cols]))),
///     ("0.bias".to_string(), Variable::new(Tensor::<f32>::zeros(&[cols]))),
/// ]);
/// assert!(agree("variable", &[layout(128), layout(128)]).is_ok());
/// let error = agree("variable", &[layout(128), layout(128), layout(64)]).unwrap_err();
/// assert_eq!(
///     error.to_string(),
///     "rank 2 disagrees with rank 0 on variable 0: rank 0 has \"0.weight\" [784, 128], \
///      rank 2 has \"0.weight\" [784, 64]"
/// );
/// ```
pub fn agree(what: &str, layouts: &[Layout]) -> Result<(), Disagreement> {
    let Some((root, others)) = layouts.split_first() else {
        return Ok(());
    };
    for (offset, layout) in others.iter().enumerate() {
        let longest = root.entries.len().max(layout.entries.len());
        let index = (0..longest).find(|&i| root.entries.get(i) != layout.entries.get(i));
        if let Some(index) = index {
            return Err(Disagreement {
                what: what.to_string(),
                rank: offset + 1,
                index,
                counts: (root.entries.len(), layout.entries.len()),
                root: root.entries.get(index).cloned().map(Box::new),
                other: layout.entries.get(index).cloned().map(Box::new),
            });
        }
    }
    Ok(())
}

/// A process whose model differs from rank 0's: which process, and the first tensor.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Disagreement {
    /// What the tensors are ("variable", "state tensor").
    pub what: String,
    /// The first rank that differs from rank 0.
    pub rank: usize,
    /// The position of the first tensor that differs.
    pub index: usize,
    /// How many tensors rank 0 and this rank have.
    pub counts: (usize, usize),
    /// That tensor on rank 0 (`None`: rank 0 has fewer).
    pub root: Option<Box<Entry>>,
    /// That tensor on this rank (`None`: it has fewer).
    pub other: Option<Box<Entry>>,
}

impl fmt::Display for Disagreement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (rank, what, index) = (self.rank, &self.what, self.index);
        write!(f, "rank {rank} disagrees with rank 0 on {what} {index}: ")?;
        let has = |entry: &Option<Box<Entry>>| match entry {
            Some(entry) => format!("has {entry}"),
            None => format!("has no {what} {index}"),
        };
        write!(
            f,
            "rank 0 {}, rank {rank} {}",
            has(&self.root),
            has(&self.other)
        )?;
        if self.counts.0 != self.counts.1 {
            write!(
                f,
                " (rank 0 has {} {what}s, rank {rank} has {})",
                self.counts.0, self.counts.1
            )?;
        }
        Ok(())
    }
}

impl std::error::Error for Disagreement {}

#[cfg(test)]
mod tests {
    use super::*;
    use descent_autograd::Tensor;

    fn layout(shapes: &[(&str, &[usize])]) -> Layout {
        let variables: Vec<(String, Variable<f64>)> = shapes
            .iter()
            .map(|(name, shape)| (name.to_string(), Variable::new(Tensor::zeros(shape))))
            .collect();
        Layout::of(&variables)
    }

    #[test]
    fn a_missing_variable_is_named_with_both_counts() {
        let full = layout(&[("0.weight", &[4, 2]), ("0.bias", &[2])]);
        let short = layout(&[("0.weight", &[4, 2])]);
        let error = agree("variable", &[full.clone(), full, short]).unwrap_err();
        assert_eq!((error.rank, error.index), (2, 1));
        assert_eq!(
            error.to_string(),
            "rank 2 disagrees with rank 0 on variable 1: rank 0 has \"0.bias\" [2], \
             rank 2 has no variable 1 (rank 0 has 2 variables, rank 2 has 1)"
        );
        let extra = layout(&[
            ("0.weight", &[4, 2]),
            ("0.bias", &[2]),
            ("1.weight", &[2, 2]),
        ]);
        let error = agree("variable", &[layout(&[]), extra]).unwrap_err();
        assert!(error.to_string().starts_with(
            "rank 1 disagrees with rank 0 on variable 0: rank 0 has no variable 0, \
             rank 1 has \"0.weight\" [4, 2]"
        ));
    }

    #[test]
    fn a_renamed_variable_is_a_disagreement() {
        let a = layout(&[("0.weight", &[2])]);
        let b = layout(&[("1.weight", &[2])]);
        assert_eq!(agree("state tensor", &[a, b]).unwrap_err().index, 0);
    }

    #[test]
    fn differing_values_are_named_by_checksum() {
        let w = |x: f64| {
            [(
                "w".to_string(),
                Variable::new(Tensor::from_vec(vec![x], &[1])),
            )]
        };
        let (a, b) = (Layout::with_values(&w(1.0)), Layout::with_values(&w(2.0)));
        assert!(agree("variable", &[a.clone(), a.clone()]).is_ok());
        let message = agree("variable", &[a, b]).unwrap_err().to_string();
        assert!(message.contains("with values of checksum"), "{message}");
    }

    #[test]
    fn encoding_round_trips_awkward_names_and_scalars() {
        let awkward = layout(&[("a:b\n7:c", &[]), ("", &[0, 3]), ("é", &[1])]);
        assert_eq!(Layout::decode(&awkward.encode()), Some(awkward.clone()));
        let with_values = Layout {
            entries: vec![Entry {
                checksum: Some(0xdead_beef),
                ..awkward.entries[0].clone()
            }],
        };
        assert_eq!(Layout::decode(&with_values.encode()), Some(with_values));
        assert_eq!(Layout::decode(b""), Some(Layout::default()));
    }

    #[test]
    fn malformed_bytes_decode_to_none() {
        for bytes in [
            &b"9:w:2:-\n"[..],
            b"1:w:2",
            b"1:w:x:-\n",
            b"1:w:2:zz\n",
            b"\xff",
        ] {
            assert_eq!(
                Layout::decode(bytes),
                None,
                "{:?}",
                String::from_utf8_lossy(bytes)
            );
        }
    }
}
