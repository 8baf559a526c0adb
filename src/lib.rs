//! descent facade (in progress).
