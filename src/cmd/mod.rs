//! One module per subcommand. `ilm` holds the lifecycle commands (`iam-*`,
//! `get-mapping-fields`, `test-module`), which share one code path.

pub mod batch;
pub mod completions;
pub mod demo;
pub mod ilm;
pub mod serve;
