//! The Argo CD application controller, as the simulator plays it: operations walk their hook
//! phases and waves one step per tick; drifted apps self-heal.

use serde_json::{Value, json};

use super::{Controllers, SELF_HEAL_AFTER};
use crate::argo_objects::{ARGO_NAMESPACE, set_app_health, sync_result, worst_health};
use crate::db::{Db, ObjKey, meta_str, now_rfc3339};
use crate::json_at::At;
use crate::kinds::kind_id;
use crate::scenario::HookType;

/// One step of a sync operation: apply a (phase, wave) group, then wait for it to be healthy.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Step {
    Apply(usize),
    Settle(usize),
}

#[derive(Debug)]
pub(super) struct Plan {
    /// Indices into `status.resources`, grouped by (hook phase, wave) in execution order.
    groups: Vec<Vec<usize>>,
    hooks: Vec<Option<HookType>>,
    next: usize,
}

impl Plan {
    pub(super) fn steps(&self) -> usize {
        self.groups.len() * 2
    }
    pub(super) fn step(&self, i: usize) -> Step {
        if i.is_multiple_of(2) {
            Step::Apply(i / 2)
        } else {
            Step::Settle(i / 2)
        }
    }
}

fn phase_rank(hook: Option<HookType>) -> u8 {
    match hook {
        Some(HookType::PreSync) => 0,
        None | Some(HookType::Sync) => 1,
        Some(HookType::PostSync) => 2,
        Some(HookType::SyncFail) => 3,
    }
}

fn app_key(name: &str) -> ObjKey {
    let kind = kind_id("Application").unwrap_or_default();
    (kind, ARGO_NAMESPACE.to_string(), name.to_string())
}

impl Controllers {
    /// A client set `status.operationState.phase: Terminating` (what the Argo CD API server
    /// does for DELETE …/operation): stop the operation where it is.
    fn terminate_if_asked(&mut self, name: &str) -> bool {
        let key = app_key(name);
        let asked = self
            .db()
            .get(&key)
            .and_then(|a| a.at("/status/operationState/phase"))
            .and_then(Value::as_str)
            == Some("Terminating");
        if !asked {
            return false;
        }
        let _ = self.db().modify(&key, |a| {
            let state = &mut a["status"]["operationState"];
            state["phase"] = json!("Failed");
            state["message"] = json!("Operation terminated");
            state["finishedAt"] = json!(now_rfc3339());
            if let Some(obj) = a.as_object_mut() {
                obj.remove("operation");
            }
        });
        self.plans.remove(name);
        true
    }

    pub fn request_sync(&mut self, name: &str, automated: bool) -> bool {
        let key = app_key(name);
        let mut db = self.db();
        let Some(app) = db.get(&key) else {
            return false;
        };
        if app.get("operation").is_some_and(|o| !o.is_null()) {
            return false;
        }
        let rev = app["status"]["sync"]["revision"].clone();
        db.modify(&key, |a| {
            a["operation"] = json!({
                "sync": {"revision": rev, "syncStrategy": {"hook": {}}},
                "initiatedBy": if automated { json!({"automated": true}) } else { json!({"username": "opsdeck-sim"}) },
            });
        })
        .is_ok()
    }

    /// Make one managed resource of an app differ from Git, as a hand edit in the cluster would.
    pub fn drift(&mut self, name: &str) -> bool {
        let key = app_key(name);
        let changed = self.db().modify(&key, |a| {
            if let Some(res) = a["status"]["resources"].as_array_mut()
                && let Some(r) = res.iter_mut().find(|r| r.get("hook").is_none())
            {
                r["status"] = json!("OutOfSync");
            }
            a["status"]["sync"]["status"] = json!("OutOfSync");
            a["status"]["reconciledAt"] = json!(now_rfc3339());
        });
        if changed.is_ok() {
            self.drifted.insert(name.to_string(), self.ticks);
        }
        changed.is_ok()
    }

    pub(super) fn drift_next(&mut self) {
        let candidates: Vec<String> = self
            .scenario
            .apps
            .iter()
            .filter(|a| a.drifts)
            .map(|a| a.name.clone())
            .collect();
        if candidates.is_empty() {
            return;
        }
        let name = candidates[self.drift_cursor % candidates.len()].clone();
        self.drift_cursor += 1;
        if !self.plans.contains_key(&name) {
            self.drift(&name);
        }
    }

