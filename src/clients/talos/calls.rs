//! The one-call node remediations (`model::talos_calls`) sent to a node, and their audit lines.

use super::client::TalosClient;
use super::proto::machine::{
    EtcdForfeitLeadershipRequest, EtcdSnapshotRequest, RebootRequest, ServiceRestartRequest,
};
use crate::clients::error::ClientError;
use crate::model::talos_calls::{TalosCall, TalosCallKind};
use crate::model::text::sanitize;

impl TalosClient {
    /// Send the call; `Ok` says what the node answered. A long call (a snapshot) tells
    /// `progress` how far it has come, now and then.
    pub async fn call(
        &self,
        call: &TalosCall,
        progress: impl Fn(String),
    ) -> Result<String, ClientError> {
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
            TalosCallKind::EtcdSnapshot(path) => self.etcd_snapshot(node, path, progress).await,
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

impl TalosClient {
    /// Stream the member's snapshot into `<path>.part`, check it as talosctl does (a whole
    /// etcd snapshot is 32 bytes past a multiple of 512: its SHA-256 trailer) and that the
    /// trailer matches, then rename it into place. A stream that ends early (the server just
    /// stops on a read error) fails the check.
    async fn etcd_snapshot(
        &self,
        node: &str,
        path: &str,
        progress: impl Fn(String),
    ) -> Result<String, ClientError> {
        use sha2::Digest;
        use tokio::io::AsyncWriteExt;
        let io = |what: &str, e: std::io::Error| ClientError::Other(format!("{what} {path}: {e}"));
        let mut req = self.to_node(node, EtcdSnapshotRequest {});
        req.set_timeout(SNAPSHOT_TIMEOUT);
        let mut stream = self
            .machine()
            .etcd_snapshot(req)
            .await
            .map_err(|s| ClientError::from_grpc(&s))?
            .into_inner();
        let part = format!("{path}.part");
        if let Some(dir) = std::path::Path::new(path).parent() {
            tokio::fs::create_dir_all(dir)
                .await
                .map_err(|e| io("creating the directory of", e))?;
        }
        let mut file = tokio::fs::File::create(&part)
            .await
            .map_err(|e| io("creating", e))?;
        // The digest runs 32 bytes behind the stream: the last 32 are the trailer.
        let mut hasher = sha2::Sha256::new();
        let mut tail: Vec<u8> = Vec::new();
        let mut total: u64 = 0;
        let mut told = std::time::Instant::now();
        while let Some(chunk) = stream
            .message()
            .await
            .map_err(|s| ClientError::from_grpc(&s))?
        {
            file.write_all(&chunk.bytes)
                .await
                .map_err(|e| io("writing", e))?;
            total += chunk.bytes.len() as u64;
            if told.elapsed() >= PROGRESS_EVERY {
                told = std::time::Instant::now();
                progress(format!(
                    "receiving the snapshot: {} so far",
                    crate::model::text::binary_bytes(total as f64)
                ));
            }
            tail.extend_from_slice(&chunk.bytes);
            if tail.len() > 32 {
                let keep = tail.split_off(tail.len() - 32);
                hasher.update(&tail);
                tail = keep;
            }
        }
        file.flush().await.map_err(|e| io("writing", e))?;
        drop(file);
        let sum = hasher.finalize();
        if total % 512 != 32 || tail.as_slice() != sum.as_slice() {
            let _ = tokio::fs::remove_file(&part).await;
            return Err(ClientError::Other(format!(
                "the snapshot of {node} is incomplete or corrupt ({total} bytes; its SHA-256 trailer does not match): nothing was kept"
            )));
        }
        tokio::fs::rename(&part, path)
            .await
            .map_err(|e| io("renaming into", e))?;
        let hex: String = sum.iter().map(|b| format!("{b:02x}")).collect();
        // The checksum first: a narrow operations pane still shows it.
        Ok(format!(
            "sha256 {hex}, {} written to {path}",
            crate::model::text::binary_bytes(total as f64)
        ))
    }
}

/// How often a snapshot in progress says how far it has come.
const PROGRESS_EVERY: std::time::Duration = std::time::Duration::from_millis(250);

/// A snapshot of a large database takes a while on a slow link.
const SNAPSHOT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10 * 60);

/// The call's audit line.
pub fn audit(
    path: &std::path::Path,
    call: &TalosCall,
    result: Option<&Result<String, ClientError>>,
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

impl TalosClient {
    /// The node's processes, or its mounts, for the inspector's tabs.
    pub async fn node_table(
        &self,
        node: &str,
        kind: crate::model::node_tables::NodeTableKind,
    ) -> Result<crate::model::node_tables::NodeTable, ClientError> {
        use crate::model::node_tables::{DiskRow, MountRow, NodeTable, NodeTableKind, ProcessRow};
        let mut m = self.machine();
        let grpc = |s: tonic::Status| ClientError::from_grpc(&s);
        match kind {
            NodeTableKind::Processes => {
                let reply = m.processes(self.to_node(node, ())).await.map_err(grpc)?;
                let rows = reply
                    .into_inner()
                    .messages
                    .into_iter()
                    .flat_map(|m| m.processes)
                    .map(|p| ProcessRow {
                        pid: p.pid,
                        state: sanitize(&p.state),
                        threads: p.threads,
                        cpu_time: p.cpu_time,
                        resident_bytes: p.resident_memory,
                        command: sanitize(&p.command),
                        args: sanitize(&p.args),
                    })
                    .collect();
                Ok(NodeTable::Processes(rows))
            }
            NodeTableKind::Mounts => {
                let reply = m.mounts(self.to_node(node, ())).await.map_err(grpc)?;
                let rows = reply
                    .into_inner()
                    .messages
                    .into_iter()
                    .flat_map(|m| m.stats)
                    .map(|s| MountRow {
                        filesystem: sanitize(&s.filesystem),
                        mounted_on: sanitize(&s.mounted_on),
                        size: s.size,
                        available: s.available,
                    })
                    .collect();
                Ok(NodeTable::Mounts(rows))
            }
            NodeTableKind::Disks => {
                let mut storage =
                    super::proto::storage::storage_service_client::StorageServiceClient::new(
                        self.channel.clone(),
                    );
                let reply = storage.disks(self.to_node(node, ())).await.map_err(grpc)?;
                let rows = reply
                    .into_inner()
                    .messages
                    .into_iter()
                    .flat_map(|m| m.disks)
                    .map(|d| DiskRow {
                        device: sanitize(&d.device_name),
                        model: sanitize(&d.model),
                        serial: sanitize(&d.serial),
                        kind: d.r#type().as_str_name().to_string(),
                        size: d.size,
                        system: d.system_disk,
                        readonly: d.readonly,
                        bus_path: sanitize(&d.bus_path),
                    })
                    .collect();
                Ok(NodeTable::Disks(rows))
            }
        }
    }
}
