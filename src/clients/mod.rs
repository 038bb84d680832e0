//! I/O: clients that talk to the platform's APIs and turn what they read into rows.

pub mod argocd;
pub mod audit;
pub mod kube;
pub mod talos;
