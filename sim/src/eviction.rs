//! The eviction API (`POST pods/<name>/eviction`) and the PodDisruptionBudget arithmetic it
//! and the disruption controller share, as the real API server answers (see
//! `shared/samples/kube-api/14-eviction-and-logs.txt`): 201 with a bare Status and a graceful
//! delete of the pod, or 429 when a budget that selects the pod allows no disruption.

use jiff::{SignedDuration, Timestamp};
use serde_json::{Value, json};

use super::db::{Db, ObjKey, meta_str};
use super::kinds::{KINDS, KindDef, kind_id};
use super::labels::Selector;
use super::status::{self, StatusError};
use crate::json_at::At;

/// The grace period a pod gets when it is evicted (its spec's, else Kubernetes' default).
const DEFAULT_GRACE: i64 = 30;

/// The label selector of a budget, as `Selector` parses it; `None` if it cannot select.
pub fn budget_selector(pdb: &Value) -> Option<Selector> {
    let sel = pdb.at("/spec/selector")?;
    let mut parts: Vec<String> = sel
        .get("matchLabels")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or_default()))
        .collect();
    for e in sel
        .get("matchExpressions")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let key = e["key"].as_str()?;
        let values = || {
            e["values"]
                .as_array()
                .map(|v| {
                    v.iter()
                        .filter_map(Value::as_str)
                        .collect::<Vec<_>>()
                        .join(",")
                })
                .unwrap_or_default()
        };
        parts.push(match e["operator"].as_str()? {
            "In" => format!("{key} in ({})", values()),
            "NotIn" => format!("{key} notin ({})", values()),
            "Exists" => key.to_string(),
            "DoesNotExist" => format!("!{key}"),
            _ => return None,
        });
    }
    Selector::parse(&parts.join(",")).ok()
}

/// Whether a pod counts as healthy for a budget: ready, not being deleted, not just disrupted.
pub fn healthy(pod: &Value, pdb: &Value) -> bool {
    let ready = pod
        .at("/status/conditions")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .any(|c| c["type"] == "Ready" && c["status"] == "True");
    let disrupted = pdb
        .at("/status/disruptedPods")
        .and_then(|d| d.get(meta_str(pod, "name")))
        .is_some();
    ready && pod.at("/metadata/deletionTimestamp").is_none() && !disrupted
}

/// How many of `expected` pods a budget wants healthy: `minAvailable`, or `expected` less
/// `maxUnavailable` (either an integer or a percentage, rounded up as the controller does).
pub fn desired_healthy(pdb: &Value, expected: i64) -> i64 {
    let amount = |v: &Value| match v {
        Value::Number(n) => n.as_i64().unwrap_or(0),
        Value::String(s) => s
            .strip_suffix('%')
            .and_then(|p| p.parse::<i64>().ok())
            .map_or(0, |p| (expected * p + 99) / 100),
        _ => 0,
    };
    match (pdb.at("/spec/minAvailable"), pdb.at("/spec/maxUnavailable")) {
        (Some(min), _) => amount(min),
        (None, Some(max)) => (expected - amount(max)).max(0),
        (None, None) => expected,
    }
}

/// The budgets in the pod's namespace whose selector picks it.
fn budgets_of(db: &Db, pod: &Value) -> Vec<ObjKey> {
    let pdb_kind = kind_id("PodDisruptionBudget").unwrap_or_default();
    db.list(pdb_kind, Some(meta_str(pod, "namespace")), None)
        .filter(|pdb| budget_selector(pdb).is_some_and(|s| s.matches(pod)))
        .map(|pdb| Db::key_of(pdb_kind, pdb))
        .collect()
}

/// The eviction subresource's answer to a POST of `body` on `name` (a Pod of `def`).
pub fn request(
    db: &mut Db,
    def: &KindDef,
    key: &ObjKey,
    name: &str,
    body: &[u8],
) -> Result<(u16, Value), StatusError> {
    if def.kind != "Pod" {
        return Err(status::not_found(def, name));
    }
    let eviction: Value = serde_json::from_slice(body)
        .map_err(|e| status::bad_request(format!("error decoding body: {e}")))?;
    let named = meta_str(&eviction, "name");
    if !named.is_empty() && named != name {
        return Err(status::bad_request(
            "name in URL does not match name in Eviction object".into(),
        ));
    }
    evict(db, key, Timestamp::now())
}

