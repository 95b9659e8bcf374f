//! The discovery endpoints: ServiceProviderConfig, Schemas, ResourceTypes (docs/emulator.md,
//! "Discovery").

pub mod resource_types;
pub mod schemas;
pub mod service_provider_config;
