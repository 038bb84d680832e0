//! A Talos node's own events (`MachineService.Events`): boot and reboot sequences, their
//! phases and tasks, service state changes, the machine's stage, addresses, restarts and
//! config errors — what the node did, in its order. Each node keeps its newest events; the
//! ones an operator follows an incident by (sequences, stages, service states, restarts, config
//! errors) also go to the incident timeline. Pure.

use std::collections::VecDeque;

use jiff::Timestamp;

/// Events kept per node.
pub const KEPT: usize = 300;

/// What an event says, decoded from its payload.
#[derive(Debug, Clone, PartialEq)]
pub enum What {
    /// `boot`, `reboot`, `upgrade` … started or stopped (with the error when it failed).
    Sequence {
        name: String,
        action: &'static str,
        error: Option<String>,
    },
    Phase {
        name: String,
        action: &'static str,
    },
    Task {
        name: String,
        action: &'static str,
    },
    Service {
        id: String,
        /// `Running`, `Stopping`, `Failed` …
        state: &'static str,
        message: String,
        healthy: Option<bool>,
    },
    /// The machine's stage and readiness changed.
    Stage {
        stage: &'static str,
        ready: bool,
        unmet: Vec<(String, String)>,
    },
    Address {
        hostname: String,
        addresses: Vec<String>,
    },
    /// machined is about to call reboot(2).
    Restart,
    ConfigError(String),
    /// A payload type this cockpit does not know (a newer Talos).
    Other(String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct NodeEvent {
    /// The event's xid: time-ordered, so also the resume point of a reconnect.
    pub id: String,
    /// When, from the xid (seconds).
    pub at: Option<Timestamp>,
    pub what: What,
}

/// The time an xid carries: its first 32 bits are Unix seconds (base32hex, 0-9a-v).
pub fn xid_time(id: &str) -> Option<Timestamp> {
    let head = id.get(..7)?;
    let bits = u64::from_str_radix(head, 32).ok()?;
    Timestamp::from_second((bits >> 3) as i64).ok()
}

impl NodeEvent {
    pub fn new(id: String, what: What) -> Self {
        NodeEvent {
            at: xid_time(&id),
            id,
            what,
        }
    }

    /// (type, text) for the node's event list.
    pub fn describe(&self) -> (&'static str, String) {
        match &self.what {
            What::Sequence {
                name,
                action,
                error,
            } => (
                "sequence",
                match error {
                    Some(e) => format!("{name} {action}: failed: {e}"),
                    None => format!("{name} {action}"),
                },
            ),
            What::Phase { name, action } => ("phase", format!("{name} {action}")),
            What::Task { name, action } => ("task", format!("{name} {action}")),
            What::Service {
                id,
                state,
                message,
                healthy,
            } => {
                let health = match healthy {
                    Some(true) => " (healthy)",
                    Some(false) => " (unhealthy)",
                    None => "",
                };
                ("service", format!("{id} {state}{health}: {message}"))
            }
            What::Stage {
                stage,
                ready,
                unmet,
            } => {
                let why: Vec<String> = unmet.iter().map(|(n, r)| format!("{n}: {r}")).collect();
                let ready = if *ready {
                    "ready".to_string()
                } else if why.is_empty() {
                    "not ready".to_string()
                } else {
                    format!("not ready ({})", why.join("; "))
                };
                ("machine", format!("{stage}, {ready}"))
            }
            What::Address {
                hostname,
                addresses,
            } => ("address", format!("{hostname}: {}", addresses.join(", "))),
            What::Restart => ("restart", "rebooting the machine".into()),
            What::ConfigError(e) => ("config", format!("config error: {e}")),
            What::Other(t) => ("other", t.clone()),
        }
    }

    /// Whether it says something went wrong.
    pub fn is_bad(&self) -> bool {
        match &self.what {
            What::Sequence { error, .. } => error.is_some(),
            What::Service { state, healthy, .. } => *state == "Failed" || *healthy == Some(false),
            What::Stage { ready, .. } => !ready,
            What::ConfigError(_) => true,
            _ => false,
        }
    }

    /// The (field, value) the incident timeline records for it, if it is one an operator
    /// follows an incident by: phases, tasks and addresses stay on the node, and so do the
    /// routine service states of a boot or reboot (`in_sequence`), unless they went wrong.
    pub fn timeline(&self, in_sequence: bool) -> Option<(&'static str, String)> {
        let (kind, text) = self.describe();
        match &self.what {
            What::Sequence { .. } => Some(("sequence", text)),
            What::Service { .. } if in_sequence && !self.is_bad() => None,
            What::Service { .. } => Some(("service", text)),
            What::Stage { .. } => Some(("machine", text)),
            What::Restart | What::ConfigError(_) => Some((kind, text)),
            _ => None,
        }
    }
}

/// A node's newest events, oldest first, and where the stream stands.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NodeEvents {
    pub events: VecDeque<NodeEvent>,
    /// Why the stream is not following now (it reconnects by itself).
    pub problem: Option<String>,
    /// The sequence (boot, reboot, upgrade …) started and not yet stopped, if any.
    pub sequence: Option<String>,
}

impl NodeEvents {
    /// Take events in; ones already held (a reconnect replays from the last id) are skipped.
    /// The ones that were new, each with whether a sequence was running when it came.
    pub fn take(&mut self, events: Vec<NodeEvent>) -> Vec<(NodeEvent, bool)> {
        let mut fresh = Vec::new();
        for e in events {
            if self.events.back().is_some_and(|last| e.id <= last.id) {
                continue;
            }
            // A reboot never says it stopped: the boot after it starts a new sequence.
            if let What::Sequence { name, action, .. } = &e.what {
                self.sequence = (*action == "started").then(|| name.clone());
            }
            let in_sequence = self.sequence.is_some();
            if self.events.len() == KEPT {
                self.events.pop_front();
            }
            self.events.push_back(e.clone());
            fresh.push((e, in_sequence));
        }
        self.problem = None;
        fresh
    }