/// Evict the pod at `key`: refuse with 429 if a budget allows no disruption, else take one
/// from every budget that selects it and start a graceful delete.
pub fn evict(db: &mut Db, key: &ObjKey, now: Timestamp) -> Result<(u16, Value), StatusError> {
    let def = &KINDS[key.0];
    let pod = db
        .get(key)
        .cloned()
        .ok_or_else(|| status::not_found(def, &key.2))?;
    let budgets = budgets_of(db, &pod);
    for budget in &budgets {
        let Some(pdb) = db.get(budget) else { continue };
        let allowed = pdb
            .at("/status/disruptionsAllowed")
            .and_then(Value::as_i64)
            .unwrap_or(0);
        if allowed <= 0 {
            let number = |f: &str| pdb.at(f).and_then(Value::as_i64).unwrap_or(0);
            return Err(status::disruption_budget(
                &budget.2,
                number("/status/desiredHealthy"),
                number("/status/currentHealthy"),
            ));
        }
    }
    let at = now.round(jiff::Unit::Second).unwrap_or(now).to_string();
    for budget in &budgets {
        let _ = db.modify(budget, |pdb| {
            let left = pdb["status"]["disruptionsAllowed"].as_i64().unwrap_or(1) - 1;
            pdb["status"]["disruptionsAllowed"] = json!(left);
            pdb["status"]["disruptedPods"][key.2.as_str()] = json!(at);
            if left == 0 {
                pdb["status"]["conditions"] = json!([{"type": "DisruptionAllowed", "status": "False",
                    "reason": "InsufficientPods", "message": "", "lastTransitionTime": at}]);
            }
        });
    }
    let grace = pod
        .at("/spec/terminationGracePeriodSeconds")
        .and_then(Value::as_i64)
        .unwrap_or(DEFAULT_GRACE);
    let deadline = now + SignedDuration::from_secs(grace);
    let _ = db.modify(key, |p| {
        let meta = &mut p["metadata"];
        meta["deletionTimestamp"] = json!(deadline.round(jiff::Unit::Second).unwrap_or(deadline).to_string());
        meta["deletionGracePeriodSeconds"] = json!(grace);
        meta["generation"] = json!(meta["generation"].as_i64().unwrap_or(1) + 1);
        if let Some(conditions) = p["status"]["conditions"].as_array_mut() {
            conditions.push(json!({"type": "DisruptionTarget", "status": "True", "lastProbeTime": null,
                "lastTransitionTime": at, "reason": "EvictionByEvictionAPI", "message": "Eviction API: evicting"}));
        }
    });
    Ok((
        201,
        json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "code": 201}),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pod_objects::{PodState, pod};
    use crate::workload_objects::budget;

    fn db_with(min: u32) -> (Db, ObjKey, ObjKey) {
        let mut db = Db::new(100);
        let pod_kind = kind_id("Pod").expect("pod");
        let hours = SignedDuration::from_hours(2);
        let a = pod("media", "web", 0, "w1", PodState::Running, hours);
        let b = pod("media", "web", 1, "w2", PodState::Running, hours);
        let keys = (Db::key_of(pod_kind, &a), Db::key_of(pod_kind, &b));
        db.create(pod_kind, a).expect("a");
        db.create(pod_kind, b).expect("b");
        let pdb_kind = kind_id("PodDisruptionBudget").expect("pdb");
        db.create(pdb_kind, budget("media", "web", min, 2, Timestamp::now()))
            .expect("pdb");
        (db, keys.0, keys.1)
    }

    #[test]
    fn a_budget_with_room_takes_one_and_the_pod_starts_a_graceful_delete() {
        let (mut db, a, b) = db_with(1);
        let now = Timestamp::now();
        let (code, body) = evict(&mut db, &a, now).expect("allowed");
        assert_eq!(code, 201);
        assert_eq!(
            body.to_string(),
            r#"{"apiVersion":"v1","code":201,"kind":"Status","metadata":{},"status":"Success"}"#
        );
        let pod = db.get(&a).expect("still there, terminating");
        assert!(pod.at("/metadata/deletionTimestamp").is_some());
        assert_eq!(pod["metadata"]["deletionGracePeriodSeconds"], 30);
        let conditions = pod["status"]["conditions"].as_array().expect("conditions");
        assert!(
            conditions
                .iter()
                .any(|c| c["type"] == "DisruptionTarget" && c["reason"] == "EvictionByEvictionAPI")
        );
        // The budget is used up: the next pod it selects is refused, in the server's words.
        let err = evict(&mut db, &b, now).expect_err("budget used up");
        assert_eq!(err.code, 429);
        assert_eq!(
            err.body["message"],
            "Cannot evict pod as it would violate the pod's disruption budget."
        );
        assert_eq!(err.body["reason"], "TooManyRequests");
        assert_eq!(
            err.body["details"]["causes"][0]["message"],
            "The disruption budget web needs 1 healthy pods and has 2 currently"
        );
    }

    #[test]
    fn a_budget_that_wants_every_pod_refuses_at_once_and_percentages_round_up() {
        let (mut db, a, _) = db_with(2);
        let err = evict(&mut db, &a, Timestamp::now()).expect_err("refused");
        assert_eq!(err.code, 429);
        assert!(
            db.get(&a)
                .is_some_and(|p| p.at("/metadata/deletionTimestamp").is_none())
        );
        let pdb = json!({"spec": {"maxUnavailable": "25%"}});
        assert_eq!(desired_healthy(&pdb, 3), 2);
        let pdb = json!({"spec": {"minAvailable": "50%"}});
        assert_eq!(desired_healthy(&pdb, 3), 2);
    }
}
