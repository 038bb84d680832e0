//! The Cluster API side: Machines provision step by step, a worker is replaced now and then,
//! and the counters of control planes, MachineDeployments and Clusters follow the Machines.

use serde_json::Value;

use super::{Controllers, TICKS_PER_MACHINE_STAGE};
use crate::capi_objects::{
    self, CLUSTER_NAME_LABEL, CONTROL_PLANE_LABEL, Counts, DEPLOYMENT_NAME_LABEL, MachineArgs,
    MachineOwner, MachineStage,
};
use crate::db::{Db, ObjKey};
use crate::json_at::At;
use crate::kinds::kind_id;
use crate::scenario::ClusterSpec;

impl Controllers {
    pub(super) fn advance_machines(&mut self) {
        let stamp = self.db().kind_changed_at(self.machine_kind);
        if self.machines_seen_at != Some(stamp) {
            self.pending_machines = self.pending_machines_now();
            self.machines_seen_at = Some(stamp);
        }
        let pending = self.pending_machines.clone();
        let mut touched: Vec<String> = Vec::new();
        for (key, phase, cluster) in pending {
            let since = *self.stage_since.entry(key.2.clone()).or_insert(self.ticks);
            if self.ticks < since + TICKS_PER_MACHINE_STAGE {
                continue;
            }
            let Some(c) = self.cluster_spec(&cluster).cloned() else {
                continue;
            };
            let host = 100 + (crate::db::fnv(key.2.as_bytes()) % 100) as u32;
            let modified = self.db().modify(&key, |m| match phase.as_str() {
                "Provisioning" => capi_objects::mark_provisioned(m, &c, host),
                _ => capi_objects::mark_running(m, &c),
            });
            if let (Ok(machine), "Provisioned") = (&modified, phase.as_str()) {
                self.node_joined(&c, machine);
            }
            self.stage_since.insert(key.2.clone(), self.ticks);
            if phase == "Provisioned" {
                self.stage_since.remove(&key.2);
                self.vm_running(&c, &key.2);
            }
            if phase == "Provisioning" {
                let hm = (
                    kind_id("HarvesterMachine").unwrap_or_default(),
                    key.1.clone(),
                    key.2.clone(),
                );
                let _ = self
                    .db()
                    .modify(&hm, |h| capi_objects::mark_harvester_machine_ready(h, &c));
            }
            touched.push(cluster);
        }
        touched.dedup();
        for cluster in touched {
            self.refresh_cluster_status(&cluster);
        }
    }

    /// The Machines provisioning or provisioned: (key, phase, cluster).
    fn pending_machines_now(&self) -> Vec<(ObjKey, String, String)> {
        let db = self.db();
        db.list(self.machine_kind, None, None)
            .filter_map(|m| {
                let phase = m.at("/status/phase").and_then(Value::as_str)?;
                matches!(phase, "Provisioning" | "Provisioned").then(|| {
                    (
                        Db::key_of(self.machine_kind, m),
                        phase.to_string(),
                        super::rollout::label(m, CLUSTER_NAME_LABEL)
                            .unwrap_or("")
                            .to_string(),
                    )
                })
            })
            .collect()
    }

    /// The last change to the CAPI objects in a cluster's namespace (its Machines, its
    /// MachineDeployments, its control plane): what the MachineSet and rollout controllers
    /// decide from.
    pub(super) fn capi_stamp(&self, c: &ClusterSpec) -> u64 {
        let db = self.db();
        ["Machine", "MachineDeployment", "TalosControlPlane"]
            .iter()
            .filter_map(|kind| kind_id(kind))
            .map(|kind| db.changed_at(kind, &c.namespace))
            .max()
            .unwrap_or(0)
    }

