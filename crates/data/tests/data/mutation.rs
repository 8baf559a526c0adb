//! Seeded random mutations of valid inputs (flipped, overwritten, inserted and deleted bytes,
//! truncation, extension, random header dims): `parse_idx` and `parse_csv` return `Ok` or
//! `Err` on every one of them and never panic.

use std::panic::{AssertUnwindSafe, catch_unwind};

use crate::inputs::{gzip, idx};
use descent_data::{parse_csv, parse_idx};
use descent_test_support::{Edit, mutate};
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};

const CASES: usize = 2000;

fn seeds() -> Vec<Vec<u8>> {
    let images = idx(&[3, 4, 5], &(0..60).collect::<Vec<u8>>());
    let csv = b"x1,x2,y\n1,2.5,3\n-4,5e-1,6\n7,8,nan\n".to_vec();
    vec![
        images.clone(),
        gzip(&images),
        idx(&[6], &[0, 1, 2, 3, 4, 5]),
        csv.clone(),
        gzip(&csv),
        b"59 2 32.1 101.0\n48 1 21.6 87.0\r\n\n72 2 30.5 93.0\n".to_vec(),
    ]
}

/// The edits of a mutation, each as likely.
const EDITS: [Edit; 7] = [
    Edit::FlipBit,
    Edit::SetByte,
    Edit::Truncate,
    Edit::Extend,
    Edit::Insert(&[b',', b' ', b'\n', b'-', b'.', b'e', 0, 0xff]),
    Edit::RemoveByte,
    Edit::RandomIdxDimension,
];

#[test]
fn parsers_survive_random_mutations() {
    let seeds = seeds();
    let mut rng = StdRng::seed_from_u64(2024);
    let (mut idx_ok, mut csv_ok) = (0, 0);
    for case in 0..CASES {
        let mut bytes = seeds[rng.random_range(0..seeds.len())].clone();
        mutate(&mut rng, &mut bytes, &[], &EDITS);
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            let idx = parse_idx(&bytes, "fuzz.idx");
            if let Ok(idx) = &idx {
                assert_eq!(idx.data.len(), idx.dims.iter().product::<usize>());
            }
            let csv = parse_csv(&String::from_utf8_lossy(&bytes), "fuzz.csv");
            if let Ok(array) = &csv {
                assert!(array.nrows() > 0 && array.ncols() > 0);
            }
            (idx.is_ok(), csv.is_ok())
        }));
        match outcome {
            Ok((i, c)) => {
                idx_ok += usize::from(i);
                csv_ok += usize::from(c);
            }
            Err(_) => panic!("case {case} panicked on input {bytes:02x?}"),
        }
    }
    // The mutations are neither all fatal nor all harmless.
    eprintln!("{idx_ok} IDX and {csv_ok} CSV inputs of {CASES} parsed");
    assert!(idx_ok > 0 && idx_ok < CASES, "{idx_ok} IDX inputs parsed");
    assert!(csv_ok > 0 && csv_ok < CASES, "{csv_ok} CSV inputs parsed");
}
