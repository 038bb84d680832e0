//! Domain rows, projections from the wire and the rules on them. Pure: no I/O.

pub mod actions;
pub mod argo;
pub mod argo_rest;
pub mod browse;
pub mod capi;
pub mod catalog;
pub mod describe;
pub mod drain;
pub mod eso;
pub mod health;
pub mod hosts;
pub mod lines;
pub mod metrics;
pub mod object_actions;
pub mod request;
pub mod rollout;
pub mod source;
pub mod store;
pub mod table;
pub mod talos;
pub mod text;
pub mod tree;
pub mod upgrade;
pub mod vms;
pub mod wire;
pub mod yaml;