    /// The MachineSet controller: one Machine created or deleted per tick until each
    /// MachineDeployment has `spec.replicas` of them.
    pub(super) fn scale_machine_sets(&mut self) {
        let md_kind = kind_id("MachineDeployment").unwrap_or_default();
        let clusters = self.scenario.clusters.clone();
        for c in &clusters {
            let stamp = self.capi_stamp(c);
            if self.scaled_at.insert(c.name.clone(), stamp) == Some(stamp) {
                continue;
            }
            for pool in &c.workers {
                let md = capi_objects::md_name(c, pool);
                let desired = self
                    .db()
                    .get(&(md_kind, c.namespace.clone(), md.clone()))
                    .and_then(|o| o.at("/spec/replicas").and_then(Value::as_u64))
                    .unwrap_or(u64::from(pool.replicas)) as usize;
                let mut mine: Vec<(String, String)> = {
                    let db = self.db();
                    db.list(self.machine_kind, Some(&c.namespace), None)
                        .filter(|m| {
                            super::rollout::label(m, DEPLOYMENT_NAME_LABEL) == Some(md.as_str())
                        })
                        .map(|m| {
                            (
                                m.at("/metadata/creationTimestamp")
                                    .and_then(Value::as_str)
                                    .unwrap_or("")
                                    .to_string(),
                                m["metadata"]["name"].as_str().unwrap_or("").to_string(),
                            )
                        })
                        .collect()
                };
                // A rolling version update owns the count until it is done (its surge
                // Machine is not an extra to remove).
                if mine.len() == desired || self.deployment_rolling(c, pool) {
                    continue;
                }
                if mine.len() < desired {
                    self.replacements += 1;
                    let name = format!(
                        "{}-{}",
                        capi_objects::ms_name(c, pool),
                        capi_objects::suffix(&format!("scale/{}/{}", c.name, self.replacements))
                    );
                    let at = self.at_deployment_version(c, pool);
                    self.create_machine(&at, MachineOwner::Workers(pool), &name);
                } else {
                    // Scale down removes the newest Machine first.
                    mine.sort();
                    if let Some((_, victim)) = mine.last() {
                        let mut db = self.db();
                        let _ =
                            db.delete(&(self.machine_kind, c.namespace.clone(), victim.clone()));
                        let _ = db.delete(&(
                            kind_id("HarvesterMachine").unwrap_or_default(),
                            c.namespace.clone(),
                            victim.clone(),
                        ));
                        drop(db);
                        self.vm_deleted(c, victim);
                    }
                }
                self.refresh_cluster_status(&c.name);
            }
        }
    }

    /// A new Machine (provisioning), its HarvesterMachine and its VM; `at` carries the version
    /// it runs.
    pub(super) fn create_machine(&mut self, at: &ClusterSpec, owner: MachineOwner, name: &str) {
        let machine = capi_objects::machine(&MachineArgs {
            cluster: at,
            owner,
            name: name.to_string(),
            host: 0,
            stage: MachineStage::Provisioning,
        });
        {
            let mut db = self.db();
            let _ = db.create(self.machine_kind, machine);
            let _ = db.create(
                kind_id("HarvesterMachine").unwrap_or_default(),
                capi_objects::harvester_machine(at, name, false, false),
            );
        }
        self.vm_created(at, name);
    }

