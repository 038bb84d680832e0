//! One machine's chain through every layer, bottom to top — BMC, Hardware, Harvester host,
//! VM, CAPI Machine, workload Node, Talos node, MachineDeployment or control plane, Cluster,
//! the Argo CD apps deployed to it, its ExternalSecrets — each with its live verdict, resolved
//! through the link indexes (`model::links`). A link that cannot be resolved is a layer marked
//! missing, with what was looked for.

pub use crate::model::layer::{Layer, LayerKind, Verdict};

use super::state::{State, bmc_of};
use crate::model::capi::MachineRow;
use crate::model::links::{hardware_in, harvester_uid, node_in, tinkerbell_hardware};
use crate::model::store::ObjRef;
use smol_str::SmolStr;

/// The Machine a row is part of: a Machine itself, a VM or VMI (by its uid), a workload Node
/// or a Talos node (by name in its cluster).
pub fn machine_for(state: &State, layer: LayerKind, key: &ObjRef) -> Option<ObjRef> {
    let links = &state.links;
    match layer {
        LayerKind::Machine => state.capi.machines.get(key).map(|m| m.key.clone()),
        LayerKind::Vm => {
            let uid = &state.harvester.vms.get(key)?.uid;
            links.machine_by_vm_uid.only(uid).cloned()
        }
        LayerKind::Node | LayerKind::Talos => {
            let node = match layer {
                LayerKind::Talos => state
                    .talos
                    .nodes
                    .get(key)
                    .and_then(|t| t.hostname.clone())
                    .unwrap_or_else(|| key.name.to_string()),
                _ => key.name.to_string(),
            };
            // The Talos row's cluster is its talosconfig context; a Node's, its kube context:
            // both name the CAPI cluster when discovery found them.
            links
                .machine_by_node
                .only(&node_in(state.cluster_of_context(&key.cluster), &node))
                .or_else(|| {
                    let mut all = state.capi.machines.iter().filter(|m| m.node == node);
                    match (all.next(), all.next()) {
                        (Some(m), None) => Some(&m.key),
                        _ => None,
                    }
                })
                .cloned()
        }
        _ => None,
    }
}

fn verdict_of(ok: Option<bool>) -> Verdict {
    match ok {
        Some(true) => Verdict::Ok,
        Some(false) => Verdict::Bad,
        None => Verdict::Unknown,
    }
}

/// The chain of one Machine, bottom (BMC) to top (ExternalSecrets).
pub fn trace(state: &State, machine: &MachineRow) -> Vec<Layer> {
    let mut layers = lower_chain(state, machine, Wording::Full);
    layers.extend(cluster_layers(state, machine));
    layers
}

/// The chain of one Machine from the BMC up to its Talos node: the layers that are this
/// Machine's own (a few lookups each).
pub fn lower_chain(state: &State, machine: &MachineRow, wording: Wording) -> Vec<Layer> {
    // At most four metal layers, the Machine, its Node and Talos node: one allocation.
    let mut layers = Vec::with_capacity(7);
    layers.extend(metal_layers(state, machine, wording));
    layers.push(machine_layer(machine));
    layers.extend(node_layers(state, machine, wording));
    layers
}

/// Whether a chain is read (the trace: a missing link says what was looked for) or only
/// judged (the attention feed, over every Machine at each recompute: it never shows a
/// missing link, and writing what each looked for was most of its work on a large fleet).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wording {
    Full,
    VerdictsOnly,
}

impl Wording {
    /// What a missing link looked for, written only when it will be read.
    fn looked(self, text: impl FnOnce() -> String) -> SmolStr {
        match self {
            Wording::Full => text().into(),
            Wording::VerdictsOnly => SmolStr::default(),
        }
    }
}

fn machine_layer(m: &MachineRow) -> Layer {
    let verdict = match (m.phase.as_str(), m.ready.ok) {
        ("Failed", _) => Verdict::Bad,
        (_, Some(true)) if m.phase == "Running" => Verdict::Ok,
        (_, Some(false)) if m.phase == "Running" => Verdict::Bad,
        _ => Verdict::Warn,
    };
    let detail: SmolStr = if m.ready.reason.is_empty() && m.ready.message.is_empty() {
        // The common case, a Machine running well: its phase alone, no allocation.
        m.phase.as_str().into()
    } else {
        [
            m.phase.as_str(),
            m.ready.reason.as_str(),
            m.ready.message.as_str(),
        ]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" · ")
        .into()
    };
    Layer::found(LayerKind::Machine, &m.key, verdict, detail).since(m.ready.since.or(m.created))
}

