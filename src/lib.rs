//! opsdeck: a terminal cockpit for a bare-metal GitOps Kubernetes platform.
//!
//! `clients` do I/O and turn objects into rows, `app` owns the state and the event loop, `model`
//! holds pure domain rows and rules, `views` draw, and `sim` is the simulated platform the demo
//! and the tests run against.

pub mod app;
pub mod clients;
pub mod model;
pub mod sim;
pub mod views;
