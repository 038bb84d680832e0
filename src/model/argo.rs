//! Argo CD Applications: a compact row for the table, and the detail the sync-wave view needs
//! (fetched for one app at a time), with the rules that group resources into hook phases and
//! waves and tell which wave an operation is running or blocked in.

use jiff::Timestamp;
use serde::Deserialize;
use smol_str::SmolStr;

use super::store::{Keyed, ObjRef};
use super::text::{sanitize, sanitize_cow};
use super::wire::{Slim, inline_text, text, timestamp};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;

// ---- wire -------------------------------------------------------------------------------

/// One resource of an application, as a selective sync names it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct ResourceRef {
    pub group: String,
    pub kind: String,
    pub namespace: String,
    pub name: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct DestinationW {
    pub server: Option<SmolStr>,
    pub name: Option<SmolStr>,
    pub namespace: Option<SmolStr>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct AppSpecW {
    pub project: Option<SmolStr>,
    pub destination: DestinationW,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SyncW {
    pub status: Option<SmolStr>,
    pub revision: Option<SmolStr>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct HealthW {
    pub status: Option<SmolStr>,
    pub message: Option<SmolStr>,
    /// When the app's health last changed (Argo CD 3 writes it; older versions do not).
    #[serde(deserialize_with = "crate::model::wire::stamp")]
    pub last_transition_time: Option<Time>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ResourceW {
    pub group: Option<SmolStr>,
    pub kind: Option<SmolStr>,
    pub namespace: Option<SmolStr>,
    pub name: Option<SmolStr>,
    pub status: Option<SmolStr>,
    pub health: Option<HealthW>,
    pub hook: Option<bool>,
    pub sync_wave: Option<i64>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ResultW {
    pub group: Option<SmolStr>,
    pub kind: Option<SmolStr>,
    pub namespace: Option<SmolStr>,
    pub name: Option<SmolStr>,
    pub status: Option<SmolStr>,
    pub message: Option<SmolStr>,
    pub hook_type: Option<SmolStr>,
    pub hook_phase: Option<SmolStr>,
    pub sync_phase: Option<SmolStr>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SyncResultW {
    pub resources: Vec<ResultW>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct OperationStateW {
    pub phase: Option<SmolStr>,
    pub message: Option<SmolStr>,
    #[serde(deserialize_with = "crate::model::wire::stamp")]
    pub started_at: Option<Time>,
    #[serde(deserialize_with = "crate::model::wire::stamp")]
    pub finished_at: Option<Time>,
    pub sync_result: Option<SyncResultW>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct AppStatusSummaryW {
    pub sync: SyncW,
    pub health: HealthW,
    pub operation_state: Option<OperationSummaryW>,
    #[serde(deserialize_with = "crate::model::wire::stamp")]
    pub reconciled_at: Option<Time>,
    pub resources: super::argo_resources::ResourcesSummary,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct OperationSummaryW {
    pub phase: Option<SmolStr>,
    #[serde(deserialize_with = "crate::model::wire::stamp")]
    pub started_at: Option<Time>,
    #[serde(deserialize_with = "crate::model::wire::stamp")]
    pub finished_at: Option<Time>,
    pub sync_result: Option<SyncedRevisionW>,
}

/// Of a sync's result, only the revision it synced.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SyncedRevisionW {
    pub revision: Option<SmolStr>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct AppStatusDetailW {
    pub sync: SyncW,
    pub health: HealthW,
    pub operation_state: Option<OperationStateW>,
    pub resources: Vec<ResourceW>,
    pub resource_health_source: Option<SmolStr>,
}

pub type AppSummaryW = Slim<AppSpecW, AppStatusSummaryW>;
pub type AppDetailW = Slim<AppSpecW, AppStatusDetailW>;

// ---- rows -------------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq, Default)]
pub struct AppRow {
    pub key: ObjRef,
    pub project: SmolStr,
    pub sync: SmolStr,
    pub health: SmolStr,
    /// The first 7 characters of the revision the source resolves to now (what the last
    /// comparison was made against).
    pub revision: SmolStr,
    /// The first 7 characters of the revision the last sync applied.
    pub synced_revision: SmolStr,
    /// The source resolves to a newer revision than the last sync applied (no sync running).
    pub behind: bool,
    /// When the health last changed, where Argo CD says.
    pub health_since: Option<Timestamp>,
    /// When the last sync finished (or started, while one runs).
    pub last_sync: Option<Timestamp>,
    pub operation: Option<SmolStr>,
    pub destination: SmolStr,
    pub resources: usize,
    pub out_of_sync: usize,
    /// The OutOfSync resources, `Deployment media/radarr` (the drift view lists them).
    pub drifted: Vec<String>,
}

impl Keyed for AppRow {
    fn key(&self) -> &ObjRef {
        &self.key
    }
    fn key_mut(&mut self) -> &mut ObjRef {
        &mut self.key
    }
}

fn destination(d: &DestinationW) -> SmolStr {
    let cluster = match (&d.name, &d.server) {
        (Some(n), _) if !n.is_empty() => sanitize_cow(n),
        (_, Some(s)) if s == "https://kubernetes.default.svc" => "in-cluster".into(),
        (_, Some(s)) => sanitize_cow(s),
        _ => "?".into(),
    };
    smol_str::format_smolstr!("{cluster}/{}", inline_text(&d.namespace))
}

fn short_revision(r: &Option<SmolStr>) -> SmolStr {
    let text = inline_text(r);
    text.char_indices()
        .nth(7)
        .map_or(text.clone(), |(end, _)| text[..end].into())
}

pub fn app_row(o: &AppSummaryW) -> AppRow {
    let s = &o.status;
    let op = s.operation_state.as_ref();
    let synced = op
        .and_then(|op| op.sync_result.as_ref())
        .and_then(|r| r.revision.clone());
    let running =
        op.is_some_and(|op| matches!(op.phase.as_deref(), Some("Running" | "Terminating")));
    AppRow {
        key: o.obj_ref(),
        project: inline_text(&o.spec.project),
        sync: or_unknown(inline_text(&s.sync.status)),
        health: or_unknown(inline_text(&s.health.status)),
        revision: short_revision(&s.sync.revision),
        synced_revision: short_revision(&synced),
        behind: match (&s.sync.revision, &synced) {
            (Some(now), Some(synced)) => !now.is_empty() && now != synced && !running,
            _ => false,
        },
        health_since: timestamp(&s.health.last_transition_time),
        last_sync: op.and_then(|op| timestamp(&op.finished_at).or(timestamp(&op.started_at))),
        operation: op
            .map(|op| inline_text(&op.phase))
            .filter(|p| p == "Running" || p == "Terminating"),
        destination: destination(&o.spec.destination),
        resources: s.resources.total,
        out_of_sync: s.resources.drifted.len(),
        drifted: s.resources.drifted.clone(),
    }
}

fn or_unknown<S: AsRef<str> + From<&'static str>>(s: S) -> S {
    if s.as_ref().is_empty() {
        "Unknown".into()
    } else {
        s
    }
}

// ---- detail: the sync-wave view ----------------------------------------------------------

/// Where a resource runs in a sync: hooks in their phase, everything else in Sync.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum SyncPhase {
    PreSync,
    Sync,
    PostSync,
    SyncFail,
    /// A hook no result of the current operation names yet (opened mid-operation).
    UnknownHook,
}

impl SyncPhase {
    fn parse(s: &str) -> Option<Self> {
        match s {
            "PreSync" => Some(SyncPhase::PreSync),
            "Sync" => Some(SyncPhase::Sync),
            "PostSync" => Some(SyncPhase::PostSync),
            "SyncFail" => Some(SyncPhase::SyncFail),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            SyncPhase::PreSync => "PreSync",
            SyncPhase::Sync => "Sync",
            SyncPhase::PostSync => "PostSync",
            SyncPhase::SyncFail => "SyncFail",
            SyncPhase::UnknownHook => "hook",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct WaveResource {
    pub group: String,
    pub kind: String,
    pub namespace: String,
    pub name: String,
    pub sync: String,
    /// None when the CR does not carry per-resource health (Argo CD 3.x default).
    pub health: Option<String>,
    pub hook: Option<SyncPhase>,
    /// The wave it runs in.
    pub wave: i64,
    /// The hook's phase in the current/last operation (Running, Succeeded, Failed…).
    pub hook_phase: Option<String>,
    /// The current/last operation's result for this resource (Synced, SyncFailed, Pruned…).
    pub result: Option<String>,
    pub result_message: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Wave {
    pub phase: SyncPhase,
    pub wave: i64,
    pub resources: Vec<WaveResource>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum WaveState {
    Done,
    Running,
    Blocked,
    Pending,
    /// No operation has touched it.
    Idle,
}

#[derive(Debug, Clone, PartialEq)]
pub struct AppDetail {
    pub key: ObjRef,
    pub sync: String,
    pub health: String,
    pub revision: String,
    pub operation_phase: String,
    pub operation_message: String,
    pub operation_started: Option<Timestamp>,
    pub operation_finished: Option<Timestamp>,
    pub health_in_cr: bool,
    pub waves: Vec<Wave>,
}

impl Keyed for AppDetail {
    fn key(&self) -> &ObjRef {
        &self.key
    }
    fn key_mut(&mut self) -> &mut ObjRef {
        &mut self.key
    }
}

fn same_object(r: &ResourceW, x: &ResultW) -> bool {
    r.kind == x.kind
        && r.name == x.name
        && r.namespace.as_deref().unwrap_or("") == x.namespace.as_deref().unwrap_or("")
}

pub fn app_detail(o: &AppDetailW) -> AppDetail {
    let s = &o.status;
    let op = s.operation_state.clone().unwrap_or_default();
    let results = op.sync_result.clone().unwrap_or_default().resources;
    let mut resources = Vec::with_capacity(s.resources.len());
    for r in &s.resources {
        let result = results.iter().find(|x| same_object(r, x));
        let is_hook = r.hook.unwrap_or(false);
        let hook = if is_hook {
            result.and_then(|x| x.hook_type.as_deref().and_then(SyncPhase::parse))
        } else {
            None
        };
        resources.push(WaveResource {
            group: text(&r.group),
            kind: text(&r.kind),
            namespace: text(&r.namespace),
            name: text(&r.name),
            sync: or_unknown(text(&r.status)),
            health: r
                .health
                .as_ref()
                .and_then(|h| h.status.as_deref())
                .map(sanitize),
            hook: hook.or(is_hook.then_some(SyncPhase::UnknownHook)),
            wave: r.sync_wave.unwrap_or(0),
            hook_phase: result.and_then(|x| x.hook_phase.as_deref()).map(sanitize),
            result: result.and_then(|x| x.status.as_deref()).map(sanitize),
            result_message: result.map(|x| text(&x.message)).unwrap_or_default(),
        });
    }
    AppDetail {
        key: o.obj_ref(),
        sync: or_unknown(text(&s.sync.status)),
        health: or_unknown(text(&s.health.status)),
        revision: short_revision(&s.sync.revision).into(),
        operation_phase: text(&op.phase),
        operation_message: text(&op.message),
        operation_started: timestamp(&op.started_at),
        operation_finished: timestamp(&op.finished_at),
        health_in_cr: s.resource_health_source.as_deref() != Some("appTree"),
        waves: group_waves(resources),
    }
}

/// Group resources by (phase, wave) in execution order.
fn group_waves(resources: Vec<WaveResource>) -> Vec<Wave> {
    let mut waves: Vec<Wave> = Vec::new();
    for r in resources {
        let phase = r.hook.unwrap_or(SyncPhase::Sync);
        match waves
            .iter_mut()
            .find(|w| w.phase == phase && w.wave == r.wave)
        {
            Some(w) => w.resources.push(r),
            None => waves.push(Wave {
                phase,
                wave: r.wave,
                resources: vec![r],
            }),
        }
    }
    waves.sort_by_key(|w| (w.phase, w.wave));
    waves
}

impl WaveResource {
    /// How a selective sync names this resource.
    pub fn reference(&self) -> ResourceRef {
        ResourceRef {
            group: self.group.clone(),
            kind: self.kind.clone(),
            namespace: self.namespace.clone(),
            name: self.name.clone(),
        }
    }

    /// A hook the current operation has not run yet, so no result says its type.
    pub fn hook_type_unknown(&self) -> bool {
        self.hook == Some(SyncPhase::UnknownHook)
    }

    fn finished(&self) -> bool {
        match (&self.hook, self.hook_phase.as_deref()) {
            (Some(_), Some(p)) => p == "Succeeded",
            (Some(_), None) => false,
            (None, _) => {
                self.result.as_deref() == Some("Synced")
                    && self
                        .health
                        .as_deref()
                        .is_none_or(|h| h != "Progressing" && h != "Missing")
            }
        }
    }

    fn failed(&self) -> bool {
        self.result.as_deref() == Some("SyncFailed")
            || matches!(self.hook_phase.as_deref(), Some("Failed" | "Error"))
    }
}

impl AppDetail {
    /// A new operation resets its results, so hooks it has not run yet carry no type. Keep the
    /// type an earlier snapshot of the same app knew, so a PostSync hook stays in PostSync.
    pub fn inherit_hook_types(&mut self, previous: &AppDetail) {
        if !self
            .waves
            .iter()
            .flat_map(|w| &w.resources)
            .any(WaveResource::hook_type_unknown)
        {
            return;
        }
        let known = |r: &WaveResource| {
            previous
                .waves
                .iter()
                .flat_map(|w| &w.resources)
                .find(|p| {
                    !p.hook_type_unknown()
                        && p.hook.is_some()
                        && p.kind == r.kind
                        && p.name == r.name
                        && p.namespace == r.namespace
                })
                .and_then(|p| p.hook)
        };
        let mut resources: Vec<WaveResource> = std::mem::take(&mut self.waves)
            .into_iter()
            .flat_map(|w| w.resources)
            .collect();
        for r in resources.iter_mut().filter(|r| r.hook_type_unknown()) {
            if let Some(phase) = known(r) {
                r.hook = Some(phase);
            }
        }
        self.waves = group_waves(resources);
    }

    /// The state of each wave in the current or last operation, in wave order.
    pub fn wave_states(&self) -> Vec<WaveState> {
        let running = self.operation_phase == "Running" || self.operation_phase == "Terminating";
        let failed = matches!(self.operation_phase.as_str(), "Failed" | "Error");
        let mut states = Vec::with_capacity(self.waves.len());
        let mut current_found = false;
        for w in &self.waves {
            let touched = w
                .resources
                .iter()
                .any(|r| r.result.is_some() || r.hook_phase.is_some());
            let state = if w.resources.iter().any(WaveResource::failed) {
                current_found = true;
                WaveState::Blocked
            } else if current_found {
                if running {
                    WaveState::Pending
                } else {
                    WaveState::Idle
                }
            } else if w.resources.iter().all(WaveResource::finished) {
                WaveState::Done
            } else if running {
                current_found = true;
                WaveState::Running
            } else if failed {
                current_found = true;
                WaveState::Blocked
            } else if touched {
                WaveState::Done
            } else {
                WaveState::Idle
            };
            states.push(state);
        }
        states
    }

    /// A one-line answer to "where is the sync?".
    pub fn position(&self) -> String {
        let states = self.wave_states();
        let find = |want: WaveState| {
            self.waves
                .iter()
                .zip(&states)
                .find(|(_, s)| **s == want)
                .map(|(w, _)| w)
        };
        let label = |w: &Wave| match w.phase {
            SyncPhase::Sync => format!("wave {}", w.wave),
            SyncPhase::UnknownHook => "hooks".to_string(),
            p => format!("{} hooks (wave {})", p.as_str(), w.wave),
        };
        if let Some(w) = find(WaveState::Blocked) {
            format!("blocked in {}", label(w))
        } else if let Some(w) = find(WaveState::Running) {
            format!("running {}", label(w))
        } else if self.operation_phase.is_empty() {
            "no operation recorded".into()
        } else {
            format!("last operation {}", self.operation_phase)
        }
    }
}

#[cfg(test)]
#[path = "argo_tests.rs"]
mod tests;
