//! Integration tests of the batch engine against the real emulator.
