//! What one simulated Kubernetes API server holds: its objects, who may call it, and the
//! switches tests turn. The handlers that serve it are in `api.rs` (reads and writes),
//! `watch.rs`, `review.rs` and `vm_power.rs`.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::auth::Identity;
use super::db::Db;

pub struct Api {
    pub db: Arc<Mutex<Db>>,
    /// Who may call, by bearer token (tests grant more while it runs).
    pub identities: std::sync::Mutex<Vec<Identity>>,
    /// How often an idle watch gets a BOOKMARK (a real server: about a minute).
    pub bookmark_every: Duration,
    pub server_address: String,
    /// Bumped to end every open watch stream, as an API server restart would.
    pub watch_epoch: tokio::sync::watch::Sender<u64>,
    /// API groups this server pretends not to have (their CRDs are not installed).
    pub hidden_groups: std::sync::Mutex<Vec<String>>,
    /// Group versions (`group/version`) not served, as with an older CRD.
    pub hidden_versions: Vec<String>,
    /// Tests: a write is applied and its answer never sent, as when the server dies between
    /// the two.
    pub swallow_answers: std::sync::atomic::AtomicBool,
    /// Tests: every watch that resumes from a resourceVersion gets `410 Expired`, as after a
    /// compaction, over and over (a storm).
    pub expire_watches: std::sync::atomic::AtomicBool,
    /// Tests: bearer tokens are refused (401), so only a client certificate gets in, as on
    /// a server that requires them.
    pub tokens_refused: std::sync::atomic::AtomicBool,
    /// Tests: milliseconds every request waits before it is served (a slow or overloaded
    /// server); 0 for none.
    pub answer_delay_ms: std::sync::atomic::AtomicU64,
    /// Lists served (collections read whole), to tell a relist storm.
    pub lists: std::sync::atomic::AtomicU64,
    /// The same, per kind (`Pod`).
    pub lists_of: std::sync::Mutex<std::collections::HashMap<&'static str, u64>>,
    /// Where its lists are printed, one at a time (`list_thread`).
    pub list_thread: crate::list_thread::ListThread,
}