    pub(super) fn self_heal(&mut self) {
        let due: Vec<String> = self
            .drifted
            .iter()
            .filter(|(_, since)| self.ticks >= *since + SELF_HEAL_AFTER)
            .map(|(n, _)| n.clone())
            .collect();
        for name in due {
            if self.app_spec(&name).is_some_and(|a| a.self_heal) {
                self.request_sync(&name, true);
            }
            self.drifted.remove(&name);
        }
    }

    /// A refresh annotation (set through the CR or by argocd-server): re-compare now, record
    /// `reconciledAt`, and remove the annotation, as the application controller does.
    pub(super) fn handle_refreshes(&mut self) {
        // Read only after the Applications changed: a refresh is asked for by a change (an
        // annotation), and 20,000 Applications read every tick held the lock ~20 ms.
        let stamp = self.db().changed_at(self.app_kind, ARGO_NAMESPACE);
        if self.refreshes_seen_at == Some(stamp) {
            return;
        }
        self.refreshes_seen_at = Some(stamp);
        let asked: Vec<ObjKey> = self
            .db()
            .list(self.app_kind, Some(ARGO_NAMESPACE), None)
            .filter(|a| {
                a.at("/metadata/annotations/argocd.argoproj.io~1refresh")
                    .is_some()
            })
            .map(|a| Db::key_of(self.app_kind, a))
            .collect();
        for key in asked {
            let _ = self.db().modify(&key, |a| {
                if let Some(notes) = a["metadata"]["annotations"].as_object_mut() {
                    notes.remove("argocd.argoproj.io/refresh");
                }
                a["status"]["reconciledAt"] = json!(now_rfc3339());
            });
        }
    }

    pub(super) fn advance_operations(&mut self) {
        let running: Vec<(String, Value)> = {
            let db = self.db();
            db.list(self.app_kind, Some(ARGO_NAMESPACE), None)
                .filter(|a| a.get("operation").is_some_and(|o| !o.is_null()))
                .map(|a| (meta_str(a, "name").to_string(), a.clone()))
                .collect()
        };
        for (name, app) in running {
            if !self.plans.contains_key(&name) {
                self.begin_operation(&name, &app);
            } else {
                self.step_operation(&name);
            }
        }
    }

