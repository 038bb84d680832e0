//! Harvester: a Machine's VM runs when the Machine does; a replaced worker's VM goes and its
//! replacement's VM starts.

use std::sync::{Arc, Mutex};

use serde_json::{Value, json};

use super::Controllers;
use crate::capi_objects;
use crate::db::{Db, fnv};
use crate::harvester_objects;
use crate::json_at::At;
use crate::kinds::kind_id;
use crate::scenario::ClusterSpec;
use crate::vm_power::{MIGRATE_MARK, POWER_MARK, RESTART_MARK};

impl Controllers {
    pub fn with_harvester(mut self, db: Option<Arc<Mutex<Db>>>) -> Self {
        self.harvester = db;
        self
    }

    /// The simulated apids, so a host that loses power takes its Talos nodes with it.
    pub fn with_talos(mut self, talos: Option<Arc<crate::talos::Registry>>) -> Self {
        self.talos = talos;
        self
    }

    /// A Machine's Node joined: its VM is Running with an IP.
    pub(super) fn vm_running(&self, c: &ClusterSpec, machine: &str) {
        let Some(db) = &self.harvester else { return };
        let mut db = db.lock().unwrap_or_else(|p| p.into_inner());
        let vm = (
            kind_id("VirtualMachine").unwrap_or_default(),
            c.namespace.clone(),
            machine.to_string(),
        );
        let vmi = (
            kind_id("VirtualMachineInstance").unwrap_or_default(),
            c.namespace.clone(),
            machine.to_string(),
        );
        let ip = format!(
            "10.20.{}.{}",
            capi_objects::cluster_octet(c),
            100 + fnv(machine.as_bytes()) % 100
        );
        let _ = db.modify(&vm, |v| {
            v["status"]["printableStatus"] = json!("Running");
            v["status"]["ready"] = json!(true);
            v["status"]["conditions"][0]["status"] = json!("True");
        });
        let _ = db.modify(&vmi, |v| {
            v["status"]["phase"] = json!("Running");
            v["status"]["conditions"][0]["status"] = json!("True");
            v["status"]["interfaces"][0]["ipAddress"] = json!(ip);
            v["status"]["interfaces"][0]["ipAddresses"] = json!([ip]);
        });
    }

    /// VMs whose power the lifecycle API changed pass through their printable states, one step
    /// per tick: Stopping → Stopped (or → Starting for a restart), Starting → Running.
    pub(super) fn advance_vms(&self) {
        let Some(db) = &self.harvester else { return };
        let mut db = db.lock().unwrap_or_else(|p| p.into_inner());
        let vm_kind = kind_id("VirtualMachine").unwrap_or_default();
        let vmi_kind = kind_id("VirtualMachineInstance").unwrap_or_default();
        let moving: Vec<Value> = db
            .list(vm_kind, None, None)
            .filter(|v| {
                v.at(&format!(
                    "/metadata/annotations/{}",
                    POWER_MARK.replace('/', "~1")
                ))
                .is_some()
            })
            .cloned()
            .collect();
        for vm in moving {
            let key = Db::key_of(vm_kind, &vm);
            let vmi_key = (vmi_kind, key.1.clone(), key.2.clone());
            let restart = vm
                .at(&format!(
                    "/metadata/annotations/{}",
                    RESTART_MARK.replace('/', "~1")
                ))
                .is_some();
            match vm.at("/status/printableStatus").and_then(Value::as_str) {
                Some("Stopping") => {
                    let _ = db.delete(&vmi_key);
                    let _ = db.modify(&key, |v| {
                        let notes = &mut v["metadata"]["annotations"];
                        if let Some(n) = notes.as_object_mut() {
                            n.remove(RESTART_MARK);
                            if !restart {
                                n.remove(POWER_MARK);
                            }
                        }
                        v["status"]["printableStatus"] =
                            json!(if restart { "Starting" } else { "Stopped" });
                        v["status"]["ready"] = json!(false);
                        v["status"]["created"] = json!(restart);
                    });
                }
                Some("Starting") => {
                    let host = first_host(&db);
                    let args = harvester_objects::VmArgs {
                        name: key.2.clone(),
                        namespace: key.1.clone(),
                        uid: vm["metadata"]["uid"]
                            .as_str()
                            .unwrap_or_default()
                            .to_string(),
                        cpu: vm
                            .at("/spec/template/spec/domain/cpu/cores")
                            .and_then(Value::as_u64)
                            .unwrap_or(1) as u32,
                        memory: "1Gi",
                        image: String::new(),
                        host,
                        ip: None,
                        printable: "Running",
                    };
                    if db.get(&vmi_key).is_none() {
                        let _ = db.create(vmi_kind, harvester_objects::vmi(&args));
                    }
                    let _ = db.modify(&key, |v| {
                        if let Some(n) = v["metadata"]["annotations"].as_object_mut() {
                            n.remove(POWER_MARK);
                        }
                        v["status"]["printableStatus"] = json!("Running");
                        v["status"]["ready"] = json!(true);
                        v["status"]["created"] = json!(true);
                    });
                }
                Some("Migrating") => {
                    let target = vm
                        .at(&format!(
                            "/metadata/annotations/{}",
                            MIGRATE_MARK.replace('/', "~1")
                        ))
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_string();
                    let now = jiff::Timestamp::now().to_string();
                    let _ = db.modify(&vmi_key, |v| {
                        v["status"]["nodeName"] = json!(target);
                        v["status"]["migrationState"]["completed"] = json!(true);
                        v["status"]["migrationState"]["endTimestamp"] = json!(now);
                    });
                    let _ = db.modify(&key, |v| {
                        if let Some(n) = v["metadata"]["annotations"].as_object_mut() {
                            n.remove(POWER_MARK);
                            n.remove(MIGRATE_MARK);
                        }
                        v["status"]["printableStatus"] = json!("Running");
                    });
                }
                _ => {}
            }
        }
    }

