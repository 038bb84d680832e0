//! The node's own state over the Talos resource API (`cosi.resource.State`, as `talosctl get`)
//! and its event stream (`MachineService.Events`): one call per node with the `node` key (COSI
//! refuses `nodes`), specs read from their YAML form, events decoded from their payloads.

use futures::{Stream, StreamExt};
use prost::Message;
use tonic::transport::Channel;

use super::client::{TalosClient, describe};
use super::proto::cosi::resource::state_client::StateClient;
use super::proto::cosi::resource::{EventType, GetOptions, GetRequest, WatchOptions, WatchRequest};
use super::proto::machine::{
    AddressEvent, ConfigLoadErrorEvent, ConfigValidationErrorEvent, Event, EventsRequest,
    MachineStatusEvent, PhaseEvent, SequenceEvent, ServiceStateEvent, TaskEvent,
    machine_status_event, phase_event, sequence_event, service_state_event, task_event,
};
use crate::model::talos_events::{NodeEvent, What};
use crate::model::text::sanitize;

pub const MACHINE_STATUS: (&str, &str) = ("runtime", "MachineStatuses.runtime.talos.dev");
pub const MEMBERS: (&str, &str) = ("cluster", "Members.cluster.talos.dev");
pub const NODE_ADDRESSES: (&str, &str) = ("network", "NodeAddresses.net.talos.dev");
pub const MACHINE_CONFIGS: (&str, &str) = ("config", "MachineConfigs.config.talos.dev");

/// A change to a watched resource: its id and spec YAML (None: it is gone), or the end of the
/// watch's first listing.
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    Set(String, String),
    Gone(String),
    Bootstrapped,
}

impl TalosClient {
    fn state(&self) -> StateClient<Channel> {
        StateClient::new(self.channel.clone()).max_decoding_message_size(32 * 1024 * 1024)
    }

    /// One resource's spec YAML (`talosctl get <type> <id>`).
    pub async fn get_spec(
        &self,
        node: &str,
        (namespace, ty): (&str, &str),
        id: &str,
    ) -> Result<String, String> {
        let req = self.to_node(
            node,
            GetRequest {
                namespace: namespace.into(),
                r#type: ty.into(),
                id: id.into(),
                options: Some(GetOptions {}),
            },
        );
        let resource = self
            .state()
            .get(req)
            .await
            .map_err(|s| describe(&s))?
            .into_inner()
            .resource;
        Ok(resource
            .and_then(|r| r.spec)
            .map(|s| s.yaml_spec)
            .unwrap_or_default())
    }

    /// Watch one resource (`id`) or a whole kind (its current contents first, then
    /// `Bootstrapped`), as `talosctl get -w` does.
    pub async fn watch(
        &self,
        node: &str,
        (namespace, ty): (&str, &str),
        id: Option<&str>,
    ) -> Result<impl Stream<Item = Result<Vec<Change>, String>> + use<>, String> {
        let req = self.streaming_to(
            node,
            WatchRequest {
                namespace: namespace.into(),
                r#type: ty.into(),
                id: id.map(str::to_string),
                options: Some(WatchOptions {
                    bootstrap_contents: id.is_none(),
                    ..Default::default()
                }),
                // 1: BOOTSTRAPPED and ERRORED events are sent (0 drops them).
                api_version: 1,
            },
        );
        let stream = self.opened(self.state().watch(req)).await?.into_inner();
        Ok(stream.map(|item| {
            let resp = item.map_err(|s| describe(&s))?;
            let mut changes = Vec::new();
            for e in resp.event {
                let id = e
                    .resource
                    .as_ref()
                    .and_then(|r| r.metadata.as_ref())
                    .map(|m| sanitize(&m.id))
                    .unwrap_or_default();
                match EventType::try_from(e.event_type) {
                    Ok(EventType::Created | EventType::Updated) => {
                        let yaml = e
                            .resource
                            .and_then(|r| r.spec)
                            .map(|s| s.yaml_spec)
                            .unwrap_or_default();
                        changes.push(Change::Set(id, yaml));
                    }
                    Ok(EventType::Destroyed) => changes.push(Change::Gone(id)),
                    Ok(EventType::Bootstrapped) => changes.push(Change::Bootstrapped),
                    Ok(EventType::Errored) => {
                        return Err(sanitize(&format!(
                            "watch ended: {}",
                            e.error.unwrap_or_default()
                        )));
                    }
                    Ok(EventType::Noop) | Err(_) => {}
                }
            }
            Ok(changes)
        }))
    }

