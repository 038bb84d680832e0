//! Simulated Talos nodes: one apid (gRPC, mTLS with its own CA) per node on 127.0.0.1, any of
//! which answers for the others by name, as a real endpoint proxies. A node is up while its
//! CAPI Machine is Running, so provisioning and replaced machines come and go on both layers.

pub mod api;
mod cosi;
mod events;
mod metrics;
pub mod node;
mod rbac;
mod remedy;
mod routing;
mod serve;
mod storage;
pub mod upgrade;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::Engine;
use serde_json::{Value, json};
use tokio::sync::watch;

use self::node::{NodeSpec, NodeState};
use super::SimError;
use super::capi_objects::{
    CLUSTER_NAME_LABEL, CONTROL_PLANE_LABEL, cp_machine_name, worker_machine_name,
};
use super::db::{Db, ObjKey};
use super::kinds::kind_id;
use super::scenario::Scenario;
use super::tls::{Issued, TestCa};
use crate::json_at::At;

/// One simulated apid: the node it runs on, and every node's state to answer for the others.
pub struct NodeApi {
    pub me: String,
    pub registry: Arc<Registry>,
    /// How often a followed log gets a new line.
    pub log_every: Duration,
}

/// Every node's state, shared by all simulated apids.
pub struct Registry {
    /// Every node an endpoint can reach, by hostname, with its Machine: the scenario's at
    /// start, then whatever Machines the controllers create (`follow_machines`).
    nodes: Mutex<HashMap<String, (NodeState, Option<ObjKey>)>>,
    db: Arc<Mutex<Db>>,
    down: Mutex<HashSet<String>>,
    /// The etcd leader of a cluster, once one forfeited leadership (else its first member).
    leaders: Mutex<HashMap<String, String>>,
    /// What upgrades and reboots changed, per node.
    runtime: Mutex<HashMap<String, Runtime>>,
    /// Each node's event log (`MachineService.Events`), written from its first use.
    events: Mutex<HashMap<String, events::EventLog>>,
    /// Bumped on every event written, to wake the event streams.
    events_changed: watch::Sender<u64>,
    /// The change counter of every COSI resource served, by node, type and id.
    resources: Mutex<cosi::Versions>,
    /// How to start an apid for a node that joins (set once the first ones run).
    launcher: std::sync::OnceLock<serve::Launcher>,
    /// Nodes that take calls and never answer them (tests).
    hanging: Mutex<HashSet<String>>,
    /// Each node's own apid: its address, and the switch that stops it when the node goes.
    listeners: Mutex<HashMap<String, (SocketAddr, tokio::sync::oneshot::Sender<()>)>>,
}

/// How long a rebooting node does not answer.
pub const REBOOT_DOWN: Duration = Duration::from_secs(3);
/// A reboot starts this long after it is asked for, so the reply gets out first.
const REBOOT_DELAY: Duration = Duration::from_millis(300);

/// A node's state since the simulator started: its installed version, its last boot, an
/// installed-but-not-booted version, a reboot in progress.
#[derive(Debug, Default)]
struct Runtime {
    version: Option<String>,
    boot_time: Option<jiff::Timestamp>,
    staged: Option<String>,
    reboot: Option<(Instant, Instant)>,
    /// Tests: the new image never comes up; the node boots its old version again.
    fail_upgrades: bool,
    /// Tests: what etcd's status says is wrong on this member.
    etcd_errors: Vec<String>,
    /// Its kubelet was restarted: whatever made it unhealthy is gone.
    kubelet_restarted: bool,
    /// Defragmented: the database file is no bigger than what is in use.
    defragmented: bool,
}

impl Registry {
    fn runtime(&self) -> std::sync::MutexGuard<'_, HashMap<String, Runtime>> {
        self.runtime.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Switch a node off or on: its apid stops answering (a test, or its host lost power).
    pub fn set_down(&self, hostname: &str, down: bool) {
        let mut set = self.down.lock().unwrap_or_else(|p| p.into_inner());
        if down {
            set.insert(hostname.to_string());
        } else {
            set.remove(hostname);
        }
    }

