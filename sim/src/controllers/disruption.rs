//! Pods being deleted and the budgets over them, in the workload clusters: the simulated
//! kubelet stops a pod that has a `deletionTimestamp` on the tick after it saw it (its grace
//! period, shortened), and the disruption controller recounts every PodDisruptionBudget from
//! the pods it selects, writing its status only when a number changed.

use std::collections::BTreeSet;

use serde_json::{Value, json};

use super::Controllers;
use crate::db::{Db, ObjKey, meta_str, now_rfc3339};
use crate::eviction::{budget_selector, desired_healthy, healthy};
use crate::json_at::At;
use crate::kinds::kind_id;
use crate::workload_objects::budget_status;

impl Controllers {
    pub(super) fn run_disruption(&mut self) {
        let pod_kind = kind_id("Pod").unwrap_or_default();
        let pdb_kind = kind_id("PodDisruptionBudget").unwrap_or_default();
        let mut still_terminating = BTreeSet::new();
        for (cluster, db) in &self.workload_clusters {
            let mut db = db.lock().unwrap_or_else(|p| p.into_inner());
            let terminating: Vec<ObjKey> = db.terminating(pod_kind).cloned().collect();
            for key in terminating {
                let seen = (cluster.clone(), key.1.clone(), key.2.clone());
                if self.terminating.contains(&seen) {
                    let _ = db.delete(&key);
                } else {
                    still_terminating.insert(seen);
                }
            }
            let budgets: Vec<Value> = db.list(pdb_kind, None, None).cloned().collect();
            for pdb in budgets {
                recount(&mut db, pod_kind, pdb_kind, &pdb);
            }
        }
        self.terminating = still_terminating;
    }
}

/// A budget's status from the pods it selects now.
fn recount(db: &mut Db, pod_kind: usize, pdb_kind: usize, pdb: &Value) {
    let Some(selector) = budget_selector(pdb) else {
        return;
    };
    let pods: Vec<&Value> = db
        .list(pod_kind, Some(meta_str(pdb, "namespace")), None)
        .filter(|p| selector.matches(p))
        .collect();
    let live: Vec<&&Value> = pods
        .iter()
        .filter(|p| p.at("/metadata/deletionTimestamp").is_none())
        .collect();
    let expected = live.len() as i64;
    let current = live.iter().filter(|p| healthy(p, pdb)).count() as i64;
    let desired = desired_healthy(pdb, expected);
    let allowed = (current - desired).max(0);
    // A disrupted pod stays counted as disrupted until it is gone.
    let names: BTreeSet<&str> = pods.iter().map(|p| meta_str(p, "name")).collect();
    let disrupted: serde_json::Map<String, Value> = pdb
        .at("/status/disruptedPods")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .filter(|(name, _)| names.contains(name.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let status = &pdb["status"];
    let same = status["disruptionsAllowed"] == json!(allowed)
        && status["currentHealthy"] == json!(current)
        && status["desiredHealthy"] == json!(desired)
        && status["expectedPods"] == json!(expected)
        && status
            .get("disruptedPods")
            .and_then(Value::as_object)
            .map_or(disrupted.is_empty(), |d| *d == disrupted);
    if same {
        return;
    }
    let generation = pdb
        .at("/metadata/generation")
        .and_then(Value::as_i64)
        .unwrap_or(1);
    let mut status = budget_status(
        generation,
        expected,
        current,
        desired,
        allowed,
        &now_rfc3339(),
    );
    if !disrupted.is_empty() {
        status["disruptedPods"] = Value::Object(disrupted);
    }
    let _ = db.modify(&Db::key_of(pdb_kind, pdb), |p| p["status"] = status);
}
