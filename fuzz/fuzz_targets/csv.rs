//! `parse_csv` returns `Ok` or `Err`, never panics; bytes are decoded as `read_csv` does
//! (invalid UTF-8 replaced), and a parsed table is never empty.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(table) = descent_data::parse_csv(&text, "fuzz.csv") {
        assert!(table.nrows() > 0 && table.ncols() > 0);
    }
});