    /// Make a node take calls and never answer them, or answer again.
    pub fn set_hanging(&self, hostname: &str, hangs: bool) {
        let mut set = self.hanging.lock().unwrap_or_else(|p| p.into_inner());
        if hangs {
            set.insert(hostname.to_string());
        } else {
            set.remove(hostname);
        }
    }

    /// Whether calls for this node (by hostname or address) hang.
    pub fn hangs(&self, target: &str) -> bool {
        let set = self.hanging.lock().unwrap_or_else(|p| p.into_inner());
        !set.is_empty()
            && (set.contains(target) || self.resolve(target).is_some_and(|h| set.contains(&h)))
    }

    /// Install a version to boot at the next reboot.
    pub fn stage(&self, s: &NodeState, version: String) {
        use crate::proto::machine::sequence_event::Action;
        self.record(
            s,
            vec![events::Happened::Sequence("upgrade", Action::Start)],
            "",
        );
        self.runtime()
            .entry(s.spec.hostname.clone())
            .or_default()
            .staged = Some(version);
        self.record(
            s,
            vec![events::Happened::Sequence("upgrade", Action::Stop)],
            "",
        );
    }

    /// Reboot a node: down for a few seconds, then up with what was staged.
    pub fn reboot(&self, s: &NodeState, actor_id: &str) {
        self.record(s, events::reboot(s), actor_id);
        let start = Instant::now() + REBOOT_DELAY;
        self.runtime()
            .entry(s.spec.hostname.clone())
            .or_default()
            .reboot = Some((start, start + REBOOT_DOWN));
    }

    /// The node's current view after any reboot that finished; None while it is rebooting.
    fn booted(&self, hostname: &str, mut state: NodeState) -> Option<NodeState> {
        let mut all = self.runtime();
        let Some(r) = all.get_mut(hostname) else {
            return Some(state);
        };
        let mut came_back = false;
        if let Some((start, end)) = r.reboot {
            let now = Instant::now();
            if now >= start && now < end {
                return None;
            }
            if now >= end {
                came_back = true;
                r.reboot = None;
                r.boot_time = Some(jiff::Timestamp::now());
                if let Some(v) = r.staged.take().filter(|_| !r.fail_upgrades) {
                    r.version = Some(v);
                }
            }
        }
        if let Some(v) = &r.version {
            state.spec.talos_version = v.clone();
        }
        if let Some(t) = r.boot_time {
            state.boot_time = t;
        }
        state.etcd_errors = r.etcd_errors.clone();
        state.defragmented = r.defragmented;
        if r.kubelet_restarted && state.spec.unhealthy_service.as_deref() == Some("kubelet") {
            state.spec.unhealthy_service = None;
        }
        drop(all);
        if came_back {
            let address = self.address_of(hostname);
            self.record(&state, events::boot(&state, &address), "");
        }
        Some(state)
    }

    /// The address a node's Machine reports (InternalIP first), or one made up from its name
    /// for a node without a Machine.
    pub fn address_of(&self, hostname: &str) -> String {
        let machine_kind = kind_id("Machine").unwrap_or_default();
        let db = self.db.lock().unwrap_or_else(|p| p.into_inner());
        let found = db.list(machine_kind, None, None).find_map(|m| {
            (m["metadata"]["name"] == hostname)
                .then(|| m.at("/status/addresses").and_then(Value::as_array))
                .flatten()
                .and_then(|a| {
                    a.iter()
                        .find(|a| a["type"] == "InternalIP")
                        .or_else(|| a.first())
                        .and_then(|a| a["address"].as_str())
                        .map(str::to_string)
                })
        });
        found.unwrap_or_else(|| {
            let h = crate::db::fnv(hostname.as_bytes());
            format!(
                "10.{}.{}.{}",
                10 + h % 20,
                (h >> 8) % 250,
                10 + (h >> 16) % 240
            )
        })
    }

