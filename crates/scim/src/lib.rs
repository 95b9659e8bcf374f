//! SCIM 2.0 as AWS IAM Identity Center speaks it, shared by the client and the emulator.
//!
//! Both ends of the wire use these types so that a change to, say, [`User`] breaks the emulator
//! and the client at compile time instead of in production. The crate is pure: no I/O, no async.
//!
//! What lives here is what AWS makes specific: the two-clause `eq`/`and` filter subset
//! ([`filter`]), PatchOp and its path forms ([`patch`]), the error body with its misspelled
//! `schema` twin ([`error`]), the attribute rules AWS enforces ([`rules`]) and the one table of
//! the user and group attributes they and everything else derive from ([`schema`]).
#![forbid(unsafe_code)]
#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::todo)]

pub mod ci;
pub mod error;
pub mod filter;
pub mod group;
pub mod key;
pub mod list;
pub mod lookalike;
pub mod patch;
pub mod rules;
pub mod schema;
pub mod secret;
pub mod tenant;
pub mod text;
pub mod urn;
pub mod user;

pub use ci::CiStr;
pub use error::ErrorBody;
pub use filter::{Filter, FilterError, GroupQuery, UserQuery};
pub use group::{Group, Member};
pub use list::ListResponse;
pub use patch::{Op, PatchOp, PatchOperation, PatchPath, PathError};
pub use user::{
    Address, Email, EnterpriseUser, Manager, Meta, Name, PhoneNumber, Role, TypedValue, User,
};
