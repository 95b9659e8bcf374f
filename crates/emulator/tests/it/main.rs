//! Integration tests: the real emulator over real HTTP on 127.0.0.1, driven with reqwest.

mod casefold;
mod conns;
mod errors;
mod groups;
mod hostile;
mod knobs;
mod meta;
mod migrate;
mod paging;
mod seed_paths;
mod support;
mod tls;
mod users;
