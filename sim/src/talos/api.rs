//! The simulated apid's MachineService: answers for itself, or for the node(s) named in the
//! `node` / `nodes` request metadata, routed as a real endpoint routes them (`routing`).

use tonic::{Request, Response, Status};

use super::NodeApi;
use super::node::member_id;
use super::routing::{DataStream, TextStream, WithMeta, targets};
use crate::proto::common::{Data, Metadata};
use crate::proto::machine::machine_service_server::MachineService;
use crate::proto::machine::*;

macro_rules! with_meta {
    ($($t:ty),*) => {$(impl WithMeta for $t { fn set_meta(&mut self, m: Option<Metadata>) { self.metadata = m; } })*};
}
with_meta!(
    Reboot,
    Upgrade,
    Version,
    Hostname,
    ServiceList,
    Memory,
    LoadAvg,
    SystemStat,
    NetworkDeviceStats,
    DiskStats,
    EtcdMembers,
    EtcdStatus,
    ServiceRestart,
    EtcdDefragment,
    EtcdAlarmDisarm,
    EtcdForfeitLeadership,
    Process,
    Mounts
);

#[tonic::async_trait]
impl MachineService for NodeApi {
    async fn version(&self, req: Request<()>) -> Result<Response<VersionResponse>, Status> {
        let messages = self.answer(targets(&req)?, |s| {
            Ok(Version {
                metadata: None,
                version: Some(VersionInfo {
                    tag: s.spec.talos_version.clone(),
                    sha: "0000000".into(),
                    built: "2026-10-01T00:00:00Z".into(),
                    go_version: "go1.24.6".into(),
                    os: "linux".into(),
                    arch: "amd64".into(),
                }),
                platform: Some(PlatformInfo {
                    name: "nocloud".into(),
                    mode: "cloud".into(),
                }),
            })
        })?;
        Ok(Response::new(VersionResponse { messages }))
    }

    async fn hostname(&self, req: Request<()>) -> Result<Response<HostnameResponse>, Status> {
        let messages = self.answer(targets(&req)?, |s| {
            Ok(Hostname {
                metadata: None,
                hostname: s.spec.hostname.clone(),
            })
        })?;
        Ok(Response::new(HostnameResponse { messages }))
    }

    async fn service_list(
        &self,
        req: Request<()>,
    ) -> Result<Response<ServiceListResponse>, Status> {
        let messages = self.answer(targets(&req)?, |s| {
            let since = prost_types::Timestamp {
                seconds: s.boot_time.as_second() + 40,
                nanos: 0,
            };
            let services = s
                .services()
                .into_iter()
                .map(|id| {
                    let bad = s.spec.unhealthy_service.as_deref() == Some(id);
                    ServiceInfo {
                        id: id.into(),
                        state: "Running".into(),
                        events: Some(ServiceEvents {
                            events: vec![ServiceEvent {
                                msg: "Health check successful".into(),
                                state: "Running".into(),
                                ts: Some(since),
                            }],
                        }),
                        health: Some(ServiceHealth {
                            unknown: matches!(id, "machined" | "udevd"),
                            healthy: !bad,
                            last_message: if bad {
                                "node not ready: container runtime network not ready".into()
                            } else {
                                String::new()
                            },
                            last_change: Some(since),
                        }),
                    }
                })
                .collect();
            Ok(ServiceList {
                metadata: None,
                services,
            })
        })?;
        Ok(Response::new(ServiceListResponse { messages }))
    }

    async fn memory(&self, req: Request<()>) -> Result<Response<MemoryResponse>, Status> {
        let messages = self.answer(targets(&req)?, |s| {
            Ok(Memory {
                metadata: None,
                meminfo: Some(MemInfo {
                    memtotal: s.memtotal_kb,
                    memfree: s.memavailable_kb() / 2,
                    memavailable: s.memavailable_kb(),
                }),
            })
        })?;
        Ok(Response::new(MemoryResponse { messages }))
    }

    async fn load_avg(&self, req: Request<()>) -> Result<Response<LoadAvgResponse>, Status> {
        let messages = self.answer(targets(&req)?, |s| {
            let (load1, load5, load15) = s.load();
            Ok(LoadAvg {
                metadata: None,
                load1,
                load5,
                load15,
            })
        })?;
        Ok(Response::new(LoadAvgResponse { messages }))
    }

    async fn system_stat(&self, req: Request<()>) -> Result<Response<SystemStatResponse>, Status> {
        let messages = self.answer(targets(&req)?, |s| {
            Ok(SystemStat {
                metadata: None,
                boot_time: s.boot_time.as_second() as u64,
                cpu_total: Some(s.cpu_total()),
                cpu: Vec::new(),
            })
        })?;
        Ok(Response::new(SystemStatResponse { messages }))
    }

