//! Rufio: a BMC Job runs its power tasks against the BMC Machine it names, one step per tick,
//! and completes (or fails, when the Machine is missing or its BMC cannot be reached). The
//! Machine's `status.powerState` follows, as Rufio's next poll would show it.

use serde_json::{Value, json};

use super::Controllers;
use crate::db::Db;
use crate::json_at::At;
use crate::kinds::kind_id;

/// The Running condition's message while a cycle waits for its "on" half.
const CYCLE_OFF: &str = "powerAction cycle: off, powering on";

impl Controllers {
    pub(super) fn run_bmc_jobs(&mut self) {
        let job_kind = kind_id("bmc.tinkerbell.org/Job").unwrap_or_default();
        let machine_kind = kind_id("bmc.tinkerbell.org/Machine").unwrap_or_default();
        let open: Vec<Value> = self
            .db()
            .list(job_kind, None, None)
            .filter(|j| j.at("/status/completionTime").is_none() && !failed(j))
            .cloned()
            .collect();
        let now = jiff::Timestamp::now().to_string();
        for job in open {
            let key = Db::key_of(job_kind, &job);
            let mut db = self.db();
            if job.at("/status/startTime").is_none() {
                let _ = db.modify(&key, |j| {
                    j["status"] = json!({"startTime": now, "conditions": [
                        {"type": "Running", "status": "True", "message": "running tasks"}]});
                });
                continue;
            }
            let machine_name = job
                .at("/spec/machineRef/name")
                .and_then(Value::as_str)
                .unwrap_or_default();
            let machine_key = (machine_kind, key.1.clone(), machine_name.to_string());
            let contactable = db
                .get(&machine_key)
                .map(|m| m.at("/status/powerState").and_then(Value::as_str) != Some("unknown"));
            let problem = match contactable {
                None => Some(format!("bmc Machine {machine_name} not found")),
                Some(false) => Some(format!(
                    "BMC of {machine_name} is not contactable: connection refused"
                )),
                Some(true) => None,
            };
            if let Some(message) = problem {
                let _ = db.modify(&key, |j| {
                    j["status"]["conditions"] = json!([
                        {"type": "Running", "status": "False"},
                        {"type": "Failed", "status": "True", "message": message}]);
                });
                continue;
            }
            let stage = job
                .at("/status/conditions/0/message")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string();
            let mut power = None;
            let mut done = true;
            for task in job
                .at("/spec/tasks")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                match task.get("powerAction").and_then(Value::as_str) {
                    Some("on") => power = Some("on"),
                    Some("off" | "soft") => power = Some("off"),
                    Some("cycle" | "reset") if stage != CYCLE_OFF => {
                        power = Some("off");
                        done = false;
                        break;
                    }
                    Some("cycle" | "reset") => power = Some("on"),
                    _ => {}
                }
            }
            if let Some(p) = power {
                let _ = db.modify(&machine_key, |m| m["status"]["powerState"] = json!(p));
            }
            let _ = db.modify(&key, |j| {
                if done {
                    j["status"]["completionTime"] = json!(now);
                    j["status"]["conditions"] = json!([
                        {"type": "Running", "status": "False"},
                        {"type": "Completed", "status": "True", "message": "all tasks completed"}]);
                } else {
                    j["status"]["conditions"][0]["message"] = json!(CYCLE_OFF);
                }
            });
        }
    }
}

fn failed(job: &Value) -> bool {
    job.at("/status/conditions")
        .and_then(Value::as_array)
        .is_some_and(|c| {
            c.iter()
                .any(|c| c["type"] == "Failed" && c["status"] == "True")
        })
}
