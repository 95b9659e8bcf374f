//! Reconcile against the real emulator: one module per subject.

mod apply;
mod read;