    /// Delete one Running worker and create its replacement, as a remediation would.
    pub(super) fn replace_worker(&mut self) {
        let Some(c) = self
            .scenario
            .clusters
            .iter()
            .find(|c| c.workers.iter().any(|p| p.replicas > 1))
            .cloned()
        else {
            return;
        };
        let Some(pool) = c.workers.iter().find(|p| p.replicas > 1) else {
            return;
        };
        let md = capi_objects::md_name(&c, pool);
        let victim = {
            let db = self.db();
            db.list(self.machine_kind, Some(&c.namespace), None)
                .find(|m| {
                    m.at(&format!(
                        "/metadata/labels/{}",
                        DEPLOYMENT_NAME_LABEL.replace('/', "~1")
                    ))
                    .and_then(Value::as_str)
                        == Some(md.as_str())
                        && m.at("/status/phase").and_then(Value::as_str) == Some("Running")
                })
                .map(|m| Db::key_of(self.machine_kind, m))
        };
        let Some(victim) = victim else { return };
        self.replacements += 1;
        let name = format!(
            "{}-{}",
            capi_objects::ms_name(&c, pool),
            capi_objects::suffix(&format!("replacement/{}/{}", c.name, self.replacements))
        );
        self.vm_replaced(&c, &victim.2, &name);
        let replacement = capi_objects::machine(&MachineArgs {
            cluster: &self.at_deployment_version(&c, pool),
            owner: MachineOwner::Workers(pool),
            name,
            host: 0,
            stage: MachineStage::Provisioning,
        });
        {
            let hm_kind = kind_id("HarvesterMachine").unwrap_or_default();
            let mut db = self.db();
            let _ = db.delete(&victim);
            let _ = db.delete(&(hm_kind, victim.1.clone(), victim.2.clone()));
            let new_name = replacement["metadata"]["name"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            let _ = db.create(self.machine_kind, replacement);
            let _ = db.create(
                hm_kind,
                capi_objects::harvester_machine(&c, &new_name, false, false),
            );
        }
        self.refresh_cluster_status(&c.name);
    }

    /// Recompute the counters of a cluster's control plane, MachineDeployments and Cluster
    /// from its Machines.
    pub(super) fn refresh_cluster_status(&mut self, cluster: &str) {
        let Some(c) = self.cluster_spec(cluster).cloned() else {
            return;
        };
        let machines: Vec<Value> = self
            .db()
            .list(self.machine_kind, Some(&c.namespace), None)
            .filter(|m| {
                m.at(&format!(
                    "/metadata/labels/{}",
                    CLUSTER_NAME_LABEL.replace('/', "~1")
                ))
                .and_then(Value::as_str)
                    == Some(cluster)
            })
            .cloned()
            .collect();
        let running =
            |m: &&&Value| m.at("/status/phase").and_then(Value::as_str) == Some("Running");
        let label = |m: &Value, l: &str| {
            m.at(&format!("/metadata/labels/{}", l.replace('/', "~1")))
                .cloned()
        };
        let cp_machines: Vec<&Value> = machines
            .iter()
            .filter(|m| label(m, CONTROL_PLANE_LABEL).is_some())
            .collect();
        let cp = Counts {
            desired: c.control_plane_replicas,
            ready: cp_machines.iter().filter(running).count() as u32,
        };
        let mut all_workers = Counts::default();
        let md_kind = kind_id("MachineDeployment").unwrap_or_default();
        let ms_kind = kind_id("MachineSet").unwrap_or_default();
        for pool in &c.workers {
            let md = capi_objects::md_name(&c, pool);
            let mine: Vec<&Value> = machines
                .iter()
                .filter(|m| {
                    label(m, DEPLOYMENT_NAME_LABEL)
                        .as_ref()
                        .and_then(Value::as_str)
                        == Some(md.as_str())
                })
                .collect();
            let desired = self
                .db()
                .get(&(md_kind, c.namespace.clone(), md.clone()))
                .and_then(|o| o.at("/spec/replicas").and_then(Value::as_u64))
                .unwrap_or(u64::from(pool.replicas)) as u32;
            let n = Counts {
                desired,
                ready: mine.iter().filter(running).count() as u32,
            };
            all_workers.desired += n.desired;
            all_workers.ready += n.ready;
            let md_status = capi_objects::machine_deployment(&c, pool, n)["status"].clone();
            let ms_status = capi_objects::machine_set(&c, pool, n)["status"].clone();
            let mut db = self.db();
            let _ = db.modify(&(md_kind, c.namespace.clone(), md.clone()), |o| {
                o["status"] = md_status
            });
            let ms = capi_objects::ms_name(&c, pool);
            let _ = db.modify(&(ms_kind, c.namespace.clone(), ms), |o| {
                o["status"] = ms_status
            });
        }
        let mut tcp_status = capi_objects::talos_control_plane(&c, cp)["status"].clone();
        // The control plane reports the oldest version its Machines run.
        if let Some(oldest) = cp_machines
            .iter()
            .filter_map(|m| m.at("/spec/version").and_then(Value::as_str))
            .min_by_key(|v| crate::versions::semver(v))
        {
            tcp_status["version"] = serde_json::json!(oldest);
        }
        let cluster_status = capi_objects::cluster(&c, cp, all_workers)["status"].clone();
        let tcp_kind = kind_id("TalosControlPlane").unwrap_or_default();
        let cluster_kind = kind_id("Cluster").unwrap_or_default();
        let mut db = self.db();
        let _ = db.modify(
            &(tcp_kind, c.namespace.clone(), format!("{}-cp", c.name)),
            |o| o["status"] = tcp_status,
        );
        let _ = db.modify(&(cluster_kind, c.namespace.clone(), c.name.clone()), |o| {
            o["status"] = cluster_status
        });
    }
}
