//! A Talos Machine API client: one mTLS channel per talosconfig context (to its first endpoint),
//! requests routed to a node with the `node` metadata key, as talosctl does.

use std::time::Duration;

use jiff::Timestamp;
use tonic::Request;
use tonic::metadata::MetadataValue;
use tonic::transport::{Certificate, Channel, ClientTlsConfig, Endpoint, Identity};

use super::config::TalosContext;
use super::proto::machine::machine_service_client::MachineServiceClient;
use super::proto::machine::{
    DiskStat, DiskStats, DmesgRequest, EtcdMemberListRequest, LogsRequest, MemInfo,
    NetworkDeviceStats, SystemStat,
};
use crate::model::store::ObjRef;
use crate::model::talos::{EtcdMemberRow, EtcdView, ServiceRow, TalosNodeRow};
use crate::model::talos_metrics::{LinkCounters, RawSample, is_whole_disk, keep_links};
use crate::model::text::sanitize;

/// Replies bigger than this are refused (Talos' own client limit).
const MAX_MESSAGE: usize = 32 * 1024 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum TalosError {
    #[error("talosconfig context {context:?}: {message}")]
    Setup { context: String, message: String },
}

#[derive(Clone)]
pub struct TalosClient {
    pub context: String,
    /// The roles of the context's client certificate (empty when it could not be read).
    pub roles: Vec<String>,
    pub(super) channel: Channel,
    /// Per-call deadline, so one slow node never holds up a poll of the others.
    pub timeout: Duration,
}

fn host_of(endpoint: &str) -> String {
    let host = match endpoint.rsplit_once(':') {
        Some((h, _)) => h,
        None => endpoint,
    };
    host.trim_start_matches('[')
        .trim_end_matches(']')
        .to_string()
}

/// A short, readable form of a gRPC failure.
pub fn describe(status: &tonic::Status) -> String {
    let msg = status.message();
    let code = format!("{:?}", status.code());
    if msg.is_empty() {
        code
    } else {
        sanitize(&format!("{code}: {msg}"))
    }
}

fn to_time(t: &Option<prost_types::Timestamp>) -> Option<Timestamp> {
    t.as_ref()
        .and_then(|t| Timestamp::new(t.seconds, t.nanos).ok())
}

/// The counters of one poll, for rates against the next.
fn sample(
    stat: Option<SystemStat>,
    net: Option<NetworkDeviceStats>,
    disks: Option<DiskStats>,
    memory: Option<MemInfo>,
    load1: Option<f64>,
) -> RawSample {
    let memory = memory.filter(|mi| mi.memtotal > 0);
    let cpu = stat.and_then(|s| s.cpu_total);
    let all =
        cpu.map(|c| c.user + c.nice + c.system + c.idle + c.iowait + c.irq + c.soft_irq + c.steal);
    let whole: Vec<_> = disks
        .map(|d| {
            d.devices
                .into_iter()
                .filter(|d| is_whole_disk(&d.name))
                .collect()
        })
        .unwrap_or_default();
    let sectors = |f: fn(&DiskStat) -> u64| {
        (!whole.is_empty()).then(|| whole.iter().map(f).sum::<u64>() * 512)
    };
    RawSample {
        at: Timestamp::now(),
        cpu_busy: cpu.zip(all).map(|(c, all)| all - c.idle - c.iowait),
        cpu_all: all,
        mem_used_pct: memory.map(|mi| {
            100.0 * mi.memtotal.saturating_sub(mi.memavailable) as f64 / mi.memtotal as f64
        }),
        mem_total_kb: memory.map(|mi| mi.memtotal),
        load1,
        links: keep_links(
            net.map(|n| n.devices)
                .unwrap_or_default()
                .into_iter()
                .map(|d| LinkCounters {
                    name: sanitize(&d.name),
                    rx_bytes: d.rx_bytes,
                    tx_bytes: d.tx_bytes,
                })
                .collect(),
        ),
        disk_read: sectors(|d| d.read_sectors),
        disk_written: sectors(|d| d.write_sectors),
    }
}

