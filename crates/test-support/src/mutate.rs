//! Seeded random edits of byte strings: malformed inputs for readers, made from valid ones.

use rand::RngExt;
use rand::rngs::StdRng;

/// Numbers worth putting into headers.
pub const INTERESTING: [u64; 8] = [0, 1, 255, 65_536, 1 << 32, (1 << 32) - 1, 1 << 63, u64::MAX];

/// One kind of edit [`mutate`] may make. An edit that needs more bytes than there are does
/// nothing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Edit {
    /// Flip one bit of one byte.
    FlipBit,
    /// Overwrite one byte with a random one.
    SetByte,
    /// Cut the input to a random length (possibly 0, possibly all of it).
    Truncate,
    /// Append 1 to 63 random bytes.
    Extend,
    /// Insert a run of up to 8 bytes of the input, or one of these bytes, repeated 1 to 299
    /// times.
    Repeat(&'static [u8]),
    /// Insert one of these bytes.
    Insert(&'static [u8]),
    /// Remove one byte.
    RemoveByte,
    /// Remove a run of 1 to 15 bytes.
    RemoveRun,
    /// A prefix of the input followed by a suffix of `other` (the second seed).
    Splice,
    /// An IDX dimension (a big-endian u32 at a multiple of 4 past the magic number) set to a
    /// random u32, often huge, or to a number below 100.
    RandomIdxDimension,
    /// An IDX dimension set to one of [`INTERESTING`] (as u32), or to a number below 100.
    InterestingIdxDimension,
    /// The safetensors header length (the little-endian u64 at the start) set to one of
    /// [`INTERESTING`], a number near the input's length, or a random u64.
    SafetensorsHeaderLength,
    /// A run of ASCII digits (a shape, an offset) replaced by one of [`INTERESTING`], keeping
    /// a safetensors header's length prefix in step.
    InterestingNumber,
}

/// One to four edits of `bytes`, each drawn from `edits` with equal chances; `other` is a
/// second input for [`Edit::Splice`].
///
/// ```
/// use descent_test_support::{Edit, mutate};
/// use rand::{SeedableRng, rngs::StdRng};
///
/// let mut bytes = vec![0u8; 16];
/// mutate(&mut StdRng::seed_from_u64(1), &mut bytes, &[], &[Edit::FlipBit]);
/// let flipped: u32 = bytes.iter().map(|b| b.count_ones()).sum();
/// assert!((1..=4).contains(&flipped));
/// ```
pub fn mutate(rng: &mut StdRng, bytes: &mut Vec<u8>, other: &[u8], edits: &[Edit]) {
    for _ in 0..rng.random_range(1..=4) {
        let len = bytes.len();
        match edits[rng.random_range(0..edits.len())] {
            Edit::FlipBit if len > 0 => {
                let i = rng.random_range(0..len);
                bytes[i] ^= 1 << rng.random_range(0..8);
            }
            Edit::SetByte if len > 0 => {
                let i = rng.random_range(0..len);
                bytes[i] = rng.random();
            }
            Edit::Truncate => bytes.truncate(rng.random_range(0..=len)),
            Edit::Extend => {
                let extra = rng.random_range(1..64);
                bytes.extend((0..extra).map(|_| rng.random::<u8>()));
            }
            Edit::Repeat(fillers) => {
                // repeat a slice of itself, or a byte, many times
                let (from, n) = (rng.random_range(0..=len), rng.random_range(1..300));
                let piece: Vec<u8> = if from < len && rng.random_bool(0.5) {
                    bytes[from..len.min(from + 8)].to_vec()
                } else {
                    vec![fillers[rng.random_range(0..fillers.len())]]
                };
                let at = rng.random_range(0..=len);
                let repeated = piece.iter().copied().cycle().take(piece.len() * n);
                bytes.splice(at..at, repeated.collect::<Vec<_>>());
            }
            Edit::Insert(choices) => {
                let i = rng.random_range(0..=len);
                bytes.insert(i, choices[rng.random_range(0..choices.len())]);
            }
            Edit::RemoveByte if len > 0 => {
                bytes.remove(rng.random_range(0..len));
            }
            Edit::RemoveRun if len > 0 => {
                let at = rng.random_range(0..len);
                let end = (at + rng.random_range(1..16)).min(len);
                bytes.drain(at..end);
            }
            Edit::Splice => {
                // a prefix of this input, a suffix of the other
                let at = rng.random_range(0..=len);
                let from = rng.random_range(0..=other.len());
                bytes.truncate(at);
                bytes.extend_from_slice(&other[from..]);
            }
            Edit::RandomIdxDimension if len >= 8 => {
                let at = 4 * rng.random_range(1..len / 4);
                let dim: u32 = if rng.random_bool(0.5) {
                    rng.random()
                } else {
                    rng.random_range(0..100)
                };
                bytes[at..at + 4].copy_from_slice(&dim.to_be_bytes());
            }
            Edit::InterestingIdxDimension if len >= 8 => {
                let at = 4 * rng.random_range(1..len / 4);
                let dim = if rng.random_bool(0.5) {
                    INTERESTING[rng.random_range(0..INTERESTING.len())] as u32
                } else {
                    rng.random_range(0..100)
                };
                bytes[at..at + 4].copy_from_slice(&dim.to_be_bytes());
            }
            Edit::SafetensorsHeaderLength if len >= 8 => {
                let n = match rng.random_range(0..3) {
                    0 => INTERESTING[rng.random_range(0..INTERESTING.len())],
                    1 => rng.random_range(0..len as u64 + 16),
                    _ => rng.random(),
                };
                bytes[..8].copy_from_slice(&n.to_le_bytes());
            }
            Edit::InterestingNumber => interesting_number(rng, bytes),
            _ => {}
        }
    }
}

/// [`Edit::InterestingNumber`].
fn interesting_number(rng: &mut StdRng, bytes: &mut Vec<u8>) {
    let len = bytes.len();
    let digits: Vec<usize> = (0..len).filter(|&i| bytes[i].is_ascii_digit()).collect();
    if let Some(&start) = digits.get(rng.random_range(0..digits.len().max(1))) {
        let end = (start..len)
            .find(|&i| !bytes[i].is_ascii_digit())
            .unwrap_or(len);
        let n = INTERESTING[rng.random_range(0..INTERESTING.len())].to_string();
        let grown = n.len() as i64 - (end - start) as i64;
        bytes.splice(start..end, n.into_bytes());
        // Inside a safetensors header: keep its length prefix in step.
        if start >= 8 {
            let header = u64::from_le_bytes(bytes[..8].try_into().expect("8 bytes"));
            if header >= end as u64 - 8 && header < 1 << 32 {
                let header = (header as i64 + grown) as u64;
                bytes[..8].copy_from_slice(&header.to_le_bytes());
            }
        }
    }
}
