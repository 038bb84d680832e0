//! The deployment controller of the workload clusters: a changed pod template (a new image, a
//! `restartedAt` annotation) gets a new ReplicaSet and the pods roll over one at a time (one
//! extra pod at most, an old one removed only when the new ones are ready); a replica count
//! that changed, or a pod deleted by hand, is made good; ReplicaSet and Deployment statuses
//! are counted from the pods. Nothing is written when nothing changed.

use jiff::{SignedDuration, Timestamp};
use serde_json::{Value, json};

use super::Controllers;
use crate::db::{Db, ObjKey, fnv, meta_str};
use crate::json_at::At;
use crate::kinds::{KindId, kind_id};
use crate::pod_objects::{Owner, OwnerKind, PodState, owned_pod, template_hash};
use crate::workload_objects::{Counts, deployment_status, replica_set, rfc3339};

const REVISION: &str = "deployment.kubernetes.io/revision";

struct Kinds {
    deployment: KindId,
    set: KindId,
    pod: KindId,
    node: KindId,
    event: KindId,
}

/// A pod of one of the Deployment's ReplicaSets.
struct OwnedPod {
    key: ObjKey,
    set: String,
    ready: bool,
    starting: bool,
    created: Timestamp,
}

impl Controllers {
    pub(super) fn run_deployments(&mut self) {
        let kinds = Kinds {
            deployment: kind_id("Deployment").unwrap_or_default(),
            set: kind_id("ReplicaSet").unwrap_or_default(),
            pod: kind_id("Pod").unwrap_or_default(),
            node: kind_id("Node").unwrap_or_default(),
            event: kind_id("Event").unwrap_or_default(),
        };
        for (_, db) in &self.workload_clusters {
            let mut db = db.lock().unwrap_or_else(|p| p.into_inner());
            let deployments: Vec<Value> = db.list(kinds.deployment, None, None).cloned().collect();
            for d in deployments {
                reconcile(&mut db, &kinds, &d, self.ticks);
            }
        }
    }
}

fn reconcile(db: &mut Db, kinds: &Kinds, d: &Value, tick: u64) {
    let namespace = meta_str(d, "namespace").to_string();
    let name = meta_str(d, "name").to_string();
    let desired = d.at("/spec/replicas").and_then(Value::as_u64).unwrap_or(1) as usize;
    let hash = template_hash(&d["spec"]["template"]);
    let current = format!("{name}-{hash}");
    let sets = sets_of(db, kinds, d);
    if !sets.contains(&current) {
        new_revision(db, kinds, d, &hash, sets.len());
        record(
            db,
            kinds,
            d,
            &format!("Scaled up replica set {current} from 0 to 1"),
            tick,
        );
    }
    let pods = pods_of(db, kinds, &namespace, &name);
    let (new, old): (Vec<&OwnedPod>, Vec<&OwnedPod>) = pods.iter().partition(|p| p.set == current);
    let total = pods.len();
    if let Some(starting) = new.iter().find(|p| p.starting) {
        // A pod this controller started last tick is up now: the kubelet writes its status.
        let node = node_of(db, &starting.key);
        let up = owned_pod(
            &owner(&namespace, &name, &hash),
            "",
            &node,
            PodState::Running,
            starting.created,
        );
        let _ = db.modify(&starting.key, |p| {
            p["status"] = up["status"].clone();
            p["metadata"]["managedFields"] = up["metadata"]["managedFields"].clone();
        });
    } else if total > desired && !old.is_empty() && new.iter().all(|p| p.ready) {
        let gone = &old[0];
        let _ = db.delete(&gone.key);
        let left = old.iter().filter(|p| p.set == gone.set).count() - 1;
        record(
            db,
            kinds,
            d,
            &format!(
                "Scaled down replica set {} from {} to {left}",
                gone.set,
                left + 1
            ),
            tick,
        );
    } else if new.len() < desired && total <= desired {
        let node = pick_node(db, kinds, &format!("{current}{tick}{}", new.len()));
        let seed = format!("{current}{tick}{}", new.len());
        let owner = owner(&namespace, &name, &hash);
        let _ = db.create(
            kinds.pod,
            owned_pod(
                &owner,
                &seed,
                &node,
                PodState::Initializing,
                Timestamp::now(),
            ),
        );
    } else if new.len() > desired
        && let Some(newest) = new.iter().max_by_key(|p| p.created)
    {
        let _ = db.delete(&newest.key);
        record(
            db,
            kinds,
            d,
            &format!("Scaled down replica set {current} to {desired}"),
            tick,
        );
    }
    write_statuses(db, kinds, d, &current, desired);
}

fn owner<'a>(namespace: &'a str, workload: &'a str, hash: &'a str) -> Owner<'a> {
    Owner {
        namespace,
        workload,
        hash,
        kind: OwnerKind::ReplicaSet,
    }
}

/// The names of the ReplicaSets the Deployment owns.
fn sets_of(db: &Db, kinds: &Kinds, d: &Value) -> Vec<String> {
    let uid = d.at("/metadata/uid");
    db.list(kinds.set, Some(meta_str(d, "namespace")), None)
        .filter(|rs| rs.at("/metadata/ownerReferences/0/uid") == uid)
        .map(|rs| meta_str(rs, "name").to_string())
        .collect()
}

/// A new ReplicaSet for the template, and the Deployment's revision moved on.
fn new_revision(db: &mut Db, kinds: &Kinds, d: &Value, hash: &str, previous: usize) {
    let revision = (previous + 1).to_string();
    let key = Db::key_of(kinds.deployment, d);
    let stamped = db
        .modify(&key, |d| {
            d["metadata"]["annotations"][REVISION] = json!(revision);
        })
        .unwrap_or_else(|_| d.clone());
    let _ = db.create(kinds.set, replica_set(&stamped, hash, 0, 0));
}

