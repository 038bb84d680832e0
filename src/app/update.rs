//! `update(&mut State, Msg) -> Vec<Command>`: the only place state changes. Pure: no I/O, no
//! awaiting, time comes in with the message.

use crossterm::event::{Event, KeyCode, KeyEventKind, KeyModifiers};

use super::action::Action;
use super::browse::{browse, events_of_selection, newest_events_first, selected_name};
use super::cursor::{cycle_sort, move_cursor, on_tree, reverse_sort};
use super::describe;
use super::domains::{Access, Inspector, InspectorTab, OpStatus};
use super::ids::PaneId;
use super::inspector::{cycle_tab, switch_tab};
use super::keys::Key;
use super::layout::page_rows;
use super::logs::{self, LogToggle};
use super::msg::{Command, Msg};
use super::mutations::{dialog_key, offer, open_dialog, toggle_mark};
use super::navigation::{leave, push, switch_root};
use super::object_actions;
use super::prompts::{ask_value, value_entered};
use super::rollout;
use super::state::{Prompt, Screen, State};
use super::table::TableId;
use super::tables;
use super::yaml;
use crate::clients::kube::browse::BrowseUpdate;
use crate::model::store::WatchUpdate;

pub fn update(state: &mut State, msg: Msg) -> Vec<Command> {
    // Rollout gates read Machines and Talos nodes, and time out by the clock.
    let gates_may_move = matches!(
        msg,
        Msg::Tick(_)
            | Msg::Machines(_)
            | Msg::ControlPlanes(_)
            | Msg::Deployments(_)
            | Msg::Talos(_)
            | Msg::ActionDone { .. }
    );
    // Machines name their providers' machines; discovery says how to watch them; the pane's
    // list, or the clock, lets those held back for it start.
    let machines_may_move = matches!(msg, Msg::Machines(_) | Msg::Catalog { .. });
    let infra_may_start =
        super::infra::waiting(state) && matches!(msg, Msg::Browse { .. } | Msg::Tick(_));
    let msg_was_catalog = matches!(msg, Msg::Catalog { .. });
    // The Talos nodes to poll follow the Machines and the workload clusters' Nodes.
    let nodes_may_move = matches!(
        msg,
        Msg::Machines(_) | Msg::WorkloadNodes(_) | Msg::TalosContexts(_)
    );
    if super::attention::touched_by(&msg) {
        state.attention.stale = true;
        super::history::observe(state, &msg);
    }
    let tick = matches!(msg, Msg::Tick(_));
    if !super::cursor::moves_cursor_only(state, &msg) {
        state.generation += 1;
    }
    let mut commands = apply(state, msg);
    if tick {
        super::across::on_tick(state);
    }
    if gates_may_move {
        commands.extend(rollout::advance(state));
    }
    if machines_may_move {
        commands.extend(super::infra::watch_new(state));
    } else if infra_may_start {
        commands.extend(super::infra::start_waiting(state));
    }
    if msg_was_catalog {
        commands.extend(super::platform_watch::watch_new(state));
    }
    if nodes_may_move {
        commands.extend(super::talos_nodes::retarget(state));
    }
    commands.extend(super::talos_nodes::focus(state));
    commands
}

