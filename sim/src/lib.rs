//! The simulated platform behind `opsdeck demo` and the tests: a Kubernetes API server over
//! HTTPS on 127.0.0.1 that kube-rs and kubectl talk to unchanged, filled from a scenario and
//! moved by controllers. Nothing outside this module knows it is a simulation.

pub mod api;
pub mod apiserver;
pub mod argo_diff;
pub mod argo_objects;
pub mod argocd;
pub mod auth;
pub mod builtin_printers;
pub mod capi_objects;
pub mod controllers;
pub mod convert;
pub mod db;
pub mod discovery;
pub mod encode;
pub mod eso_objects;
pub mod event_objects;
pub mod eviction;
mod faults;
pub mod harvester_objects;
pub mod http;
pub mod json_at;
pub mod jsonpath;
pub mod kinds;
pub mod kubeconfig;
pub mod labels;
mod list;
mod list_thread;
pub mod metrics_objects;
pub mod pieces;
pub mod platform_objects;
pub mod pod_logs;
pub mod pod_objects;
pub mod printers;
pub mod review;
pub mod route;
pub mod scenario;
pub mod seed_objects;
pub mod server;
pub mod server_state;
pub mod standalone;
pub mod status;
pub mod stored;
pub mod table;
pub mod table_columns;
pub mod talos;
pub mod tinkerbell_objects;
pub mod tls;
pub mod versions;
pub mod vm_power;
pub mod watch;
pub mod workload_objects;

#[allow(clippy::all, clippy::pedantic, missing_docs)]
pub mod proto;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rand::RngCore;
use serde_json::Value;

use self::apiserver::ApiServer;
use self::auth::Identity;
use self::controllers::Controllers;
use self::db::Db;
use self::kinds::kind_id;
use self::scenario::Scenario;
use self::server_state::Api;

use crate::json_at::At;

#[derive(Debug, thiserror::Error)]
pub enum SimError {
    #[error(transparent)]
    Tls(#[from] tls::TlsError),
    #[error("binding 127.0.0.1: {0}")]
    Bind(std::io::Error),
    #[error("scenario object {0} has an unknown kind")]
    UnknownKind(String),
    #[error("simulated Talos API: {0}")]
    Talos(String),
    #[error("starting the thread lists are printed on: {0}")]
    Thread(std::io::Error),
}

pub struct SimOptions {
    /// How often the controllers move things; `None` freezes the platform (for tests that
    /// drive changes themselves).
    pub tick: Option<Duration>,
    pub bookmark_every: Duration,
    /// Events kept for watches to resume from.
    pub watch_window: usize,
    /// Extra identities besides the admin and viewer tokens.
    pub extra_identities: Vec<Identity>,
    /// API groups to leave out, as if their CRDs were not installed.
    pub hidden_groups: Vec<String>,
    /// Group versions (`cluster.x-k8s.io/v1beta2`) the management cluster does not serve, as
    /// on a cluster with an older CRD.
    pub hidden_versions: Vec<String>,
    /// Start a Talos apid per node. Off by default: most tests never talk to a node, and a
    /// scenario with thousands of machines would only be slowed down.
    pub talos: bool,
    /// How often a followed Talos log gets a line.
    pub talos_log_every: Duration,
}

impl Default for SimOptions {
    fn default() -> Self {
        SimOptions {
            tick: Some(Duration::from_millis(1000)),
            bookmark_every: Duration::from_secs(30),
            watch_window: 50_000,
            extra_identities: Vec::new(),
            hidden_groups: Vec::new(),
            hidden_versions: Vec::new(),
            talos: false,
            talos_log_every: Duration::from_millis(700),
        }
    }
}

/// What a simulated API server plays: the CAPI/Argo CD management cluster, the Harvester
/// cluster, or a workload cluster.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Management,
    Harvester,
    Workload,
}

/// How to reach the simulated argocd-server as its admin.
#[derive(Debug, Clone)]
pub struct ArgoCdEndpoint {
    pub server: String,
    pub token: String,
    pub ca_pem: String,
}