/// BMC, Hardware, host and VM under a Harvester-backed Machine; BMC and Hardware under one
/// Tinkerbell provisioned on bare metal.
fn metal_layers(state: &State, m: &MachineRow, wording: Wording) -> Vec<Layer> {
    if let Some((namespace, name)) = tinkerbell_hardware(&m.provider_id) {
        let claimed = state
            .links
            .machine_by_hardware
            .keys_for(&hardware_in(&m.key.cluster, namespace, name))
            .count();
        return match state.metal.hardware.get_in(&m.key.cluster, namespace, name) {
            // Two Machines on one server: one of them is wrong, and which is not known.
            Some(_) if claimed > 1 => vec![Layer::missing(
                LayerKind::Hardware,
                wording.looked(|| format!("{claimed} Machines name Hardware {namespace}/{name}")),
            )],
            Some(hw) => metal_of(state, hw).to_vec(),
            None => vec![Layer::missing(
                LayerKind::Hardware,
                wording.looked(|| format!("no Hardware {namespace}/{name} (its providerID)")),
            )],
        };
    }
    let Some(uid) = harvester_uid(&m.provider_id) else {
        let looked = if m.provider_id.is_empty() {
            "the Machine has no providerID yet".into()
        } else {
            wording.looked(|| {
                format!(
                    "providerID {} names neither a Harvester VM nor Tinkerbell Hardware",
                    m.provider_id
                )
            })
        };
        return vec![Layer::missing(LayerKind::Vm, looked)];
    };
    let Some(vm) = state
        .links
        .vm_by_uid
        .only(uid)
        .and_then(|k| state.harvester.vms.get(k))
    else {
        return vec![Layer::missing(
            LayerKind::Vm,
            wording.looked(|| format!("no VM with uid {uid}")),
        )];
    };
    let vm_verdict = match vm.status.as_str() {
        "Running" => Verdict::Ok,
        // Unknown: virt-handler on its host does not answer.
        "Stopped" | "Unknown" | "CrashLoopBackOff" | "ErrorUnschedulable" | "ErrorPvcNotFound"
        | "DataVolumeError" => Verdict::Bad,
        _ => Verdict::Warn,
    };
    let vm_layer = Layer::found(LayerKind::Vm, &vm.key, vm_verdict, vm.status.as_str())
        .since(vm.ready.since.or(vm.created));
    let host_name = state
        .harvester
        .vmis
        .get(&vm.key)
        .map(|vmi| vmi.node.as_str())
        .filter(|n| !n.is_empty());
    let Some(host_name) = host_name else {
        return vec![
            Layer::missing(
                LayerKind::Host,
                wording.looked(|| format!("VM {} has no running instance", vm.key.name)),
            ),
            vm_layer,
        ];
    };
    let host = state.harvester.hosts.get_in(&vm.key.cluster, "", host_name);
    let host_layer = match host {
        Some(h) => {
            let verdict = match (verdict_of(h.ready.ok), &h.maintenance) {
                (Verdict::Ok, Some(_)) => Verdict::Warn,
                // A host that stopped posting its status is down as far as anyone can tell.
                (Verdict::Unknown, _) => Verdict::Bad,
                (v, _) => v,
            };
            let detail = match &h.maintenance {
                Some(m) => format!("maintenance {m}"),
                None if h.ready.ok == Some(true) => "Ready".into(),
                None => format!("NotReady {}", h.ready.message),
            };
            Layer::found(LayerKind::Host, &h.key, verdict, detail).since(h.ready.since)
        }
        None => Layer::missing(
            LayerKind::Host,
            wording.looked(|| format!("no Harvester node {host_name}")),
        ),
    };
    let hardware = state
        .links
        .hardware_by_host
        .only(host_name)
        .and_then(|k| state.metal.hardware.get(k));
    let [bmc_layer, hardware_layer] = match hardware {
        Some(hw) => metal_of(state, hw),
        None => [
            Layer::missing(LayerKind::Bmc, "no Hardware, so no BMC"),
            Layer::missing(
                LayerKind::Hardware,
                format!("no Hardware with hostname {host_name}"),
            ),
        ],
    };
    vec![bmc_layer, hardware_layer, host_layer, vm_layer]
}

