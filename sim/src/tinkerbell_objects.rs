//! Tinkerbell objects of a scenario (tinkerbell.org and bmc.tinkerbell.org v1alpha1): Hardware
//! with netboot settings and a BMC reference, the install Template, one Workflow per host, and
//! the Rufio BMC Machine with its power state.

use serde_json::{Value, json};

use super::db::now_rfc3339;
use super::scenario::BareMetalSpec;

pub const NAMESPACE: &str = "tink-system";
pub const TEMPLATE: &str = "harvester-install";

const ACTIONS: &[(&str, &str)] = &[
    ("wipe-disks", "quay.io/tinkerbell/actions/wipe:latest"),
    (
        "stream-harvester-image",
        "quay.io/tinkerbell/actions/image2disk:latest",
    ),
    (
        "write-harvester-config",
        "quay.io/tinkerbell/actions/writefile:latest",
    ),
    ("kexec-harvester", "quay.io/tinkerbell/actions/kexec:latest"),
];

fn hardware(h: &BareMetalSpec) -> Value {
    let installed = h.workflow == "SUCCESS";
    json!({
        "metadata": {"name": h.name, "namespace": NAMESPACE, "labels": {"tinkerbell.org/role": "harvester"}},
        "spec": {
            "interfaces": [{
                "dhcp": {
                    "mac": h.mac, "hostname": h.name, "arch": "x86_64", "uefi": true, "lease_time": 86400,
                    "name_servers": ["10.10.0.1"],
                    "ip": {"address": h.ip, "netmask": "255.255.255.0", "gateway": "10.10.0.1"},
                },
                // Once installed, the host boots from disk: no more PXE or workflows.
                "netboot": {"allowPXE": !installed, "allowWorkflow": !installed},
            }],
            "disks": [{"device": "/dev/nvme0n1"}, {"device": "/dev/nvme1n1"}],
            "bmcRef": {"apiGroup": "bmc.tinkerbell.org", "kind": "Machine", "name": format!("bmc-{}", h.name)},
            "metadata": {"instance": {"hostname": h.name, "id": h.mac}},
        },
        "status": {"state": "Ready"},
    })
}

fn template() -> Value {
    let actions: Vec<String> = ACTIONS
        .iter()
        .map(|(name, image)| {
            format!("      - name: {name}\n        image: {image}\n        timeout: 600")
        })
        .collect();
    json!({
        "metadata": {"name": TEMPLATE, "namespace": NAMESPACE},
        "spec": {"data": format!(
            "version: \"0.1\"\nname: {TEMPLATE}\nglobal_timeout: 3600\ntasks:\n  - name: install\n    worker: \"{{{{.device_1}}}}\"\n    actions:\n{}\n",
            actions.join("\n")
        )},
        "status": {"state": "Ready"},
    })
}

/// The install workflow; `RUNNING` stops at the second action.
fn workflow(h: &BareMetalSpec) -> Value {
    let now = now_rfc3339();
    let running_at = if h.workflow == "RUNNING" {
        1
    } else {
        ACTIONS.len()
    };
    let actions: Vec<Value> = ACTIONS
        .iter()
        .enumerate()
        .map(|(i, (name, image))| {
            let state = match (i.cmp(&running_at), h.workflow.as_str()) {
                (std::cmp::Ordering::Less, _) => "SUCCESS",
                (std::cmp::Ordering::Equal, "FAILED") => "FAILED",
                (std::cmp::Ordering::Equal, _) => "RUNNING",
                (std::cmp::Ordering::Greater, _) => "PENDING",
            };
            let mut a = json!({"id": format!("{}-{i}", h.name), "name": name, "image": image, "timeout": 600, "state": state});
            if state != "PENDING" {
                a["executionStart"] = json!(now);
            }
            a
        })
        .collect();
    let current = ACTIONS[running_at.min(ACTIONS.len() - 1)].0;
    json!({
        "metadata": {"name": format!("install-{}", h.name), "namespace": NAMESPACE},
        "spec": {
            "templateRef": TEMPLATE,
            "hardwareRef": h.name,
            "hardwareMap": {"device_1": h.mac},
            "bootOptions": {"toggleAllowNetboot": true, "bootMode": "netboot"},
        },
        "status": {
            "state": h.workflow,
            "templateRendering": "successful",
            "agentID": h.mac,
            "globalTimeout": 3600,
            "currentState": {"agentID": h.mac, "taskID": "install", "taskName": "install",
                             "actionID": format!("{}-{}", h.name, running_at.min(ACTIONS.len() - 1)),
                             "actionName": current, "state": h.workflow},
            "tasks": [{"id": "install", "name": "install", "agentID": h.mac, "actions": actions}],
        },
    })
}

fn bmc(h: &BareMetalSpec) -> Value {
    let contactable = if h.bmc_reachable {
        json!({"type": "Contactable", "status": "True", "lastUpdateTime": now_rfc3339()})
    } else {
        json!({"type": "Contactable", "status": "False", "lastUpdateTime": now_rfc3339(),
               "message": format!("failed to connect to BMC: dial tcp {}:623: i/o timeout", h.bmc)})
    };
    json!({
        "metadata": {"name": format!("bmc-{}", h.name), "namespace": NAMESPACE},
        "spec": {"connection": {
            "host": h.bmc, "port": 623, "insecureTLS": true,
            "authSecretRef": {"name": format!("bmc-{}-auth", h.name), "namespace": NAMESPACE},
            "providerOptions": {"preferredOrder": ["ipmitool", "redfish"]},
        }},
        "status": {"powerState": if h.bmc_reachable { "on" } else { "unknown" }, "conditions": [contactable]},
    })
}

pub fn objects(hosts: &[BareMetalSpec]) -> Vec<(&'static str, Value)> {
    if hosts.is_empty() {
        return Vec::new();
    }
    let mut out = vec![
        ("Namespace", json!({"metadata": {"name": NAMESPACE}})),
        ("Template", template()),
    ];
    for h in hosts {
        out.push(("Hardware", hardware(h)));
        out.push(("Workflow", workflow(h)));
        out.push(("bmc.tinkerbell.org/Machine", bmc(h)));
    }
    out
}
