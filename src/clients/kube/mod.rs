//! Kubernetes: connecting from a kubeconfig, and watches that feed row stores.

pub mod actions;
pub mod browse;
pub mod connect;
pub mod discovery;
pub mod logs;
pub mod metrics;
pub mod sources;
pub mod watch;

pub use connect::{ConnectError, connect};
