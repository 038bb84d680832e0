//! A simulated node's event log and `MachineService.Events`, as machined keeps and serves them:
//! a ring of the last 1000 events per node, each with a time-ordered xid; a stream that opens
//! with an empty "hello" event, replays what the request's tail asks for, then follows. Boots,
//! reboots, upgrades and service restarts write what Talos writes for them (sequences, phases,
//! service states, the machine's stage).

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use jiff::Timestamp;
use prost::Message;
use prost_types::Any;
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;
use tonic::{Request, Status};

use super::node::NodeState;
use super::routing::{Targets, failed, targets, unreachable};
use super::{NodeApi, Registry};
use crate::db::fnv;
use crate::proto::common::{self, Metadata};
use crate::proto::machine::{
    AddressEvent, Event, EventsRequest, MachineStatusEvent, PhaseEvent, RestartEvent,
    SequenceEvent, ServiceHealth, ServiceStateEvent, machine_status_event, phase_event,
    sequence_event, service_state_event,
};

/// Events machined keeps per node.
const RING: usize = 1000;
/// `LINUX_REBOOT_CMD_RESTART`, what a reboot passes to reboot(2).
const REBOOT_CMD_RESTART: i64 = 0x0123_4567;

/// One event as the log keeps it: its payload already encoded.
#[derive(Debug, Clone)]
pub struct Stored {
    pub id: String,
    pub data: Any,
    pub actor_id: String,
}

/// The node's events, oldest first.
pub type EventLog = VecDeque<Stored>;

/// An xid (12 bytes: seconds, machine, pid, counter) in its 20-character base32hex form.
/// Its order is the order of the times, then of the counter.
pub fn xid(at: Timestamp, machine: u64) -> String {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let secs = at.as_second().clamp(0, u32::MAX as i64) as u32;
    let mut raw = [0u8; 12];
    raw[..4].copy_from_slice(&secs.to_be_bytes());
    raw[4..9].copy_from_slice(&machine.to_be_bytes()[..5]);
    raw[9..].copy_from_slice(&n.to_be_bytes()[1..]);
    const DIGITS: &[u8; 32] = b"0123456789abcdefghijklmnopqrstuv";
    let mut bits: u128 = u128::from_be_bytes({
        let mut b = [0u8; 16];
        b[..12].copy_from_slice(&raw);
        b
    });
    (0..20)
        .map(|_| {
            let d = DIGITS[(bits >> 123) as usize] as char;
            bits <<= 5;
            d
        })
        .collect()
}

