//! Dropping a tape frees its graph: 10,000 training steps of the digits MLP
//! (`examples/digits_mlp.rs`: 64-64-10, Adam, batches of 32) leave resident memory where it was
//! after a warm-up of 500 steps (growth under 1 MiB), with one-call tapes (`Tape::new`, which
//! release their values after the gradient) and with persistent tapes (which keep every value
//! until they are dropped).
//!
//! Resident memory is `VmRSS` from `/proc/self/status`; where that is absent (not Linux) the
//! test trains anyway and says that it measured nothing. The file holds a single test so that
//! no other test allocates in the process while it measures.

mod common;

use descent::prelude::*;

const STEPS: usize = 10_000;
const WARM_UP: usize = 500;
const PERSISTENT_STEPS: usize = 2_000;
const MAX_GROWTH_KIB: i64 = 1024;

/// Resident memory in KiB, or `None` without `/proc`.
fn rss_kib() -> Option<i64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

#[test]
fn ten_thousand_steps_do_not_grow_resident_memory() {
    let (x_train, y_train) = common::digits_train();
    let model = common::mlp([64, 64, 10], 0);
    let mut optimizer = Adam::new(3e-3);
    let mut batches = Batches::new(x_train.nrows(), 32).shuffle(42);

    // One training step on `rows`, on a one-call tape or a persistent one.
    let mut step = |rows: &[usize], persistent: bool| -> f32 {
        let tape = if persistent {
            Tape::persistent()
        } else {
            Tape::new()
        };
        common::train_step(tape, &model, &mut optimizer, (&x_train, &y_train), rows)
    };

    let mut done = 0;
    let (mut warm, mut end, mut persistent_warm) = (None, None, None);
    let mut first_loss = None;
    let mut last_loss = 0.0;
    let total = STEPS + PERSISTENT_STEPS;
    while done < total {
        for rows in batches.epoch() {
            if done == total {
                break;
            }
            let persistent = done >= STEPS;
            last_loss = step(rows, persistent);
            first_loss.get_or_insert(last_loss);
            done += 1;
            match done {
                WARM_UP => warm = rss_kib(),
                STEPS => end = rss_kib(),
                d if d == STEPS + WARM_UP / 5 => persistent_warm = rss_kib(),
                _ => {}
            }
        }
    }
    let persistent_end = rss_kib();
    let first_loss = first_loss.expect("at least one step");
    println!("loss {first_loss:.4} at step 1, {last_loss:.2e} at step {total}");
    assert!(last_loss < first_loss / 4.0, "the model trained");

    let (Some(warm), Some(end), Some(persistent_warm), Some(persistent_end)) =
        (warm, end, persistent_warm, persistent_end)
    else {
        println!("no /proc/self/status here: resident memory not measured");
        return;
    };
    let growth = end - warm;
    let persistent_growth = persistent_end - persistent_warm;
    println!(
        "VmRSS: {warm} KiB after step {WARM_UP}, {end} KiB after step {STEPS}: growth {growth} KiB"
    );
    println!(
        "VmRSS with persistent tapes: {persistent_warm} KiB after step {}, {persistent_end} KiB \
         after step {total}: growth {persistent_growth} KiB",
        STEPS + WARM_UP / 5
    );
    assert!(
        growth < MAX_GROWTH_KIB,
        "resident memory grew by {growth} KiB over {} steps",
        STEPS - WARM_UP
    );
    assert!(
        persistent_growth < MAX_GROWTH_KIB,
        "resident memory grew by {persistent_growth} KiB over persistent-tape steps"
    );
}