/// The simulated clusters, by the names their kube contexts carry (`opsdeck-<name>`).
pub const MANAGEMENT: &str = "management";
pub const HARVESTER: &str = "harvester";

/// A running simulator. Dropping it stops its servers, their connections and its controllers.
pub struct Simulator {
    /// The management cluster's API server address.
    pub addr: SocketAddr,
    pub ca_pem: String,
    /// The CA behind `ca_pem`: it issues client certificates too.
    ca: tls::TestCa,
    pub admin_token: String,
    pub viewer_token: String,
    /// Every API server by cluster name: management first, harvester, then workload clusters.
    servers: Vec<(String, Role, ApiServer)>,
    /// The simulated Talos nodes, when started.
    pub talos: Option<talos::TalosSim>,
    /// The simulated argocd-server's address, its admin and read-only API tokens.
    pub argocd_addr: std::net::SocketAddr,
    pub argocd_token: String,
    pub argocd_readonly_token: String,
    argocd_shutdown: tokio::sync::watch::Sender<bool>,
    controllers: Arc<Mutex<Controllers>>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

fn random_token() -> String {
    let mut bytes = [0u8; 24];
    rand::rng().fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Objects to create, each with its kind.
pub type Objects = Vec<(&'static str, Value)>;

/// Every object of the management cluster, in creation order.
pub fn scenario_objects(s: &Scenario) -> Objects {
    let mut objects: Objects = s
        .management_nodes
        .iter()
        .map(|n| ("Node", argo_objects::node(n, true)))
        .collect();
    for c in &s.clusters {
        objects.extend(capi_objects::cluster_objects(c));
    }
    objects.extend(argo_objects::argo_objects(s));
    objects.extend(tinkerbell_objects::objects(&s.bare_metal));
    objects.extend(platform_objects::management());
    objects.extend(eso_objects::objects_in(
        MANAGEMENT,
        &s.secret_stores,
        &s.external_secrets,
    ));
    objects
}

/// The scenario's extra pods, made one at a time as they are stored: a pod's managed fields
/// are ~100 KiB as a JSON tree until the database keeps them encoded.
fn bulk_pods(s: &Scenario) -> impl Iterator<Item = (&'static str, Value)> + Send + '_ {
    pod_objects::many_pods(s.bulk_pods, &s.management_nodes).map(|p| ("Pod", p))
}

/// A workload cluster's workloads, pods, their metrics, and the events they left behind.
fn workload_pods_and_events(s: &Scenario, cluster: &str, nodes: &[String]) -> Objects {
    let pods = pod_objects::workload_pods(s, cluster, nodes);
    let events = event_objects::pod_events(&pods);
    let metrics = metrics_objects::metrics_of(&pods, nodes, jiff::Timestamp::now(), 0);
    workload_objects::workload_objects(s, cluster)
        .into_iter()
        .chain(pods.into_iter().map(|p| ("Pod", p)))
        .chain(metrics)
        .chain(seed_objects::objects())
        .chain(platform_objects::workload())
        .chain(events.into_iter().map(|e| ("Event", e)))
        .collect()
}

/// The objects of the Harvester cluster and of each workload cluster with an API server.
fn other_clusters(s: &Scenario) -> Vec<(String, Role, Objects)> {
    let mut out = vec![(
        HARVESTER.to_string(),
        Role::Harvester,
        harvester_objects::objects(s),
    )];
    for c in s
        .clusters
        .iter()
        .filter(|c| s.workload_api_servers.contains(&c.name))
    {
        // (node name, whether its Machine is a control-plane one)
        let nodes: Vec<(String, bool)> = capi_objects::cluster_objects(c)
            .into_iter()
            .filter(|(kind, m)| *kind == "Machine" && m.at("/status/nodeRef").is_some())
            .map(|(_, m)| {
                let name = m["metadata"]["name"].as_str().unwrap_or_default();
                let control_plane = m["metadata"]["labels"]
                    .get(capi_objects::CONTROL_PLANE_LABEL)
                    .is_some();
                (name.to_string(), control_plane)
            })
            .collect();
        let node_names: Vec<String> = nodes.iter().map(|(n, _)| n.clone()).collect();
        let objects = nodes
            .iter()
            .map(|(n, cp)| ("Node", argo_objects::node(n, *cp)))
            .chain(eso_objects::objects_in(
                &c.name,
                &s.secret_stores,
                &s.external_secrets,
            ))
            .chain(workload_pods_and_events(s, &c.name, &node_names))
            .collect();
        out.push((c.name.clone(), Role::Workload, objects));
    }
    out
}

/// The Secrets CAPI providers keep in the management cluster: `<cluster>-kubeconfig` (for
/// clusters with an API server here) and `<cluster>-talosconfig` (CACPPT's).
fn cluster_secrets(
    scenario: &Scenario,
    servers: &[(String, Role, ApiServer)],
    ca_pem: &str,
    token: &str,
    talos: Option<&talos::TalosSim>,
) -> Vec<Value> {
    use base64::Engine;
    let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
    let secret = |c: &scenario::ClusterSpec, suffix: &str, key: &str, text: &str| {
        serde_json::json!({
            "metadata": {
                "name": format!("{}-{suffix}", c.name),
                "namespace": c.namespace,
                "labels": {capi_objects::CLUSTER_NAME_LABEL: c.name},
            },
            "type": "cluster.x-k8s.io/secret",
            "data": {key: b64(text)},
        })
    };
    let mut out = Vec::new();
    for c in &scenario.clusters {
        if let Some((_, _, server)) = servers.iter().find(|(n, _, _)| n == &c.name) {
            let kubeconfig = kubeconfig::render(
                ca_pem,
                &[kubeconfig::ContextParts {
                    context: format!("{}-admin@{}", c.name, c.name),
                    cluster: c.name.clone(),
                    server: format!("https://{}", server.addr),
                    user: format!("{}-admin", c.name),
                    token: token.to_string(),
                }],
            );
            out.push(secret(c, "kubeconfig", "value", &kubeconfig));
        }
        if let Some(text) = talos.and_then(|t| t.talosconfig_for(&c.name)) {
            out.push(secret(c, "talosconfig", "talosconfig", &text));
        }
    }
    out
}

/// API groups a non-management cluster does not have installed.
const MANAGEMENT_ONLY_GROUPS: &[&str] = &[
    "cluster.x-k8s.io",
    "controlplane.cluster.x-k8s.io",
    "argoproj.io",
];

fn fill(
    objects: impl IntoIterator<Item = (&'static str, Value)>,
    window: usize,
) -> Result<Db, SimError> {
    let mut db = Db::new(window);
    for (kind, obj) in objects {
        let id = kind_id(kind).ok_or_else(|| SimError::UnknownKind(kind.to_string()))?;
        // Duplicate namespaces across clusters are expected; skip them.
        let _ = db.create(id, obj);
    }
    // The scenario's creations are the state a client lists, not history it watches from:
    // keeping them in the window would hold a second copy of every object.
    db.compact();
    Ok(db)
}

impl Simulator {
    /// Start every API server on its own random loopback port. Must be called inside a tokio
    /// runtime.
    pub async fn start(scenario: Scenario, options: SimOptions) -> Result<Self, SimError> {
        tls::install_crypto_provider();
        let ca = tls::TestCa::new("opsdeck-simulator-ca")?;
        let tls_config = tls::server_config_with_client_ca(&ca.issue_server()?, &ca.cert_pem)?;
        let admin_token = random_token();
        let viewer_token = random_token();
        let mut identities = vec![
            Identity::admin(&admin_token),
            Identity::viewer(&viewer_token),
        ];
        identities.extend(options.extra_identities.clone());

        let management: Box<dyn Iterator<Item = (&'static str, Value)> + Send + '_> = Box::new(
            scenario_objects(&scenario)
                .into_iter()
                .chain(bulk_pods(&scenario)),
        );
        let mut clusters = vec![(
            MANAGEMENT.to_string(),
            Role::Management,
            management,
            // Only the workload clusters run metrics-server.
            options
                .hidden_groups
                .iter()
                .cloned()
                .chain([kinds::METRICS.to_string()])
                .collect(),
            options.hidden_versions.clone(),
        )];
        for (name, role, objects) in other_clusters(&scenario) {
            let metrics = (role == Role::Harvester).then_some(kinds::METRICS);
            let hidden = MANAGEMENT_ONLY_GROUPS
                .iter()
                .copied()
                .chain(metrics)
                .map(str::to_string)
                .collect();
            clusters.push((
                name,
                role,
                Box::new(objects.into_iter()),
                hidden,
                Vec::new(),
            ));
        }
        let mut servers = Vec::new();
        for (name, role, objects, hidden_groups, hidden_versions) in clusters {
            let api = Arc::new(Api {
                db: Arc::new(Mutex::new(fill(objects, options.watch_window)?)),
                identities: Mutex::new(identities.clone()),
                bookmark_every: options.bookmark_every,
                server_address: String::new(),
                watch_epoch: tokio::sync::watch::channel(0).0,
                hidden_groups: Mutex::new(hidden_groups),
                hidden_versions,
                swallow_answers: std::sync::atomic::AtomicBool::new(false),
                answer_delay_ms: std::sync::atomic::AtomicU64::new(0),
                tokens_refused: std::sync::atomic::AtomicBool::new(false),
                expire_watches: std::sync::atomic::AtomicBool::new(false),
                lists: std::sync::atomic::AtomicU64::new(0),
                lists_of: Mutex::default(),
                list_thread: list_thread::ListThread::start(&format!("lists-{name}"))
                    .map_err(SimError::Thread)?,
            });
            servers.push((name, role, ApiServer::start(api, tls_config.clone()).await?));
        }
        let management = &servers[0].2;
        let (addr, db) = (management.addr, management.db.clone());

        let talos = if options.talos {
            Some(talos::TalosSim::start(&scenario, db.clone(), options.talos_log_every).await?)
        } else {
            None
        };
        let secrets = cluster_secrets(
            &scenario,
            &servers,
            &ca.cert_pem,
            &admin_token,
            talos.as_ref(),
        );
        {
            let mut db = db.lock().unwrap_or_else(|p| p.into_inner());
            let secret = kind_id("Secret").unwrap_or_default();
            for obj in secrets {
                let _ = db.create(secret, obj);
            }
        }
        let harvester_db = servers
            .iter()
            .find(|(_, role, _)| *role == Role::Harvester)
            .map(|(_, _, s)| s.db.clone());
        let workload_dbs = servers
            .iter()
            .filter(|(_, role, _)| *role != Role::Harvester)
            .map(|(name, _, s)| (name.clone(), s.db.clone()))
            .collect();
        let scenario = Arc::new(scenario);
        let argocd_token = random_token();
        let argocd_readonly_token = random_token();
        let argo_api = Arc::new(argocd::ArgoApi {
            db: db.clone(),
            scenario: scenario.clone(),
            admin_token: argocd_token.clone(),
            readonly_token: argocd_readonly_token.clone(),
        });
        let argo_listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
            .await
            .map_err(SimError::Bind)?;
        let argocd_addr = argo_listener.local_addr().map_err(SimError::Bind)?;
        let (argocd_shutdown, argo_stop) = tokio::sync::watch::channel(false);
        let mut tasks = vec![tokio::spawn(server::serve(
            argo_listener,
            tls_config.clone(),
            argo_api,
            argo_stop,
        ))];
        let controllers = Arc::new(Mutex::new(
            Controllers::new(db, scenario)
                .with_workload_clusters(workload_dbs)
                .with_harvester(harvester_db)
                .with_talos(talos.as_ref().map(|t| t.registry.clone())),
        ));
        if let Some(period) = options.tick {
            tasks.push(self::controllers::run_every(controllers.clone(), period));
        }
        Ok(Simulator {
            addr,
            ca_pem: ca.cert_pem.clone(),
            ca,
            admin_token,
            viewer_token,
            servers,
            talos,
            argocd_addr,
            argocd_token,
            argocd_readonly_token,
            argocd_shutdown,
            controllers,
            tasks,
        })
    }

    pub fn server_url(&self) -> String {
        format!("https://{}", self.addr)
    }

    pub(crate) fn server(&self, cluster: &str) -> Option<&ApiServer> {
        self.servers
            .iter()
            .find(|(n, _, _)| n == cluster)
            .map(|(_, _, s)| s)
    }

    pub(crate) fn server_mut(&mut self, cluster: &str) -> Option<&mut ApiServer> {
        self.servers
            .iter_mut()
            .find(|(n, _, _)| n == cluster)
            .map(|(_, _, s)| s)
    }

    /// Names of the simulated clusters, management first.
    pub fn cluster_names(&self) -> Vec<String> {
        self.servers.iter().map(|(n, _, _)| n.clone()).collect()
    }

    /// The kube context of a simulated cluster.
    pub fn context_of(cluster: &str) -> String {
        format!("opsdeck-{cluster}")
    }

    /// (role, context) of every simulated cluster, management first.
    pub fn cluster_roles(&self) -> Vec<(Role, String)> {
        self.servers
            .iter()
            .map(|(n, r, _)| (*r, Self::context_of(n)))
            .collect()
    }

    /// A client certificate for `user` from the simulator's CA (cert PEM, key PEM): the API
    /// servers take it instead of a token, with that user's rules.
    pub fn client_certificate(&self, user: &str) -> Result<(String, String), SimError> {
        let issued = self.ca.issue_client(user, "system:authenticated")?;
        Ok((issued.cert_pem, issued.key_pem))
    }

    /// A kubeconfig with one admin context per cluster (`opsdeck-management` is current) and
    /// `opsdeck-viewer`, the read-only token on the management cluster.
    pub fn kubeconfig_yaml(&self) -> String {
        let mut contexts: Vec<kubeconfig::ContextParts> = self
            .servers
            .iter()
            .map(|(name, _, s)| kubeconfig::ContextParts {
                context: Self::context_of(name),
                cluster: name.clone(),
                server: format!("https://{}", s.addr),
                user: "opsdeck-admin".into(),
                token: self.admin_token.clone(),
            })
            .collect();
        contexts.push(kubeconfig::ContextParts {
            context: "opsdeck-viewer".into(),
            cluster: MANAGEMENT.into(),
            server: self.server_url(),
            user: "opsdeck-viewer".into(),
            token: self.viewer_token.clone(),
        });
        kubeconfig::render(&self.ca_pem, &contexts)
    }

    /// Direct access to the management cluster's objects (tests act as another client).
    pub fn db(&self) -> std::sync::MutexGuard<'_, Db> {
        self.cluster_db(MANAGEMENT)
            .unwrap_or_else(|| unreachable!("the management cluster always exists"))
    }

    /// Another simulated cluster's objects.
    pub fn cluster_db(&self, cluster: &str) -> Option<std::sync::MutexGuard<'_, Db>> {
        self.server(cluster)
            .map(|s| s.db.lock().unwrap_or_else(|p| p.into_inner()))
    }

    pub fn controllers(&self) -> std::sync::MutexGuard<'_, Controllers> {
        self.controllers.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The generated talosconfig, when Talos nodes are simulated.
    pub fn talosconfig_yaml(&self) -> Option<String> {
        self.talos.as_ref().map(talos::TalosSim::talosconfig_yaml)
    }

    /// How to reach the simulated argocd-server as its admin.
    pub fn argocd_endpoint(&self) -> ArgoCdEndpoint {
        ArgoCdEndpoint {
            server: format!("https://{}", self.argocd_addr),
            token: self.argocd_token.clone(),
            ca_pem: self.ca_pem.clone(),
        }
    }

    /// Stop serving: listeners and open connections close at once.
    pub fn stop(&mut self) {
        let _ = self.argocd_shutdown.send(true);
        for (_, _, s) in &mut self.servers {
            s.stop();
        }
        if let Some(t) = &self.talos {
            t.stop();
        }
        for t in self.tasks.drain(..) {
            t.abort();
        }
    }
}

impl Drop for Simulator {
    fn drop(&mut self) {
        self.stop();
    }
}
