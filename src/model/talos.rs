//! Talos nodes as the cockpit shows them: one row per node per talosconfig context, built from
//! a few Machine API replies, each of which may fail on its own.

use jiff::Timestamp;

use super::store::{Keyed, ObjRef};

#[derive(Debug, Clone, PartialEq)]
pub struct ServiceRow {
    pub id: String,
    pub state: String,
    /// None when the service has no health check or it is not known yet.
    pub healthy: Option<bool>,
    pub message: String,
    pub since: Option<Timestamp>,
}

impl ServiceRow {
    pub fn is_unhealthy(&self) -> bool {
        !matches!(self.state.as_str(), "Running" | "Finished" | "Skipped")
            || self.healthy == Some(false)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct EtcdMemberRow {
    pub id: u64,
    pub hostname: String,
    pub peer_urls: Vec<String>,
    pub learner: bool,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct EtcdView {
    pub members: Vec<EtcdMemberRow>,
    pub member_id: u64,
    pub leader: u64,
    pub db_size: i64,
    pub errors: Vec<String>,
    pub raft_index: u64,
}

impl EtcdView {
    /// `3 members, leader` / `3 members, 1 alarm`.
    pub fn summary(&self) -> String {
        let mut s = format!("{} members", self.members.len());
        if self.leader != 0 && self.leader == self.member_id {
            s.push_str(", leader");
        }
        if !self.errors.is_empty() {
            s.push_str(&format!(", {} alarm(s)", self.errors.len()));
        }
        s
    }
}

/// What one poll of a node found. Fields are None when that call failed.
#[derive(Debug, Clone, PartialEq)]
pub struct TalosNodeRow {
    /// namespace = talosconfig context, name = the node as addressed.
    pub key: ObjRef,
    pub hostname: Option<String>,
    pub talos_version: Option<String>,
    pub services: Option<Vec<ServiceRow>>,
    pub memory_used_pct: Option<f64>,
    pub load1: Option<f64>,
    pub boot_time: Option<Timestamp>,
    /// Present on control-plane nodes (workers answer etcd calls with an error).
    pub etcd: Option<EtcdView>,
    /// The first error, when the node could not be reached or a call failed.
    pub error: Option<String>,
    pub polled_at: Timestamp,
    /// The counters read, for rates against the next poll (`talos_metrics`).
    pub sample: Option<super::talos_metrics::RawSample>,
}

impl Keyed for TalosNodeRow {
    fn key(&self) -> &ObjRef {
        &self.key
    }
    fn key_mut(&mut self) -> &mut ObjRef {
        &mut self.key
    }
}

impl TalosNodeRow {
    pub fn unreachable(key: ObjRef, error: String, polled_at: Timestamp) -> Self {
        TalosNodeRow {
            key,
            hostname: None,
            talos_version: None,
            services: None,
            memory_used_pct: None,
            load1: None,
            boot_time: None,
            etcd: None,
            error: Some(error),
            polled_at,
            sample: None,
        }
    }

    pub fn unhealthy_services(&self) -> Vec<&str> {
        self.services
            .iter()
            .flatten()
            .filter(|s| s.is_unhealthy())
            .map(|s| s.id.as_str())
            .collect()
    }

    pub fn is_control_plane(&self) -> bool {
        self.etcd.is_some() || self.services.iter().flatten().any(|s| s.id == "etcd")
    }
}

/// What the inspector's text view follows.
#[derive(Debug, Clone, PartialEq)]
pub enum TextSource {
    Logs(String),
    Dmesg,
}

impl TextSource {
    pub fn title(&self) -> String {
        match self {
            TextSource::Logs(s) => format!("logs: {s}"),
            TextSource::Dmesg => "kernel log (dmesg)".into(),
        }
    }
}