impl TalosClient {
    /// Build the channel; nothing is dialled until the first call.
    pub fn new(ctx: &TalosContext, timeout: Duration) -> Result<Self, TalosError> {
        let err = |message: String| TalosError::Setup {
            context: ctx.name.clone(),
            message,
        };
        let endpoint = ctx
            .endpoints
            .first()
            .ok_or_else(|| err("no endpoints".into()))?;
        let tls = ClientTlsConfig::new()
            .ca_certificate(Certificate::from_pem(&ctx.ca_pem))
            .identity(Identity::from_pem(&ctx.crt_pem, &ctx.key_pem))
            .domain_name(host_of(endpoint));
        let channel = Endpoint::from_shared(format!("https://{endpoint}"))
            .map_err(|e| err(format!("endpoint {endpoint}: {e}")))?
            .tls_config(tls)
            .map_err(|e| err(format!("TLS settings: {e}")))?
            .connect_timeout(timeout)
            .connect_lazy();
        Ok(TalosClient {
            context: ctx.name.clone(),
            roles: ctx.roles().unwrap_or_default(),
            channel,
            timeout,
        })
    }

    /// The context's channel (for a generated client of another service).
    pub fn channel(&self) -> Channel {
        self.channel.clone()
    }

    /// The generated MachineService client on this context's channel.
    pub fn machine(&self) -> MachineServiceClient<Channel> {
        MachineServiceClient::new(self.channel.clone()).max_decoding_message_size(MAX_MESSAGE)
    }

    /// A request for one node, through the endpoint (`node` metadata, one-to-one proxying).
    pub(super) fn to_node<T>(&self, node: &str, msg: T) -> Request<T> {
        let mut req = self.streaming_to(node, msg);
        req.set_timeout(self.timeout);
        req
    }

    /// The same with no deadline: a stream lives as long as it is read (its opening is
    /// bounded by `opened`).
    pub(super) fn streaming_to<T>(&self, node: &str, msg: T) -> Request<T> {
        let mut req = Request::new(msg);
        if let Ok(v) = MetadataValue::try_from(node) {
            req.metadata_mut().insert("node", v);
        }
        req
    }

