//! Test harness: the simulator on loopback, real kube clients, and the cockpit's own
//! update/render path driven message by message, with frames rendered to a TestBackend.

#![allow(dead_code)]

mod cli;
mod dialogs;
mod reading;
pub mod schema;

pub use cli::Cli;
pub use dialogs::{confirm, wait_allowed, wait_denied};

pub use reading::{
    audit_lines, audit_log, footer, line_with, position_of, row, selected_name, shown_names,
};

use std::time::Duration;

use crossterm::event::{Event, KeyEvent};
use jiff::Timestamp;
use kube::Client;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use opsdeck::app::keymap::Keymap;
use opsdeck::app::keys::Key;
use opsdeck::app::msg::Msg;
use opsdeck::app::registry::Pane;
use opsdeck::app::run::Executor;
use opsdeck::app::state::State;
use opsdeck::app::tables::{self, Table};
use opsdeck::app::theme::{DEFAULT_THEME, Theme};
use opsdeck::app::update::update;
use opsdeck::app::watches;
use opsdeck::clients::argocd::{ArgoCd, ArgoCdSettings};
use opsdeck::clients::kube::connect::{KubeconfigSource, connect};
use opsdeck::clients::kube::sources::{KubeSources, Role};
use opsdeck::clients::talos::config::Talosconfig;
use opsdeck::clients::talos::poller::TalosSetup;
use opsdeck::model::source::SourceState;
use opsdeck::model::store::ObjRef;
use opsdeck::model::tree::NodeId;
use opsdeck_sim::scenario::Scenario;
use opsdeck_sim::{SimOptions, Simulator};

pub const WAIT: Duration = Duration::from_secs(15);

