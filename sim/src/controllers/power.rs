//! A host that loses power takes everything on it down, as on real hardware: when a BMC
//! Machine's `powerState` turns `off`, the Harvester host stops posting its status (Ready
//! Unknown), the VMs on it can no longer be reached (`Unknown`), the workload Nodes on those
//! VMs stop posting theirs (their pods go not Ready and their apps Progressing: `cascade`),
//! and their Talos apids stop answering. Powered on again, all of it comes back. Only
//! transitions act, so a host that stays off is not rewritten every tick.

use serde_json::{Value, json};

use super::Controllers;
use crate::db::{Db, now_rfc3339};
use crate::json_at::At;
use crate::kinds::kind_id;

const NOT_POSTING: &str = "Kubelet stopped posting node status.";

/// Set a Node's Ready condition (and its transition time, when it changes).
fn set_ready(node: &mut Value, up: bool) {
    let status = if up { "True" } else { "Unknown" };
    let (reason, message) = if up {
        ("KubeletReady", "kubelet is posting ready status")
    } else {
        ("NodeStatusUnknown", NOT_POSTING)
    };
    let Some(conditions) = node["status"]["conditions"].as_array_mut() else {
        return;
    };
    for c in conditions.iter_mut().filter(|c| c["type"] == "Ready") {
        if c["status"] != status {
            c["lastTransitionTime"] = json!(now_rfc3339());
        }
        c["status"] = json!(status);
        c["reason"] = json!(reason);
        c["message"] = json!(message);
    }
}

impl Controllers {
    /// Hosts whose BMC reports power off (by hostname).
    fn hosts_powered_off(&self) -> Vec<String> {
        let db = self.db();
        let bmc_kind = kind_id("bmc.tinkerbell.org/Machine").unwrap_or_default();
        let off: Vec<String> = db
            .list(bmc_kind, None, None)
            .filter(|m| m.at("/status/powerState").and_then(Value::as_str) == Some("off"))
            .filter_map(|m| m["metadata"]["name"].as_str().map(str::to_string))
            .collect();
        db.list(kind_id("Hardware").unwrap_or_default(), None, None)
            .filter(|h| {
                h.at("/spec/bmcRef/name")
                    .and_then(Value::as_str)
                    .is_some_and(|b| off.iter().any(|o| o == b))
            })
            .filter_map(|h| {
                h.at("/spec/metadata/instance/hostname")
                    .or_else(|| h.at("/metadata/name"))
                    .and_then(Value::as_str)
                    .map(str::to_string)
            })
            .collect()
    }

    /// Follow the BMCs' power: a host that went off takes its VMs, Nodes and Talos nodes
    /// down; one that came back brings them up.
    pub(super) fn follow_power(&mut self) {
        let off = self.hosts_powered_off();
        let went_down: Vec<String> = off
            .iter()
            .filter(|h| !self.powered_off.contains(*h))
            .cloned()
            .collect();
        let came_back: Vec<String> = self
            .powered_off
            .iter()
            .filter(|h| !off.contains(h))
            .cloned()
            .collect();
        for host in went_down {
            self.host_power(&host, false);
            self.powered_off.insert(host);
        }
        for host in came_back {
            self.host_power(&host, true);
            self.powered_off.remove(&host);
        }
    }

    fn host_power(&self, host: &str, up: bool) {
        let Some(harvester) = &self.harvester else {
            return;
        };
        // (VM namespace, VM name) of what runs on the host.
        let on_host: Vec<(String, String)> = {
            let mut db = harvester.lock().unwrap_or_else(|p| p.into_inner());
            let node_kind = kind_id("Node").unwrap_or_default();
            let _ = db.modify(&(node_kind, String::new(), host.to_string()), |n| {
                set_ready(n, up)
            });
            let vmi_kind = kind_id("VirtualMachineInstance").unwrap_or_default();
            let vms: Vec<(String, String)> = db
                .list(vmi_kind, None, None)
                .filter(|v| v.at("/status/nodeName").and_then(Value::as_str) == Some(host))
                .filter_map(|v| {
                    Some((
                        v["metadata"]["namespace"].as_str()?.to_string(),
                        v["metadata"]["name"].as_str()?.to_string(),
                    ))
                })
                .collect();
            let vm_kind = kind_id("VirtualMachine").unwrap_or_default();
            for (ns, name) in &vms {
                let _ = db.modify(&(vm_kind, ns.clone(), name.clone()), |v| {
                    v["status"]["printableStatus"] = json!(if up { "Running" } else { "Unknown" });
                });
            }
            vms
        };
        for (ns, name) in on_host {
            // The VM is a Machine's: its cluster's Node, and its Talos node.
            let cluster = self
                .db()
                .get(&(self.machine_kind, ns.clone(), name.clone()))
                .and_then(|m| {
                    m.at(&format!(
                        "/metadata/labels/{}",
                        crate::capi_objects::CLUSTER_NAME_LABEL.replace('/', "~1")
                    ))
                    .and_then(Value::as_str)
                    .map(str::to_string)
                });
            let Some(cluster) = cluster else { continue };
            if let Some((_, db)) = self.workload_clusters.iter().find(|(n, _)| *n == cluster) {
                let mut db: std::sync::MutexGuard<'_, Db> =
                    db.lock().unwrap_or_else(|p| p.into_inner());
                let node_kind = kind_id("Node").unwrap_or_default();
                let _ = db.modify(&(node_kind, String::new(), name.clone()), |n| {
                    set_ready(n, up)
                });
                drop(db);
                self.follow_workload_node(&cluster, &name, up);
            }
            if let Some(talos) = &self.talos {
                talos.set_down(&name, !up);
            }
        }
    }
}
