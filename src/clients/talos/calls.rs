//! The one-call node remediations (`model::talos_calls`) sent to a node, and their audit lines.

use super::client::TalosClient;
use super::proto::machine::{EtcdForfeitLeadershipRequest, RebootRequest, ServiceRestartRequest};
use crate::clients::error::ClientError;
use crate::model::talos_calls::{TalosCall, TalosCallKind};
use crate::model::text::sanitize;

impl TalosClient {
    /// Send the call; `Ok` says what the node answered.
    pub async fn call(&self, call: &TalosCall) -> Result<String, ClientError> {
        let node = call.node.as_str();
        let mut m = self.machine();
        let grpc = |s: tonic::Status| ClientError::from_grpc(&s);
        match &call.kind {
            TalosCallKind::ServiceRestart(id) => {
                let reply = m
                    .service_restart(self.to_node(node, ServiceRestartRequest { id: id.clone() }))
                    .await
                    .map_err(grpc)?;
                Ok(reply
                    .into_inner()
                    .messages
                    .into_iter()
                    .next()
                    .map(|r| sanitize(&r.resp))
                    .unwrap_or_else(|| format!("{id} restarted")))
            }
            TalosCallKind::EtcdDefragment => {
                m.etcd_defragment(self.to_node(node, ()))
                    .await
                    .map_err(grpc)?;
                Ok(format!("etcd on {node} defragmented"))
            }
            TalosCallKind::EtcdAlarmDisarm => {
                let reply = m
                    .etcd_alarm_disarm(self.to_node(node, ()))
                    .await
                    .map_err(grpc)?;
                let cleared: usize = reply
                    .into_inner()
                    .messages
                    .iter()
                    .map(|m| m.member_alarms.len())
                    .sum();
                Ok(format!("{cleared} alarm(s) disarmed"))
            }
            TalosCallKind::Reboot => {
                let reply = m
                    .reboot(self.to_node(node, RebootRequest { mode: 0 }))
                    .await
                    .map_err(grpc)?;
                let actor = reply
                    .into_inner()
                    .messages
                    .into_iter()
                    .next()
                    .map(|r| sanitize(&r.actor_id))
                    .unwrap_or_default();
                Ok(format!("{node} rebooting (actor {actor})"))
            }
            TalosCallKind::EtcdForfeitLeadership => {
                let reply = m
                    .etcd_forfeit_leadership(self.to_node(node, EtcdForfeitLeadershipRequest {}))
                    .await
                    .map_err(grpc)?;
                let to = reply
                    .into_inner()
                    .messages
                    .into_iter()
                    .next()
                    .map(|r| sanitize(&r.member))
                    .unwrap_or_default();
                Ok(if to.is_empty() {
                    format!("{node} was not the leader; nothing changed")
                } else {
                    format!("leadership handed to {to}")
                })
            }
        }
    }
}

/// The call's audit line.
pub fn audit(
    path: &std::path::Path,
    call: &TalosCall,
    result: &Result<String, ClientError>,
) -> std::io::Result<()> {
    crate::clients::audit::append(
        path,
        &call.context,
        call.action(),
        serde_json::json!({"kind": "TalosNode", "name": call.node}),
        serde_json::json!({"rpc": call.method(), "body": call.body()}),
        result,
    )
}
