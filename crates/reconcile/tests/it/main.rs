//! Reconcile against the real emulator: one module per subject.

mod apply;
mod props;
mod read;
