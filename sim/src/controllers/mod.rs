//! Controllers that move the simulated platform over time, as the real ones would: Argo CD
//! sync operations walk their hooks and waves and apps drift and self-heal (`argo`), Machines
//! go Provisioning → Provisioned → Running and workers get replaced (`capi`), VMs follow their
//! Machines (`harvester`), ExternalSecrets refresh (`eso`).

mod argo;
mod capi;
mod cascade;
mod deployments;
mod disruption;
mod eso;
mod harvester;
mod nodes;
mod power;
mod rollout;
mod seed;
mod tinkerbell;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use tokio::task::JoinHandle;

use self::argo::Plan;
use super::db::{Db, ObjKey};
use super::kinds::{KindId, kind_id};
use super::scenario::{AppSpec, ClusterSpec, Scenario};

const TICKS_PER_MACHINE_STAGE: u64 = 3;
/// Ticks between two drifts, and between two worker replacements.
const DRIFT_EVERY: u64 = 12;
const REPLACE_EVERY: u64 = 40;
/// Ticks between two metrics-server scrapes (it scrapes every 15 s; a demo tick is 1 s).
const METRICS_EVERY: u64 = 5;
/// Ticks an app stays drifted before self-heal starts a sync.
const SELF_HEAL_AFTER: u64 = 3;

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
    /// The workload clusters (External Secrets, Deployments), by name.
    workload_clusters: Vec<(String, Arc<Mutex<Db>>)>,
    harvester: Option<Arc<Mutex<Db>>>,
    /// The simulated apids, switched off with their host's power.
    talos: Option<Arc<crate::talos::Registry>>,
    /// Hosts whose BMC reports power off, as last seen (hostname).
    powered_off: BTreeSet<String>,
    /// Pods seen with a deletionTimestamp (cluster, namespace, name): gone at the next tick.
    terminating: BTreeSet<(String, String, String)>,
    /// Per cluster, what its CAPI objects looked like (`capi_stamp`) when the MachineSet and
    /// the rollout controller last looked: a cluster where nothing changed is skipped, as its
    /// answer would be the same (200 clusters of 100 Machines took 0.1 s a tick).
    scaled_at: HashMap<String, u64>,
    rolled_at: HashMap<String, u64>,
    /// The Machines on their way to Running (key, phase, cluster), as found when the Machines
    /// last changed: 20,000 Machines read every tick held the lock ~30 ms.
    pending_machines: Vec<(ObjKey, String, String)>,
    machines_seen_at: Option<u64>,
    /// When the Applications were last read for refresh requests.
    refreshes_seen_at: Option<u64>,
}

fn lock(controllers: &Mutex<Controllers>) -> MutexGuard<'_, Controllers> {
    controllers.lock().unwrap_or_else(|p| p.into_inner())
}

/// Start the scenario's syncs, then a controller pass every `period`, until the task is
/// stopped.
pub fn run_every(controllers: Arc<Mutex<Controllers>>, period: Duration) -> JoinHandle<()> {
    lock(&controllers).start();
    tokio::spawn(async move {
        let mut interval = tokio::time::interval(period);
        interval.tick().await;
        loop {
            interval.tick().await;
            // A pass takes the databases' locks many times, a tenth of a second in all at
            // 100,000 objects: on a blocking thread, so the runtime's workers keep answering
            // requests meanwhile.
            let controllers = controllers.clone();
            let pass = tokio::task::spawn_blocking(move || lock(&controllers).tick());
            if pass.await.is_err() {
                return;
            }
        }
    })
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
            workload_clusters: Vec::new(),
            harvester: None,
            talos: None,
            powered_off: BTreeSet::new(),
            terminating: BTreeSet::new(),
            scaled_at: HashMap::new(),
            rolled_at: HashMap::new(),
            pending_machines: Vec::new(),
            machines_seen_at: None,
            refreshes_seen_at: None,
        }
    }

    /// The Harvester cluster's objects, so VMs follow their Machines.
    fn db(&self) -> MutexGuard<'_, Db> {
        // A pass locks the database many times in a row, and the lock is not fair: give a
        // request waiting for it the chance to go first.
        std::thread::yield_now();
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
        self.scale_machine_sets();
        self.roll_versions();
        self.advance_vms();
        // Before the jobs: a host goes down the tick after its BMC reports the power off, as
        // its kubelet's silence is noticed a little after the power goes.
        self.follow_power();
        self.run_bmc_jobs();
        self.advance_machines();
        // Every Machine's node can be reached through an endpoint, and only while it exists.
        if let Some(talos) = &self.talos {
            talos.follow_machines(&self.scenario);
        }
        self.handle_refreshes();
        self.advance_operations();
        self.refresh_external_secrets();
        self.run_deployments();
        self.run_disruption();
        self.run_seed_systems();
        if self.ticks.is_multiple_of(METRICS_EVERY) {
            // The management cluster runs no metrics-server (its API hides the group): its
            // pods get no metrics. Scraping them anyway held the lock for half a second every
            // five ticks with 6,000 pods, and for longer than a tick with 60,000.
            for (_, db) in self
                .workload_clusters
                .iter()
                .filter(|(name, _)| name != crate::MANAGEMENT)
            {
                let mut db = db.lock().unwrap_or_else(|p| p.into_inner());
                crate::metrics_objects::refresh(&mut db, self.ticks / METRICS_EVERY);
            }
        }
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
    fn cluster_spec(&self, name: &str) -> Option<&ClusterSpec> {
        self.scenario.clusters.iter().find(|c| c.name == name)
    }
}