/// What a terminal backend wrote, kept for the test to read.
#[derive(Clone, Default)]
pub struct Captured(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("bytes").extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A simulator whose controllers do not move on their own: tests drive every change.
pub async fn frozen_sim() -> Simulator {
    start_frozen(false).await
}

/// A frozen simulator that also runs a Talos apid per node.
pub async fn frozen_sim_with_talos() -> Simulator {
    start_frozen(true).await
}

async fn start_frozen(talos: bool) -> Simulator {
    Simulator::start(
        Scenario::default_homelab(),
        SimOptions {
            tick: None,
            talos,
            ..SimOptions::default()
        },
    )
    .await
    .expect("simulator starts")
}

pub async fn client_for(sim: &Simulator, context: &str) -> Client {
    let yaml = sim.kubeconfig_yaml();
    connect(KubeconfigSource::Text(&yaml), Some(context))
        .await
        .expect("client from the simulator's kubeconfig")
        .0
}

pub async fn admin(sim: &Simulator) -> Client {
    client_for(sim, "opsdeck-management").await
}

/// The cockpit without a terminal: real watches feed `update`; frames go to a TestBackend.
pub struct Cockpit {
    pub state: State,
    /// The audit log this cockpit writes (a fresh temporary file).
    pub audit: std::path::PathBuf,
    _audit_dir: tempfile::TempDir,
    rx: mpsc::UnboundedReceiver<Msg>,
    executor: Executor,
    watches: Vec<JoinHandle<()>>,
}

impl Drop for Cockpit {
    fn drop(&mut self) {
        for w in &self.watches {
            w.abort();
        }
    }
}

pub fn test_state() -> State {
    State::new(
        "test-ctx".into(),
        false,
        Keymap::defaults(),
        Theme::parse("default", DEFAULT_THEME).expect("theme"),
        Timestamp::now(),
    )
}

pub fn key_event(key: &str) -> Msg {
    let k = Key::parse(key).expect("key notation");
    Msg::Input(Event::Key(KeyEvent::new(k.code, k.mods)))
}

/// Draw one frame at this size (after telling the state the terminal's size, as the loop does).
pub fn render(state: &mut State, width: u16, height: u16) -> String {
    if state.viewport != (width, height) {
        update(state, Msg::Input(Event::Resize(width, height)));
    }
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("test terminal");
    terminal
        .draw(|f| opsdeck::views::draw(f, state))
        .expect("draw");
    let buffer = terminal.backend().buffer().clone();
    let mut out = String::new();
    for y in 0..buffer.area.height {
        for x in 0..buffer.area.width {
            out.push_str(buffer[(x, y)].symbol());
        }
        out.push('\n');
    }
    out
}

impl Cockpit {
    pub async fn start(client: Client) -> Self {
        Self::start_with_talos(client, TalosSetup::default()).await
    }

    /// With Talos polling (fast, for tests) from the given setup.
    pub async fn start_with_talos(client: Client, talos: TalosSetup) -> Self {
        Self::start_with_sources(KubeSources::single("test", client), talos).await
    }

    /// Every given kube source watched in its role.
    pub async fn start_with_sources(kube: KubeSources, talos: TalosSetup) -> Self {
        Self::start_all(kube, talos, None).await
    }

    async fn start_all(kube: KubeSources, talos: TalosSetup, argocd: Option<ArgoCd>) -> Self {
        let (tx, rx) = mpsc::unbounded_channel();
        let watches = watches::start_pane_watches(&kube, &tx);
        let polls_talos = !talos.nodes.is_empty() || talos.problem.is_some();
        let audit_dir = tempfile::tempdir().expect("temp dir");
        let audit = audit_dir.path().join("audit.jsonl");
        let mut executor = Executor::new(kube, talos, tx)
            .with_audit(Some(audit.clone()))
            .with_argocd(argocd);
        if polls_talos {
            executor.start_talos(Duration::from_millis(300));
        }
        executor.discover_kinds();
        Cockpit {
            state: test_state(),
            rx,
            executor,
            watches,
            audit,
            _audit_dir: audit_dir,
        }
    }

    /// With argocd-server as the Argo CD transport.
    pub async fn start_with_argocd(client: Client, settings: ArgoCdSettings) -> Self {
        let argocd = ArgoCd::new(&settings).expect("argocd client");
        let mut c = Self::start_all(
            KubeSources::single("test", client),
            TalosSetup::default(),
            Some(argocd.clone()),
        )
        .await;
        c.state.argo.server = Some(argocd.server);
        c
    }

    pub fn send(&mut self, msg: Msg) {
        for command in update(&mut self.state, msg) {
            self.executor.run(command);
        }
    }

    /// Press keys given in keymap notation, e.g. `["j", "<Enter>"]`.
    pub fn press(&mut self, keys: &[&str]) {
        for k in keys {
            self.send(key_event(k));
        }
    }

    pub fn type_text(&mut self, text: &str) {
        for c in text.chars() {
            self.send(key_event(&c.to_string()));
        }
    }

    /// Every simulated cluster on `:pods`, the cursor on the first pod whose row matches
    /// `filter` (a `/` filter); the pod's key.
    pub async fn on_pods(sim: &Simulator, filter: &str) -> (Self, ObjRef) {
        let mut c = Self::start_with_sources(all_sources(sim).await, TalosSetup::default()).await;
        c.wait_for("discovery", |s| s.catalog.resolve("pods").is_some())
            .await;
        c.command("pods");
        c.wait_for("pods", |s| s.browse.rows.len() > 10).await;
        c.press(&["/"]);
        c.type_text(filter);
        c.press(&["<Enter>"]);
        let pod = tables::selected(&c.state, &tables::BROWSE).expect("a pod matches");
        (c, pod)
    }

    /// Run a `:` command as a user types it.
    pub fn command(&mut self, text: &str) {
        self.press(&[":"]);
        self.type_text(text);
        self.press(&["<Enter>"]);
    }

    pub fn frame(&mut self) -> String {
        render(&mut self.state, 200, 40)
    }

    /// The bytes a real terminal backend (crossterm's) writes for one full frame.
    pub fn frame_bytes(&mut self, width: u16, height: u16) -> Vec<u8> {
        use ratatui::backend::CrosstermBackend;
        use ratatui::layout::Rect;
        use ratatui::{TerminalOptions, Viewport};
        if self.state.viewport != (width, height) {
            update(&mut self.state, Msg::Input(Event::Resize(width, height)));
        }
        let options = TerminalOptions {
            viewport: Viewport::Fixed(Rect::new(0, 0, width, height)),
        };
        let bytes = Captured::default();
        let mut terminal = Terminal::with_options(CrosstermBackend::new(bytes.clone()), options)
            .expect("terminal");
        terminal
            .draw(|f| opsdeck::views::draw(f, &self.state))
            .expect("draw");
        drop(terminal);
        std::mem::take(&mut *bytes.0.lock().expect("bytes"))
    }

    pub fn frame_sized(&mut self, width: u16, height: u16) -> String {
        render(&mut self.state, width, height)
    }

    /// Feed watch messages into `update` until `pred` holds; panics after `WAIT`.
    pub async fn wait_for(&mut self, what: &str, pred: impl Fn(&State) -> bool) {
        let deadline = tokio::time::Instant::now() + WAIT;
        while !pred(&self.state) {
            // Checked here too: `timeout_at` answers a ready message even after the deadline,
            // so an endless stream of them would never time out.
            if tokio::time::Instant::now() >= deadline {
                panic!("timed out waiting for {what}; frame:\n{}", self.frame());
            }
            match tokio::time::timeout_at(deadline, self.rx.recv()).await {
                Ok(Some(msg)) => self.send(msg),
                Ok(None) => panic!("message channel closed while waiting for {what}"),
                Err(_) => panic!("timed out waiting for {what}; frame:\n{}", self.frame()),
            }
        }
    }

    /// Feed whatever arrives within `window` into `update`.
    pub async fn settle(&mut self, window: Duration) {
        let deadline = tokio::time::Instant::now() + window;
        while tokio::time::Instant::now() < deadline
            && let Ok(Some(msg)) = tokio::time::timeout_at(deadline, self.rx.recv()).await
        {
            self.send(msg);
        }
    }

    /// Take in every message for `window`, checking `check` after each.
    pub async fn settle_checking(&mut self, window: Duration, check: impl Fn(&State)) {
        let deadline = tokio::time::Instant::now() + window;
        while tokio::time::Instant::now() < deadline
            && let Ok(Some(msg)) = tokio::time::timeout_at(deadline, self.rx.recv()).await
        {
            self.send(msg);
            check(&self.state);
        }
    }

    /// `:apps`, filtered.
    pub async fn open_apps(&mut self, filter: &str) {
        self.press(&["2"]);
        self.wait_for("apps", |s| s.argo.apps.len() == 25).await;
        self.press(&["/"]);
        self.type_text(filter);
        self.press(&["<Enter>"]);
    }

    /// Let the simulated controller run the app's operation until its row says Synced.
    pub async fn sync_runs_to_synced(&mut self, sim: &Simulator, app: &str) {
        for _ in 0..12 {
            sim.controllers().tick();
        }
        self.wait_for("synced", |s| {
            s.argo
                .apps
                .iter()
                .any(|a| a.key.name == app && a.sync == "Synced")
        })
        .await;
        assert!(row(&self.frame(), app).contains("Synced"));
    }

    /// Let the simulated controller start the app's requested operation, and wait to see it.
    pub async fn operation_starts(&mut self, sim: &Simulator, app: &str) {
        sim.controllers().tick();
        sim.controllers().tick();
        self.wait_for("operation running", |s| {
            s.argo
                .apps
                .iter()
                .any(|a| a.key.name == app && a.operation.is_some())
        })
        .await;
    }

    /// Wait until the tree shows the node with this id, then move the selection down until it
    /// is selected (no frame is drawn: navigation is `update`'s alone). A node shows only under
    /// its parents, which come from watches of their own: a MachineDeployment listed before its
    /// Cluster is not in the tree yet.
    pub async fn select_in_tree(&mut self, id: &NodeId) {
        self.wait_for("the node in the tree", |s| {
            let nodes = s.shown_tree();
            opsdeck::model::tree::visible_lines(&nodes, &s.tree.opened)
                .iter()
                .any(|l| &l.node.id == id)
        })
        .await;
        for _ in 0..60 {
            if self.state.tree.selected.as_ref() == Some(id) {
                return;
            }
            self.press(&["j"]);
        }
        panic!("never reached {id:?} in the tree:\n{}", self.frame());
    }

    /// Run the plugin waiting for the terminal, as the loop would after handing it over
    /// (the test's own stdout stands in for the terminal). False if none was waiting.
    pub fn run_foreground_plugin(&mut self) -> bool {
        match self.executor.take_foreground() {
            Some((id, run)) => {
                self.executor.run_foreground(id, &run);
                true
            }
            None => false,
        }
    }

    /// Press `j` from the top of a table until the cursor is on `key`.
    pub fn cursor_to(&mut self, table: &Table, key: &ObjRef) {
        let rows = tables::shown(&self.state, table);
        let at = rows
            .iter()
            .position(|r| &r.key == key)
            .unwrap_or_else(|| panic!("no row {key:?}"));
        for _ in 0..at {
            self.press(&["j"]);
        }
        assert_eq!(tables::selected(&self.state, table).as_ref(), Some(key));
    }

    /// Wait until a rendered frame contains `text`; returns that frame.
    pub async fn wait_for_text(&mut self, text: &str) -> String {
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            let frame = self.frame();
            if frame.contains(text) {
                return frame;
            }
            match tokio::time::timeout_at(deadline, self.rx.recv()).await {
                Ok(Some(msg)) => self.send(msg),
                Ok(None) => panic!("message channel closed while waiting for {text:?}"),
                Err(_) => panic!("timed out waiting for {text:?}; last frame:\n{frame}"),
            }
        }
    }
}