fn apply(state: &mut State, msg: Msg) -> Vec<Command> {
    // The watches' rows into their stores (and the indexes that follow them): what is shown
    // changes.
    let Some(msg) = super::stores::apply(state, msg) else {
        state.dirty = true;
        return Vec::new();
    };
    // Every arm that returns early decides about redrawing itself; the data arms that fall
    // through all change what is shown.
    match msg {
        Msg::Tick(now) => {
            let bucket = if state.any_stale() { 1 } else { 10 };
            if now.as_second() / bucket != state.now.as_second() / bucket {
                state.dirty = true;
            }
            state.now = now;
            return Vec::new();
        }
        Msg::AccessChecked { id, result } => {
            if let Some(d) = state.actions.dialog.as_mut().filter(|d| d.id == id) {
                d.access = match result {
                    Ok(None) => Access::Allowed,
                    Ok(Some(why)) => Access::Denied(why),
                    Err(e) => Access::Unknown(format!("could not check permission: {e}")),
                };
            }
        }
        Msg::ActionDone { id, result } => {
            super::plugins::on_done(state, id, &result);
            rollout::on_done(state, id, result);
        }
        Msg::PluginLine { id, line } => super::plugins::on_line(state, id, &line),
        Msg::ActionProgress { id, note } => rollout::on_progress(state, id, note),
        Msg::Diff { app, result } => super::drift::on_diff(state, app, result),
        Msg::Catalog {
            cluster,
            result,
            complete,
        } => {
            if complete {
                state.catalog.answered(&cluster);
            }
            match result {
                Ok(kinds) => state.catalog.add_cluster(&cluster, kinds),
                Err(e) => {
                    state.notice = Some(format!("discovery on {cluster} failed: {e}"));
                }
            }
            // A `-c` command that names a kind runs once a cluster has said it serves it.
            if let Some(command) = state.pending_command.take() {
                if resolves(state, &command) {
                    return run_command(state, &command);
                }
                // Every cluster has said all it serves and none has it: say so, once.
                if state.catalog.answered_count() >= state.cluster_count() {
                    state.notice = Some(unknown_command(&command));
                } else {
                    state.pending_command = Some(command);
                }
            }
            // A cluster that answers later and serves the kind being browsed joins the browse.
            if let Some(target) = state
                .browse
                .target
                .clone()
                .filter(|t| !t.pinned && state.screen() == &Screen::Pane(PaneId::BROWSE))
            {
                let serving = state
                    .catalog
                    .resolve(&target.kind.qualified())
                    .map(|(_, clusters)| clusters.iter().cloned().collect::<Vec<_>>());
                if serving.as_ref().is_some_and(|c| *c != target.clusters) {
                    let name = target.kind.qualified();
                    let namespace: Vec<&str> = target.namespace.as_deref().into_iter().collect();
                    return browse(state, &name, &namespace);
                }
            }
            // Discovery reports the core group first: metrics-server may show up after.
            state.dirty = true;
            return super::metrics::newly_served(state).into_iter().collect();
        }
        Msg::PodLog { id, report } => logs::on_report(state, id, report),
        Msg::Infra(update) => super::infra::on_rows(state, update),
        Msg::Metrics {
            id,
            cluster,
            result,
        } => super::metrics::on_report(state, id, cluster, result),
        Msg::NodePods {
            node,
            version,
            result,
        } if state.talos.pending_reboot.is_some() => {
            let next = super::node_remedy::on_node_pods(state, node, &version, result);
            return super::mutations::reboot_next(state, next);
        }
        Msg::NodePods {
            node,
            version,
            result,
        } => {
            return object_actions::drain_plan(state, node, &version, result)
                .map(|plan| open_dialog(state, plan))
                .unwrap_or_default();
        }
        Msg::Described {
            target,
            object,
            events,
        } => return describe::on_described(state, target, object, events),
        Msg::Owner {
            target,
            owner,
            result,
        } => return describe::on_owner(state, target, owner, result),
        Msg::Yaml { target, result } => {
            if state.screen() != &Screen::Yaml(target) {
                return Vec::new();
            }
            state.yaml.object = Some(result.map_err(|e| e.to_string()));
        }
        Msg::ObjectToCopy { target, result } => {
            return super::copy::on_object(state, target, result);
        }
        Msg::Copied { what, result } => super::copy::on_copied(state, what, result),
        Msg::Browse { id, update } => {
            if state.browse.target.as_ref().map(|t| t.id) != Some(id) {
                return Vec::new();
            }
            match update {
                BrowseUpdate::Columns(_, columns) => {
                    state.browse.columns = columns;
                    state.browse.kept.get_mut().changed_all();
                    newest_events_first(state);
                }
                rows => rows.into_rows().for_each(|u| state.browse.apply(u)),
            }
        }
        Msg::ResourceTree { key, result } => {
            if !matches!(state.screen(), Screen::SyncWaves(k) if *k == key) {
                return Vec::new();
            }
            state.argo.tree_health = Some((key, result));
        }
        msg @ (Msg::NodeTable { .. }
        | Msg::NodeText { .. }
        | Msg::MachineDetails { .. }
        | Msg::MachineConfig { .. }) => {
            super::inspector::on_tab_msg(state, msg);
            return Vec::new();
        }
        Msg::AppDetail(u) => {
            let u = match u {
                WatchUpdate::Upsert(mut detail) => {
                    if let Some(previous) = state.argo.app_detail.get(&detail.key) {
                        detail.inherit_hook_types(previous);
                    }
                    WatchUpdate::Upsert(detail)
                }
                other => other,
            };
            state.argo.app_detail.apply(u);
        }
        Msg::Input(Event::Resize(width, height)) => state.viewport = (width, height),
        Msg::Input(Event::Key(key)) if key.kind != KeyEventKind::Release => {
            state.dirty = true;
            state.moved = true;
            return key_input(state, key.code, key.modifiers, Key::from_event(&key));
        }
        Msg::Input(_) => return Vec::new(),
        // The row updates: `stores::apply` took them above.
        _ => {}
    }
    state.dirty = true;
    Vec::new()
}

