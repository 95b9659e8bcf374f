//! The discovery endpoints: ServiceProviderConfig, Schemas, ResourceTypes (spec §3.12–3.14).

pub mod resource_types;
pub mod schemas;
pub mod service_provider_config;