/// A Hardware's BMC layer and its own.
fn metal_of(state: &State, hw: &crate::model::hosts::HardwareRow) -> [Layer; 2] {
    let bmc = bmc_of(state, hw).map(|b| {
        let verdict = match (b.contactable, b.power.as_str()) {
            (Some(false), _) => Verdict::Bad,
            (_, "off") => Verdict::Bad,
            (Some(true), "on") => Verdict::Ok,
            _ => Verdict::Unknown,
        };
        let detail = match b.contactable {
            Some(false) => format!("unreachable {}", b.message),
            _ => format!("power {}", b.power),
        };
        Layer::found(LayerKind::Bmc, &b.key, verdict, detail)
    });
    let bmc = bmc.unwrap_or_else(|| {
        Layer::missing(
            LayerKind::Bmc,
            format!("Hardware {} names no BMC Machine", hw.key.name),
        )
    });
    let hw_layer = Layer::found(LayerKind::Hardware, &hw.key, Verdict::Ok, hw.state.as_str());
    [bmc, hw_layer]
}

/// The workload Node and the Talos node a Machine became.
fn node_layers(state: &State, m: &MachineRow, wording: Wording) -> Vec<Layer> {
    if m.node.is_empty() {
        return vec![
            Layer::missing(LayerKind::Node, "the Machine has no nodeRef yet"),
            Layer::missing(LayerKind::Talos, "no node name to ask for"),
        ];
    }
    let context = state.context_of_cluster(&m.cluster);
    let node_layer = match state.harvester.workload_nodes.get_in(context, "", &m.node) {
        Some(n) => {
            let verdict = match (verdict_of(n.ready.ok), n.unschedulable) {
                (Verdict::Ok, true) => Verdict::Warn,
                (Verdict::Unknown, _) => Verdict::Bad,
                (v, _) => v,
            };
            let detail = match (n.ready.ok, n.unschedulable) {
                (Some(true), false) => "Ready".into(),
                (Some(true), true) => "Ready, cordoned".into(),
                _ => SmolStr::from(format!("NotReady {}", n.ready.message)),
            };
            Layer::found(LayerKind::Node, &n.key, verdict, detail).since(n.ready.since)
        }
        None => Layer::missing(
            LayerKind::Node,
            wording.looked(|| {
                format!(
                    "no Node {} in the workload cluster's context {context}",
                    m.node
                )
            }),
        ),
    };
    let talos = state
        .links
        .talos_by_name
        .only(&m.node)
        .and_then(|k| state.talos.nodes.get(k));
    let talos_layer = match talos {
        Some(t) => {
            let unhealthy = t.unhealthy_services();
            let (verdict, detail) = match (&t.error, unhealthy.as_slice()) {
                (Some(e), _) => (Verdict::Bad, SmolStr::from(e)),
                (None, []) => (Verdict::Ok, t.talos_version.as_deref().unwrap_or("").into()),
                (None, bad) => (
                    Verdict::Warn,
                    format!("unhealthy: {}", bad.join(", ")).into(),
                ),
            };
            // Up since its boot while well; when not, since when is not known.
            let since = t.boot_time.filter(|_| verdict == Verdict::Ok);
            Layer::found(LayerKind::Talos, &t.key, verdict, detail).since(since)
        }
        None => Layer::missing(
            LayerKind::Talos,
            wording.looked(|| format!("no Talos node {} in the talosconfig", m.node)),
        ),
    };
    vec![node_layer, talos_layer]
}

