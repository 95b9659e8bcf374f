//! Batch engine: placeholder until the batch work lands.
