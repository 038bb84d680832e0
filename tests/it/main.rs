//! One integration-test binary: the simulator, the real clients over real sockets, and rendered
//! frames. One binary links the workspace once instead of once per file.

mod common;

mod actions;
mod apid;
mod argocd_rest;
mod attention;
mod browse;
mod chain;
mod cli;
mod cockpit;
mod config_files;
mod crd_schema;
mod credentials;
mod delete;
mod describe;
mod discovery;
mod drain;
mod drift;
mod faults;
mod health;
mod hostile;
mod hosts;
mod import;
mod kept_rows;
mod layers;
mod logs;
mod metrics;
mod paged_lists;
mod plugins;
mod registry;
mod remediation;
mod rollouts;
mod secrets;
mod shell;
mod sim_api;
mod table;
mod talos;
mod talos_machine;
mod talos_metrics;
mod talos_remedy;
mod talos_state;
mod update;
mod vms;
mod workloads;
mod yaml;