    pub(super) fn begin_operation(&mut self, name: &str, app: &Value) {
        let spec = self.app_spec(name);
        let resources = app["status"]["resources"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let hooks: Vec<Option<HookType>> = resources
            .iter()
            .map(|r| {
                spec.and_then(|s| {
                    s.resources
                        .iter()
                        .find(|x| {
                            Some(x.name.as_str()) == r["name"].as_str()
                                && Some(x.kind.as_str()) == r["kind"].as_str()
                        })
                        .and_then(|x| x.hook)
                })
                .or_else(|| r.get("hook").map(|_| HookType::Sync))
            })
            .collect();
        // A selective sync (`sync.resources`) touches only the named resources and runs no
        // hooks, as Argo CD does.
        let selected: Option<Vec<&Value>> = app
            .at("/operation/sync/resources")
            .and_then(Value::as_array)
            .filter(|r| !r.is_empty())
            .map(|r| r.iter().collect());
        let wanted = |i: usize, r: &Value| match &selected {
            None => true,
            Some(sel) => {
                hooks[i].is_none()
                    && sel.iter().any(|s| {
                        ["group", "kind", "namespace", "name"]
                            .iter()
                            .all(|f| s[f].as_str().unwrap_or("") == r[f].as_str().unwrap_or(""))
                    })
            }
        };
        let mut order: Vec<(u8, i64, usize)> = resources
            .iter()
            .enumerate()
            .filter(|(i, r)| wanted(*i, r))
            .map(|(i, r)| (phase_rank(hooks[i]), r["syncWave"].as_i64().unwrap_or(0), i))
            .collect();
        order.sort();
        let mut groups: Vec<Vec<usize>> = Vec::new();
        let mut last = None;
        for (rank, wave, i) in order {
            if last != Some((rank, wave)) {
                groups.push(Vec::new());
                last = Some((rank, wave));
            }
            if let Some(g) = groups.last_mut() {
                g.push(i);
            }
        }
        let operation = app["operation"].clone();
        let rev = app["status"]["sync"]["revision"].clone();
        let _ = self.db().modify(&app_key(name), |a| {
            a["status"]["operationState"] = json!({
                "operation": operation,
                "phase": "Running",
                "message": "",
                "syncResult": {"revision": rev, "resources": []},
                "startedAt": now_rfc3339(),
            });
            set_app_health(a, "Progressing");
        });
        self.plans.insert(
            name.to_string(),
            Plan {
                groups,
                hooks,
                next: 0,
            },
        );
    }

    pub(super) fn step_operation(&mut self, name: &str) {
        if self.terminate_if_asked(name) {
            return;
        }
        let Some(plan) = self.plans.get_mut(name) else {
            return;
        };
        if plan.next >= plan.steps() {
            self.plans.remove(name);
            return;
        }
        let step = plan.step(plan.next);
        plan.next += 1;
        let failing = self
            .scenario
            .apps
            .iter()
            .find(|a| a.name == name)
            .is_some_and(|a| a.failing_hook);
        let Some(plan) = self.plans.get(name) else {
            return;
        };
        let done = plan.next >= plan.steps();
        let mut failed = false;
        let outcome = {
            let groups = &plan.groups;
            let hooks = &plan.hooks;
            let mut db = self.db.lock().unwrap_or_else(|p| p.into_inner());
            db.modify(&app_key(name), |a| {
                failed = apply_step(a, step, groups, hooks, failing);
                if failed || done {
                    finish_operation(a, failed);
                }
            })
        };
        if outcome.is_err() || failed || done {
            self.plans.remove(name);
        }
    }
}

/// Apply one step to the app object; returns true when a hook failed.
fn apply_step(
    app: &mut Value,
    step: Step,
    groups: &[Vec<usize>],
    hooks: &[Option<HookType>],
    failing_postsync: bool,
) -> bool {
    let (group, settle) = match step {
        Step::Apply(g) => (g, false),
        Step::Settle(g) => (g, true),
    };
    let Some(members) = groups.get(group) else {
        return false;
    };
    let mut failed = false;
    let mut waiting = Vec::new();
    for &i in members {
        let entry = app["status"]["resources"][i].clone();
        let hook = hooks.get(i).copied().flatten();
        let fails = settle && failing_postsync && hook == Some(HookType::PostSync);
        failed |= fails;
        let hook_phase = match (settle, fails) {
            (false, _) => "Running",
            (true, true) => "Failed",
            (true, false) => "Succeeded",
        };
        let result = sync_result(&entry, hook, hook_phase);
        let results = &mut app["status"]["operationState"]["syncResult"]["resources"];
        if !results.is_array() {
            *results = json!([]);
        }
        if let Some(list) = results.as_array_mut() {
            list.retain(|r| !(r["kind"] == entry["kind"] && r["name"] == entry["name"]));
            list.push(result);
        }
        let res = &mut app["status"]["resources"][i];
        res["status"] = json!("Synced");
        let health = match (settle, fails) {
            (false, _) => "Progressing",
            (true, true) => "Degraded",
            (true, false) => "Healthy",
        };
        // A sync does not bring back pods on a Node that is down.
        if !(settle && super::cascade::waiting_for_pods(&entry)) {
            res["health"] = json!({"status": health});
        }
        let kind = entry["kind"].as_str().unwrap_or("");
        let what = format!(
            "{}/{}/{}",
            entry.get("group").and_then(Value::as_str).unwrap_or(""),
            kind,
            entry["name"].as_str().unwrap_or("")
        );
        waiting.push(if hook.is_some() {
            format!("waiting for completion of hook {what}")
        } else {
            format!("waiting for healthy state of {what}")
        });
    }
    if !settle {
        app["status"]["operationState"]["message"] = json!(waiting.join(", "));
    }
    failed
}

fn finish_operation(app: &mut Value, failed: bool) {
    let now = now_rfc3339();
    let state = &mut app["status"]["operationState"];
    state["phase"] = json!(if failed { "Failed" } else { "Succeeded" });
    state["message"] = json!(if failed {
        "one or more synchronization tasks completed unsuccessfully"
    } else {
        "successfully synced (all tasks run)"
    });
    state["finishedAt"] = json!(now);
    let resources = app["status"]["resources"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let all_synced = resources.iter().all(|r| r["status"] == "Synced");
    let worst = worst_health(
        resources
            .iter()
            .filter(|r| r.get("hook").is_none() || failed),
    );
    set_app_health(app, worst);
    let status = &mut app["status"];
    status["sync"]["status"] = json!(if all_synced { "Synced" } else { "OutOfSync" });
    status["reconciledAt"] = json!(now);
    let rev = status["sync"]["revision"].clone();
    if let Some(history) = status["history"].as_array_mut() {
        let id = history.len() as u64 + 1;
        history.push(
            json!({"id": id, "revision": rev, "deployedAt": now, "deployStartedAt": now,
                            "initiatedBy": {"automated": true}}),
        );
        let excess = history.len().saturating_sub(10);
        history.drain(..excess);
    }
    if let Some(obj) = app.as_object_mut() {
        obj.remove("operation");
    }
}
