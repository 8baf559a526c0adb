//! descent-optim (in progress).
