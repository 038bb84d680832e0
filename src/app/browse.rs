//! The kind browser and the commands that act on the object under the cursor: opening a
//! kind, the events of an object, the name a copy takes.

use super::domains::{Browse, BrowseTarget};
use super::ids::PaneId;
use super::msg::Command;
use super::navigation::switch_root;
use super::state::{Prompt, Screen, State};
use super::table::TableId;
use super::tables;
use super::yaml;
use crate::model::table::Sort;
use crate::model::tree::NodeId;

/// The name of whatever the cursor is on: a table row, a tree node, the object in the YAML view.
pub fn selected_name(state: &State) -> Option<String> {
    if let Screen::Yaml(target) = state.screen() {
        return Some(target.key.name.to_string());
    }
    if let Some(table) = tables::on_screen(state) {
        return tables::selected(state, table).map(|k| k.name.to_string());
    }
    match state.tree.selected.as_ref()? {
        NodeId::Cluster(k)
        | NodeId::ControlPlane(k)
        | NodeId::Deployment(k)
        | NodeId::Machine(k) => Some(k.name.to_string()),
    }
}

/// `e` on a row: the Events about that object, on its cluster, newest first.
pub fn events_of_selection(state: &mut State) -> Vec<Command> {
    let Some(object) = yaml::target(state) else {
        state.notice = Some(yaml::no_object(state));
        return Vec::new();
    };
    let Some((kind, _)) = state.catalog.resolve("events") else {
        state.notice = Some(format!("{} does not serve Events", object.key.cluster));
        return Vec::new();
    };
    state.actions.next_id += 1;
    let key = &object.key;
    let target = BrowseTarget {
        id: state.actions.next_id,
        kind: kind.clone(),
        namespace: Some(key.namespace.to_string()).filter(|ns| !ns.is_empty()),
        clusters: vec![key.cluster.to_string()],
        pinned: true,
        fields: Some(format!(
            "involvedObject.kind={},involvedObject.name={}",
            object.kind, key.name
        )),
        about: Some(format!("for {} {}", object.kind, key.name)),
    };
    open_browse(state, target)
}

/// `n`: ask which namespace to show the kind in, starting from the current one.
pub fn ask_namespace(state: &mut State) {
    match &state.browse.target {
        Some(t) if t.kind.namespaced => {
            state.prompt = Some(Prompt::Namespace(t.namespace.clone().unwrap_or_default()));
        }
        Some(t) => state.notice = Some(format!("{} are not in namespaces", t.kind.plural)),
        None => {}
    }
}

/// Tab in the namespace prompt: the first namespace of the listed rows that starts with it.
pub fn complete_namespace(browse: &Browse, typed: &str) -> Option<String> {
    let namespaces: std::collections::BTreeSet<&str> = browse
        .rows
        .iter()
        .map(|r| r.key.namespace.as_str())
        .collect();
    namespaces
        .into_iter()
        .find(|ns| ns.starts_with(typed) && *ns != typed)
        .map(str::to_string)
}

