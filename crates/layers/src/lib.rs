//! descent-layers (in progress).
