//! The simulated `cosi.resource.State` (what `talosctl get` reads): Get, List and Watch of the
//! resources an inspector uses — MachineStatus, Members, NodeAddresses and the machine config —
//! behind machined's access filter (read only, a known type, a namespace that exists, sensitive
//! types for `os:admin` only). Every resource carries both spec forms and a change counter;
//! watches follow the node's state and end when the node goes down.

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use jiff::Timestamp;
use prost::Message;
use serde_json::{Value, json};
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;
use tonic::{Request, Response, Status};

use super::node::NodeState;
use super::routing::{Targets, targets, unreachable};
use super::{NodeApi, Registry, events, rbac};
use crate::proto::common::{NetIp, NetIpPrefix};
use crate::proto::cosi::resource::state_server::State;
use crate::proto::cosi::resource::{
    Event, EventType, GetRequest, GetResponse, ListRequest, ListResponse, Metadata, Resource, Spec,
    WatchRequest, WatchResponse,
};
use crate::proto::resource::config::MachineConfigSpec;
use crate::proto::talos::resource::definitions::{cluster, network, runtime};

pub const MACHINE_STATUS: &str = "MachineStatuses.runtime.talos.dev";
pub const MEMBERS: &str = "Members.cluster.talos.dev";
pub const NODE_ADDRESSES: &str = "NodeAddresses.net.talos.dev";
pub const MACHINE_CONFIGS: &str = "MachineConfigs.config.talos.dev";

/// The types served: (type, namespace, sensitive).
const TYPES: &[(&str, &str, bool)] = &[
    (MACHINE_STATUS, "runtime", false),
    (MEMBERS, "cluster", false),
    (NODE_ADDRESSES, "network", false),
    (MACHINE_CONFIGS, "config", true),
];
const NAMESPACES: &[&str] = &[
    "runtime", "network", "cluster", "config", "k8s", "etcd", "perf", "meta", "secrets", "hardware",
];

/// A resource as it is now, before it gets its change counter.
struct Current {
    id: String,
    yaml: String,
    proto: Vec<u8>,
    owner: &'static str,
    annotations: HashMap<String, String>,
}

/// A served resource by (node, type, id).
type ResourceKey = (String, String, String);

/// What a resource was last served as: its counter, spec YAML, created and updated times.
type Served = (u64, String, Timestamp, Timestamp);

/// The change counter of each resource served.
#[derive(Default)]
pub struct Versions(HashMap<ResourceKey, Served>);

fn yaml(v: &Value) -> String {
    serde_saphyr::to_string(v).unwrap_or_default()
}

fn ipv4(address: &str) -> Vec<u8> {
    address
        .parse::<std::net::Ipv4Addr>()
        .map(|a| a.octets().to_vec())
        .unwrap_or_default()
}

fn stage_word(stage: runtime::MachineStage) -> &'static str {
    use runtime::MachineStage as S;
    match stage {
        S::Booting => "booting",
        S::Installing => "installing",
        S::Maintenance => "maintenance",
        S::Running => "running",
        S::Rebooting => "rebooting",
        S::ShuttingDown => "shutting down",
        S::Resetting => "resetting",
        S::Upgrading => "upgrading",
        S::Unknown => "unknown",
    }
}

