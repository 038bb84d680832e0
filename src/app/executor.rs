//! The executor: runs the commands `update` returns against the clients, each in a task of its
//! own, and sends what they report back to the loop as messages.

use std::path::PathBuf;

use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::msg::{Command, Msg};
use super::node_tabs::TabWork;
use super::watches;
use crate::clients::Sink;
use crate::clients::argocd::{self, ArgoCd};
use crate::clients::clipboard::Clipboard;
use crate::clients::error::ClientError;
use crate::clients::kube::actions;
use crate::clients::kube::logs::{self, LogReport};
use crate::clients::kube::sources::KubeSources;
use crate::clients::kube::{browse, get_json};
use crate::clients::plugin::{self, PluginReport};
use crate::clients::talos::poller::TalosSetup;
use crate::clients::talos::upgrade as talos_upgrade;
use crate::model::describe;
use crate::model::plugin::PluginRun;
use crate::model::yaml::ObjectRef;

/// Runs commands from `update` against the clients.
pub struct Executor {
    kube: KubeSources,
    talos: TalosSetup,
    tx: mpsc::UnboundedSender<Msg>,
    detail: Option<JoinHandle<()>>,
    /// argocd-server, when the REST transport is configured.
    argocd: Option<ArgoCd>,
    tree: Option<JoinHandle<()>>,
    node_text: Option<JoinHandle<()>>,
    pod_log: Option<JoinHandle<()>>,
    /// The kind browser's watches, one per cluster.
    browse: Vec<JoinHandle<()>>,
    /// Session-long watches: the providers' machine kinds the cluster tree follows, and the
    /// other systems' kinds the attention feed judges.
    infra: Vec<JoinHandle<()>>,
    clipboard: Clipboard,
    /// Background plugins still running (killed with the cockpit).
    plugins: Vec<JoinHandle<()>>,
    /// A plugin waiting for the terminal.
    foreground: Option<(u64, PluginRun)>,
    /// Where one line per action goes; None keeps no log (tests that do not need one).
    audit: Option<PathBuf>,
    /// The Talos nodes polled (once `start_talos` ran).
    talos_polls: Option<super::talos_polls::TalosPolls>,
}

/// Write an action's audit line; an outcome whose line could not be written (now, or before
/// it was sent: `unwritten`) says so, whether it succeeded or not.
fn with_audit(
    path: Option<&std::path::Path>,
    result: Result<String, ClientError>,
    unwritten: Option<std::io::Error>,
    record: impl FnOnce(&std::path::Path, Option<&Result<String, ClientError>>) -> std::io::Result<()>,
) -> Result<String, ClientError> {
    let failed = match path.map(|p| record(p, Some(&result))) {
        Some(Err(e)) => Some(e),
        _ => unwritten,
    };
    match failed {
        None => result,
        Some(e) => {
            let note = format!(" (audit log not written: {e})");
            match result {
                Ok(ok) => Ok(format!("{ok}{note}")),
                Err(err) => Err(err.noted(&note)),
            }
        }
    }
}

fn no_argocd() -> ClientError {
    ClientError::Other("no Argo CD server configured (--argocd-server)".into())
}

fn no_client(cluster: &str) -> ClientError {
    ClientError::Other(format!("no client for cluster {cluster}"))
}

impl Executor {
    pub fn new(kube: KubeSources, talos: TalosSetup, tx: mpsc::UnboundedSender<Msg>) -> Self {
        Executor {
            kube,
            talos,
            tx,
            detail: None,
            argocd: None,
            tree: None,
            node_text: None,
            pod_log: None,
            browse: Vec::new(),
            infra: Vec::new(),
            talos_polls: None,
            clipboard: Clipboard::default(),
            plugins: Vec::new(),
            foreground: None,
            audit: None,
        }
    }

    /// Ask every cluster what kinds it serves (for `:<kind>`); answers come as `Msg::Catalog`:
    /// the core group first (one request, so `:pods` opens at once), then everything.
    pub fn discover_kinds(&self) {
        for source in &self.kube.0 {
            let (tx, client, cluster) = (
                self.tx.clone(),
                source.client.clone(),
                source.context.clone(),
            );
            tokio::spawn(async move {
                let core = match browse::discover_core(&client).await {
                    Ok(core) => core,
                    Err(e) => {
                        tracing::warn!(cluster = %cluster, "discovery failed: {e}");
                        let _ = tx.send(Msg::Catalog {
                            cluster,
                            result: Err(e),
                            complete: true,
                        });
                        return;
                    }
                };
                let _ = tx.send(Msg::Catalog {
                    cluster: cluster.clone(),
                    result: Ok(core.clone()),
                    complete: false,
                });
                let result = browse::discover_groups(&client).await.map(|groups| {
                    let mut all = core;
                    all.extend(groups);
                    all
                });
                let _ = tx.send(Msg::Catalog {
                    cluster,
                    result,
                    complete: true,
                });
            });
        }
    }