/// The Machine's group, its Cluster, and what runs on the cluster.
fn cluster_layers(state: &State, m: &MachineRow) -> Vec<Layer> {
    let ns = m.key.namespace.clone();
    let group = if m.control_plane {
        state
            .capi
            .control_planes
            .iter()
            .find(|cp| cp.cluster == m.cluster && cp.key.namespace == ns)
            .map(|cp| {
                let ok = cp.replicas.ready >= cp.replicas.desired;
                let verdict = if ok { Verdict::Ok } else { Verdict::Warn };
                Layer::found(
                    LayerKind::Group,
                    &cp.key,
                    verdict,
                    format!(
                        "control plane {}/{} ready",
                        cp.replicas.ready, cp.replicas.desired
                    ),
                )
                .since(cp.ready.since)
            })
    } else {
        m.deployment.as_ref().and_then(|d| {
            let key = ObjRef::in_cluster(m.key.cluster.clone(), ns.clone(), d.clone());
            state.capi.deployments.get(&key).map(|md| {
                let ok = md.replicas.ready >= md.replicas.desired;
                let verdict = if ok { Verdict::Ok } else { Verdict::Warn };
                Layer::found(
                    LayerKind::Group,
                    &md.key,
                    verdict,
                    format!(
                        "MachineDeployment {}/{} ready",
                        md.replicas.ready, md.replicas.desired
                    ),
                )
                .since(md.available.since)
            })
        })
    };
    let group = group.unwrap_or_else(|| {
        Layer::missing(LayerKind::Group, "no MachineDeployment or control plane")
    });
    let cluster_key = ObjRef::in_cluster(m.key.cluster.clone(), ns, m.cluster.clone());
    let cluster = match state.capi.clusters.get(&cluster_key) {
        Some(c) => Layer::found(
            LayerKind::Cluster,
            &c.key,
            verdict_of(c.available.ok),
            [c.phase.as_str(), c.available.message.as_str()]
                .into_iter()
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
                .join(" · "),
        )
        .since(c.available.since),
        None => Layer::missing(LayerKind::Cluster, format!("no Cluster {}", m.cluster)),
    };
    vec![
        group,
        cluster,
        apps_layer(state, &m.cluster),
        secrets_layer(state, &m.cluster),
    ]
}

/// The apps whose destination is the cluster, summed up.
fn apps_layer(state: &State, cluster: &str) -> Layer {
    let apps: Vec<_> = state
        .argo
        .apps
        .iter()
        .filter(|a| a.destination.split_once('/').map(|(c, _)| c) == Some(cluster))
        .collect();
    if apps.is_empty() {
        return Layer::missing(
            LayerKind::Apps,
            format!("no Application with destination {cluster}"),
        );
    }
    let degraded: Vec<&str> = apps
        .iter()
        .filter(|a| a.health == "Degraded")
        .map(|a| a.key.name.as_str())
        .collect();
    let out_of_sync = apps.iter().filter(|a| a.sync == "OutOfSync").count();
    let (verdict, detail) = match (degraded.as_slice(), out_of_sync) {
        ([], 0) => (Verdict::Ok, "all Synced and Healthy".to_string()),
        ([], n) => (Verdict::Warn, format!("{n} OutOfSync")),
        (bad, _) => (Verdict::Bad, format!("Degraded: {}", bad.join(", "))),
    };
    Layer {
        kind: LayerKind::Apps,
        key: None,
        name: format!("{} apps", apps.len()).into(),
        verdict,
        detail: detail.into(),
        since: None,
    }
}

/// The ExternalSecrets of the cluster's own context, summed up.
fn secrets_layer(state: &State, cluster: &str) -> Layer {
    let secrets: Vec<_> = state
        .eso
        .external_secrets
        .iter()
        .filter(|e| e.key.cluster == state.context_of_cluster(cluster))
        .collect();
    if secrets.is_empty() {
        let context = state.context_of_cluster(cluster);
        return Layer::missing(
            LayerKind::Secrets,
            format!("no ExternalSecrets seen in context {context}"),
        );
    }
    let failing: Vec<&str> = secrets
        .iter()
        .filter(|e| e.ready.ok != Some(true))
        .map(|e| e.key.name.as_str())
        .collect();
    let (verdict, detail) = match failing.as_slice() {
        [] => (Verdict::Ok, "all Ready".to_string()),
        bad => (Verdict::Bad, format!("not Ready: {}", bad.join(", "))),
    };
    Layer {
        kind: LayerKind::Secrets,
        key: None,
        name: format!("{} ExternalSecrets", secrets.len()).into(),
        verdict,
        detail: detail.into(),
        since: None,
    }
}

/// The first layer from the bottom that is not well: where to look first.
pub fn first_unhealthy(layers: &[Layer]) -> Option<usize> {
    layers.iter().position(|l| l.verdict == Verdict::Bad)
}