/// The kind again in `namespace` (empty: every namespace), on the same clusters.
pub fn narrow_to(state: &mut State, namespace: &str) -> Vec<Command> {
    let Some(target) = state.browse.target.clone() else {
        return Vec::new();
    };
    let mut args: Vec<String> = Vec::new();
    if !namespace.is_empty() {
        args.push(namespace.to_string());
    }
    if let (true, [cluster]) = (target.pinned, target.clusters.as_slice()) {
        args.push(format!("@{cluster}"));
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    browse(state, &target.kind.qualified(), &args)
}

/// Enter on a row of the kind browser, as in k9s: a namespace opens its pods, a node the pods
/// that run on it (both on that row's cluster).
pub fn drill_in(state: &mut State) -> Vec<Command> {
    let (Some(target), Some(key)) = (
        state.browse.target.clone(),
        tables::selected(state, &tables::BROWSE),
    ) else {
        return Vec::new();
    };
    let (namespace, fields, about) = match (target.kind.group.as_str(), target.kind.kind.as_str()) {
        ("", "Namespace") => (Some(key.name.to_string()), None, None),
        ("", "Node") => (
            None,
            Some(format!("spec.nodeName={}", key.name)),
            Some(format!("on node {}", key.name)),
        ),
        _ => {
            state.notice = Some(
                "Enter opens the pods of a namespace or a node; d describes, y shows the YAML"
                    .into(),
            );
            return Vec::new();
        }
    };
    let Some((pods, _)) = state.catalog.resolve("pods") else {
        state.notice = Some(format!("{} does not serve pods", key.cluster));
        return Vec::new();
    };
    state.actions.next_id += 1;
    let target = BrowseTarget {
        id: state.actions.next_id,
        kind: pods.clone(),
        namespace,
        clusters: vec![key.cluster.to_string()],
        pinned: true,
        fields,
        about,
    };
    open_browse(state, target)
}

/// The kind browser on one object (`nodes`, `pods` …) of one cluster, found by name: where a
/// jump from another pane lands on an object that has no pane of its own.
pub fn open_one(state: &mut State, kind: &str, key: &crate::model::store::ObjRef) -> Vec<Command> {
    let Some((resolved, serving)) = state.catalog.resolve(kind) else {
        state.notice = Some(format!("no cluster serves {kind} yet"));
        return Vec::new();
    };
    if !serving.iter().any(|c| *c == key.cluster) {
        state.notice = Some(format!("{} does not serve {kind}", key.cluster));
        return Vec::new();
    }
    state.actions.next_id += 1;
    let target = BrowseTarget {
        id: state.actions.next_id,
        kind: resolved.clone(),
        namespace: (resolved.namespaced && !key.namespace.is_empty())
            .then(|| key.namespace.to_string()),
        clusters: vec![key.cluster.to_string()],
        pinned: true,
        fields: Some(format!("metadata.name={}", key.name)),
        about: Some(format!("named {}", key.name)),
    };
    open_browse(state, target)
}

/// Events read best newest first: sort them by LAST SEEN until the user chooses otherwise.
pub fn newest_events_first(state: &mut State) {
    let is_events = state
        .browse
        .target
        .as_ref()
        .is_some_and(|t| t.kind.group.is_empty() && t.kind.kind == "Event");
    if !is_events || state.tables.view(TableId::BROWSE).sort.is_some() {
        return;
    }
    let columns = &tables::BROWSE.columns(state);
    if let Some(at) = columns.iter().position(|c| c.title == "LAST SEEN") {
        state.tables.view_mut(TableId::BROWSE).sort = Some(Sort {
            column: at,
            descending: false,
        });
    }
}

/// Open the kind browser on `kind` with the command's arguments: a namespace (else all) and
/// `@context` for one cluster (else every cluster that serves the kind), in either order.
pub fn browse(state: &mut State, name: &str, args: &[&str]) -> Vec<Command> {
    let Some((kind, serving)) = state.catalog.resolve(name) else {
        return Vec::new();
    };
    let namespace = args.iter().find(|a| !a.starts_with('@'));
    let context = args.iter().find_map(|a| a.strip_prefix('@'));
    let clusters: Vec<String> = match context {
        Some(context) if serving.contains(context) => vec![context.to_string()],
        Some(context) => {
            let all: Vec<&str> = serving.iter().map(String::as_str).collect();
            state.notice = Some(format!(
                "{context} does not serve {} (served by {})",
                kind.qualified(),
                all.join(", ")
            ));
            return Vec::new();
        }
        None => serving.iter().cloned().collect(),
    };
    state.actions.next_id += 1;
    let target = BrowseTarget {
        id: state.actions.next_id,
        kind: kind.clone(),
        namespace: namespace
            .filter(|_| kind.namespaced)
            .map(|ns| ns.to_string()),
        clusters,
        pinned: context.is_some(),
        fields: None,
        about: None,
    };
    open_browse(state, target)
}

/// Replace whatever is on screen with the kind browser on `target`.
fn open_browse(state: &mut State, target: BrowseTarget) -> Vec<Command> {
    let mut commands = switch_root(state, Screen::Pane(PaneId::BROWSE));
    state.browse = Browse {
        target: Some(target.clone()),
        ..Browse::default()
    };
    state.tables.view_mut(TableId::BROWSE).reset();
    commands.push(Command::Browse(target));
    // After the browse: starting it stops the previous browse's tasks, polls included.
    commands.extend(super::metrics::start(state));
    commands
}