/// A machine config as Talos keeps it: every secret of the cluster in it, and a second
/// document after the v1alpha1 one.
fn machine_config(s: &NodeState, address: &str) -> String {
    let h = |what: &str| {
        let a = crate::db::fnv(format!("{}/{what}", s.spec.cluster).as_bytes());
        let b = crate::db::fnv(format!("{what}/{}", s.spec.cluster).as_bytes());
        format!("{a:016x}{b:016x}")
    };
    let machine_type = if s.spec.control_plane {
        "controlplane"
    } else {
        "worker"
    };
    format!(
        "version: v1alpha1\n\
         machine:\n  type: {machine_type}\n  token: {token}\n  ca:\n    crt: LS0tLS1CRUdJTi{crt}\n    key: LS0tLS1CRUdJTiBFRDI1NTE5IFBSSVZBVEUgS0VZ{ca_key}\n  \
         kubelet:\n    image: ghcr.io/siderolabs/kubelet:v{k8s}\n  network:\n    hostname: {host}\n    interfaces:\n      - interface: eth0\n        addresses:\n          - {address}/24\n  \
         install:\n    disk: /dev/vda\n    image: ghcr.io/siderolabs/installer:v{talos}\n\
         cluster:\n  id: {id}\n  secret: {secret}\n  clusterName: {cluster}\n  controlPlane:\n    endpoint: https://{cluster}.lab.internal:6443\n  \
         token: {bootstrap}\n  secretboxEncryptionSecret: {secretbox}\n  ca:\n    crt: LS0tLS1CRUdJTi{crt}\n    key: LS0tLS1CRUdJTiBFQyBQUklWQVRFIEtFWS{k8s_key}\n  \
         serviceAccount:\n    key: LS0tLS1CRUdJTiBFQyBQUklWQVRFIEtFWS{sa_key}\n  etcd:\n    ca:\n      crt: LS0tLS1CRUdJTi{crt}\n      key: LS0tLS1CRUdJTiBFQyBQUklWQVRFIEtFWS{etcd_key}\n\
         ---\n\
         apiVersion: v1alpha1\nkind: WatchdogTimerConfig\ndevice: /dev/watchdog0\ntimeout: 2m0s\n",
        token = &h("machine-token")[..23],
        crt = h("crt"),
        ca_key = h("machine-ca-key"),
        k8s = s.spec.kubernetes_version.trim_start_matches('v'),
        host = s.spec.hostname,
        talos = s.spec.talos_version.trim_start_matches('v'),
        id = h("cluster-id"),
        secret = h("cluster-secret"),
        cluster = s.spec.cluster,
        bootstrap = &h("bootstrap-token")[..23],
        secretbox = h("secretbox"),
        k8s_key = h("k8s-ca-key"),
        sa_key = h("service-account-key"),
        etcd_key = h("etcd-ca-key"),
    )
}

