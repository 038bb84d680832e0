//! opsdeck: a terminal cockpit for a bare-metal GitOps Kubernetes platform.
//!
//! `clients` do I/O and turn objects into rows, `app` owns the state and the event loop, `model`
//! holds pure domain rows and rules, and `views` draw. The simulated platform the demo and the
//! tests run against is the `opsdeck-sim` crate of this workspace.

pub mod app;
pub mod clients;
pub mod memory;
pub mod model;
pub mod views;