    /// Poll everything the `:talos` pane shows about one node. Calls run concurrently; each
    /// that fails leaves its field empty and the first error is kept.
    pub async fn snapshot(&self, node: &str) -> TalosNodeRow {
        let key = ObjRef::in_cluster(self.context.clone(), "", node);
        let mut m = self.machine();
        let (mut m2, mut m3, mut m4, mut m5, mut m6, mut m7, mut m8, mut m9, mut m10) = (
            m.clone(),
            m.clone(),
            m.clone(),
            m.clone(),
            m.clone(),
            m.clone(),
            m.clone(),
            m.clone(),
            m.clone(),
        );
        let (version, hostname, services, memory, load, stat, members, status, net, disks) = tokio::join!(
            m.version(self.to_node(node, ())),
            m8.hostname(self.to_node(node, ())),
            m2.service_list(self.to_node(node, ())),
            m3.memory(self.to_node(node, ())),
            m4.load_avg(self.to_node(node, ())),
            m5.system_stat(self.to_node(node, ())),
            m6.etcd_member_list(self.to_node(node, EtcdMemberListRequest { query_local: false })),
            m7.etcd_status(self.to_node(node, ())),
            m9.network_device_stats(self.to_node(node, ())),
            m10.disk_stats(self.to_node(node, ())),
        );
        let mut errors: Vec<String> = Vec::new();
        // A reply can also carry a per-node error in its metadata.
        macro_rules! first {
            ($r:expr) => {
                match $r {
                    Ok(resp) => {
                        let msg = resp.into_inner().messages.into_iter().next();
                        match msg {
                            Some(m)
                                if m.metadata.as_ref().is_some_and(|md| !md.error.is_empty()) =>
                            {
                                errors.push(sanitize(
                                    &m.metadata.map(|md| md.error).unwrap_or_default(),
                                ));
                                None
                            }
                            other => other,
                        }
                    }
                    Err(status) => {
                        errors.push(describe(&status));
                        None
                    }
                }
            };
        }
        let version = first!(version);
        let hostname = first!(hostname);
        let services = first!(services);
        let memory = first!(memory);
        let load = first!(load);
        let stat = first!(stat);
        // Older nodes may not answer these; the rest of the row stands without them.
        let net = net
            .ok()
            .and_then(|r| r.into_inner().messages.into_iter().next());
        let disks = disks
            .ok()
            .and_then(|r| r.into_inner().messages.into_iter().next());
        // etcd calls fail on workers by design; they are not errors of the node.
        let members = members
            .ok()
            .and_then(|r| r.into_inner().messages.into_iter().next());
        let status = status
            .ok()
            .and_then(|r| r.into_inner().messages.into_iter().next());
        let reached = version.is_some() || services.is_some() || memory.is_some();
        let error = errors.into_iter().next();
        if !reached {
            return TalosNodeRow::unreachable(
                key,
                error.unwrap_or_else(|| "no reply".into()),
                Timestamp::now(),
            );
        }
        let etcd = members.map(|m| {
            let st = status.and_then(|s| s.member_status).unwrap_or_default();
            EtcdView {
                members: m
                    .members
                    .into_iter()
                    .map(|x| EtcdMemberRow {
                        id: x.id,
                        hostname: sanitize(&x.hostname),
                        peer_urls: x.peer_urls.iter().map(|u| sanitize(u)).collect(),
                        learner: x.is_learner,
                    })
                    .collect(),
                member_id: st.member_id,
                leader: st.leader,
                db_size: st.db_size,
                errors: st.errors.iter().map(|e| sanitize(e)).collect(),
                raft_index: st.raft_index,
            }
        });
        let load1 = load.map(|l| l.load1);
        let boot_time = stat
            .as_ref()
            .and_then(|s| Timestamp::from_second(s.boot_time as i64).ok());
        let sample = sample(stat, net, disks, memory.and_then(|m| m.meminfo), load1);
        let memory_used_pct = sample.mem_used_pct;
        TalosNodeRow {
            key,
            // Passed through with `node`, a reply carries no metadata: the hostname is the
            // node's own answer.
            hostname: hostname
                .map(|h| sanitize(&h.hostname))
                .filter(|h| !h.is_empty()),
            talos_version: version.and_then(|v| v.version).map(|v| sanitize(&v.tag)),
            services: services.map(|s| {
                s.services
                    .into_iter()
                    .map(|svc| {
                        let health = svc.health.unwrap_or_default();
                        ServiceRow {
                            id: sanitize(&svc.id),
                            state: sanitize(&svc.state),
                            healthy: (!health.unknown).then_some(health.healthy),
                            message: sanitize(&health.last_message),
                            since: to_time(&health.last_change),
                        }
                    })
                    .collect()
            }),
            memory_used_pct,
            load1,
            boot_time,
            etcd,
            error,
            polled_at: Timestamp::now(),
            sample: Some(sample),
        }
    }

    /// Follow a service's log on a node: chunks of text as they come.
    pub async fn logs(
        &self,
        node: &str,
        service: &str,
        tail_lines: i32,
    ) -> Result<tonic::Streaming<super::proto::common::Data>, String> {
        let req = self.streaming_to(
            node,
            LogsRequest {
                namespace: "system".into(),
                id: service.into(),
                driver: 0,
                follow: true,
                tail_lines,
            },
        );
        Ok(self.opened(self.machine().logs(req)).await?.into_inner())
    }

    /// Follow the kernel log of a node.
    pub async fn dmesg(
        &self,
        node: &str,
    ) -> Result<tonic::Streaming<super::proto::common::Data>, String> {
        let req = self.streaming_to(
            node,
            DmesgRequest {
                follow: true,
                tail: false,
            },
        );
        Ok(self.opened(self.machine().dmesg(req)).await?.into_inner())
    }
}
