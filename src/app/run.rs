//! The event loop: one task owns the terminal and the state. It drains every queued message,
//! then draws once if anything changed, at most every ~16 ms, and sleeps while idle.

use std::time::Duration;

use crossterm::event::EventStream;
use futures::StreamExt;
use jiff::Timestamp;
use ratatui::Terminal;
use ratatui::backend::Backend;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio::time::Instant;

use super::msg::{Command, Msg};
use super::state::State;
use super::update::update;
use super::watches;
use crate::clients::clipboard::Clipboard;
use crate::clients::error::ClientError;
use crate::clients::kube::logs::{self, LogReport};
use crate::clients::kube::{browse, get_json};
use crate::model::describe;
use crate::model::yaml::ObjectRef;
use std::path::PathBuf;

use crate::clients::argocd::{self, ArgoCd};
use crate::clients::audit;
use crate::clients::kube::actions;
use crate::clients::kube::sources::KubeSources;
use crate::clients::talos::poller::{self, TalosSetup};
use crate::clients::talos::upgrade as talos_upgrade;
use crate::views;

const FRAME_INTERVAL: Duration = Duration::from_millis(16);

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
    /// Watches of the providers' machine kinds the cluster tree follows.
    infra: Vec<JoinHandle<()>>,
    clipboard: Clipboard,
    /// Where one line per action goes; None keeps no log (tests that do not need one).
    audit: Option<PathBuf>,
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
            clipboard: Clipboard::default(),
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

    pub fn with_argocd(mut self, argocd: Option<ArgoCd>) -> Self {
        self.argocd = argocd;
        self
    }

    pub fn with_audit(mut self, path: Option<PathBuf>) -> Self {
        self.audit = path;
        self
    }

    /// Send an action in its own task, write its audit line, and report the outcome; an
    /// outcome whose audit line could not be written says so.
    fn spawn_action<Request, Record>(&self, id: u64, send: Request, record: Record)
    where
        Request: Future<Output = Result<String, ClientError>> + Send + 'static,
        Record: FnOnce(&std::path::Path, &Result<String, ClientError>) -> std::io::Result<()>
            + Send
            + 'static,
    {
        let tx = self.tx.clone();
        let audit_path = self.audit.clone();
        tokio::spawn(async move {
            let result = send.await;
            match &result {
                Ok(outcome) => tracing::info!(id, "action done: {outcome}"),
                Err(e) => tracing::warn!(id, "action failed: {e}"),
            }
            let result = match audit_path.map(|p| record(&p, &result)) {
                Some(Err(e)) => result.map(|ok| format!("{ok} (audit log not written: {e})")),
                _ => result,
            };
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
            Command::StreamNodeText(key, source) => {
                if let Some(old) = self.node_text.take() {
                    old.abort();
                }
                match self.talos.clients.get(&key.cluster) {
                    Some(client) => {
                        let (text_key, text_source) = (key.clone(), source.clone());
                        let sink = watches::sink(&self.tx, move |text| Msg::NodeText {
                            key: text_key.clone(),
                            source: text_source.clone(),
                            text,
                        });
                        self.node_text =
                            Some(poller::stream_text(client.clone(), key, source, sink));
                    }
                    None => {
                        let _ = self.tx.send(Msg::NodeText {
                            key,
                            source,
                            text: Err("no talosconfig context for this node".into()),
                        });
                    }
                }
            }
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
        for task in self.infra.drain(..) {
            task.abort();
        }
    }
}

/// The panes' watches and pollers, running, and the executor for what `update` asks.
pub struct Started {
    pub tasks: Vec<JoinHandle<()>>,
    pub executor: Executor,
}

/// Start every feed the panes read (watches, Talos polls, kind discovery); their messages
/// arrive on `tx`. The interactive loop and a headless snapshot start the same way.
pub fn start(
    kube: KubeSources,
    talos: TalosSetup,
    argocd: Option<ArgoCd>,
    tx: mpsc::UnboundedSender<Msg>,
) -> Started {
    let mut tasks = watches::start_pane_watches(&kube, &tx);
    tasks.extend(poller::start_polling(
        &talos,
        poller::POLL_EVERY,
        &watches::sink(&tx, Msg::Talos),
    ));
    let executor = Executor::new(kube, talos, tx)
        .with_audit(audit::default_audit_path())
        .with_argocd(argocd);
    executor.discover_kinds();
    Started { tasks, executor }
}

/// Tell the state the screen's size (page sizes follow it).
pub fn resize(state: &mut State, width: u16, height: u16) {
    update(
        state,
        Msg::Input(crossterm::event::Event::Resize(width, height)),
    );
}

/// Drive the cockpit until the user quits. The terminal must already be set up.
pub async fn run_loop<B: Backend + std::io::Write>(
    terminal: &mut Terminal<B>,
    mut state: State,
    kube: KubeSources,
    talos: TalosSetup,
    argocd: Option<ArgoCd>,
) -> std::io::Result<()>
where
    B::Error: Into<std::io::Error>,
{
    let (tx, mut rx) = mpsc::unbounded_channel();
    let Started {
        tasks,
        mut executor,
    } = start(kube, talos, argocd, tx);
    // Page sizes follow the terminal: its size now, then every resize.
    if let Ok(size) = terminal.size() {
        resize(&mut state, size.width, size.height);
    }
    let mut input = EventStream::new();
    let mut clock = tokio::time::interval(Duration::from_secs(1));
    let mut last_draw = Instant::now() - FRAME_INTERVAL;
    let result = loop {
        let redraw_due = last_draw + FRAME_INTERVAL;
        tokio::select! {
            Some(event) = input.next() => match event {
                Ok(event) => handle(&mut state, &mut executor, Msg::Input(event)),
                Err(e) => break Err(e),
            },
            Some(msg) = rx.recv() => handle(&mut state, &mut executor, msg),
            _ = clock.tick() => handle(&mut state, &mut executor, Msg::Tick(Timestamp::now())),
            // Wake up to draw a frame that was held back by the frame interval.
            _ = tokio::time::sleep_until(redraw_due), if state.dirty => {}
        }
        // Drain whatever else is queued before drawing once.
        while let Ok(msg) = rx.try_recv() {
            handle(&mut state, &mut executor, msg);
        }
        if state.quit {
            break Ok(());
        }
        // An OSC 52 copy goes to the terminal itself, between frames.
        if !state.terminal_output.is_empty() {
            let backend = terminal.backend_mut();
            for sequence in state.terminal_output.drain(..) {
                let _ = backend.write_all(sequence.as_bytes());
            }
            let _ = std::io::Write::flush(backend);
        }
        if state.dirty && Instant::now() >= last_draw + FRAME_INTERVAL {
            if let Err(e) = terminal.draw(|f| views::draw(f, &state)) {
                break Err(e.into());
            }
            state.dirty = false;
            last_draw = Instant::now();
        }
    };
    for w in tasks {
        w.abort();
    }
    result
}

/// Apply one message and run what it asks for.
pub fn handle(state: &mut State, executor: &mut Executor, msg: Msg) {
    for command in update(state, msg) {
        executor.run(command);
    }
}