/// Every source of the simulator in its role, Talos polled, and the media cluster's API server
/// known by its context (the demo's discovery names it after the cluster; the test's does not).
pub async fn every_layer(sim: &Simulator) -> Cockpit {
    let mut c = Cockpit::start_with_sources(all_sources(sim).await, talos_setup(sim)).await;
    c.state
        .cluster_contexts
        .insert("media".into(), "opsdeck-media".into());
    c.wait_for("every layer", |s| {
        s.capi.machines.len() >= 9
            && s.harvester.vms.len() >= 9
            && s.harvester.vmis.len() >= 8
            && s.harvester.workload_nodes.len() >= 5
            && s.metal.bmcs.len() >= 3
            && s.talos
                .nodes
                .iter()
                .filter(|t| t.talos_version.is_some())
                .count()
                >= 8
            && s.argo.apps.len() == 25
            // Every cluster's: the media cluster's may come after the management's.
            && s.eso.external_secrets.len() == 8
    })
    .await;
    c
}

/// Talos clients for every context of the simulator's talosconfig.
pub fn talos_setup(sim: &Simulator) -> TalosSetup {
    let yaml = sim.talosconfig_yaml().expect("talos is simulated");
    TalosSetup::from_config(Talosconfig::parse("sim", &yaml))
}