impl Registry {
    /// The resources of one type on a node, as they are now.
    fn current(&self, s: &NodeState, ty: &str) -> Vec<Current> {
        let address = self.address_of(&s.spec.hostname);
        match ty {
            MACHINE_STATUS => {
                let unmet = events::unmet_conditions(s);
                let stage = runtime::MachineStage::Running;
                let spec = runtime::MachineStatusSpec {
                    stage: stage as i32,
                    status: Some(runtime::MachineStatusStatus {
                        ready: unmet.is_empty(),
                        unmet_conditions: unmet
                            .iter()
                            .map(|(name, reason)| runtime::UnmetCondition {
                                name: name.clone(),
                                reason: reason.clone(),
                            })
                            .collect(),
                    }),
                };
                let mut status = json!({ "ready": unmet.is_empty() });
                if !unmet.is_empty() {
                    status["unmetConditions"] = unmet
                        .iter()
                        .map(|(name, reason)| json!({ "name": name, "reason": reason }))
                        .collect();
                }
                vec![Current {
                    id: "machine".into(),
                    yaml: yaml(&json!({ "stage": stage_word(stage), "status": status })),
                    proto: spec.encode_to_vec(),
                    owner: "runtime.MachineStatusController",
                    annotations: HashMap::new(),
                }]
            }
            MEMBERS => {
                let peers: Vec<NodeState> = self
                    .nodes()
                    .values()
                    .filter(|(n, _)| n.spec.cluster == s.spec.cluster)
                    .map(|(n, _)| n.clone())
                    .collect();
                peers
                    .iter()
                    .map(|n| {
                        let address = self.address_of(&n.spec.hostname);
                        let node_id =
                            format!("{:016x}", crate::db::fnv(n.spec.hostname.as_bytes()));
                        let os = format!("Talos ({})", n.spec.talos_version);
                        let (word, machine_type) = if n.spec.control_plane {
                            ("controlplane", cluster::MachineType::TypeControlPlane)
                        } else {
                            ("worker", cluster::MachineType::TypeWorker)
                        };
                        let mut y = json!({
                            "nodeId": node_id, "addresses": [address],
                            "hostname": n.spec.hostname, "machineType": word,
                            "operatingSystem": os,
                        });
                        if n.spec.control_plane {
                            y["controlPlane"] = json!({ "apiServerPort": 6443 });
                        }
                        let spec = cluster::MemberSpec {
                            node_id,
                            addresses: vec![NetIp { ip: ipv4(&address) }],
                            hostname: n.spec.hostname.clone(),
                            machine_type: machine_type as i32,
                            operating_system: os,
                            control_plane: n.spec.control_plane.then_some(cluster::ControlPlane {
                                api_server_port: 6443,
                            }),
                        };
                        Current {
                            id: n.spec.hostname.clone(),
                            yaml: yaml(&y),
                            proto: spec.encode_to_vec(),
                            owner: "cluster.MemberController",
                            annotations: HashMap::new(),
                        }
                    })
                    .collect()
            }
            NODE_ADDRESSES => {
                let v6 = format!(
                    "fd00:10::{:x}",
                    crate::db::fnv(s.spec.hostname.as_bytes()) % 0xffff
                );
                let sets: [(&str, Vec<(String, i32)>); 4] = [
                    ("default", vec![(address.clone(), 24)]),
                    ("current", vec![(address.clone(), 24), (v6.clone(), 64)]),
                    ("routed", vec![(address.clone(), 24), (v6.clone(), 64)]),
                    ("accumulative", vec![(address.clone(), 24), (v6, 64)]),
                ];
                sets.into_iter()
                    .map(|(id, addrs)| {
                        let spec = network::NodeAddressSpec {
                            addresses: addrs
                                .iter()
                                .map(|(a, len)| NetIpPrefix {
                                    ip: a
                                        .parse::<std::net::IpAddr>()
                                        .map(|ip| match ip {
                                            std::net::IpAddr::V4(v) => v.octets().to_vec(),
                                            std::net::IpAddr::V6(v) => v.octets().to_vec(),
                                        })
                                        .unwrap_or_default(),
                                    prefix_length: *len,
                                })
                                .collect(),
                            sort_algorithm: 1,
                        };
                        let list: Vec<String> =
                            addrs.iter().map(|(a, l)| format!("{a}/{l}")).collect();
                        Current {
                            id: id.into(),
                            yaml: yaml(&json!({
                                "addresses": list,
                                "sortAlgorithm": "ADDRESS_SORT_ALGORITHM_V2",
                            })),
                            proto: spec.encode_to_vec(),
                            owner: "network.NodeAddressController",
                            annotations: HashMap::new(),
                        }
                    })
                    .collect()
            }
            MACHINE_CONFIGS => {
                let text = machine_config(s, &address);
                ["v1alpha1", "persistent"]
                    .into_iter()
                    .map(|id| Current {
                        id: id.into(),
                        // A YAML string whose value is the whole config.
                        yaml: yaml(&Value::String(text.clone())),
                        proto: MachineConfigSpec {
                            yaml_marshalled: text.clone().into_bytes(),
                        }
                        .encode_to_vec(),
                        owner: "",
                        annotations: HashMap::from([(
                            "talos.dev/yaml-spec".to_string(),
                            "1".to_string(),
                        )]),
                    })
                    .collect()
            }
            _ => Vec::new(),
        }
    }

    /// The resources of a type on a node with their metadata, sorted by id; each one's
    /// counter moves when its spec does.
    fn resources(&self, s: &NodeState, ns: &str, ty: &str) -> Vec<Resource> {
        let now = Timestamp::now();
        let mut versions = self.resources.lock().unwrap_or_else(|p| p.into_inner());
        let mut out: Vec<Resource> = self
            .current(s, ty)
            .into_iter()
            .map(|c| {
                let key = (s.spec.hostname.clone(), ty.to_string(), c.id.clone());
                let entry = versions
                    .0
                    .entry(key)
                    .or_insert_with(|| (1, c.yaml.clone(), s.boot_time, s.boot_time));
                if entry.1 != c.yaml {
                    *entry = (entry.0 + 1, c.yaml.clone(), entry.2, now);
                }
                let ts = |t: Timestamp| prost_types::Timestamp {
                    seconds: t.as_second(),
                    nanos: t.subsec_nanosecond(),
                };
                Resource {
                    metadata: Some(Metadata {
                        namespace: ns.into(),
                        r#type: ty.into(),
                        id: c.id,
                        version: entry.0.to_string(),
                        owner: c.owner.into(),
                        phase: "running".into(),
                        created: Some(ts(entry.2)),
                        updated: Some(ts(entry.3)),
                        finalizers: Vec::new(),
                        labels: HashMap::new(),
                        annotations: c.annotations,
                    }),
                    spec: Some(Spec {
                        proto_spec: c.proto,
                        yaml_spec: c.yaml,
                    }),
                }
            })
            .collect();
        out.sort_by(|a, b| id_of(a).cmp(id_of(b)));
        out
    }
}

