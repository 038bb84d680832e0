//! Plugins at work: which of the user's commands are offered where, the variables the row
//! under the cursor gives them, and running one (or asking first). A `dangerous` one is hidden
//! in read-only mode and always confirmed; any can ask for a confirm. Every run goes through
//! the same operation path as the cockpit's own actions: the operations panel and the audit
//! log. The file itself is read in `plugin_file`.

use super::domains::PluginOutput;
use super::ids::PaneId;
use super::keys::Key;
use super::msg::Command;
use super::mutations::{open_dialog, start_operation};
pub use super::plugin_file::{Plugin, Plugins};
use super::state::{Screen, State};
use super::tables;
use crate::clients::error::ClientError;
use crate::model::plugin::{PluginRun, Vars, expand};
use crate::model::rollout::Plan;
use crate::model::store::ObjRef;
use crate::model::text::sanitize;
use crate::model::tree::NodeId;

/// Lines of a background plugin's output kept (the newest).
const OUTPUT_LINES: usize = 10_000;

/// Load `plugins.toml` into the state; what is wrong with it (a bad file, a key a built-in
/// action already has in a pane the plugin names) comes back as a notice. Built-in keys win.
pub fn load_into(state: &mut State) -> Option<String> {
    let known: Vec<&str> = state.panes.all().map(|p| p.id.section()).collect();
    let (plugins, error) = Plugins::load(&known);
    state.plugins = plugins;
    if let Some(e) = error {
        return Some(format!("{e} — no plugins loaded"));
    }
    // Panes with rows: where a plugin that names no pane works.
    let with_rows: Vec<PaneId> = state
        .panes
        .all()
        .filter(|p| p.table.is_some() || p.id == PaneId::CLUSTERS)
        .map(|p| p.id)
        .collect();
    let ids: Vec<PaneId> = state.panes.all().map(|p| p.id).collect();
    let shadowed: Vec<String> = state
        .plugins
        .0
        .iter()
        .flat_map(|p| {
            ids.iter()
                .filter(|id| match p.panes.is_empty() {
                    true => with_rows.contains(id),
                    false => p.panes.iter().any(|s| s == id.section()),
                })
                .filter(|id| {
                    state
                        .keymap
                        .resolve(super::keymap::Scope::Pane(**id), p.key)
                        .is_some()
                })
                .map(|id| format!("{} ({} in {})", p.name, p.key.display(), id.section()))
                .collect::<Vec<_>>()
        })
        .collect();
    (!shadowed.is_empty()).then(|| {
        format!(
            "plugins.toml: keys taken by built-in actions, so these plugins do not run there: {}",
            shadowed.join(", ")
        )
    })
}

/// The kind of the rows on screen, as `$KIND` says it and `kinds` filters on.
fn screen_kind(state: &State) -> Option<String> {
    let kind = match state.screen() {
        Screen::Pane(PaneId::BROWSE) => {
            return state.browse.target.as_ref().map(|t| t.kind.kind.clone());
        }
        Screen::Pane(PaneId::APPS) => "Application",
        Screen::Pane(PaneId::SECRETS) => "ExternalSecret",
        Screen::Pane(PaneId::VMS) => "VirtualMachine",
        Screen::Pane(PaneId::HOSTS) => "Hardware",
        Screen::Pane(PaneId::TALOS) => "TalosNode",
        Screen::Pane(PaneId::OPS) => "Operation",
        Screen::Pane(PaneId::CLUSTERS) => {
            return Some(
                match state.tree.selected.as_ref()? {
                    NodeId::Cluster(_) => "Cluster",
                    NodeId::ControlPlane(_) => "TalosControlPlane",
                    NodeId::Deployment(_) => "MachineDeployment",
                    NodeId::Machine(_) => "Machine",
                }
                .into(),
            );
        }
        _ => return None,
    };
    Some(kind.into())
}

/// Whether a plugin works where the user is: its pane, and in the browser its kind. A
/// dangerous one is not offered at all in read-only mode.
fn offered_here(state: &State, plugin: &Plugin) -> bool {
    // Built-in keys win: a plugin on a taken key does not run here (load_into said so).
    if (plugin.dangerous && state.readonly)
        || state
            .keymap
            .resolve(state.screen().scope(), plugin.key)
            .is_some()
    {
        return false;
    }
    let pane = state.screen().pane();
    let in_pane = if plugin.panes.is_empty() {
        tables::on_screen(state).is_some() || pane == PaneId::CLUSTERS
    } else {
        plugin.panes.iter().any(|p| p == pane.section())
    };
    if !in_pane || plugin.kinds.is_empty() {
        return in_pane;
    }
    let browsed = state
        .browse
        .target
        .as_ref()
        .filter(|_| pane == PaneId::BROWSE);
    plugin.kinds.iter().any(|k| match browsed {
        Some(target) => target.kind.answers_to(k),
        None => screen_kind(state).is_some_and(|kind| kind.eq_ignore_ascii_case(k)),
    })
}

/// The plugins offered on this screen (for help and the hint bar).
pub fn offered(state: &State) -> Vec<&Plugin> {
    state
        .plugins
        .0
        .iter()
        .filter(|p| offered_here(state, p))
        .collect()
}