    /// Follow a node's events: the newest `tail` first (or those after `after`, to resume),
    /// then as they happen.
    pub async fn events(
        &self,
        node: &str,
        after: Option<&str>,
        tail: i32,
    ) -> Result<impl Stream<Item = Result<Option<NodeEvent>, String>> + use<>, String> {
        let req = self.streaming_to(
            node,
            EventsRequest {
                tail_events: if after.is_some() { 0 } else { tail },
                tail_id: after.unwrap_or_default().to_string(),
                ..Default::default()
            },
        );
        let stream = self.opened(self.machine().events(req)).await?.into_inner();
        Ok(stream.map(|item| item.map(decode).map_err(|s| describe(&s))))
    }

    /// A stream's opening, given the call deadline: a node that takes the call and never
    /// answers must not hold its follower forever (the stream itself may then last).
    pub(super) async fn opened<T>(
        &self,
        open: impl std::future::Future<Output = Result<T, tonic::Status>>,
    ) -> Result<T, String> {
        match tokio::time::timeout(self.timeout, open).await {
            Ok(result) => result.map_err(|s| describe(&s)),
            Err(_) => Err(format!(
                "no answer in {} s (the node takes the call but does not answer)",
                self.timeout.as_secs()
            )),
        }
    }
}

fn text(s: &str) -> String {
    sanitize(s)
}

/// An event's payload, by its type URL; None for the stream's opening event (no payload).
pub fn decode(e: Event) -> Option<NodeEvent> {
    let data = e.data?;
    if data.type_url.is_empty() {
        return None;
    }
    let v = data.value.as_slice();
    let started = |start: bool| if start { "started" } else { "stopped" };
    let what = match data.type_url.strip_prefix("talos/runtime/") {
        Some("machine.SequenceEvent") => SequenceEvent::decode(v).ok().map(|s| What::Sequence {
            name: text(&s.sequence),
            action: match s.action() {
                sequence_event::Action::Start => "started",
                sequence_event::Action::Stop => "stopped",
                sequence_event::Action::Noop => "noop",
            },
            error: s.error.map(|e| text(&e.message)),
        }),
        Some("machine.PhaseEvent") => PhaseEvent::decode(v).ok().map(|p| What::Phase {
            name: text(&p.phase),
            action: started(p.action() == phase_event::Action::Start),
        }),
        Some("machine.TaskEvent") => TaskEvent::decode(v).ok().map(|t| What::Task {
            name: text(&t.task),
            action: started(t.action() == task_event::Action::Start),
        }),
        Some("machine.ServiceStateEvent") => {
            ServiceStateEvent::decode(v).ok().map(|s| What::Service {
                id: text(&s.service),
                state: service_state(s.action()),
                message: text(&s.message),
                healthy: s.health.filter(|h| !h.unknown).map(|h| h.healthy),
            })
        }
        Some("machine.MachineStatusEvent") => MachineStatusEvent::decode(v).ok().map(|m| {
            let status = m.status.clone().unwrap_or_default();
            What::Stage {
                stage: stage(m.stage()),
                ready: status.ready,
                unmet: status
                    .unmet_conditions
                    .iter()
                    .map(|c| (text(&c.name), text(&c.reason)))
                    .collect(),
            }
        }),
        Some("machine.AddressEvent") => AddressEvent::decode(v).ok().map(|a| What::Address {
            hostname: text(&a.hostname),
            addresses: a.addresses.iter().map(|s| text(s)).collect(),
        }),
        Some("machine.RestartEvent") => Some(What::Restart),
        Some("machine.ConfigLoadErrorEvent") => ConfigLoadErrorEvent::decode(v)
            .ok()
            .map(|c| What::ConfigError(text(&c.error))),
        Some("machine.ConfigValidationErrorEvent") => ConfigValidationErrorEvent::decode(v)
            .ok()
            .map(|c| What::ConfigError(text(&c.error))),
        _ => None,
    };
    let what = what.unwrap_or_else(|| What::Other(text(&data.type_url)));
    Some(NodeEvent::new(text(&e.id), what))
}

fn service_state(a: service_state_event::Action) -> &'static str {
    use service_state_event::Action as A;
    match a {
        A::Initialized => "Initialized",
        A::Preparing => "Preparing",
        A::Waiting => "Waiting",
        A::Running => "Running",
        A::Stopping => "Stopping",
        A::Finished => "Finished",
        A::Failed => "Failed",
        A::Skipped => "Skipped",
        A::Starting => "Starting",
    }
}

fn stage(s: machine_status_event::MachineStage) -> &'static str {
    use machine_status_event::MachineStage as S;
    match s {
        S::Unknown => "unknown",
        S::Booting => "booting",
        S::Installing => "installing",
        S::Maintenance => "maintenance",
        S::Running => "running",
        S::Rebooting => "rebooting",
        S::ShuttingDown => "shutting down",
        S::Resetting => "resetting",
        S::Upgrading => "upgrading",
    }
}