/// The simulated talosconfig with a client certificate that has only `os:reader`.
pub fn reader_setup(sim: &Simulator) -> TalosSetup {
    let yaml = sim.talosconfig_yaml().expect("talos is simulated");
    let mut cfg = Talosconfig::parse("sim", &yaml).expect("talosconfig");
    let reader = sim
        .talos
        .as_ref()
        .expect("talos")
        .client_with_role("on-call", "os:reader")
        .expect("cert");
    for ctx in &mut cfg.contexts {
        ctx.crt_pem = reader.cert_pem.clone();
        ctx.key_pem = reader.key_pem.clone();
    }
    TalosSetup::from_config(Ok(cfg))
}

/// A cockpit with `setup`, in the inspector of `node` once it has answered.
pub async fn inspector_on(sim: &Simulator, setup: TalosSetup, node: &str) -> Cockpit {
    let mut c = Cockpit::start_with_talos(admin(sim).await, setup).await;
    c.press(&["3"]);
    c.wait_for("the node polled", |s| {
        s.talos
            .nodes
            .iter()
            .any(|n| n.key.name == node && n.services.is_some())
            && s.talos.roles.values().all(|r| !r.is_empty())
    })
    .await;
    c.press(&["/"]);
    c.type_text(node);
    c.press(&["<Enter>", "<Enter>"]);
    c
}