fn id_of(r: &Resource) -> &str {
    r.metadata.as_ref().map_or("", |m| m.id.as_str())
}

/// machined's access filter, and the node the call is for.
fn admit<T>(api: &NodeApi, req: &Request<T>, ns: &str, ty: &str) -> Result<NodeState, Status> {
    let node = match targets(req)? {
        Targets::Local => api.me.clone(),
        Targets::One(n) => n,
        Targets::Many(_) => {
            return Err(Status::invalid_argument(
                "one-2-many proxying is not supported for method /cosi.resource.State",
            ));
        }
    };
    let Some((_, _, sensitive)) = TYPES.iter().find(|(t, ..)| *t == ty) else {
        return Err(Status::permission_denied(format!(
            "resource type {ty:?} is not supported"
        )));
    };
    if !NAMESPACES.contains(&ns) {
        return Err(Status::permission_denied(format!(
            "namespace {ns:?} is not supported"
        )));
    }
    if *sensitive
        && !rbac::peer_roles(req.extensions())
            .iter()
            .any(|r| r == "os:admin")
    {
        return Err(Status::permission_denied("not authorized"));
    }
    api.registry
        .state_of_up(&node)
        .ok_or_else(|| Status::unavailable(unreachable(&node)))
}

/// The resources a request sees: those of its type, in its namespace.
fn in_namespace(api: &NodeApi, s: &NodeState, ns: &str, ty: &str) -> Vec<Resource> {
    let home = TYPES.iter().find(|(t, ..)| *t == ty).map(|(_, n, _)| *n);
    if home == Some(ns) {
        api.registry.resources(s, ns, ty)
    } else {
        Vec::new()
    }
}

/// A BOOTSTRAPPED or DESTROYED placeholder: metadata only.
fn placeholder(ns: &str, ty: &str, id: &str) -> Resource {
    Resource {
        metadata: Some(Metadata {
            namespace: ns.into(),
            r#type: ty.into(),
            id: id.into(),
            version: "undefined".into(),
            phase: "running".into(),
            ..Default::default()
        }),
        spec: Some(Spec::default()),
    }
}

fn event(kind: EventType, resource: Resource, old: Option<Resource>) -> Event {
    Event {
        resource: Some(resource),
        event_type: kind as i32,
        old,
        error: None,
        bookmark: None,
    }
}

type WatchStream =
    std::pin::Pin<Box<dyn futures::Stream<Item = Result<WatchResponse, Status>> + Send>>;
type ListStream =
    std::pin::Pin<Box<dyn futures::Stream<Item = Result<ListResponse, Status>> + Send>>;

