//! Talos machine API over gRPC with mTLS, configured from a talosconfig.

pub mod calls;
pub mod client;
pub mod config;
pub mod follow;
pub mod poller;
pub mod proto;
pub mod state;
pub mod upgrade;