fn key_input(state: &mut State, code: KeyCode, mods: KeyModifiers, key: Key) -> Vec<Command> {
    if state.actions.dialog.is_some() {
        return dialog_key(state, code, mods);
    }
    if state.prompt.is_some() {
        return prompt_key(state, code, mods);
    }
    if state.show_help {
        super::help_keys::on_key(state, code, key);
        return Vec::new();
    }
    state.notice = None;
    let scope = state.screen().scope();
    match state.keymap.resolve(scope, key) {
        Some(action) => act(state, action),
        None => super::plugins::on_key(state, key).unwrap_or_default(),
    }
}

fn prompt_key(state: &mut State, code: KeyCode, mods: KeyModifiers) -> Vec<Command> {
    let Some(prompt) = state.prompt.as_mut() else {
        return Vec::new();
    };
    let text = match prompt {
        Prompt::Command(t)
        | Prompt::Filter(t)
        | Prompt::Namespace(t)
        | Prompt::Value { text: t, .. } => t,
    };
    match code {
        KeyCode::Esc => {
            state.prompt = None;
        }
        KeyCode::Char('c') if mods.contains(KeyModifiers::CONTROL) => {
            state.prompt = None;
        }
        KeyCode::Backspace => {
            text.pop();
            if let Some(Prompt::Filter(t)) = &state.prompt {
                set_filter(state, t.clone());
            }
        }
        KeyCode::Tab => match &mut state.prompt {
            Some(Prompt::Command(t)) => {
                if let Some(done) = state
                    .panes
                    .complete(t)
                    .or_else(|| state.catalog.complete(t))
                {
                    *t = done.to_string();
                }
            }
            Some(Prompt::Namespace(t)) => {
                if let Some(done) = super::browse::complete_namespace(&state.browse, t) {
                    *t = done;
                }
            }
            _ => {}
        },
        KeyCode::Enter => {
            let prompt = state.prompt.take();
            match prompt {
                Some(Prompt::Filter(t)) => set_filter(state, t),
                Some(Prompt::Value { asks, text }) => return value_entered(state, asks, &text),
                Some(Prompt::Command(t)) => return run_command(state, &t),
                Some(Prompt::Namespace(ns)) => return super::browse::narrow_to(state, ns.trim()),
                None => {}
            }
        }
        KeyCode::Char(c) if !mods.contains(KeyModifiers::CONTROL) => {
            text.push(c);
            // The filter applies as you type, like k9s.
            if let Some(Prompt::Filter(t)) = &state.prompt {
                set_filter(state, t.clone());
            }
        }
        _ => {}
    }
    Vec::new()
}

/// Change the current screen's filter. The cursor stays on its object while the filter still
/// shows it; otherwise it goes to the first row (never to whatever row took its old place).
fn set_filter(state: &mut State, filter: String) {
    if let Some(f) = state.filters.last_mut() {
        *f = filter;
    }
    // In YAML and describe the term is searched for, not filtered by.
    super::search::jump(state, super::search::Jump::Here);
    if let Some(table) = tables::on_screen(state) {
        let rows = tables::shown(state, table);
        let view = state.tables.view_mut(table.id);
        let still_shown = view
            .selected
            .as_ref()
            .and_then(|k| rows.iter().position(|r| &r.key == k));
        match still_shown {
            Some(at) => view.index = at,
            None => view.reset(),
        }
    }
}

/// Whether a `:` command names a pane, a built-in, or a kind some cluster serves.
/// Whether a command can run now: a pane, or a kind discovery knows (on its `@context`, if it
/// names one, so a start command waits for that cluster's discovery).
fn resolves(state: &State, input: &str) -> bool {
    let input = state.aliases.expand(input);
    let mut words = input.split_whitespace();
    let name = words.next().unwrap_or("");
    let context = words.find_map(|w| w.strip_prefix('@'));
    state.panes.resolve_command(name).is_some()
        || state
            .catalog
            .resolve(name)
            .is_some_and(|(_, serving)| context.is_none_or(|c| serving.contains(c)))
}