#[tonic::async_trait]
impl State for NodeApi {
    async fn get(&self, req: Request<GetRequest>) -> Result<Response<GetResponse>, Status> {
        let r = req.get_ref();
        let s = admit(self, &req, &r.namespace, &r.r#type)?;
        in_namespace(self, &s, &r.namespace, &r.r#type)
            .into_iter()
            .find(|x| id_of(x) == r.id)
            .map(|resource| {
                Response::new(GetResponse {
                    resource: Some(resource),
                })
            })
            .ok_or_else(|| {
                Status::not_found(format!(
                    "resource {}({}/{}@undefined) doesn't exist",
                    r.r#type, r.namespace, r.id
                ))
            })
    }

    type ListStream = ListStream;

    async fn list(&self, req: Request<ListRequest>) -> Result<Response<ListStream>, Status> {
        let r = req.get_ref();
        let s = admit(self, &req, &r.namespace, &r.r#type)?;
        let all: Vec<Result<ListResponse, Status>> =
            in_namespace(self, &s, &r.namespace, &r.r#type)
                .into_iter()
                .map(|resource| {
                    Ok(ListResponse {
                        resource: Some(resource),
                    })
                })
                .collect();
        Ok(Response::new(Box::pin(tokio_stream::iter(all))))
    }

    type WatchStream = WatchStream;

    async fn watch(&self, req: Request<WatchRequest>) -> Result<Response<WatchStream>, Status> {
        let r = req.get_ref().clone();
        let s = admit(self, &req, &r.namespace, &r.r#type)?;
        let options = r.options.clone().unwrap_or_default();
        if r.id.is_some() && (options.bootstrap_contents || !options.label_query.is_empty()) {
            return Err(Status::unimplemented(
                "bootstrap contents and label queries are not supported for single-resource watches",
            ));
        }
        let node = s.spec.hostname.clone();
        let registry = self.registry.clone();
        let home = TYPES
            .iter()
            .find(|(t, ..)| *t == r.r#type)
            .map(|(_, n, _)| *n);
        let served = home == Some(r.namespace.as_str());
        let read = move |s: &NodeState| -> BTreeMap<String, Resource> {
            if !served {
                return BTreeMap::new();
            }
            registry
                .resources(s, &r.namespace, &r.r#type)
                .into_iter()
                .filter(|x| r.id.as_deref().is_none_or(|id| id_of(x) == id))
                .map(|x| (id_of(&x).to_string(), x))
                .collect()
        };
        let registry = self.registry.clone();
        let req = req.into_inner();
        let (tx, rx) = mpsc::channel::<Result<WatchResponse, Status>>(64);
        tokio::spawn(async move {
            let send = |events: Vec<Event>| {
                let tx = tx.clone();
                async move { tx.send(Ok(WatchResponse { event: events })).await.is_ok() }
            };
            // Set up: an empty message first.
            if !send(Vec::new()).await {
                return;
            }
            let mut seen = read(&s);
            let mut first = Vec::new();
            match &req.id {
                Some(id) => first.push(match seen.get(id) {
                    Some(x) => event(EventType::Created, x.clone(), None),
                    None => event(
                        EventType::Destroyed,
                        placeholder(&req.namespace, &req.r#type, id),
                        None,
                    ),
                }),
                None if options.bootstrap_contents => {
                    first.extend(
                        seen.values()
                            .map(|x| event(EventType::Created, x.clone(), None)),
                    );
                    if req.api_version >= 1 {
                        first.push(event(
                            EventType::Bootstrapped,
                            placeholder(&req.namespace, &req.r#type, ""),
                            None,
                        ));
                    }
                }
                None => {}
            }
            for e in first {
                if !send(vec![e]).await {
                    return;
                }
            }
            let mut changed = registry.events_changed.subscribe();
            loop {
                let _ = tokio::time::timeout(Duration::from_millis(500), changed.changed()).await;
                let Some(s) = registry.state_of_up(&node) else {
                    let _ = tx.send(Err(Status::unavailable(unreachable(&node)))).await;
                    return;
                };
                let now = read(&s);
                let mut out = Vec::new();
                for (id, x) in &now {
                    match seen.get(id) {
                        None => out.push(event(EventType::Created, x.clone(), None)),
                        Some(old) if old != x => {
                            out.push(event(EventType::Updated, x.clone(), Some(old.clone())))
                        }
                        Some(_) => {}
                    }
                }
                for (id, old) in &seen {
                    if !now.contains_key(id) {
                        out.push(event(EventType::Destroyed, old.clone(), None));
                    }
                }
                seen = now;
                for e in out {
                    if !send(vec![e]).await {
                        return;
                    }
                }
                if tx.is_closed() {
                    return;
                }
            }
        });
        Ok(Response::new(Box::pin(ReceiverStream::new(rx))))
    }
}