    /// A new worker Machine: its VM starts (with the image of the cluster's Talos version).
    pub(super) fn vm_created(&self, c: &ClusterSpec, name: &str) {
        let Some(db) = &self.harvester else { return };
        let mut db = db.lock().unwrap_or_else(|p| p.into_inner());
        let host = first_host(&db);
        let args = harvester_objects::VmArgs {
            name: name.to_string(),
            namespace: c.namespace.clone(),
            uid: capi_objects::vm_uid(&c.namespace, name),
            cpu: 8,
            memory: "16Gi",
            image: format!(
                "image-talos-{}",
                c.talos_version.trim_start_matches('v').replace('.', "-")
            ),
            host,
            ip: None,
            printable: "Starting",
        };
        let _ = db.create(
            kind_id("VirtualMachine").unwrap_or_default(),
            harvester_objects::vm(&args),
        );
        let _ = db.create(
            kind_id("VirtualMachineInstance").unwrap_or_default(),
            harvester_objects::vmi(&args),
        );
    }

    /// A deleted worker Machine: its VM goes.
    pub(super) fn vm_deleted(&self, c: &ClusterSpec, name: &str) {
        self.node_left(c, name);
        let Some(db) = &self.harvester else { return };
        let mut db = db.lock().unwrap_or_else(|p| p.into_inner());
        for kind in ["VirtualMachineInstance", "VirtualMachine"] {
            let _ = db.delete(&(
                kind_id(kind).unwrap_or_default(),
                c.namespace.clone(),
                name.to_string(),
            ));
        }
    }

    /// A worker was replaced: its VM goes, the replacement's VM starts.
    pub(super) fn vm_replaced(&self, c: &ClusterSpec, old: &str, new: &str) {
        self.node_left(c, old);
        let Some(db) = &self.harvester else { return };
        let mut db = db.lock().unwrap_or_else(|p| p.into_inner());
        let vm_kind = kind_id("VirtualMachine").unwrap_or_default();
        let vmi_kind = kind_id("VirtualMachineInstance").unwrap_or_default();
        let template = db
            .get(&(vm_kind, c.namespace.clone(), old.to_string()))
            .cloned();
        let host = db
            .get(&(vmi_kind, c.namespace.clone(), old.to_string()))
            .and_then(|v| {
                v.at("/status/nodeName")
                    .and_then(Value::as_str)
                    .map(str::to_string)
            })
            .unwrap_or_default();
        let _ = db.delete(&(vmi_kind, c.namespace.clone(), old.to_string()));
        let _ = db.delete(&(vm_kind, c.namespace.clone(), old.to_string()));
        let Some(template) = template else { return };
        let image = template
            .at("/metadata/annotations/harvesterhci.io~1volumeClaimTemplates")
            .and_then(Value::as_str)
            .and_then(|t| serde_json::from_str::<Value>(t).ok())
            .and_then(|t| {
                t.at("/0/metadata/annotations/harvesterhci.io~1imageId")?
                    .as_str()?
                    .split('/')
                    .nth(1)
                    .map(str::to_string)
            })
            .unwrap_or_else(|| "image".to_string());
        let args = harvester_objects::VmArgs {
            name: new.to_string(),
            namespace: c.namespace.clone(),
            uid: capi_objects::vm_uid(&c.namespace, new),
            cpu: 8,
            memory: "16Gi",
            image,
            host,
            ip: None,
            printable: "Starting",
        };
        let _ = db.create(vm_kind, harvester_objects::vm(&args));
        let _ = db.create(vmi_kind, harvester_objects::vmi(&args));
    }
}

/// A Harvester host to place a new VM on: the first Node of the cluster.
fn first_host(db: &Db) -> String {
    db.list(kind_id("Node").unwrap_or_default(), None, None)
        .next()
        .and_then(|n| n["metadata"]["name"].as_str().map(str::to_string))
        .unwrap_or_default()
}