/// The notice for a `:` command that names no pane and no kind any cluster serves.
pub fn unknown_command(input: &str) -> String {
    format!(
        "unknown command {:?} — try :clusters or :apps",
        input.trim()
    )
}

/// Run a command given at start (`-c`): now if it names a pane, else once discovery knows it.
pub fn start_with(state: &mut State, command: &str) -> Vec<Command> {
    state.moved = true;
    if resolves(state, command) {
        run_command(state, command)
    } else {
        state.pending_command = Some(command.to_string());
        Vec::new()
    }
}

fn run_command(state: &mut State, input: &str) -> Vec<Command> {
    let expanded = state.aliases.expand(input);
    let mut words = expanded.split_whitespace();
    let name = words.next().unwrap_or("");
    let args: Vec<&str> = words.collect();
    match state.panes.resolve_command(name) {
        Some(Action::Show(PaneId::TRACE)) if !args.is_empty() => {
            super::trace::open_named(state, args[0])
        }
        Some(action) => act(state, action),
        None if state.catalog.resolve(name).is_some() => browse(state, name, &args),
        None => {
            state.notice = Some(unknown_command(input));
            Vec::new()
        }
    }
}

fn act(state: &mut State, action: Action) -> Vec<Command> {
    // A mutating key only acts where the pane's registry entry offers it.
    let pane = state.screen().pane();
    if action.is_mutating() && !state.panes.offers(pane, action) {
        let title = state.panes.get(pane).map_or(pane.section(), |p| p.title);
        state.notice = Some(format!("{} is not offered in {title}", action.name()));
        return Vec::new();
    }
    let page = page_rows(state) as isize;
    match action {
        Action::Quit => {
            let rolling = state.actions.operations.iter().find(|o| {
                o.run.is_some() && matches!(o.status, OpStatus::Sent | OpStatus::Running(_))
            });
            match rolling {
                Some(op) if !state.quit_armed => {
                    state.quit_armed = true;
                    state.notice = Some(format!(
                        "{} is still rolling out; quitting stops it after the current step — press q again to quit",
                        op.plan.title()
                    ));
                }
                _ => state.quit = true,
            }
        }
        Action::RunCommand(at) => {
            if let Some(line) = state.keymap.command(at).map(str::to_string) {
                return run_command(state, &line);
            }
        }
        Action::Help => {
            state.show_help = !state.show_help;
            state.help_scroll = 0;
        }
        Action::CommandLine => state.prompt = Some(Prompt::Command(String::new())),
        Action::Filter => state.prompt = Some(Prompt::Filter(state.filter().to_string())),
        Action::Up => move_cursor(state, -1),
        Action::Down => move_cursor(state, 1),
        Action::PageUp => move_cursor(state, -page),
        Action::PageDown => move_cursor(state, page),
        Action::Top => move_cursor(state, isize::MIN / 2),
        // In a followed log, G returns to the end and follows again.
        Action::Bottom => move_cursor(state, isize::MAX / 2),
        Action::Expand => on_tree(state, |tree, _, lines, _| tree.toggle(lines)),
        Action::Collapse => on_tree(state, |tree, nodes, lines, page| {
            tree.collapse(nodes, lines, page)
        }),
        Action::ExpandAll => on_tree(state, |tree, nodes, _, _| tree.expand_all(nodes)),
        Action::CollapseAll => state.tree.collapse_all(),
        Action::Enter if state.screen() == &Screen::Pane(PaneId::TALOS) => {
            if let Some(key) = tables::selected(state, &tables::TALOS) {
                push(state, Screen::TalosNode(key));
                state.talos.inspector = Inspector::default();
            }
        }
        Action::Enter if matches!(state.screen(), Screen::TalosNode(_)) => {
            if state.talos.inspector.tab == InspectorTab::Services
                && let Some(service) = tables::selected(state, &tables::SERVICES)
            {
                state.talos.inspector.service = service.name.to_string();
                return switch_tab(state, InspectorTab::Logs);
            }
        }
        Action::Enter if state.screen() == &Screen::Pane(PaneId::BROWSE) => {
            return super::browse::drill_in(state);
        }
        Action::Trace
        | Action::LayerDown
        | Action::LayerUp
        | Action::Show(PaneId::TRACE | PaneId::ATTENTION) => {
            return super::across::act(state, action).unwrap_or_default();
        }
        Action::Enter
            if matches!(
                state.screen(),
                Screen::Pane(PaneId::TRACE | PaneId::ATTENTION | PaneId::DRIFT)
            ) =>
        {
            return super::across::act(state, action).unwrap_or_default();
        }
        Action::Enter => {
            if let Screen::Pane(PaneId::APPS) = state.screen()
                && let Some(key) = tables::selected(state, &tables::APPS)
            {
                push(state, Screen::SyncWaves(key.clone()));
                state.argo.app_detail = Default::default();
                state.tables.view_mut(TableId::WAVES).reset();
                state.argo.wave_marks.clear();
                state.argo.tree_health = None;
                return vec![Command::WatchAppDetail(key)];
            }
        }
        Action::Back => {
            if !state.filter().is_empty() {
                set_filter(state, String::new());
            } else if state.stack.len() > 1 {
                state.filters.pop();
                if let Some(left) = state.stack.pop() {
                    if let Screen::SyncWaves(_) = left {
                        state.argo.app_detail = Default::default();
                        state.argo.wave_marks.clear();
                    }
                    return leave(&left);
                }
            }
        }
        Action::Show(pane) => {
            if let Some(screen) = state.root_screen(pane) {
                return switch_root(state, screen);
            }
        }
        Action::Sync
        | Action::Refresh
        | Action::HardRefresh
        | Action::ForceSync
        | Action::Terminate
        | Action::VmStart
        | Action::VmStop
        | Action::VmRestart
        | Action::VmMigrate
        | Action::PowerOn
        | Action::PowerOff
        | Action::PowerCycle
        | Action::Delete
        | Action::Cordon
        | Action::Uncordon
        | Action::Restart
        | Action::ServiceRestart
        | Action::EtcdSnapshot
        | Action::EtcdDefragment
        | Action::EtcdAlarmDisarm
        | Action::EtcdForfeitLeadership => {
            return offer(state, action);
        }
        Action::Drain => return object_actions::start_drain(state),
        Action::RebootNode => {
            let next = super::node_remedy::start_reboot(state);
            return super::mutations::reboot_next(state, next);
        }
        Action::PickNamespace => super::browse::ask_namespace(state),
        Action::Mark => toggle_mark(state),
        Action::Scale
        | Action::UpgradeKubernetes
        | Action::UpgradeTalos
        | Action::UpgradeTalosAll => ask_value(state, action),
        Action::Yaml => return yaml::open(state),
        Action::Events => return events_of_selection(state),
        Action::Describe => return describe::open(state),
        Action::Logs => return logs::open(state),
        Action::LogContainer => return logs::toggle(state, LogToggle::NextContainer),
        Action::LogPrevious => return logs::toggle(state, LogToggle::Previous),
        Action::LogTimestamps => return logs::toggle(state, LogToggle::Timestamps),
        Action::LogWrap => state.logs.wrap = !state.logs.wrap,
        Action::NextMatch => super::search::jump(state, super::search::Jump::Next),
        Action::PrevMatch => super::search::jump(state, super::search::Jump::Previous),
        Action::CopyName => match selected_name(state) {
            Some(name) => {
                return vec![Command::Copy {
                    what: format!("\"{name}\""),
                    text: name,
                }];
            }
            None => state.notice = Some("nothing selected to copy".into()),
        },
        Action::CopyYaml => {
            if let Screen::Yaml(target) = state.screen() {
                // What the view shows: Secret values stay masked unless revealed.
                let what = format!("the YAML of {} {}", target.kind, target.key.name);
                let text = state.yaml_lines().join("\n");
                return vec![Command::Copy { what, text }];
            }
            match yaml::target(state) {
                Some(target) => return vec![Command::FetchToCopy(target)],
                None => state.notice = Some("this row is not a Kubernetes object".into()),
            }
        }
        Action::RevealSecrets => {
            if matches!(state.screen(), Screen::Yaml(_)) {
                state.yaml.reveal = !state.yaml.reveal;
            }
        }
        Action::SortNext => cycle_sort(state, 1),
        Action::SortPrev => cycle_sort(state, -1),
        Action::SortReverse => reverse_sort(state),
        Action::NextTab => return cycle_tab(state, 1),
        Action::PrevTab => return cycle_tab(state, -1),
        Action::Tab(tab) => return switch_tab(state, tab),
    }
    Vec::new()
}
