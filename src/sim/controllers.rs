//! Controllers that move the simulated platform over time, as the real ones would:
//! Argo CD sync operations walk their hooks and waves, apps drift and self-heal, Machines go
//! Provisioning → Provisioned → Running, and a worker is now and then replaced.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, MutexGuard};

use serde_json::{Value, json};

use super::argo_objects::{ARGO_NAMESPACE, sync_result};
use super::capi_objects::{
    self, CLUSTER_NAME_LABEL, CONTROL_PLANE_LABEL, Counts, DEPLOYMENT_NAME_LABEL, MachineArgs,
    MachineOwner, MachineStage,
};
use super::db::fnv;
use super::db::{Db, ObjKey, meta_str, now_rfc3339};
use super::eso_objects;
use super::harvester_objects;
use super::kinds::{KindId, kind_id};
use super::scenario::ClusterSpec;
use super::scenario::{AppSpec, HookType, Scenario};
use crate::model::eso::go_duration_secs;

/// How many controller ticks a Machine spends in each provisioning stage.
const TICKS_PER_MACHINE_STAGE: u64 = 3;
/// Ticks between two drifts, and between two worker replacements.
const DRIFT_EVERY: u64 = 12;
const REPLACE_EVERY: u64 = 40;
/// Ticks an app stays drifted before self-heal starts a sync.
const SELF_HEAL_AFTER: u64 = 3;

/// One step of a sync operation: apply a (phase, wave) group, then wait for it to be healthy.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Step {
    Apply(usize),
    Settle(usize),
}

#[derive(Debug)]
struct Plan {
    /// Indices into `status.resources`, grouped by (hook phase, wave) in execution order.
    groups: Vec<Vec<usize>>,
    hooks: Vec<Option<HookType>>,
    next: usize,
}

impl Plan {
    fn steps(&self) -> usize {
        self.groups.len() * 2
    }
    fn step(&self, i: usize) -> Step {
        if i.is_multiple_of(2) {
            Step::Apply(i / 2)
        } else {
            Step::Settle(i / 2)
        }
    }
}

pub struct Controllers {
    db: Arc<Mutex<Db>>,
    scenario: Arc<Scenario>,
    ticks: u64,
    plans: HashMap<String, Plan>,
    /// Apps drifted by the simulator, with the tick they drifted at.
    drifted: BTreeMap<String, u64>,
    drift_cursor: usize,
    /// Machines in a provisioning stage: since which tick.
    stage_since: HashMap<String, u64>,
    replacements: u64,
    app_kind: KindId,
    machine_kind: KindId,
    /// Clusters running External Secrets, by name.
    eso: Vec<(String, Arc<Mutex<Db>>)>,
    harvester: Option<Arc<Mutex<Db>>>,
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
    pub fn new(db: Arc<Mutex<Db>>, scenario: Arc<Scenario>) -> Self {
        Controllers {
            db,
            scenario,
            ticks: 0,
            plans: HashMap::new(),
            drifted: BTreeMap::new(),
            drift_cursor: 0,
            stage_since: HashMap::new(),
            replacements: 0,
            app_kind: kind_id("Application").unwrap_or_default(),
            machine_kind: kind_id("Machine").unwrap_or_default(),
            eso: Vec::new(),
            harvester: None,
        }
    }

    /// The Harvester cluster's objects, so VMs follow their Machines.
    pub fn with_harvester(mut self, db: Option<Arc<Mutex<Db>>>) -> Self {
        self.harvester = db;
        self
    }