    async fn network_device_stats(
        &self,
        req: Request<()>,
    ) -> Result<Response<NetworkDeviceStatsResponse>, Status> {
        let messages = self.answer(targets(&req)?, |s| {
            let devices = s.net_devices();
            Ok(NetworkDeviceStats {
                metadata: None,
                total: Some(super::metrics::net_total(&devices)),
                devices,
            })
        })?;
        Ok(Response::new(NetworkDeviceStatsResponse { messages }))
    }

    async fn disk_stats(&self, req: Request<()>) -> Result<Response<DiskStatsResponse>, Status> {
        let messages = self.answer(targets(&req)?, |s| {
            let devices = s.disk_devices();
            Ok(DiskStats {
                metadata: None,
                total: Some(super::metrics::disk_total(&devices)),
                devices,
            })
        })?;
        Ok(Response::new(DiskStatsResponse { messages }))
    }

    async fn etcd_member_list(
        &self,
        req: Request<EtcdMemberListRequest>,
    ) -> Result<Response<EtcdMemberListResponse>, Status> {
        let messages = self.answer(targets(&req)?, |s| {
            if !s.spec.control_plane {
                return Err(Status::failed_precondition(
                    "etcd is not running on this node",
                ));
            }
            Ok(EtcdMembers {
                metadata: None,
                legacy_members: Vec::new(),
                members: s
                    .etcd_peers
                    .iter()
                    .map(|h| EtcdMember {
                        id: member_id(h),
                        hostname: h.clone(),
                        peer_urls: vec![format!("https://{h}:2380")],
                        client_urls: vec![format!("https://{h}:2379")],
                        is_learner: false,
                    })
                    .collect(),
            })
        })?;
        Ok(Response::new(EtcdMemberListResponse { messages }))
    }

    async fn etcd_status(&self, req: Request<()>) -> Result<Response<EtcdStatusResponse>, Status> {
        let messages = self.answer(targets(&req)?, |s| {
            if !s.spec.control_plane {
                return Err(Status::failed_precondition(
                    "etcd is not running on this node",
                ));
            }
            Ok(EtcdStatus {
                metadata: None,
                member_status: Some(EtcdMemberStatus {
                    protocol_version: "3.5.0".into(),
                    db_size: if s.defragmented { 18 } else { 24 } * 1024 * 1024,
                    db_size_in_use: 18 * 1024 * 1024,
                    leader: self
                        .registry
                        .leader(s)
                        .map(|h| member_id(&h))
                        .unwrap_or_default(),
                    raft_index: 123_456,
                    raft_term: 4,
                    raft_applied_index: 123_456,
                    errors: s.etcd_errors.clone(),
                    is_learner: false,
                    member_id: member_id(&s.spec.hostname),
                    storage_version: "3.5.0".into(),
                }),
            })
        })?;
        Ok(Response::new(EtcdStatusResponse { messages }))
    }

    type LogsStream = DataStream;

    async fn logs(&self, req: Request<LogsRequest>) -> Result<Response<Self::LogsStream>, Status> {
        let r = req.get_ref().clone();
        let every = self.log_every;
        let stream = self.text_streams(&req, move |state| {
            if !state.services().contains(&r.id.as_str()) {
                return Err(Status::not_found(format!(
                    "log {:?} was not registered",
                    r.id
                )));
            }
            let backlog = 40u64;
            let skip = if r.tail_lines < 0 {
                0
            } else {
                backlog.saturating_sub(r.tail_lines as u64)
            };
            let service = r.id.clone();
            Ok(TextStream {
                first: (skip..backlog).map(|n| state.log_line(&r.id, n)).collect(),
                follow: r.follow,
                every,
                next: Box::new(move |n| state.log_line(&service, n)),
            })
        })?;
        Ok(Response::new(stream))
    }

    type DmesgStream = DataStream;

    async fn dmesg(
        &self,
        req: Request<DmesgRequest>,
    ) -> Result<Response<Self::DmesgStream>, Status> {
        let r = *req.get_ref();
        let every = self.log_every * 3;
        let stream = self.text_streams(&req, move |state| {
            Ok(TextStream {
                first: if r.tail {
                    Vec::new()
                } else {
                    (0..30).map(|n| state.dmesg_line(n)).collect()
                },
                follow: r.follow,
                every,
                next: Box::new(move |n| state.dmesg_line(n)),
            })
        })?;
        Ok(Response::new(stream))
    }

    async fn reboot(
        &self,
        req: Request<RebootRequest>,
    ) -> Result<Response<RebootResponse>, Status> {
        let messages = self.answer(targets(&req)?, |s| {
            let actor_id = format!("reboot-{}", s.spec.hostname);
            self.registry.reboot(s, &actor_id);
            Ok(Reboot {
                metadata: None,
                actor_id,
            })
        })?;
        Ok(Response::new(RebootResponse { messages }))
    }

