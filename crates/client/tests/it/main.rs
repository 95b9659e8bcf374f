//! Integration tests of aws_ilm_client against the real emulator.