    fn nodes(&self) -> std::sync::MutexGuard<'_, HashMap<String, (NodeState, Option<ObjKey>)>> {
        self.nodes.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Start a node's own apid and remember its address.
    fn listen(self: &Arc<Self>, hostname: &str) -> Result<(), SimError> {
        let Some(launcher) = self.launcher.get() else {
            return Ok(());
        };
        let (gone, on_gone) = tokio::sync::oneshot::channel();
        let addr = serve::serve(self.clone(), hostname, launcher, on_gone)?;
        self.listeners
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(hostname.to_string(), (addr, gone));
        Ok(())
    }

    /// Follow the Machines of the clusters Talos runs: a new Machine's node is registered with
    /// an apid of its own (an endpoint reaches it too, once it runs); a deleted Machine's node
    /// and its apid are gone.
    pub fn follow_machines(self: &Arc<Self>, scenario: &Scenario) {
        let machine_kind = kind_id("Machine").unwrap_or_default();
        let machines: Vec<(ObjKey, String, bool)> = {
            let db = self.db.lock().unwrap_or_else(|p| p.into_inner());
            db.list(machine_kind, None, None)
                .filter_map(|m| {
                    let labels = m.at("/metadata/labels")?;
                    let cluster = labels.get(CLUSTER_NAME_LABEL)?.as_str()?.to_string();
                    let cp = labels.get(CONTROL_PLANE_LABEL).is_some();
                    Some((Db::key_of(machine_kind, m), cluster, cp))
                })
                .collect()
        };
        let mut nodes = self.nodes();
        let mut joined = Vec::new();
        nodes.retain(|_, (_, machine)| {
            machine
                .as_ref()
                .is_none_or(|k| machines.iter().any(|(m, ..)| m == k))
        });
        // Dropping a node's switch stops its apid.
        self.listeners
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .retain(|host, _| nodes.contains_key(host));
        for (key, cluster, control_plane) in machines {
            if nodes.contains_key(&key.2) {
                continue;
            }
            let Some(c) = scenario.clusters.iter().find(|c| c.name == cluster) else {
                continue;
            };
            let spec = NodeSpec {
                hostname: key.2.clone(),
                cluster,
                control_plane,
                talos_version: c.talos_version.clone(),
                kubernetes_version: c.version.clone(),
                unhealthy_service: None,
            };
            // A Machine created now boots now.
            let mut state = NodeState::new(spec, Vec::new());
            state.boot_time = jiff::Timestamp::now();
            joined.push(key.2.clone());
            nodes.insert(key.2.clone(), (state, Some(key)));
        }
        drop(nodes);
        // Only where there is a runtime to serve on (the controllers tick inside one).
        if tokio::runtime::Handle::try_current().is_ok() {
            for host in joined {
                if let Err(e) = self.listen(&host) {
                    tracing::warn!("no apid for {host}: {e}");
                }
            }
        }
    }

    /// Where a node's own apid listens, while it exists.
    pub fn apid_addr(&self, hostname: &str) -> Option<SocketAddr> {
        self.listeners
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(hostname)
            .map(|(addr, _)| *addr)
    }

    /// The hostname of the node a target names: its hostname, or an address its Machine has.
    fn resolve(&self, target: &str) -> Option<String> {
        if self.nodes().contains_key(target) {
            return Some(target.to_string());
        }
        let machine_kind = kind_id("Machine").unwrap_or_default();
        let db = self.db.lock().unwrap_or_else(|p| p.into_inner());
        db.list(machine_kind, None, None)
            .find(|m| {
                m.at("/status/addresses")
                    .and_then(Value::as_array)
                    .is_some_and(|a| a.iter().any(|a| a["address"] == target))
            })
            .and_then(|m| m["metadata"]["name"].as_str().map(str::to_string))
    }