    /// A plugin that asked for the terminal, if one did since the last call.
    pub fn take_foreground(&mut self) -> Option<(u64, PluginRun)> {
        self.foreground.take()
    }

    /// Run a foreground plugin (the caller has handed it the terminal), write its audit line,
    /// and report how it ended.
    pub fn run_foreground(&self, id: u64, run: &PluginRun) {
        let result = plugin::run_foreground(run);
        let result = with_audit(self.audit.as_deref(), result, None, |p, r| {
            plugin::audit(p, run, r)
        });
        let _ = self.tx.send(Msg::ActionDone { id, result });
    }

    pub fn with_argocd(mut self, argocd: Option<ArgoCd>) -> Self {
        self.argocd = argocd;
        self
    }

    /// Start polling Talos nodes, every `every` (the node on screen every second).
    pub fn start_talos(&mut self, every: std::time::Duration) {
        self.talos_polls = Some(super::talos_polls::TalosPolls::start(
            self.talos.clone(),
            every,
            &self.tx,
        ));
    }

    pub fn with_audit(mut self, path: Option<PathBuf>) -> Self {
        self.audit = path;
        self
    }

    /// Send an action in its own task — its audit line written before it goes and again with
    /// its outcome — and report the outcome; an outcome whose audit line could not be written
    /// says so.
    fn spawn_action<Request, Record>(&self, id: u64, send: Request, record: Record)
    where
        Request: Future<Output = Result<String, ClientError>> + Send + 'static,
        Record: Fn(&std::path::Path, Option<&Result<String, ClientError>>) -> std::io::Result<()>
            + Send
            + 'static,
    {
        let tx = self.tx.clone();
        let audit_path = self.audit.clone();
        tokio::spawn(async move {
            let unwritten = audit_path.as_deref().and_then(|p| record(p, None).err());
            let result = send.await.map_err(ClientError::of_change);
            match &result {
                Ok(outcome) => tracing::info!(id, "action done: {outcome}"),
                Err(e) => tracing::warn!(id, "action failed: {e}"),
            }
            let result = with_audit(audit_path.as_deref(), result, unwritten, record);
            let _ = tx.send(Msg::ActionDone { id, result });
        });
    }

    /// GET one object in a task of its own and report it wrapped by `wrap`.
    fn fetch(
        &self,
        target: ObjectRef,
        wrap: impl FnOnce(ObjectRef, Result<serde_json::Value, ClientError>) -> Msg + Send + 'static,
    ) {
        let (cluster, path) = (target.key.cluster.clone(), target.path());
        self.fetch_path(&cluster, path, move |result| wrap(target, result));
    }

    /// GET `path` on `cluster` as JSON and report it as `wrap` words it.
    fn fetch_path(
        &self,
        cluster: &str,
        path: String,
        wrap: impl FnOnce(Result<serde_json::Value, ClientError>) -> Msg + Send + 'static,
    ) {
        let tx = self.tx.clone();
        let client = self.kube.client(cluster).cloned();
        let cluster = cluster.to_string();
        tokio::spawn(async move {
            let result = match client {
                Some(client) => get_json(&client, &path).await,
                None => Err(no_client(&cluster)),
            };
            let _ = tx.send(wrap(result));
        });
    }

    /// Start what an inspector tab needs, in place of the last tab's work.
    fn tab_work(&mut self, work: TabWork) {
        if let Some(old) = self.node_text.take() {
            old.abort();
        }
        let client = self.talos.clients.get(work.node().cluster.as_str());
        self.node_text = super::node_tabs::start(client, work, &self.tx);
    }

    fn stop_browse(&mut self) {
        for task in self.browse.drain(..) {
            task.abort();
        }
    }

