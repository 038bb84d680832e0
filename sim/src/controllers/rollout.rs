//! Version rollouts as Cluster API does them, with maxSurge 1 and maxUnavailable 0: when the
//! control plane's `spec.version` (or a MachineDeployment's `spec.template.spec.version`)
//! differs from a Machine's, one new Machine at the new version is created, and only when it
//! runs is the oldest outdated Machine deleted; then the next. Control planes and each
//! MachineDeployment roll on their own; the cockpit orders them.

use serde_json::Value;

use super::Controllers;
use crate::capi_objects::{
    self, CLUSTER_NAME_LABEL, CONTROL_PLANE_LABEL, DEPLOYMENT_NAME_LABEL, MachineOwner,
};
use crate::db::ObjKey;
use crate::json_at::At;
use crate::kinds::kind_id;
use crate::scenario::{ClusterSpec, WorkerPool};

/// One Machine of a group being rolled.
struct Member {
    created: String,
    name: String,
    version: String,
    running: bool,
}

enum Move {
    Create,
    Delete(String),
}

/// The next move of a group, or none when it is at the target (or a new Machine is still
/// coming up).
fn next_move(target: &str, desired: usize, members: &[Member]) -> Option<Move> {
    let mut outdated: Vec<&Member> = members.iter().filter(|m| m.version != target).collect();
    if outdated.is_empty() {
        return None;
    }
    if members.iter().any(|m| m.version == target && !m.running) {
        return None;
    }
    if members.len() <= desired {
        return Some(Move::Create);
    }
    outdated.sort_by(|a, b| a.created.cmp(&b.created).then(a.name.cmp(&b.name)));
    outdated.first().map(|m| Move::Delete(m.name.clone()))
}

pub(super) fn label<'a>(m: &'a Value, l: &str) -> Option<&'a str> {
    // Looked up directly, not through a JSON pointer: each tick asks this of every Machine.
    m.get("metadata")?.get("labels")?.get(l)?.as_str()
}

impl Controllers {
    /// Is this MachineDeployment mid-rollout? Then its MachineSet leaves the count alone.
    pub(super) fn deployment_rolling(&self, c: &ClusterSpec, pool: &WorkerPool) -> bool {
        let (target, members) = self.deployment_members(c, pool);
        members.iter().any(|m| m.version != target)
    }

    /// The cluster as a MachineDeployment's new Machines see it: at its template's version.
    pub(super) fn at_deployment_version(&self, c: &ClusterSpec, pool: &WorkerPool) -> ClusterSpec {
        ClusterSpec {
            version: self.deployment_members(c, pool).0,
            ..c.clone()
        }
    }

    fn deployment_members(&self, c: &ClusterSpec, pool: &WorkerPool) -> (String, Vec<Member>) {
        let md = capi_objects::md_name(c, pool);
        let md_kind = kind_id("MachineDeployment").unwrap_or_default();
        let target = self
            .db()
            .get(&(md_kind, c.namespace.clone(), md.clone()))
            .and_then(|o| o.at("/spec/template/spec/version").and_then(Value::as_str))
            .unwrap_or(&c.version)
            .to_string();
        let members = self.members(c, |m| label(m, DEPLOYMENT_NAME_LABEL) == Some(md.as_str()));
        (target, members)
    }

    fn members(&self, c: &ClusterSpec, pick: impl Fn(&Value) -> bool) -> Vec<Member> {
        self.db()
            .list(self.machine_kind, Some(&c.namespace), None)
            .filter(|m| label(m, CLUSTER_NAME_LABEL) == Some(c.name.as_str()) && pick(m))
            .map(|m| Member {
                created: m["metadata"]["creationTimestamp"]
                    .as_str()
                    .unwrap_or("")
                    .to_string(),
                name: m["metadata"]["name"].as_str().unwrap_or("").to_string(),
                version: m["spec"]["version"].as_str().unwrap_or("").to_string(),
                running: m.at("/status/phase").and_then(Value::as_str) == Some("Running"),
            })
            .collect()
    }

    pub(super) fn roll_versions(&mut self) {
        let clusters = self.scenario.clusters.clone();
        for c in &clusters {
            let stamp = self.capi_stamp(c);
            if self.rolled_at.insert(c.name.clone(), stamp) == Some(stamp) {
                continue;
            }
            let tcp_kind = kind_id("TalosControlPlane").unwrap_or_default();
            let target = self
                .db()
                .get(&(tcp_kind, c.namespace.clone(), format!("{}-cp", c.name)))
                .and_then(|o| o.at("/spec/version").and_then(Value::as_str))
                .unwrap_or(&c.version)
                .to_string();
            let members = self.members(c, |m| label(m, CONTROL_PLANE_LABEL).is_some());
            let desired = c.control_plane_replicas as usize;
            if let Some(step) = next_move(&target, desired, &members) {
                self.apply_move(c, MachineOwner::ControlPlane, &target, step);
            }
            for pool in &c.workers {
                let (target, members) = self.deployment_members(c, pool);
                let desired = self
                    .db()
                    .get(&(
                        kind_id("MachineDeployment").unwrap_or_default(),
                        c.namespace.clone(),
                        capi_objects::md_name(c, pool),
                    ))
                    .and_then(|o| o.at("/spec/replicas").and_then(Value::as_u64))
                    .unwrap_or(u64::from(pool.replicas)) as usize;
                if let Some(step) = next_move(&target, desired, &members) {
                    self.apply_move(c, MachineOwner::Workers(pool), &target, step);
                }
            }
        }
    }

    fn apply_move(&mut self, c: &ClusterSpec, owner: MachineOwner, target: &str, step: Move) {
        let hm_kind = kind_id("HarvesterMachine").unwrap_or_default();
        match step {
            Move::Create => {
                self.replacements += 1;
                let prefix = match owner {
                    MachineOwner::ControlPlane => format!("{}-cp", c.name),
                    MachineOwner::Workers(pool) => capi_objects::ms_name(c, pool),
                };
                let name = format!(
                    "{prefix}-{}",
                    capi_objects::suffix(&format!("roll/{}/{}", c.name, self.replacements))
                );
                let at_target = ClusterSpec {
                    version: target.to_string(),
                    ..c.clone()
                };
                self.create_machine(&at_target, owner, &name);
            }
            Move::Delete(victim) => {
                let key: ObjKey = (self.machine_kind, c.namespace.clone(), victim.clone());
                {
                    let mut db = self.db();
                    let _ = db.delete(&key);
                    let _ = db.delete(&(hm_kind, c.namespace.clone(), victim.clone()));
                }
                self.vm_deleted(c, &victim);
            }
        }
        self.refresh_cluster_status(&c.name);
    }
}
