//! KubeVirt's lifecycle subresources (`start`, `stop`, `restart`) as virt-api answers them:
//! 202 with an empty body when accepted, 409 with a Status in words when the run strategy or
//! the VM's state does not allow it. The controllers then move the VM through its printable
//! states.

use http::{Method, Response};
use serde_json::{Value, json};

use super::auth::Identity;
use super::http::{Body, error_response, full, json_response};
use super::kinds::{KINDS, kind_id};
use super::server_state::Api;
use super::status::{self, StatusError};
use crate::json_at::At;

/// Annotation the simulator uses to remember that a stop is the first half of a restart.
pub const RESTART_MARK: &str = "sim.opsdeck.dev/restart";
/// Annotation marking a VM whose power the lifecycle API changed; the controller moves it on.
pub const POWER_MARK: &str = "sim.opsdeck.dev/powering";
/// Annotation naming the host a migrating VM moves to.
pub const MIGRATE_MARK: &str = "sim.opsdeck.dev/migrating-to";

fn conflict(name: &str, message: &str) -> StatusError {
    let def = &KINDS[kind_id("VirtualMachine").unwrap_or_default()];
    status::conflict_because(def, name, message.to_string())
}

pub fn handle(
    api: &Api,
    method: &Method,
    identity: &Identity,
    ns: &str,
    name: &str,
    action: &str,
) -> Response<Body> {
    if method != Method::PUT {
        return error_response(status::method_not_allowed(method.as_str()));
    }
    if !identity.can_raw(
        "update",
        "subresources.kubevirt.io",
        "virtualmachines",
        Some(action),
    ) {
        let def = &KINDS[kind_id("VirtualMachine").unwrap_or_default()];
        return error_response(status::forbidden(
            def,
            &identity.user,
            "update",
            name,
            ns,
            Some(action),
        ));
    }
    let kind = kind_id("VirtualMachine").unwrap_or_default();
    let key = (kind, ns.to_string(), name.to_string());
    let mut db = api.db();
    let Some(vm) = db.get(&key).cloned() else {
        return error_response(status::not_found(&KINDS[kind], name));
    };
    let printable = vm
        .at("/status/printableStatus")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let strategy = vm
        .at("/spec/runStrategy")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let running = !matches!(printable.as_str(), "Stopped" | "Stopping");
    let gone = |_| status::not_found(&KINDS[kind], name);
    let result: Result<(), StatusError> = match action {
        "start" if running => Err(conflict(name, "VM is already running")),
        "start" if strategy == "Always" || strategy == "Once" => Err(conflict(
            name,
            &format!("{strategy} does not support manual start requests"),
        )),
        "start" => db
            .modify(&key, |v| {
                v["spec"]["runStrategy"] = json!(if strategy == "Halted" {
                    "Always"
                } else {
                    strategy.as_str()
                });
                v["status"]["printableStatus"] = json!("Starting");
                v["metadata"]["annotations"][POWER_MARK] = json!("true");
            })
            .map(|_| ())
            .map_err(gone),
        "stop" if !running => Err(conflict(name, "VM is not running")),
        "stop" => db
            .modify(&key, |v| {
                v["spec"]["runStrategy"] = json!("Halted");
                v["status"]["printableStatus"] = json!("Stopping");
                v["metadata"]["annotations"][POWER_MARK] = json!("true");
            })
            .map(|_| ())
            .map_err(gone),
        "restart" if !running => Err(conflict(name, "VM is not running")),
        "restart" => db
            .modify(&key, |v| {
                v["metadata"]["annotations"][RESTART_MARK] = json!("true");
                v["metadata"]["annotations"][POWER_MARK] = json!("true");
                v["status"]["printableStatus"] = json!("Stopping");
            })
            .map(|_| ())
            .map_err(gone),
        "migrate" if !running => Err(conflict(name, "VM is not running")),
        "migrate" if printable == "Migrating" => Err(conflict(name, "VM is already migrating")),
        "migrate" => match migration_target(&db, ns, name) {
            None => Err(conflict(
                name,
                "no other schedulable host to migrate to (the rest are cordoned or in maintenance)",
            )),
            Some((source, target)) => {
                let vmi = (
                    kind_id("VirtualMachineInstance").unwrap_or_default(),
                    ns.to_string(),
                    name.to_string(),
                );
                let now = jiff::Timestamp::now().to_string();
                let _ = db.modify(&vmi, |v| {
                    v["status"]["migrationState"] = json!({
                        "sourceNode": source, "targetNode": target,
                        "startTimestamp": now, "mode": "PreCopy",
                    });
                });
                db.modify(&key, |v| {
                    v["status"]["printableStatus"] = json!("Migrating");
                    v["metadata"]["annotations"][POWER_MARK] = json!("true");
                    v["metadata"]["annotations"][MIGRATE_MARK] = json!(target);
                })
                .map(|_| ())
                .map_err(gone)
            }
        },
        _ => Err(status::not_found(&KINDS[kind], &format!("{name}/{action}"))),
    };
    match result {
        Ok(()) => {
            let mut resp = json_response(202, &Value::Null, None);
            *resp.body_mut() = full("");
            resp
        }
        Err(e) => error_response(e),
    }
}

/// The VM's current host and another host it can go to: not the same, not in maintenance.
fn migration_target(db: &super::db::Db, ns: &str, name: &str) -> Option<(String, String)> {
    let vmi = db.get(&(
        kind_id("VirtualMachineInstance").unwrap_or_default(),
        ns.to_string(),
        name.to_string(),
    ))?;
    let source = vmi.at("/status/nodeName")?.as_str()?.to_string();
    let target = db
        .list(kind_id("Node").unwrap_or_default(), None, None)
        .filter(|n| {
            n.at("/spec/unschedulable").and_then(Value::as_bool) != Some(true)
                && n.at("/metadata/annotations/harvesterhci.io~1maintain-status")
                    .is_none()
        })
        .filter_map(|n| n["metadata"]["name"].as_str())
        .find(|n| *n != source)?
        .to_string();
    Some((source, target))
}