    /// The node's state if it is up: not switched off by a test, and its Machine is Running.
    pub fn state_of_up(&self, target: &str) -> Option<NodeState> {
        let hostname = self.resolve(target)?;
        let hostname = hostname.as_str();
        let nodes = self.nodes();
        let (state, machine) = nodes.get(hostname)?;
        let mut state = state.clone();
        // etcd's members are the cluster's control planes as they are now.
        if state.spec.control_plane {
            let mut peers: Vec<String> = nodes
                .values()
                .filter(|(n, _)| n.spec.control_plane && n.spec.cluster == state.spec.cluster)
                .map(|(n, _)| n.spec.hostname.clone())
                .collect();
            peers.sort();
            state.etcd_peers = peers;
        }
        let machine = machine.clone();
        drop(nodes);
        if self
            .down
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .contains(hostname)
        {
            return None;
        }
        if let Some(key) = &machine {
            let db = self.db.lock().unwrap_or_else(|p| p.into_inner());
            let running = db
                .get(key)
                .and_then(|m| m.at("/status/phase"))
                .and_then(Value::as_str)
                == Some("Running");
            if !running {
                return None;
            }
        }
        self.booted(hostname, state)
    }
}

pub struct TalosSim {
    pub registry: Arc<Registry>,
    pub ca_pem: String,
    ca: Arc<TestCa>,
    client: Issued,
    /// Node hostname → its apid address.
    pub addrs: BTreeMap<String, SocketAddr>,
    /// Cluster → (control-plane hostnames, all hostnames).
    clusters: BTreeMap<String, (Vec<String>, Vec<String>)>,
    shutdown: watch::Sender<bool>,
}

fn specs(scenario: &Scenario) -> Vec<(NodeSpec, ObjKey, Vec<String>)> {
    let machine = kind_id("Machine").unwrap_or_default();
    let mut out = Vec::new();
    for c in &scenario.clusters {
        let cps: Vec<String> = (0..c.control_plane_replicas)
            .map(|i| cp_machine_name(c, i))
            .collect();
        let mut nodes: Vec<(String, bool)> = cps.iter().map(|n| (n.clone(), true)).collect();
        for pool in &c.workers {
            nodes.extend((0..pool.replicas).map(|i| (worker_machine_name(c, pool, i), false)));
        }
        // One lab worker's kubelet fails its health check, so the pane has something to show.
        let sick = (c.name == "lab")
            .then(|| nodes.iter().find(|(_, cp)| !cp).map(|(n, _)| n.clone()))
            .flatten();
        for (hostname, control_plane) in nodes {
            let spec = NodeSpec {
                unhealthy_service: (Some(&hostname) == sick.as_ref())
                    .then(|| "kubelet".to_string()),
                hostname: hostname.clone(),
                cluster: c.name.clone(),
                control_plane,
                talos_version: c.talos_version.clone(),
                kubernetes_version: c.version.clone(),
            };
            let peers = if control_plane {
                cps.clone()
            } else {
                Vec::new()
            };
            out.push((spec, (machine, c.namespace.clone(), hostname), peers));
        }
    }
    out
}

impl TalosSim {
    pub async fn start(
        scenario: &Scenario,
        db: Arc<Mutex<Db>>,
        log_every: Duration,
    ) -> Result<Self, SimError> {
        let ca = TestCa::new("talos-simulator-ca")?;
        let client = ca.issue_client("opsdeck", "os:admin")?;
        let mut nodes = HashMap::new();
        let mut clusters: BTreeMap<String, (Vec<String>, Vec<String>)> = BTreeMap::new();
        for (spec, machine, peers) in specs(scenario) {
            let entry = clusters.entry(spec.cluster.clone()).or_default();
            if spec.control_plane {
                entry.0.push(spec.hostname.clone());
            }
            entry.1.push(spec.hostname.clone());
            nodes.insert(
                spec.hostname.clone(),
                (NodeState::new(spec, peers), Some(machine)),
            );
        }
        let registry = Arc::new(Registry {
            nodes: Mutex::new(nodes),
            db,
            down: Mutex::new(HashSet::new()),
            leaders: Mutex::new(HashMap::new()),
            runtime: Mutex::new(HashMap::new()),
            events: Mutex::new(HashMap::new()),
            events_changed: watch::channel(0).0,
            resources: Mutex::new(cosi::Versions::default()),
            launcher: std::sync::OnceLock::new(),
            hanging: Mutex::new(HashSet::new()),
            listeners: Mutex::new(HashMap::new()),
        });
        let (shutdown, shutdown_rx) = watch::channel(false);
        let ca = Arc::new(ca);
        let _ = registry.launcher.set(serve::Launcher {
            ca: ca.clone(),
            stop: shutdown_rx,
            log_every,
        });
        let mut addrs = BTreeMap::new();
        let hostnames: Vec<String> = registry.nodes().keys().cloned().collect();
        for hostname in hostnames {
            registry.listen(&hostname)?;
            if let Some(addr) = registry.apid_addr(&hostname) {
                addrs.insert(hostname, addr);
            }
        }
        Ok(TalosSim {
            registry,
            ca_pem: ca.cert_pem.clone(),
            ca,
            client,
            addrs,
            clusters,
            shutdown,
        })
    }

