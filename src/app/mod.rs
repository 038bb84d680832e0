//! The cockpit: state, messages, the pure update, keymaps and themes, and the event loop.

pub mod action;
pub mod browse;
pub mod config;
pub mod describe;
pub mod domains;
pub mod ids;
pub mod inspector;
pub mod keymap;
pub mod keys;
pub mod layout;
pub mod logs;
pub mod msg;
pub mod mutations;
pub mod navigation;
pub mod panes;
pub mod progress;
pub mod rollout;
pub mod run;
pub mod state;
pub mod table;
pub mod tables;
pub mod theme;
pub mod tree;
pub mod update;
pub mod watches;
pub mod yaml;