    /// The deprecated upgrade: install the image, then reboot by itself.
    async fn upgrade(
        &self,
        req: Request<UpgradeRequest>,
    ) -> Result<Response<UpgradeResponse>, Status> {
        let version = super::node::image_version(&req.get_ref().image)?;
        let messages = self.answer(targets(&req)?, |s| {
            let actor_id = format!("upgrade-{}", s.spec.hostname);
            self.registry.stage(s, version.clone());
            self.registry.reboot(s, &actor_id);
            Ok(Upgrade {
                metadata: None,
                ack: "Upgrade request received".into(),
                actor_id,
            })
        })?;
        Ok(Response::new(UpgradeResponse { messages }))
    }

    async fn service_restart(
        &self,
        req: Request<ServiceRestartRequest>,
    ) -> Result<Response<ServiceRestartResponse>, Status> {
        let id = req.get_ref().id.clone();
        let messages = self.answer(targets(&req)?, |s| {
            Ok(ServiceRestart {
                metadata: None,
                resp: self.registry.restart_service(s, &id)?,
            })
        })?;
        Ok(Response::new(ServiceRestartResponse { messages }))
    }

    async fn etcd_defragment(
        &self,
        req: Request<()>,
    ) -> Result<Response<EtcdDefragmentResponse>, Status> {
        let messages = self.answer(targets(&req)?, |s| {
            self.registry.defragment(s)?;
            Ok(EtcdDefragment { metadata: None })
        })?;
        Ok(Response::new(EtcdDefragmentResponse { messages }))
    }

    async fn etcd_alarm_disarm(
        &self,
        req: Request<()>,
    ) -> Result<Response<EtcdAlarmDisarmResponse>, Status> {
        let messages = self.answer(targets(&req)?, |s| {
            let member_alarms = self
                .registry
                .disarm(s)?
                .into_iter()
                .map(|(member, alarm)| EtcdMemberAlarm {
                    member_id: member_id(&member),
                    alarm: if alarm.contains("CORRUPT") {
                        etcd_member_alarm::AlarmType::Corrupt
                    } else {
                        etcd_member_alarm::AlarmType::Nospace
                    } as i32,
                })
                .collect();
            Ok(EtcdAlarmDisarm {
                metadata: None,
                member_alarms,
            })
        })?;
        Ok(Response::new(EtcdAlarmDisarmResponse { messages }))
    }

    async fn etcd_forfeit_leadership(
        &self,
        req: Request<EtcdForfeitLeadershipRequest>,
    ) -> Result<Response<EtcdForfeitLeadershipResponse>, Status> {
        let messages = self.answer(targets(&req)?, |s| {
            Ok(EtcdForfeitLeadership {
                metadata: None,
                member: self.registry.forfeit(s)?,
            })
        })?;
        Ok(Response::new(EtcdForfeitLeadershipResponse { messages }))
    }

    type EtcdSnapshotStream = DataStream;

    /// The local member's database (what is in use of it), 256 KiB a message at a LAN's pace,
    /// ending with its SHA-256 (as etcd writes a snapshot).
    async fn etcd_snapshot(
        &self,
        req: Request<EtcdSnapshotRequest>,
    ) -> Result<Response<Self::EtcdSnapshotStream>, Status> {
        let state = self.stream_target(&req)?;
        super::remedy::control_plane_only(&state, "etcd snapshot")?;
        let bytes = super::remedy::snapshot_bytes(&state);
        let chunks: Vec<Result<Data, Status>> = bytes
            .chunks(256 * 1024)
            .map(|c| {
                Ok(Data {
                    metadata: None,
                    bytes: c.to_vec(),
                })
            })
            .collect();
        let paced = futures::StreamExt::then(tokio_stream::iter(chunks), |chunk| async {
            tokio::time::sleep(std::time::Duration::from_millis(15)).await;
            chunk
        });
        Ok(Response::new(Box::pin(paced)))
    }

    type EventsStream = super::events::EventStream;

    async fn events(
        &self,
        req: Request<EventsRequest>,
    ) -> Result<Response<Self::EventsStream>, Status> {
        Ok(Response::new(NodeApi::events(self, req)?))
    }

    async fn processes(&self, req: Request<()>) -> Result<Response<ProcessesResponse>, Status> {
        let messages = self.answer(targets(&req)?, |s| {
            Ok(Process {
                metadata: None,
                processes: s.processes(),
            })
        })?;
        Ok(Response::new(ProcessesResponse { messages }))
    }

    async fn mounts(&self, req: Request<()>) -> Result<Response<MountsResponse>, Status> {
        let messages = self.answer(targets(&req)?, |s| {
            Ok(Mounts {
                metadata: None,
                stats: s.mounts(),
            })
        })?;
        Ok(Response::new(MountsResponse { messages }))
    }
}