    pub fn run(&mut self, command: Command) {
        match command {
            Command::WatchAppDetail(key) => {
                if let Some(old) = self.detail.take() {
                    old.abort();
                }
                if let Some(old) = self.tree.take() {
                    old.abort();
                }
                if let Some(argocd) = &self.argocd {
                    let tree_key = key.clone();
                    let sink = watches::sink(&self.tx, move |result| Msg::ResourceTree {
                        key: tree_key.clone(),
                        result,
                    });
                    self.tree = Some(argocd.watch_tree(key.clone(), sink));
                }
                if let Some(client) = self.kube.client(&key.cluster) {
                    self.detail = Some(watches::watch_app_detail(client, &key, &self.tx));
                }
            }
            Command::Browse(target) => {
                self.stop_browse();
                for cluster in &target.clusters {
                    let Some(client) = self.kube.client(cluster).cloned() else {
                        continue;
                    };
                    let id = target.id;
                    let sink = watches::sink(&self.tx, move |update| Msg::Browse { id, update });
                    self.browse.push(browse::spawn_table_watch(
                        client,
                        cluster.clone(),
                        target.kind.clone(),
                        target.namespace.clone(),
                        target.fields.clone(),
                        sink,
                    ));
                }
            }
            Command::StopBrowse => self.stop_browse(),
            Command::PollMetrics {
                id,
                of,
                clusters,
                namespace,
            } => {
                for cluster in clusters {
                    let Some(client) = self.kube.client(&cluster).cloned() else {
                        continue;
                    };
                    let from = cluster.clone();
                    let sink = watches::sink(&self.tx, move |result| Msg::Metrics {
                        id,
                        cluster: from.clone(),
                        result,
                    });
                    // With the browse's tasks: a new browse stops the poll.
                    self.browse.push(crate::clients::kube::metrics::poll(
                        client,
                        cluster,
                        of,
                        namespace.clone(),
                        super::metrics::POLL_EVERY,
                        sink,
                    ));
                }
            }
            Command::Describe(target) => {
                let tx = self.tx.clone();
                let client = self.kube.client(&target.key.cluster).cloned();
                tokio::spawn(async move {
                    let Some(client) = client else {
                        let object = Err(no_client(&target.key.cluster));
                        let events = Err(no_client(&target.key.cluster));
                        let _ = tx.send(Msg::Described {
                            target,
                            object,
                            events,
                        });
                        return;
                    };
                    let (path, events_path) = (target.path(), describe::events_path(&target));
                    let (object, events) =
                        tokio::join!(get_json(&client, &path), get_json(&client, &events_path),);
                    let _ = tx.send(Msg::Described {
                        target,
                        object,
                        events,
                    });
                });
            }
            Command::FetchYaml(target) => {
                self.fetch(target, |target, result| Msg::Yaml { target, result })
            }
            Command::FetchNodePods { node, version } => {
                let path = format!("/api/v1/pods?fieldSelector=spec.nodeName%3D{}", node.name);
                let cluster = node.cluster.clone();
                self.fetch_path(&cluster, path, move |result| Msg::NodePods {
                    node,
                    version,
                    result,
                });
            }
            Command::WatchInfra { cluster, kind } => {
                if let Some(client) = self.kube.client(&cluster).cloned() {
                    let sink = watches::sink(&self.tx, Msg::Infra);
                    // For the session: Machines keep pointing at these.
                    self.infra.push(browse::spawn_table_watch(
                        client, cluster, kind, None, None, sink,
                    ));
                }
            }
            Command::WatchPlatformHealth { cluster, kinds } => {
                if let Some(client) = self.kube.client(&cluster).cloned() {
                    // For the session, as the provider kinds.
                    self.infra.extend(kinds.into_iter().filter_map(|kind| {
                        super::platform_watch::spawn(&client, &cluster, kind, &self.tx)
                    }));
                }
            }
            Command::FetchOwner { target, owner } => {
                self.fetch(owner, move |owner, result| Msg::Owner {
                    target,
                    owner,
                    result,
                });
            }
            Command::FetchToCopy(target) => self.fetch(target, |target, result| {
                Msg::ObjectToCopy { target, result }
            }),
            Command::Copy { what, text } => {
                let result = self.clipboard.copy(&text);
                let _ = self.tx.send(Msg::Copied { what, result });
            }
            Command::StopAppDetail => {
                for task in [self.detail.take(), self.tree.take()].into_iter().flatten() {
                    task.abort();
                }
            }
            Command::ArgoExecute { id, request } => {
                let argocd = self.argocd.clone();
                let audited = request.clone();
                self.spawn_action(
                    id,
                    async move {
                        match argocd {
                            Some(argocd) => argocd.send(&request).await,
                            None => Err(no_argocd()),
                        }
                    },
                    move |path, result| argocd::audit(path, &audited, result),
                );
            }
            Command::FetchDiff(app) => {
                let tx = self.tx.clone();
                let argocd = self.argocd.clone();
                tokio::spawn(async move {
                    let result = match &argocd {
                        Some(argocd) => argocd.managed_resources(&app.name, &app.namespace).await,
                        None => Err(no_argocd()),
                    };
                    let _ = tx.send(Msg::Diff { app, result });
                });
            }
            Command::CheckArgoAccess { id, request } => {
                let tx = self.tx.clone();
                let argocd = self.argocd.clone();
                tokio::spawn(async move {
                    let result = match argocd {
                        Some(argocd) => argocd.can_i(&request).await,
                        None => Err(no_argocd()),
                    };
                    let _ = tx.send(Msg::AccessChecked { id, result });
                });
            }
            Command::PollNodeTable(key, kind) => self.tab_work(TabWork::Table(key, kind)),
            Command::StreamNodeText(key, source) => self.tab_work(TabWork::Text(key, source)),
            Command::FollowMachineDetails(key) => self.tab_work(TabWork::Details(key)),
            Command::ReadMachineConfig(key) => self.tab_work(TabWork::Config(key)),
            Command::CheckAccess { id, plans } => {
                let tx = self.tx.clone();
                let context = plans
                    .first()
                    .map(|p| p.target.cluster.clone())
                    .unwrap_or_default();
                match self.kube.client(&context).cloned() {
                    Some(client) => {
                        tokio::spawn(async move {
                            let result = actions::check_all(&client, &plans).await;
                            let _ = tx.send(Msg::AccessChecked { id, result });
                        });
                    }
                    None => {
                        let _ = tx.send(Msg::AccessChecked {
                            id,
                            result: Err(no_client(&context)),
                        });
                    }
                }
            }
            Command::Execute { id, plan } => {
                let client = self.kube.client(&plan.target.cluster).cloned();
                let audited = plan.clone();
                self.spawn_action(
                    id,
                    async move {
                        match client {
                            Some(client) => actions::execute(&client, &plan).await,
                            None => Err(no_client(&plan.target.cluster)),
                        }
                    },
                    move |path, result| actions::audit(path, &audited, result),
                );
            }
            Command::TalosCall { id, call } => {
                let client = self.talos.clients.get(&call.context).cloned();
                let audited = call.clone();
                let tx = self.tx.clone();
                let progress = move |note| {
                    let _ = tx.send(Msg::ActionProgress { id, note });
                };
                self.spawn_action(
                    id,
                    async move {
                        match client {
                            Some(client) => client.call(&call, progress).await,
                            None => Err(ClientError::Other(format!(
                                "no talosconfig context {}",
                                call.context
                            ))),
                        }
                    },
                    move |path, result| crate::clients::talos::calls::audit(path, &audited, result),
                );
            }
            Command::TalosUpgrade { id, request } => {
                let client = self.talos.clients.get(&request.context).cloned();
                let audited = request.clone();
                self.spawn_action(
                    id,
                    async move {
                        match client {
                            Some(client) => client.upgrade(&request).await,
                            None => Err(ClientError::Other(format!(
                                "no talosconfig context {}",
                                request.context
                            ))),
                        }
                    },
                    move |path, result| talos_upgrade::audit(path, &audited, result),
                );
            }
            Command::FocusTalos(node) => {
                if let Some(polls) = &self.talos_polls {
                    polls.focus(node);
                }
            }
            Command::TalosTargets(targets) => {
                if let Some(polls) = &mut self.talos_polls {
                    polls.retarget(targets);
                }
            }
            Command::StopNodeText => {
                if let Some(old) = self.node_text.take() {
                    old.abort();
                }
            }
            Command::StreamPodLog { id, key, ask } => {
                if let Some(old) = self.pod_log.take() {
                    old.abort();
                }
                let sink = watches::sink(&self.tx, move |report| Msg::PodLog { id, report });
                match self.kube.client(&key.cluster).cloned() {
                    Some(client) => self.pod_log = Some(logs::stream(client, key, ask, sink)),
                    None => {
                        sink.send(LogReport::Failed(no_client(&key.cluster)));
                    }
                }
            }
            Command::RunPlugin { id, run } if run.background => {
                let audit_path = self.audit.clone();
                let (tx, audited) = (self.tx.clone(), run.clone());
                let sink = Sink::new(move |report| match report {
                    PluginReport::Line(line) => tx.send(Msg::PluginLine { id, line }).is_ok(),
                    PluginReport::Done(result) => {
                        let result = with_audit(audit_path.as_deref(), result, None, |p, r| {
                            plugin::audit(p, &audited, r)
                        });
                        tx.send(Msg::ActionDone { id, result }).is_ok()
                    }
                });
                self.plugins.push(plugin::spawn_background(run, sink));
            }
            // The loop hands the terminal over, runs it, and reports back (`run_foreground`).
            Command::RunPlugin { id, run } => self.foreground = Some((id, run)),
            Command::StopPodLog => {
                if let Some(old) = self.pod_log.take() {
                    old.abort();
                }
            }
        }
    }
}

impl Drop for Executor {
    fn drop(&mut self) {
        for task in [
            self.detail.take(),
            self.tree.take(),
            self.node_text.take(),
            self.pod_log.take(),
        ]
        .into_iter()
        .flatten()
        {
            task.abort();
        }
        self.stop_browse();
        for task in self.infra.drain(..).chain(self.plugins.drain(..)) {
            task.abort();
        }
    }
}
