//! Scenarios: the shape of a simulated platform, as data. `scenarios/default.yaml` is the
//! homelab the demo shows; `large()` generates the benchmark platform.

use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Scenario {
    pub name: String,
    /// Nodes of the management cluster itself.
    #[serde(default)]
    pub management_nodes: Vec<String>,
    /// Bare-metal hosts of the Harvester cluster (its Kubernetes nodes).
    #[serde(default)]
    pub harvester_hosts: Vec<String>,
    /// Workload clusters that get an API server of their own.
    #[serde(default)]
    pub workload_api_servers: Vec<String>,
    pub clusters: Vec<ClusterSpec>,
    #[serde(default)]
    pub projects: Vec<String>,
    pub apps: Vec<AppSpec>,
    /// Bare-metal machines known to Tinkerbell (in the management cluster).
    #[serde(default)]
    pub bare_metal: Vec<BareMetalSpec>,
    #[serde(default)]
    pub secret_stores: Vec<StoreSpec>,
    #[serde(default)]
    pub external_secrets: Vec<ExternalSecretSpec>,
    /// Extra pods of realistic size in the management cluster (for benchmarks).
    #[serde(default)]
    pub bulk_pods: usize,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BareMetalSpec {
    pub name: String,
    pub mac: String,
    pub ip: String,
    pub bmc: String,
    /// The install Workflow's state: `SUCCESS`, `RUNNING`, `FAILED` …
    pub workflow: String,
    #[serde(default = "yes")]
    pub bmc_reachable: bool,
}

/// A SecretStore or ClusterSecretStore in one cluster (`management` or a workload cluster).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct StoreSpec {
    pub cluster: String,
    /// Empty for a ClusterSecretStore.
    #[serde(default)]
    pub namespace: String,
    pub name: String,
    /// `onepassword`, `vault`, `kubernetes` …
    pub provider: String,
    #[serde(default = "yes")]
    pub valid: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ExternalSecretSpec {
    pub cluster: String,
    pub namespace: String,
    pub name: String,
    /// `ClusterSecretStore/<name>` or `SecretStore/<name>`.
    pub store: String,
    /// A Go duration, e.g. `1h0m0s`, `15m`, `0`.
    pub refresh_interval: String,
    /// Seconds since the last successful sync when the scenario starts.
    #[serde(default)]
    pub last_sync_ago: u64,
    /// The provider refuses this one: Ready False with this message.
    #[serde(default)]
    pub error: Option<String>,
    /// Its refreshes stopped (the controller skips it), so it goes overdue.
    #[serde(default)]
    pub stuck: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ClusterSpec {
    pub name: String,
    /// Namespace in the management cluster holding this cluster's CAPI objects.
    pub namespace: String,
    /// Kubernetes version, e.g. `v1.33.4`.
    pub version: String,
    pub talos_version: String,
    pub control_plane_replicas: u32,
    pub workers: Vec<WorkerPool>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct WorkerPool {
    /// MachineDeployment name suffix: `<cluster>-<name>`.
    pub name: String,
    pub replicas: u32,
    /// How many of the replicas are still provisioning when the scenario starts.
    #[serde(default)]
    pub provisioning: u32,
}

#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq, Default)]
pub enum HookType {
    PreSync,
    #[default]
    Sync,
    PostSync,
    SyncFail,
}

impl HookType {
    pub fn as_str(self) -> &'static str {
        match self {
            HookType::PreSync => "PreSync",
            HookType::Sync => "Sync",
            HookType::PostSync => "PostSync",
            HookType::SyncFail => "SyncFail",
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AppSpec {
    pub name: String,
    pub project: String,
    /// Destination cluster name (`in-cluster` for the management cluster).
    pub cluster: String,
    pub namespace: String,
    pub path: String,
    #[serde(default = "default_sync")]
    pub sync: String,
    #[serde(default = "default_health")]
    pub health: String,
    #[serde(default = "yes")]
    pub self_heal: bool,
    /// The app's PostSync hook fails whenever it runs.
    #[serde(default)]
    pub failing_hook: bool,
    /// The simulator drifts this app OutOfSync from time to time (and self-heal brings it back).
    #[serde(default)]
    pub drifts: bool,
    /// Git has a commit the app has not synced yet: its source resolves to a newer revision
    /// than the one last synced (no auto-sync picks it up).
    #[serde(default)]
    pub behind: bool,
    /// A sync operation is running when the scenario starts.
    #[serde(default)]
    pub syncing: bool,
    /// Its pods have a PodDisruptionBudget asking for this many available.
    #[serde(default)]
    pub min_available: Option<u32>,
    pub resources: Vec<ResourceSpec>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ResourceSpec {
    pub kind: String,
    pub name: String,
    #[serde(default)]
    pub wave: i64,
    /// Hook type for hook resources; absent for ordinary managed resources.
    #[serde(default)]
    pub hook: Option<HookType>,
    #[serde(default)]
    pub sync: Option<String>,
    #[serde(default)]
    pub health: Option<String>,
    /// Namespace; defaults to the app's destination namespace (cluster-scoped kinds have none).
    #[serde(default)]
    pub namespace: Option<String>,
}

fn default_sync() -> String {
    "Synced".into()
}
fn default_health() -> String {
    "Healthy".into()
}
fn yes() -> bool {
    true
}

pub const DEFAULT_YAML: &str = include_str!("../scenarios/default.yaml");

#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    #[error("scenario {name}: {source}")]
    Parse {
        name: String,
        // Boxed: the parser's error carries its location and snippet, and is large.
        source: Box<serde_saphyr::Error>,
    },
    #[error("reading scenario {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
}

impl Scenario {
    pub fn parse(name: &str, text: &str) -> Result<Self, ScenarioError> {
        serde_saphyr::from_str(text).map_err(|source| ScenarioError::Parse {
            name: name.to_string(),
            source: Box::new(source),
        })
    }

    pub fn default_homelab() -> Self {
        // The embedded file is checked by a unit test; a parse error here is a build defect.
        Self::parse("default", DEFAULT_YAML).unwrap_or_else(|e| panic!("{e}"))
    }

    /// The CAPI Machines the scenario's clusters have (control planes and worker pools).
    pub fn machine_count(&self) -> usize {
        self.clusters
            .iter()
            .map(|c| {
                c.control_plane_replicas as usize
                    + c.workers.iter().map(|w| w.replicas as usize).sum::<usize>()
            })
            .sum()
    }

    /// `default`, `large`, `pods`, `scale-<n>[k]`, or a path to a scenario file.
    pub fn load(name_or_path: &str) -> Result<Self, ScenarioError> {
        match name_or_path {
            "default" => Self::parse("default", DEFAULT_YAML),
            "large" => Ok(large()),
            "pods" => Ok(pods()),
            name if name.starts_with("scale-") => scale(name).ok_or_else(|| ScenarioError::Read {
                path: name.to_string(),
                source: std::io::Error::new(
                    std::io::ErrorKind::InvalidInput,
                    "a scale scenario is scale-<n> or scale-<n>k, e.g. scale-10k",
                ),
            }),
            path => {
                let text = std::fs::read_to_string(path).map_err(|source| ScenarioError::Read {
                    path: path.to_string(),
                    source,
                })?;
                Self::parse(path, &text)
            }
        }
    }
}

/// The homelab with 4,000 more pods of realistic size in the management cluster: the kind
/// browser's benchmark.
pub fn pods() -> Scenario {
    Scenario {
        name: "pods".into(),
        bulk_pods: 4000,
        ..Scenario::default_homelab()
    }
}

/// The benchmark platform: 20 clusters with 100 Machines each (2,000), and 5,000 Applications
/// with 40 resources each spread over waves -2..5 with PreSync/PostSync hooks.
pub fn large() -> Scenario {
    Scenario {
        name: "large".into(),
        ..fleet(20, 5000, 40)
    }
}

/// `scale-1k`, `scale-10k`, `scale-100k` (or `scale-<n>`): `n` objects of the kinds a fleet
/// has most of — 60 % pods of realistic size (~10 KB, managed fields included), 20 % CAPI
/// Machines (clusters of 100), 20 % Applications with 8 resources each.
pub fn scale(name: &str) -> Option<Scenario> {
    let size = name.strip_prefix("scale-")?;
    let n: usize = match size.strip_suffix('k') {
        Some(thousands) => thousands.parse::<usize>().ok()? * 1000,
        None => size.parse().ok()?,
    };
    let clusters = (n / 5).div_ceil(100).max(1);
    Some(Scenario {
        name: name.into(),
        bulk_pods: n * 3 / 5,
        ..fleet(clusters, n / 5, 8)
    })
}

/// `clusters` clusters of 100 Machines (3 control-plane nodes, two worker pools) and `apps`
/// Applications of `resources` resources each, waves from -2 up, the first one a PreSync hook
/// and the last a PostSync hook; some out of sync, some degraded.
fn fleet(clusters: usize, apps: usize, resources: usize) -> Scenario {
    let cluster_names: Vec<String> = (0..clusters).map(|i| format!("c{i:02}")).collect();
    let clusters = cluster_names
        .iter()
        .map(|name| ClusterSpec {
            name: name.clone(),
            namespace: name.clone(),
            version: "v1.33.4".into(),
            talos_version: "v1.10.6".into(),
            control_plane_replicas: 3,
            workers: vec![
                WorkerPool {
                    name: "workers-a".into(),
                    replicas: 49,
                    provisioning: 0,
                },
                WorkerPool {
                    name: "workers-b".into(),
                    replicas: 48,
                    provisioning: 0,
                },
            ],
        })
        .collect();
    let kinds = [
        "ConfigMap",
        "Service",
        "Deployment",
        "ServiceAccount",
        "Secret",
    ];
    let last = resources.saturating_sub(1);
    let apps = (0..apps)
        .map(|i| {
            let resources = (0..resources)
                .map(|r| ResourceSpec {
                    kind: if r == 0 || r == last {
                        "Job"
                    } else {
                        kinds[r % kinds.len()]
                    }
                    .into(),
                    name: format!("res-{r:02}"),
                    wave: (r as i64 % 8) - 2,
                    hook: match r {
                        0 => Some(HookType::PreSync),
                        r if r == last => Some(HookType::PostSync),
                        _ => None,
                    },
                    sync: None,
                    health: None,
                    namespace: None,
                })
                .collect();
            AppSpec {
                name: format!("app-{i:04}"),
                project: format!("team-{:02}", i % 25),
                cluster: cluster_names[i % cluster_names.len()].clone(),
                namespace: format!("ns-{:03}", i % 300),
                path: format!("apps/app-{i:04}"),
                sync: if i % 17 == 0 { "OutOfSync" } else { "Synced" }.into(),
                health: if i % 23 == 0 { "Degraded" } else { "Healthy" }.into(),
                self_heal: true,
                failing_hook: false,
                drifts: false,
                behind: false,
                syncing: false,
                min_available: None,
                resources,
            }
        })
        .collect();
    Scenario {
        name: "fleet".into(),
        management_nodes: vec!["mgmt-1".into(), "mgmt-2".into(), "mgmt-3".into()],
        harvester_hosts: Vec::new(),
        workload_api_servers: Vec::new(),
        clusters,
        projects: (0..25).map(|i| format!("team-{i:02}")).collect(),
        apps,
        bare_metal: Vec::new(),
        secret_stores: Vec::new(),
        external_secrets: Vec::new(),
        bulk_pods: 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scale_scenarios_have_the_mix_they_promise() {
        let s = Scenario::load("scale-10k").expect("scale-10k");
        assert_eq!(
            (s.bulk_pods, s.machine_count(), s.apps.len()),
            (6000, 2000, 2000)
        );
        assert_eq!(s.apps[0].resources.len(), 8);
        assert_eq!(
            Scenario::load("scale-1000").map(|s| s.bulk_pods).ok(),
            Some(600)
        );
        assert!(Scenario::load("scale-lots").is_err());
    }

    #[test]
    fn default_scenario_has_the_documented_shape() {
        let s = Scenario::parse("default", DEFAULT_YAML).expect("default scenario parses");
        let media = s
            .clusters
            .iter()
            .find(|c| c.name == "media")
            .expect("media");
        assert_eq!(media.control_plane_replicas, 3);
        assert_eq!(media.workers.iter().map(|w| w.replicas).sum::<u32>(), 3);
        let lab = s.clusters.iter().find(|c| c.name == "lab").expect("lab");
        assert_eq!(lab.control_plane_replicas, 1);
        assert_eq!(lab.workers.iter().map(|w| w.replicas).sum::<u32>(), 2);
        assert!((20..=30).contains(&s.apps.len()), "{} apps", s.apps.len());
        let waves: Vec<i64> = s
            .apps
            .iter()
            .flat_map(|a| a.resources.iter().map(|r| r.wave))
            .collect();
        assert_eq!(waves.iter().min(), Some(&-2));
        assert_eq!(waves.iter().max(), Some(&5));
        assert!(s.apps.iter().any(|a| a.sync == "OutOfSync"));
        assert!(s.apps.iter().any(|a| a.health == "Degraded"));
        assert!(s.apps.iter().any(|a| a.health == "Progressing"));
        assert!(s.apps.iter().any(|a| a.failing_hook));
    }

    #[test]
    fn unknown_fields_are_rejected_with_the_scenario_name() {
        let err = Scenario::parse("broken", "name: x\nclusters: []\napps: []\nbogus: 1\n")
            .expect_err("must fail");
        assert!(err.to_string().contains("broken"), "{err}");
        assert!(err.to_string().contains("bogus"), "{err}");
    }
}