/// Every simulated cluster as a kube source in its role, as `opsdeck demo` connects.
pub async fn all_sources(sim: &Simulator) -> KubeSources {
    let mut sources = Vec::new();
    for (role, context) in sim.cluster_roles() {
        let client = client_for(sim, &context).await;
        let role = match role {
            opsdeck_sim::Role::Management => Role::Management,
            opsdeck_sim::Role::Harvester => Role::Harvester,
            opsdeck_sim::Role::Workload => Role::Workload,
        };
        sources.push(opsdeck::clients::kube::sources::KubeSource {
            context,
            role,
            client,
        });
    }
    KubeSources(sources)
}

/// Whether every watch feeding the pane has said where it is (none still loading), as its
/// title tells: rows counted in one store say nothing of the pane's other stores.
pub fn pane_settled(s: &State, pane: &Pane<State>) -> bool {
    // A feed no cluster has reported on yet is not settled (an empty list of them would
    // pass `all` on its own).
    s.pane_sources(pane)
        .iter()
        .all(|feed| !feed.is_empty() && feed.iter().all(|(_, st)| *st != SourceState::Loading))
}

/// The cockpit's settings for the simulated argocd-server, as its admin.
pub fn argocd_settings(sim: &Simulator) -> ArgoCdSettings {
    let endpoint = sim.argocd_endpoint();
    ArgoCdSettings {
        server: endpoint.server,
        token: endpoint.token,
        ca_pem: Some(endpoint.ca_pem),
    }
}

/// An Application row as the watch would project it.
pub fn app_row(name: &str, sync: &str, health: &str) -> opsdeck::model::argo::AppRow {
    opsdeck::model::argo::AppRow {
        key: opsdeck::model::store::ObjRef::in_cluster("c", "argocd", name),
        project: "platform".into(),
        sync: sync.into(),
        health: health.into(),
        revision: "abcdef1".into(),
        last_sync: None,
        operation: None,
        destination: "in-cluster/x".into(),
        resources: 3,
        out_of_sync: 0,
        drifted: Vec::new(),
        ..Default::default()
    }
}

/// Merge-patch an object on the simulator, as kubectl patch --type merge would.
pub async fn merge_patch(client: &kube::Client, path: &str, body: serde_json::Value) {
    let request = http::Request::patch(path)
        .header(http::header::CONTENT_TYPE, "application/merge-patch+json")
        .body(serde_json::to_vec(&body).expect("json"))
        .expect("a request");
    client.request_text(request).await.expect("patched");
}

/// A frozen simulator with a `capi-reader` who may read only the Cluster API kinds, and a
/// cockpit connected as that user (every other kind is a 403).
pub async fn capi_reader() -> (Simulator, Cockpit) {
    use opsdeck_sim::auth::{Identity, Rule};
    let sim = Simulator::start(
        Scenario::default_homelab(),
        SimOptions {
            tick: None,
            extra_identities: vec![Identity {
                token: "capi-only".into(),
                user: "capi-reader".into(),
                rules: vec![Rule::new(
                    &["get", "list", "watch"],
                    &["*"],
                    &[
                        "clusters",
                        "machines",
                        "machinedeployments",
                        "taloscontrolplanes",
                    ],
                )],
            }],
            ..SimOptions::default()
        },
    )
    .await
    .expect("sim");
    let yaml = sim
        .kubeconfig_yaml()
        .replace(&sim.viewer_token, "capi-only");
    let (client, _) = connect(KubeconfigSource::Text(&yaml), Some("opsdeck-viewer"))
        .await
        .expect("client");
    let c = Cockpit::start(client).await;
    (sim, c)
}