    /// A client certificate from this Talos CA with one role (`os:reader`, `os:operator` …).
    pub fn client_with_role(&self, name: &str, role: &str) -> Result<Issued, SimError> {
        Ok(self.ca.issue_client(name, role)?)
    }

    /// A client certificate from this Talos CA that expired long ago.
    pub fn expired_client(&self) -> Result<Issued, SimError> {
        Ok(self.ca.issue_expired_client("old-laptop", "os:admin")?)
    }

    /// Switch a node off or on (tests: "a node that does not answer").
    pub fn set_down(&self, hostname: &str, down: bool) {
        self.registry.set_down(hostname, down);
    }

    /// Make a node's upgrades fail: it installs, reboots, and comes back on its old version,
    /// as Talos does when the new image does not boot.
    /// Raise (or, with none, clear) errors in a member's etcd status, as an alarm would.
    pub fn set_etcd_errors(&self, hostname: &str, errors: Vec<String>) {
        self.registry
            .runtime()
            .entry(hostname.to_string())
            .or_default()
            .etcd_errors = errors;
    }

    pub fn fail_upgrades(&self, hostname: &str) {
        self.registry
            .runtime()
            .entry(hostname.to_string())
            .or_default()
            .fail_upgrades = true;
    }

    /// The talosconfig CACPPT would store for one cluster (`<cluster>-talosconfig`).
    pub fn talosconfig_for(&self, cluster: &str) -> Option<String> {
        self.clusters
            .contains_key(cluster)
            .then(|| self.render(Some(cluster)))
    }

    /// A talosconfig with one context per cluster: its control planes as endpoints, every node
    /// as a target. The client key carries Talos' own `ED25519 PRIVATE KEY` PEM label.
    pub fn talosconfig_yaml(&self) -> String {
        self.render(None)
    }

    fn render(&self, only: Option<&str>) -> String {
        let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
        let key = self
            .client
            .key_pem
            .replace("PRIVATE KEY", "ED25519 PRIVATE KEY");
        let mut contexts = serde_json::Map::new();
        for (cluster, (cps, all)) in self
            .clusters
            .iter()
            .filter(|(c, _)| only.is_none_or(|o| o == c.as_str()))
        {
            let endpoints: Vec<String> = cps
                .iter()
                .filter_map(|h| self.addrs.get(h))
                .map(|a| a.to_string())
                .collect();
            contexts.insert(
                cluster.clone(),
                json!({
                    "endpoints": endpoints,
                    "nodes": all,
                    "ca": b64(&self.ca_pem),
                    "crt": b64(&self.client.cert_pem),
                    "key": b64(&key),
                }),
            );
        }
        let doc = json!({
            "context": only.map(str::to_string).or_else(|| self.clusters.keys().next().cloned()).unwrap_or_default(),
            "contexts": contexts,
        });
        serde_saphyr::to_string(&doc).unwrap_or_default()
    }

    pub fn stop(&self) {
        let _ = self.shutdown.send(true);
    }
}

impl Drop for TalosSim {
    fn drop(&mut self) {
        self.stop();
    }
}