    /// A Machine's Node joined: its VM is Running with an IP.
    fn vm_running(&self, c: &ClusterSpec, machine: &str) {
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

    /// A worker was replaced: its VM goes, the replacement's VM starts.
    fn vm_replaced(&self, c: &ClusterSpec, old: &str, new: &str) {
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
                v.pointer("/status/nodeName")
                    .and_then(Value::as_str)
                    .map(str::to_string)
            })
            .unwrap_or_default();
        let _ = db.delete(&(vmi_kind, c.namespace.clone(), old.to_string()));
        let _ = db.delete(&(vm_kind, c.namespace.clone(), old.to_string()));
        let Some(template) = template else { return };
        let image = template
            .pointer("/metadata/annotations/harvesterhci.io~1volumeClaimTemplates")
            .and_then(Value::as_str)
            .and_then(|t| serde_json::from_str::<Value>(t).ok())
            .and_then(|t| {
                t.pointer("/0/metadata/annotations/harvesterhci.io~1imageId")?
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

    pub fn with_eso(mut self, clusters: Vec<(String, Arc<Mutex<Db>>)>) -> Self {
        self.eso = clusters;
        self
    }

    /// ESO's refresh: an ExternalSecret syncs when its interval has passed or its labels or
    /// annotations changed (the force-sync mechanism); stuck and failing ones do not.
    fn refresh_external_secrets(&mut self) {
        let kind = kind_id("ExternalSecret").unwrap_or_default();
        let now = jiff::Timestamp::now();
        for (cluster, db) in &self.eso {
            let mut db = db.lock().unwrap_or_else(|p| p.into_inner());
            let due: Vec<ObjKey> =
                db.list(kind, None, None)
                    .filter(|es| {
                        let name = meta_str(es, "name");
                        let ns = meta_str(es, "namespace");
                        let spec =
                            self.scenario.external_secrets.iter().find(|e| {
                                &e.cluster == cluster && e.name == name && e.namespace == ns
                            });
                        if spec.is_some_and(|e| e.stuck || e.error.is_some()) {
                            return false;
                        }
                        let changed = es
                            .pointer("/status/syncedResourceVersion")
                            .and_then(Value::as_str)
                            != Some(eso_objects::synced_version(es).as_str());
                        let interval = es
                            .pointer("/spec/refreshInterval")
                            .and_then(Value::as_str)
                            .and_then(go_duration_secs)
                            .unwrap_or(3600.0);
                        let last = es
                            .pointer("/status/refreshTime")
                            .and_then(Value::as_str)
                            .and_then(|t| t.parse::<jiff::Timestamp>().ok());
                        let elapsed =
                            last.map_or(f64::MAX, |t| (now.as_second() - t.as_second()) as f64);
                        changed || (interval > 0.0 && elapsed >= interval)
                    })
                    .map(|es| Db::key_of(kind, es))
                    .collect();
            for key in due {
                let _ = db.modify(&key, |es| {
                    es["status"]["refreshTime"] = json!(now_rfc3339());
                    es["status"]["syncedResourceVersion"] = json!(eso_objects::synced_version(es));
                });
            }
        }
    }

    fn db(&self) -> MutexGuard<'_, Db> {
        self.db.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Start the scenario's initially running syncs.
    pub fn start(&mut self) {
        let syncing: Vec<String> = self
            .scenario
            .apps
            .iter()
            .filter(|a| a.syncing)
            .map(|a| a.name.clone())
            .collect();
        for name in syncing {
            self.request_sync(&name, true);
        }
    }

    pub fn tick(&mut self) {
        self.ticks += 1;
        self.advance_machines();
        self.advance_operations();
        self.refresh_external_secrets();
        self.self_heal();
        if self.ticks.is_multiple_of(DRIFT_EVERY) {
            self.drift_next();
        }
        if self.ticks.is_multiple_of(REPLACE_EVERY) {
            self.replace_worker();
        }
    }

    fn app_spec(&self, name: &str) -> Option<&AppSpec> {
        self.scenario.apps.iter().find(|a| a.name == name)
    }

    /// Set `.operation` on an app (as auto-sync or a user would), unless one is running.
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

    fn drift_next(&mut self) {
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

    fn self_heal(&mut self) {
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

    fn advance_operations(&mut self) {
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

    fn begin_operation(&mut self, name: &str, app: &Value) {
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
        let mut order: Vec<(u8, i64, usize)> = resources
            .iter()
            .enumerate()
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
            a["status"]["health"]["status"] = json!("Progressing");
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

    fn step_operation(&mut self, name: &str) {
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

    fn cluster_spec(&self, name: &str) -> Option<&super::scenario::ClusterSpec> {
        self.scenario.clusters.iter().find(|c| c.name == name)
    }

    fn advance_machines(&mut self) {
        let pending: Vec<(ObjKey, String, String)> = {
            let db = self.db();
            db.list(self.machine_kind, None, None)
                .filter_map(|m| {
                    let phase = m.pointer("/status/phase").and_then(Value::as_str)?;
                    matches!(phase, "Provisioning" | "Provisioned").then(|| {
                        (
                            Db::key_of(self.machine_kind, m),
                            phase.to_string(),
                            m.pointer(&format!(
                                "/metadata/labels/{}",
                                CLUSTER_NAME_LABEL.replace('/', "~1")
                            ))
                            .and_then(Value::as_str)
                            .unwrap_or("")
                            .to_string(),
                        )
                    })
                })
                .collect()
        };
        let mut touched: Vec<String> = Vec::new();
        for (key, phase, cluster) in pending {
            let since = *self.stage_since.entry(key.2.clone()).or_insert(self.ticks);
            if self.ticks < since + TICKS_PER_MACHINE_STAGE {
                continue;
            }
            let Some(c) = self.cluster_spec(&cluster).cloned() else {
                continue;
            };
            let host = 100 + (super::db::fnv(key.2.as_bytes()) % 100) as u32;
            let _ = self.db().modify(&key, |m| match phase.as_str() {
                "Provisioning" => capi_objects::mark_provisioned(m, &c, host),
                _ => capi_objects::mark_running(m, &c),
            });
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

    /// Delete one Running worker and create its replacement, as a remediation would.
    fn replace_worker(&mut self) {
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
                    m.pointer(&format!(
                        "/metadata/labels/{}",
                        DEPLOYMENT_NAME_LABEL.replace('/', "~1")
                    ))
                    .and_then(Value::as_str)
                        == Some(md.as_str())
                        && m.pointer("/status/phase").and_then(Value::as_str) == Some("Running")
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
            cluster: &c,
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
    fn refresh_cluster_status(&mut self, cluster: &str) {
        let Some(c) = self.cluster_spec(cluster).cloned() else {
            return;
        };
        let machines: Vec<Value> = self
            .db()
            .list(self.machine_kind, Some(&c.namespace), None)
            .filter(|m| {
                m.pointer(&format!(
                    "/metadata/labels/{}",
                    CLUSTER_NAME_LABEL.replace('/', "~1")
                ))
                .and_then(Value::as_str)
                    == Some(cluster)
            })
            .cloned()
            .collect();
        let running =
            |m: &&&Value| m.pointer("/status/phase").and_then(Value::as_str) == Some("Running");
        let label = |m: &Value, l: &str| {
            m.pointer(&format!("/metadata/labels/{}", l.replace('/', "~1")))
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
                .and_then(|o| o.pointer("/spec/replicas").and_then(Value::as_u64))
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
        let tcp_status = capi_objects::talos_control_plane(&c, cp)["status"].clone();
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
        res["health"] = json!({"status": health});
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
    let worst = resources
        .iter()
        .filter(|r| r.get("hook").is_none() || failed)
        .map(|r| {
            r["health"]["status"]
                .as_str()
                .unwrap_or("Healthy")
                .to_string()
        })
        .max_by_key(|h| match h.as_str() {
            "Degraded" => 3,
            "Progressing" => 2,
            "Missing" => 1,
            _ => 0,
        })
        .unwrap_or_else(|| "Healthy".into());
    let status = &mut app["status"];
    status["sync"]["status"] = json!(if all_synced { "Synced" } else { "OutOfSync" });
    status["health"]["status"] = json!(worst);
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