    pub fn last_id(&self) -> Option<&str> {
        self.events.back().map(|e| e.id.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(id: &str, what: What) -> NodeEvent {
        NodeEvent::new(id.into(), what)
    }

    #[test]
    fn an_xid_tells_its_time() {
        // 0x6400_0000 seconds = 2023-03-14T22:13:20Z, then machine, pid and counter bytes.
        let at = xid_time("cg0000000000000000g0").expect("time");
        assert_eq!(at.as_second(), 0x6400_0000);
        assert_eq!(xid_time("short"), None);
        assert_eq!(xid_time("zzzzzzzzzzzzzzzzzzzz"), None, "not base32hex");
    }

    #[test]
    fn replayed_events_are_taken_once_and_the_oldest_go_first() {
        let mut log = NodeEvents::default();
        let restart = What::Restart;
        let fresh = log.take(vec![ev("a1", restart.clone()), ev("a2", restart.clone())]);
        assert_eq!(fresh.len(), 2);
        let again = log.take(vec![ev("a2", restart.clone()), ev("a3", restart.clone())]);
        assert_eq!(
            again.iter().map(|(e, _)| e.id.as_str()).collect::<Vec<_>>(),
            ["a3"]
        );
        for i in 0..KEPT {
            log.take(vec![ev(&format!("b{i:04}"), restart.clone())]);
        }
        assert_eq!(log.events.len(), KEPT);
        assert_eq!(log.events.front().map(|e| e.id.as_str()), Some("b0000"));
    }

    #[test]
    fn the_timeline_gets_what_an_incident_is_followed_by() {
        let phase = ev(
            "a",
            What::Phase {
                name: "mountState".into(),
                action: "started",
            },
        );
        assert_eq!(phase.timeline(false), None);
        let svc = ev(
            "b",
            What::Service {
                id: "kubelet".into(),
                state: "Running",
                message: "Health check failed".into(),
                healthy: Some(false),
            },
        );
        assert!(svc.is_bad());
        let routine = ev(
            "c",
            What::Service {
                id: "cri".into(),
                state: "Running",
                message: "Health check successful".into(),
                healthy: Some(true),
            },
        );
        assert_eq!(
            routine.timeline(true),
            None,
            "a boot's routine states stay on the node"
        );
        assert!(
            routine.timeline(false).is_some(),
            "outside a boot they are news"
        );
        assert_eq!(
            svc.timeline(true),
            Some((
                "service",
                "kubelet Running (unhealthy): Health check failed".into()
            ))
        );
    }
}