/// The selected row's variables, and the object it is.
fn selected_row(state: &State) -> Option<(Vars, ObjRef)> {
    let mut vars = Vars::default();
    let key = if let Some(table) = tables::on_screen(state) {
        let rows = tables::shown(state, table);
        let at = state.tables.view(table.id).selected_index(&rows)?;
        let row = rows.get(at)?.clone();
        for (column, cell) in table.columns(state).iter().zip(&row.cells) {
            vars.set_column(column.title, &cell.text_at(state.now));
        }
        // In the browser every server column counts, also those too wide to show (a pod's
        // NODE and IP): the row keeps them all.
        if let Some(browsed) = state
            .browse
            .rows
            .get(&row.key)
            .filter(|_| table.id == tables::BROWSE.id)
        {
            for (column, cell) in state.browse.columns.iter().zip(&browsed.cells) {
                vars.set_column(&column.name, cell);
            }
        }
        row.key
    } else if state.screen() == &Screen::Pane(PaneId::CLUSTERS) {
        let id = state.tree.selected.clone()?;
        let cluster = match &id {
            NodeId::Cluster(k) => Some(k.name.to_string()),
            NodeId::ControlPlane(k) => state.capi.control_planes.get(k).map(|r| r.cluster.clone()),
            NodeId::Deployment(k) => state.capi.deployments.get(k).map(|r| r.cluster.clone()),
            NodeId::Machine(k) => state.capi.machines.get(k).map(|r| r.cluster.to_string()),
        };
        if let NodeId::Machine(k) = &id
            && let Some(node) = state.capi.machines.get(k).map(|m| m.node.clone())
            && !node.is_empty()
        {
            vars.set("NODE", node);
        }
        if let Some(cluster) = cluster {
            vars.set("CLUSTER", cluster);
        }
        match id {
            NodeId::Cluster(k)
            | NodeId::ControlPlane(k)
            | NodeId::Deployment(k)
            | NodeId::Machine(k) => k,
        }
    } else {
        return None;
    };
    let kind = screen_kind(state).unwrap_or_default();
    vars.set("NAME", key.name.clone());
    vars.set("NAMESPACE", key.namespace.clone());
    vars.set("CONTEXT", key.cluster.clone());
    vars.set("KIND", kind.clone());
    let column = |name: &str| vars.get(&format!("COL-{name}")).map(str::to_string);
    let (cluster_column, node_column) = (column("CLUSTER"), column("NODE"));
    if vars.get("CLUSTER").is_none() {
        let cluster = cluster_column.unwrap_or_else(|| key.cluster.to_string());
        vars.set("CLUSTER", cluster);
    }
    if vars.get("NODE").is_none() {
        let node = node_column.or_else(|| {
            matches!(kind.as_str(), "Node" | "TalosNode").then(|| key.name.to_string())
        });
        if let Some(node) = node {
            vars.set("NODE", node);
        }
    }
    if let Some(path) = &state.kubeconfig {
        vars.set("KUBECONFIG", path.display().to_string());
    }
    Some((vars, key))
}

/// The run a plugin makes of the selected row, or why it cannot.
pub fn run_for(state: &State, plugin: &Plugin) -> Result<PluginRun, String> {
    let (vars, target) =
        selected_row(state).ok_or_else(|| format!("plugin {}: no row selected", plugin.name))?;
    let env = |name: &str| std::env::var(name).ok();
    let expand_all =
        |word: &str| expand(word, &vars, env).map_err(|e| format!("plugin {}: {e}", plugin.name));
    let program = expand_all(&plugin.command)?;
    let args = plugin
        .args
        .iter()
        .map(|a| expand_all(a))
        .collect::<Result<Vec<_>, _>>()?;
    let kind = vars.get("KIND").unwrap_or_default().to_string();
    Ok(PluginRun {
        title: format!(
            "plugin {} on {kind} {}",
            plugin.name,
            target.namespaced_name()
        ),
        name: plugin.name.clone(),
        program,
        args,
        env: state
            .kubeconfig
            .iter()
            .map(|p| ("KUBECONFIG".to_string(), p.display().to_string()))
            .collect(),
        background: plugin.background,
        dangerous: plugin.dangerous,
        target,
        kind,
    })
}

/// A key no built-in action took: the plugin bound to it here, if any, runs (or asks first).
pub fn on_key(state: &mut State, key: Key) -> Option<Vec<Command>> {
    let plugin = offered(state).into_iter().find(|p| p.key == key)?.clone();
    let run = match run_for(state, &plugin) {
        Ok(run) => run,
        Err(e) => {
            state.notice = Some(e);
            return Some(Vec::new());
        }
    };
    if plugin.dangerous || plugin.confirm {
        return Some(open_dialog(state, Plan::Plugin(run)));
    }
    let id = state.actions.next_id;
    state.actions.next_id += 1;
    Some(start_operation(state, id, Plan::Plugin(run)))
}

/// A line from a background plugin: kept for `:output` if it is the run shown there.
pub fn on_line(state: &mut State, id: u64, line: &str) {
    let output = state
        .actions
        .output
        .get_or_insert_with(|| PluginOutput::new(id, String::new()));
    if output.id != id {
        return;
    }
    output.lines.push(sanitize(line));
    if output.lines.len() > OUTPUT_LINES {
        let extra = output.lines.len() - OUTPUT_LINES;
        output.lines.drain(..extra);
    }
}

/// A run has ended: `:output` says how.
pub fn on_done(state: &mut State, id: u64, result: &Result<String, ClientError>) {
    if let Some(output) = state.actions.output.as_mut().filter(|o| o.id == id) {
        output.ended = Some(match result {
            Ok(m) => m.clone(),
            Err(e) => e.to_string(),
        });
    }
}
