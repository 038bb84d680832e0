//! The simulated platform behind `opsdeck demo` and the tests: a Kubernetes API server over
//! HTTPS on 127.0.0.1 that kube-rs and kubectl talk to unchanged, filled from a scenario and
//! moved by controllers. Nothing outside this module knows it is a simulation.

pub mod api;
pub mod argo_objects;
pub mod auth;
pub mod capi_objects;
pub mod controllers;
pub mod convert;
pub mod db;
pub mod discovery;
pub mod kinds;
pub mod kubeconfig;
pub mod labels;
pub mod route;
pub mod scenario;
pub mod server;
pub mod status;
pub mod talos;
pub mod tls;
pub mod watch;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rand::RngCore;
use serde_json::Value;
use tokio::net::TcpListener;
use tokio::sync::watch as signal;

use self::api::Api;
use self::auth::Identity;
use self::controllers::Controllers;
use self::db::Db;
use self::kinds::kind_id;
use self::scenario::Scenario;

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
    /// Start a Talos apid per node (off for scenarios with thousands of machines).
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
            talos: true,
            talos_log_every: Duration::from_millis(700),
        }
    }
}

/// A running simulator. Dropping it stops the server, its connections and its controllers.
pub struct Simulator {
    pub addr: SocketAddr,
    pub ca_pem: String,
    pub admin_token: String,
    pub viewer_token: String,
    db: Arc<Mutex<Db>>,
    api: Arc<Api>,
    /// The simulated Talos nodes, when started.
    pub talos: Option<talos::TalosSim>,
    controllers: Arc<Mutex<Controllers>>,
    shutdown: signal::Sender<bool>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

fn random_token() -> String {
    let mut bytes = [0u8; 24];
    rand::rng().fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Every object of a scenario, in creation order.
pub fn scenario_objects(s: &Scenario) -> Vec<(&'static str, Value)> {
    let mut objects: Vec<(&'static str, Value)> = s
        .management_nodes
        .iter()
        .map(|n| ("Node", argo_objects::node(n)))
        .collect();
    for c in &s.clusters {
        objects.extend(capi_objects::cluster_objects(c));
    }
    objects.extend(argo_objects::argo_objects(s));
    objects
}

impl Simulator {
    /// Start on a random loopback port. Must be called inside a tokio runtime.
    pub async fn start(scenario: Scenario, options: SimOptions) -> Result<Self, SimError> {
        tls::install_crypto_provider();
        let ca = tls::TestCa::new("opsdeck-simulator-ca")?;
        let tls_config = tls::server_config(&ca.issue_server()?)?;
        let listener = TcpListener::bind(("127.0.0.1", 0))
            .await
            .map_err(SimError::Bind)?;
        let addr = listener.local_addr().map_err(SimError::Bind)?;

        let mut db = Db::new(options.watch_window);
        for (kind, obj) in scenario_objects(&scenario) {
            let id = kind_id(kind).ok_or_else(|| SimError::UnknownKind(kind.to_string()))?;
            // Duplicate namespaces across clusters are expected; skip them.
            let _ = db.create(id, obj);
        }
        let db = Arc::new(Mutex::new(db));

        let admin_token = random_token();
        let viewer_token = random_token();
        let mut identities = vec![
            Identity::admin(&admin_token),
            Identity::viewer(&viewer_token),
        ];
        identities.extend(options.extra_identities);
        let api = Arc::new(Api {
            db: db.clone(),
            identities,
            bookmark_every: options.bookmark_every,
            server_address: addr.to_string(),
            watch_epoch: tokio::sync::watch::channel(0).0,
            hidden_groups: options.hidden_groups,
        });
        let api_handle = api.clone();
        let (shutdown, shutdown_rx) = signal::channel(false);
        let mut tasks = vec![tokio::spawn(server::serve(
            listener,
            tls_config,
            api,
            shutdown_rx,
        ))];
        let api = api_handle;

        let talos = if options.talos {
            Some(talos::TalosSim::start(&scenario, db.clone(), options.talos_log_every).await?)
        } else {
            None
        };
        let controllers = Arc::new(Mutex::new(Controllers::new(db.clone(), Arc::new(scenario))));
        if let Some(period) = options.tick {
            controllers
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .start();
            let ctl = controllers.clone();
            tasks.push(tokio::spawn(async move {
                let mut interval = tokio::time::interval(period);
                interval.tick().await;
                loop {
                    interval.tick().await;
                    ctl.lock().unwrap_or_else(|p| p.into_inner()).tick();
                }
            }));
        }
        Ok(Simulator {
            addr,
            ca_pem: ca.cert_pem,
            admin_token,
            viewer_token,
            db,
            api,
            talos,
            controllers,
            shutdown,
            tasks,
        })
    }

    pub fn server_url(&self) -> String {
        format!("https://{}", self.addr)
    }

    /// A kubeconfig with an admin context (current) and a viewer context.
    pub fn kubeconfig_yaml(&self) -> String {
        kubeconfig::render(&kubeconfig::KubeconfigParts {
            server: self.server_url(),
            ca_pem: self.ca_pem.clone(),
            contexts: vec![
                (
                    "opsdeck-demo".into(),
                    "opsdeck-admin".into(),
                    self.admin_token.clone(),
                ),
                (
                    "opsdeck-demo-viewer".into(),
                    "opsdeck-viewer".into(),
                    self.viewer_token.clone(),
                ),
            ],
        })
    }

    /// Direct access to the object database (tests use it to act as another client).
    pub fn db(&self) -> std::sync::MutexGuard<'_, Db> {
        self.db.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn controllers(&self) -> std::sync::MutexGuard<'_, Controllers> {
        self.controllers.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// End every open watch stream (clients reconnect from their last resourceVersion).
    pub fn end_watches(&self) {
        self.api.watch_epoch.send_modify(|e| *e += 1);
    }

    /// The generated talosconfig, when Talos nodes are simulated.
    pub fn talosconfig_yaml(&self) -> Option<String> {
        self.talos.as_ref().map(talos::TalosSim::talosconfig_yaml)
    }

    /// Stop serving: listeners and open connections close at once.
    pub fn stop(&mut self) {
        let _ = self.shutdown.send(true);
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