fn pods_of(db: &Db, kinds: &Kinds, namespace: &str, workload: &str) -> Vec<OwnedPod> {
    db.list(kinds.pod, Some(namespace), None)
        // A pod being deleted no longer counts: its replacement starts at once.
        .filter(|p| p.at("/metadata/deletionTimestamp").is_none())
        .filter(|p| {
            p.at("/metadata/ownerReferences/0/kind")
                .and_then(Value::as_str)
                == Some("ReplicaSet")
                && p.at("/metadata/labels/app.kubernetes.io~1name")
                    .and_then(Value::as_str)
                    == Some(workload)
        })
        .map(|p| {
            let condition = |kind: &str| {
                p.at("/status/conditions")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .any(|c| c["type"] == kind && c["status"] == "True")
            };
            OwnedPod {
                key: Db::key_of(kinds.pod, p),
                set: p
                    .at("/metadata/ownerReferences/0/name")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string(),
                ready: condition("Ready"),
                // Started by this controller a moment ago (the scenario's own waiting pods are
                // hours old and stay as they are).
                starting: !condition("Initialized")
                    && condition("PodScheduled")
                    && age(p) < SignedDuration::from_secs(60),
                created: meta_str(p, "creationTimestamp")
                    .parse()
                    .unwrap_or(Timestamp::now()),
            }
        })
        .collect()
}

fn age(pod: &Value) -> SignedDuration {
    meta_str(pod, "creationTimestamp")
        .parse::<Timestamp>()
        .map_or(SignedDuration::MAX, |t| Timestamp::now().duration_since(t))
}

fn node_of(db: &Db, pod: &ObjKey) -> String {
    db.get(pod)
        .and_then(|p| p.at("/spec/nodeName"))
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

/// A schedulable node for a new pod, spread by `seed`.
fn pick_node(db: &Db, kinds: &Kinds, seed: &str) -> String {
    let nodes: Vec<&str> = db
        .list(kinds.node, None, None)
        .filter(|n| n.at("/spec/unschedulable") != Some(&json!(true)))
        .map(|n| meta_str(n, "name"))
        .collect();
    if nodes.is_empty() {
        return String::new();
    }
    nodes[(fnv(seed.as_bytes()) % nodes.len() as u64) as usize].to_string()
}

/// Every ReplicaSet's and the Deployment's status, from the pods; written only when changed.
fn write_statuses(db: &mut Db, kinds: &Kinds, d: &Value, current: &str, desired: usize) {
    let namespace = meta_str(d, "namespace").to_string();
    let workload = meta_str(d, "name").to_string();
    let pods = pods_of(db, kinds, &namespace, &workload);
    for set in sets_of(db, kinds, d) {
        let mine: Vec<&OwnedPod> = pods.iter().filter(|p| p.set == set).collect();
        let wanted = if set == current { desired } else { mine.len() };
        let ready = mine.iter().filter(|p| p.ready).count();
        let key: ObjKey = (kinds.set, namespace.clone(), set);
        let (spec, status) = (
            json!(wanted),
            json!({"replicas": mine.len(), "fullyLabeledReplicas": mine.len(),
                              "readyReplicas": ready, "availableReplicas": ready, "observedGeneration": 1}),
        );
        let changed = db
            .get(&key)
            .is_some_and(|rs| rs["spec"]["replicas"] != spec || rs["status"] != status);
        if changed {
            let _ = db.modify(&key, |rs| {
                rs["spec"]["replicas"] = spec;
                rs["status"] = status;
            });
        }
    }
    let counts = Counts {
        total: pods.len(),
        updated: pods.iter().filter(|p| p.set == current).count(),
        ready: pods.iter().filter(|p| p.ready).count(),
    };
    let key = Db::key_of(kinds.deployment, d);
    let Some(stored) = db.get(&key) else {
        return;
    };
    let generation = stored
        .at("/metadata/generation")
        .and_then(Value::as_u64)
        .unwrap_or(1);
    let status = &stored["status"];
    let same = status["observedGeneration"] == json!(generation)
        && status["replicas"] == json!(counts.total)
        && status["updatedReplicas"] == json!(counts.updated)
        && status["readyReplicas"] == json!(counts.ready);
    if !same {
        let status = deployment_status(generation, counts, desired, current, Timestamp::now());
        let _ = db.modify(&key, |d| d["status"] = status);
    }
}

/// An Event on the Deployment, as the controller records its scaling.
fn record(db: &mut Db, kinds: &Kinds, d: &Value, message: &str, tick: u64) {
    let name = meta_str(d, "name");
    let namespace = meta_str(d, "namespace");
    let now = rfc3339(Timestamp::now());
    let event = json!({
        "metadata": {
            "name": format!("{name}.{:x}", fnv(format!("{name}{message}{tick}").as_bytes()) & 0xffff_ffff_ffff),
            "namespace": namespace,
        },
        "involvedObject": {"apiVersion": "apps/v1", "kind": "Deployment", "name": name,
                           "namespace": namespace, "uid": d["metadata"]["uid"].clone()},
        "reason": "ScalingReplicaSet",
        "message": message,
        "source": {"component": "deployment-controller"},
        "firstTimestamp": now,
        "lastTimestamp": now,
        "count": 1,
        "type": "Normal",
        "reportingComponent": "deployment-controller",
    });
    let _ = db.create(kinds.event, event);
}