/// What happened, before it is encoded.
pub enum Happened {
    Sequence(&'static str, sequence_event::Action),
    Phase(&'static str, phase_event::Action),
    Service {
        id: String,
        action: service_state_event::Action,
        message: &'static str,
        healthy: Option<bool>,
    },
    Stage(machine_status_event::MachineStage, Vec<(String, String)>),
    Address(String, Vec<String>),
    Restart,
}

fn any<M: Message>(name: &str, m: &M) -> Any {
    Any {
        type_url: format!("talos/runtime/machine.{name}"),
        value: m.encode_to_vec(),
    }
}

impl Happened {
    fn encode(&self) -> Any {
        match self {
            Happened::Sequence(sequence, action) => any(
                "SequenceEvent",
                &SequenceEvent {
                    sequence: sequence.to_string(),
                    action: *action as i32,
                    error: None::<common::Error>,
                },
            ),
            Happened::Phase(phase, action) => any(
                "PhaseEvent",
                &PhaseEvent {
                    phase: phase.to_string(),
                    action: *action as i32,
                },
            ),
            Happened::Service {
                id,
                action,
                message,
                healthy,
            } => any(
                "ServiceStateEvent",
                &ServiceStateEvent {
                    service: id.clone(),
                    action: *action as i32,
                    message: message.to_string(),
                    health: Some(ServiceHealth {
                        unknown: healthy.is_none(),
                        healthy: healthy.unwrap_or(false),
                        last_message: String::new(),
                        last_change: None,
                    }),
                },
            ),
            Happened::Stage(stage, unmet) => any(
                "MachineStatusEvent",
                &MachineStatusEvent {
                    stage: *stage as i32,
                    status: Some(machine_status_event::MachineStatus {
                        ready: unmet.is_empty(),
                        unmet_conditions: unmet
                            .iter()
                            .map(|(name, reason)| {
                                machine_status_event::machine_status::UnmetCondition {
                                    name: name.clone(),
                                    reason: reason.clone(),
                                }
                            })
                            .collect(),
                    }),
                },
            ),
            Happened::Address(hostname, addresses) => any(
                "AddressEvent",
                &AddressEvent {
                    hostname: hostname.to_string(),
                    addresses: addresses.clone(),
                },
            ),
            Happened::Restart => any(
                "RestartEvent",
                &RestartEvent {
                    cmd: REBOOT_CMD_RESTART,
                },
            ),
        }
    }
}

/// The boot phases machined runs, in order.
const BOOT_PHASES: &[&str] = &[
    "logger",
    "systemRequirements",
    "integrity",
    "etc",
    "earlyServices",
    "mountState",
    "validateConfig",
    "saveConfig",
    "env",
    "containerd",
    "dbus",
    "sharedFilesystems",
    "var",
    "userSetup",
    "lvm",
    "startEverything",
];

/// What a node's machine status is: ready unless a service is unhealthy.
pub fn unmet_conditions(s: &NodeState) -> Vec<(String, String)> {
    s.spec
        .unhealthy_service
        .iter()
        .map(|svc| ("services".to_string(), format!("unhealthy services: {svc}")))
        .collect()
}

/// Everything a boot writes, in order.
pub fn boot(s: &NodeState, address: &str) -> Vec<Happened> {
    use machine_status_event::MachineStage;
    use service_state_event::Action as Svc;
    let mut out = vec![
        Happened::Sequence("boot", sequence_event::Action::Start),
        Happened::Stage(
            MachineStage::Booting,
            vec![("services".into(), "waiting for services".into())],
        ),
    ];
    for phase in BOOT_PHASES {
        out.push(Happened::Phase(phase, phase_event::Action::Start));
        out.push(Happened::Phase(phase, phase_event::Action::Stop));
    }
    out.push(Happened::Address(
        s.spec.hostname.clone(),
        vec![address.to_string()],
    ));
    for id in s.services() {
        let bad = s.spec.unhealthy_service.as_deref() == Some(id);
        let healthy = (!matches!(id, "machined" | "udevd")).then_some(!bad);
        out.push(Happened::Service {
            id: id.into(),
            action: Svc::Preparing,
            message: "Running pre state",
            healthy: None,
        });
        out.push(Happened::Service {
            id: id.into(),
            action: Svc::Running,
            message: if bad {
                "Health check failed: node not ready: container runtime network not ready"
            } else {
                "Health check successful"
            },
            healthy,
        });
    }
    out.push(Happened::Stage(MachineStage::Running, unmet_conditions(s)));
    out.push(Happened::Sequence("boot", sequence_event::Action::Stop));
    out
}

/// What a reboot writes before the node goes down.
pub fn reboot(s: &NodeState) -> Vec<Happened> {
    use service_state_event::Action as Svc;
    let mut out = vec![
        Happened::Sequence("reboot", sequence_event::Action::Start),
        Happened::Stage(
            machine_status_event::MachineStage::Rebooting,
            vec![("services".into(), "stopping services".into())],
        ),
        Happened::Phase("stopEverything", phase_event::Action::Start),
    ];
    for id in s.services().into_iter().rev() {
        out.push(Happened::Service {
            id: id.into(),
            action: Svc::Stopping,
            message: "Stopping service",
            healthy: None,
        });
        out.push(Happened::Service {
            id: id.into(),
            action: Svc::Finished,
            message: "Service finished successfully",
            healthy: None,
        });
    }
    out.push(Happened::Phase("stopEverything", phase_event::Action::Stop));
    out.push(Happened::Restart);
    out
}

/// What restarting a service writes.
pub fn service_restart(id: &str, now_ready: bool) -> Vec<Happened> {
    use service_state_event::Action as Svc;
    let svc = |action, message, healthy| Happened::Service {
        id: id.to_string(),
        action,
        message,
        healthy,
    };
    let mut out = vec![
        svc(Svc::Stopping, "Restarting service", None),
        svc(Svc::Finished, "Service finished successfully", None),
        svc(Svc::Preparing, "Running pre state", None),
        svc(Svc::Running, "Health check successful", Some(true)),
    ];
    if now_ready {
        out.push(Happened::Stage(
            machine_status_event::MachineStage::Running,
            Vec::new(),
        ));
    }
    out
}

impl Registry {
    /// Append events to a node's log (its boot is written first if the log is new), and wake
    /// the streams.
    pub(super) fn record(&self, s: &NodeState, what: Vec<Happened>, actor_id: &str) {
        let now = Timestamp::now();
        let machine = fnv(s.spec.hostname.as_bytes());
        {
            let mut logs = self.events.lock().unwrap_or_else(|p| p.into_inner());
            let log = logs
                .entry(s.spec.hostname.clone())
                .or_insert_with(|| self.history(s));
            for h in what {
                if log.len() == RING {
                    log.pop_front();
                }
                log.push_back(Stored {
                    id: xid(now, machine),
                    data: h.encode(),
                    actor_id: actor_id.to_string(),
                });
            }
        }
        self.events_changed.send_modify(|n| *n += 1);
    }

    /// The log a node has from its last boot: the boot itself, written at the boot's time.
    fn history(&self, s: &NodeState) -> EventLog {
        let machine = fnv(s.spec.hostname.as_bytes());
        boot(s, &self.address_of(&s.spec.hostname))
            .into_iter()
            .map(|h| Stored {
                id: xid(s.boot_time, machine),
                data: h.encode(),
                actor_id: String::new(),
            })
            .collect()
    }

    /// The events of a node after `after` (all with None), its boot first if nothing was
    /// written yet.
    fn events_after(&self, s: &NodeState, after: Option<&str>) -> Vec<Stored> {
        let mut logs = self.events.lock().unwrap_or_else(|p| p.into_inner());
        let log = logs
            .entry(s.spec.hostname.clone())
            .or_insert_with(|| self.history(s));
        log.iter()
            .filter(|e| after.is_none_or(|a| e.id.as_str() > a))
            .cloned()
            .collect()
    }
}

/// Which buffered events a request replays, before the live ones.
fn replay(req: &EventsRequest, log: Vec<Stored>) -> Result<Vec<Stored>, Status> {
    let set = [
        req.tail_events != 0,
        !req.tail_id.is_empty(),
        req.tail_seconds != 0,
    ];
    if set.iter().filter(|s| **s).count() > 1 {
        return Err(Status::invalid_argument(
            "tail_events, tail_id and tail_seconds are mutually exclusive",
        ));
    }
    let mut out: Vec<Stored> = if req.tail_events < 0 {
        log
    } else if req.tail_events > 0 {
        let skip = log.len().saturating_sub(req.tail_events as usize);
        log.into_iter().skip(skip).collect()
    } else if !req.tail_id.is_empty() {
        log.into_iter().filter(|e| e.id > req.tail_id).collect()
    } else if req.tail_seconds > 0 {
        let since = Timestamp::now().as_second() - i64::from(req.tail_seconds);
        let since = xid(
            Timestamp::from_second(since).unwrap_or(Timestamp::UNIX_EPOCH),
            0,
        );
        log.into_iter().filter(|e| e.id >= since).collect()
    } else {
        Vec::new()
    };
    if !req.with_actor_id.is_empty() {
        out.retain(|e| e.actor_id == req.with_actor_id);
    }
    Ok(out)
}

pub(super) type EventStream =
    std::pin::Pin<Box<dyn futures::Stream<Item = Result<Event, Status>> + Send>>;

impl NodeApi {
    /// `MachineService.Events` for one node or (with `nodes`) several.
    pub(super) fn events(&self, req: Request<EventsRequest>) -> Result<EventStream, Status> {
        let nodes = match targets(&req)? {
            Targets::Local => vec![(self.me.clone(), false)],
            Targets::One(n) => vec![(n, false)],
            Targets::Many(ns) => ns.into_iter().map(|n| (n, true)).collect(),
        };
        let req = req.into_inner();
        let mut streams = Vec::new();
        for (node, tagged) in nodes {
            let meta = tagged.then(|| Metadata {
                hostname: node.clone(),
                ..Default::default()
            });
            match self.node_events(&node, &req, meta) {
                Ok(s) => streams.push(s),
                Err(status) if tagged => {
                    let failed = Event {
                        metadata: Some(failed(&node, &status)),
                        ..Default::default()
                    };
                    streams.push(Box::pin(tokio_stream::iter([Ok(failed)])) as EventStream);
                }
                Err(status) => return Err(status),
            }
        }
        Ok(Box::pin(futures::stream::select_all(streams)))
    }

    fn node_events(
        &self,
        node: &str,
        req: &EventsRequest,
        meta: Option<Metadata>,
    ) -> Result<EventStream, Status> {
        let state = self
            .registry
            .state_of_up(node)
            .ok_or_else(|| Status::unavailable(unreachable(node)))?;
        let log = self.registry.events_after(&state, None);
        let newest = log.last().map(|e| e.id.clone());
        let first = replay(req, log)?;
        let actor = req.with_actor_id.clone();
        let registry = self.registry.clone();
        let node = node.to_string();
        let (tx, rx) = mpsc::channel::<Result<Event, Status>>(256);
        let event = move |e: Stored| Event {
            metadata: meta.clone(),
            data: Some(e.data),
            id: e.id,
            actor_id: e.actor_id,
        };
        tokio::spawn(async move {
            // The stream is set up: an event with nothing in it.
            if tx.send(Ok(Event::default())).await.is_err() {
                return;
            }
            for e in first {
                if tx.send(Ok(event(e))).await.is_err() {
                    return;
                }
            }
            let mut last = newest;
            let mut changed = registry.events_changed.subscribe();
            loop {
                let _ = tokio::time::timeout(Duration::from_millis(300), changed.changed()).await;
                // A node that goes down takes its stream with it, as a real one does.
                let Some(state) = registry.state_of_up(&node) else {
                    let _ = tx.send(Err(Status::unavailable(unreachable(&node)))).await;
                    return;
                };
                for e in registry.events_after(&state, last.as_deref()) {
                    last = Some(e.id.clone());
                    if !actor.is_empty() && e.actor_id != actor {
                        continue;
                    }
                    if tx.send(Ok(event(e))).await.is_err() {
                        return;
                    }
                }
                if tx.is_closed() {
                    return;
                }
            }
        });
        Ok(Box::pin(ReceiverStream::new(rx)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xids_order_by_time_then_counter_and_carry_the_seconds() {
        let t0: Timestamp = "2026-11-30T10:00:00Z".parse().expect("t");
        let t1: Timestamp = "2026-11-30T10:00:01Z".parse().expect("t");
        let a = xid(t0, 7);
        let b = xid(t0, 7);
        let c = xid(t1, 1);
        assert_eq!(a.len(), 20);
        assert!(a < b && b < c, "{a} {b} {c}");
        // The first 32 bits are the seconds: 7 base32 digits hold 35 bits.
        let head = u64::from_str_radix(&a[..7], 32).expect("base32hex");
        assert_eq!((head >> 3) as i64, t0.as_second());
    }

    #[test]
    fn a_request_asks_for_at_most_one_tail() {
        let req = EventsRequest {
            tail_events: 3,
            tail_id: "x".into(),
            ..Default::default()
        };
        assert!(replay(&req, Vec::new()).is_err());
    }
}
