//! Mutating actions in the cockpit: building the plan for the selection, the confirm dialog
//! and what its keys do (the value some ask for first is `prompts`'). Pure, like `update`:
//! the commands it returns are run by the executor.

use crossterm::event::{KeyCode, KeyModifiers};

use super::action::Action;
use super::domains::{
    Access, Dialog, OPERATIONS_KEPT, OpStatus, Operation, PluginOutput, RolloutRun,
};
use super::ids::PaneId;
use super::msg::Command;
use super::object_actions;
use super::rollout;
use super::state::{Screen, State, WaveLine, bmc_of, wave_lines};
use super::tables;
use crate::model::actions::{self, ActionPlan, SyncOptions};
use crate::model::argo::AppRow;
use crate::model::argo_rest;
use crate::model::request::{ActionKind, PowerAction, VmVerb};
use crate::model::rollout::Plan;
use crate::model::store::{Keyed, RowStore};

/// Keys while a confirm dialog is open: Enter sends (unless denied), Esc cancels.
pub fn dialog_key(state: &mut State, code: KeyCode, mods: KeyModifiers) -> Vec<Command> {
    let cancel = code == KeyCode::Esc
        || (code == KeyCode::Char('c') && mods.contains(KeyModifiers::CONTROL));
    if cancel {
        state.actions.dialog = None;
        return Vec::new();
    }
    // Sync options toggle in the dialog; the preview shows the new body at once.
    if let KeyCode::Char(c @ ('p' | 'd' | 'o')) = code {
        toggle_sync_option(state, c);
        return Vec::new();
    }
    // `n` switches to the other way of doing it, and back.
    if code == KeyCode::Char('n')
        && let Some(dialog) = state.actions.dialog.as_mut()
        && let Some((label, other)) = dialog.alternative.take()
    {
        let back = super::node_remedy::switch_label(&label);
        let previous = std::mem::replace(&mut dialog.plan, other);
        dialog.alternative = Some((back, previous));
        dialog.scroll = 0;
        return Vec::new();
    }
    // A plan taller than the screen scrolls; the view stops at its end.
    if let Some(dialog) = state.actions.dialog.as_mut() {
        match code {
            KeyCode::Down | KeyCode::Char('j') => dialog.scroll = dialog.scroll.saturating_add(1),
            KeyCode::Up | KeyCode::Char('k') => dialog.scroll = dialog.scroll.saturating_sub(1),
            KeyCode::PageDown => dialog.scroll = dialog.scroll.saturating_add(10),
            KeyCode::PageUp => dialog.scroll = dialog.scroll.saturating_sub(10),
            _ => {}
        }
    }
    if code != KeyCode::Enter {
        return Vec::new();
    }
    let Some(dialog) = state.actions.dialog.take() else {
        return Vec::new();
    };
    if let Access::Denied(reason) = &dialog.access {
        state.notice = Some(format!("{}: {reason}", dialog.plan.title()));
        return Vec::new();
    }
    start_operation(state, dialog.id, dialog.plan)
}

/// Send a plan (confirmed, or a plugin that needs no confirm): it becomes an operation in the
/// panel, and its first request goes out.
pub fn start_operation(state: &mut State, id: u64, plan: Plan) -> Vec<Command> {
    let run = matches!(plan, Plan::Rollout(_)).then_some(RolloutRun {
        step: 0,
        waiting_since: None,
        back_since: None,
    });
    // A background plugin's output takes over `:output` from the previous one's.
    if let Plan::Plugin(p) = &plan
        && p.background
    {
        state.actions.output = Some(PluginOutput::new(id, p.command_line()));
        state.notice = Some(format!(
            "{}: running — :output shows what it prints",
            p.title
        ));
    }
    let op = Operation {
        id,
        at: state.now,
        plan,
        status: OpStatus::Sent,
        run,
    };
    let first = rollout::command_for(&op);
    state.actions.operations.insert(0, op);
    state.actions.operations.truncate(OPERATIONS_KEPT);
    first.into_iter().collect()
}

/// Flip one sync option and rebuild the plan it shows (and would send).
fn toggle_sync_option(state: &mut State, option: char) {
    let Some(dialog) = state.actions.dialog.as_ref() else {
        return;
    };
    let Some(mut options) = dialog.sync else {
        return;
    };
    let key = match &dialog.plan {
        Plan::Request(p) => p.target.clone(),
        Plan::Argo(a) => a.app.clone(),
        Plan::Rollout(_) | Plan::Plugin(_) | Plan::Talos(_) => return,
    };
    match option {
        'p' => options.prune = !options.prune,
        'd' => options.dry_run = !options.dry_run,
        _ => options.apply_out_of_sync_only = !options.apply_out_of_sync_only,
    }
    let Some(app) = state.argo.apps.get(&key) else {
        return;
    };
    if let Ok(plan) = sync_plan(state, app, options)
        && let Some(dialog) = state.actions.dialog.as_mut()
    {
        dialog.plan = plan;
        dialog.sync = Some(options);
    }
}

/// The row under a table's cursor, looked up in the store it came from.
pub(super) fn selected_in<'a, R: Keyed>(
    state: &State,
    table: &tables::Table,
    store: &'a RowStore<R>,
) -> Option<&'a R> {
    store.get(&tables::selected(state, table)?)
}

fn selected_app(state: &State) -> Result<&AppRow, String> {
    match state.screen() {
        Screen::Pane(PaneId::APPS) => selected_in(state, &tables::APPS, &state.argo.apps)
            .ok_or_else(|| "no application selected".to_string()),
        Screen::SyncWaves(key) => state
            .argo
            .apps
            .get(key)
            .ok_or_else(|| "the application is gone".to_string()),
        _ => Err("select an application first (:apps)".to_string()),
    }
}

/// The resources marked for a selective sync; marks count only in the sync-wave view.
fn marked(state: &State) -> Vec<crate::model::argo::ResourceRef> {
    match state.screen() {
        Screen::SyncWaves(_) => state.argo.wave_marks.iter().cloned().collect(),
        _ => Vec::new(),
    }
}

/// The plan a mutating action would send for the current selection, or why there is none.
/// Argo CD actions go to argocd-server when it is configured, else to the Application CR.
fn plan_for(state: &State, action: Action) -> Result<Plan, String> {
    let app = || selected_app(state);
    let hard = action == Action::HardRefresh;
    match (action, state.argo.server.as_deref()) {
        (Action::Sync, _) => sync_plan(state, app()?, SyncOptions::default()),
        (Action::Refresh | Action::HardRefresh, Some(server)) => {
            Ok(Plan::Argo(argo_rest::refresh(app()?, server, hard)))
        }
        (Action::Refresh | Action::HardRefresh, None) => {
            Ok(Plan::Request(actions::argo_refresh(app()?, hard)))
        }
        (Action::Terminate, Some(server)) => argo_rest::terminate(app()?, server).map(Plan::Argo),
        (Action::Terminate, None) => actions::argo_terminate(app()?).map(Plan::Request),
        (Action::Uncordon, _) if matches!(state.screen(), Screen::TalosNode(_)) => {
            super::node_remedy::uncordon(state)
        }
        (
            Action::ServiceRestart
            | Action::EtcdSnapshot
            | Action::EtcdDefragment
            | Action::EtcdAlarmDisarm
            | Action::EtcdForfeitLeadership,
            _,
        ) => super::node_remedy::plan(state, action),
        _ => plan_for_kube(state, action).map(Plan::Request),
    }
}

/// A sync through whichever transport is configured: argocd-server's REST API, else the CR.
fn sync_plan(state: &State, app: &AppRow, options: SyncOptions) -> Result<Plan, String> {
    let only = marked(state);
    match state.argo.server.as_deref() {
        Some(server) => argo_rest::sync(app, server, options, &only).map(Plan::Argo),
        None => actions::argo_sync(app, options, &state.actions.user, &only).map(Plan::Request),
    }
}

/// Actions whose only transport is the Kubernetes API.
fn plan_for_kube(state: &State, action: Action) -> Result<ActionPlan, String> {
    let request = match action {
        Action::VmStart | Action::VmStop | Action::VmRestart | Action::VmMigrate => {
            let vm = match state.screen() {
                Screen::Pane(PaneId::VMS) => selected_in(state, &tables::VMS, &state.harvester.vms)
                    .ok_or_else(|| "no VM selected".to_string())?,
                _ => return Err("select a VM first (:vms)".to_string()),
            };
            let verb = match action {
                Action::VmStart => VmVerb::Start,
                Action::VmStop => VmVerb::Stop,
                Action::VmRestart => VmVerb::Restart,
                Action::VmMigrate => VmVerb::Migrate,
                other => return Err(format!("{} is not a VM action", other.name())),
            };
            actions::vm_power(vm, verb)
        }
        Action::PowerOn | Action::PowerOff | Action::PowerCycle => {
            let hw = match state.screen() {
                Screen::Pane(PaneId::HOSTS) => {
                    selected_in(state, &tables::HOSTS, &state.metal.hardware)
                        .ok_or_else(|| "no host selected".to_string())?
                }
                _ => return Err("select a host first (:hosts)".to_string()),
            };
            let bmc = bmc_of(state, hw)
                .ok_or_else(|| format!("{} has no BMC (spec.bmcRef)", hw.key.name))?;
            let power = match action {
                Action::PowerOn => PowerAction::On,
                Action::PowerOff => PowerAction::Off,
                Action::PowerCycle => PowerAction::Cycle,
                other => return Err(format!("{} is not a power action", other.name())),
            };
            let version = served(&state.metal.bmc_jobs, &bmc.key.cluster, RUFIO_VERSION);
            actions::bmc_power(bmc, power, version, state.now)
        }
        Action::ForceSync => match state.screen() {
            Screen::Pane(PaneId::SECRETS) => {
                selected_in(state, &tables::SECRETS, &state.eso.external_secrets)
                    .map(|es| {
                        let version =
                            served(&state.eso.external_secrets, &es.key.cluster, ESO_VERSION);
                        actions::es_force_sync(es, version, state.now)
                    })
                    .ok_or_else(|| "no ExternalSecret selected".to_string())?
            }
            _ => return Err("select an ExternalSecret first (:secrets)".to_string()),
        },
        Action::Delete | Action::Cordon | Action::Uncordon | Action::Restart => {
            object_actions::plan(state, action)?
        }
        _ => return Err("not an action".to_string()),
    };
    Ok(request)
}

/// Space in the sync-wave view: mark or unmark the selected resource for a selective sync.
/// Hooks are not offered: Argo CD runs no hooks in a selective sync.
pub fn toggle_mark(state: &mut State) {
    let Screen::SyncWaves(key) = state.screen() else {
        return;
    };
    let Some(detail) = state.argo.app_detail.get(key) else {
        return;
    };
    let selected = tables::selected(state, &tables::WAVES);
    let resource = wave_lines(state, detail)
        .into_iter()
        .find_map(|line| match line {
            WaveLine::Resource(r)
                if Some(tables::waves::resource_key(&r.reference())) == selected =>
            {
                Some(r)
            }
            _ => None,
        });
    let Some(r) = resource else {
        state.notice = Some("select a resource (not a wave) to mark it".into());
        return;
    };
    if r.hook.is_some() {
        state.notice =
            Some("hooks run only in a full sync; they cannot be synced on their own".into());
        return;
    }
    let reference = r.reference();
    if !state.argo.wave_marks.remove(&reference) {
        state.argo.wave_marks.insert(reference);
    }
}

/// Versions to use for a kind whose watch has not told which one its cluster serves (it has
/// not connected yet): the ones the cockpit prefers.
pub(super) const CAPI_VERSION: &str = "v1beta2";
pub(super) const TALOS_CP_VERSION: &str = "v1alpha3";
const ESO_VERSION: &str = "v1";
const RUFIO_VERSION: &str = "v1alpha1";

/// The API version `cluster` serves a store's kind at, as its watch's discovery found it: a
/// request must not ask for a version the server does not have.
pub(super) fn served<'a, R>(store: &'a RowStore<R>, cluster: &str, preferred: &'a str) -> &'a str {
    store.served_version(cluster).unwrap_or(preferred)
}

/// Why no action may target this context, if the config marks it read-only.
pub(super) fn readonly_refusal(state: &State, context: &str) -> Option<String> {
    state
        .readonly_contexts
        .contains(context)
        .then(|| format!("context {context} is read-only (config.toml): actions are disabled"))
}

pub fn open_dialog(state: &mut State, plan: Plan) -> Vec<Command> {
    // A plugin that is not marked dangerous only looks (a log viewer, a shell): it may run
    // against a read-only context.
    let looks_only = matches!(&plan, Plan::Plugin(p) if !p.dangerous);
    if let Some(refusal) = readonly_refusal(state, plan.context()).filter(|_| !looks_only) {
        state.notice = Some(refusal);
        return Vec::new();
    }
    let id = state.actions.next_id;
    state.actions.next_id += 1;
    let sync = (plan.action() == ActionKind::ArgoSync).then(SyncOptions::default);
    let plans: Vec<_> = plan.kube_requests().into_iter().cloned().collect();
    let (access, commands) = if let Plan::Argo(request) = &plan {
        (
            Access::Checking,
            vec![Command::CheckArgoAccess {
                id,
                request: request.clone(),
            }],
        )
    } else if let Plan::Plugin(_) = &plan {
        (
            Access::Unknown("a command on this machine, run as you: nothing to ask first".into()),
            Vec::new(),
        )
    } else if plans.is_empty() {
        // Talos has no access review; the client certificate names its roles.
        let access = match state.talos.roles.get(plan.context()) {
            Some(roles) => match crate::model::talos_roles::refusal(roles, &plan.talos_methods()) {
                Some(why) => Access::Denied(why),
                None => Access::Allowed,
            },
            None => Access::Unknown(
                "the Talos certificate's roles are not known: the node decides when the call is made".into(),
            ),
        };
        (access, Vec::new())
    } else {
        (Access::Checking, vec![Command::CheckAccess { id, plans }])
    };
    state.actions.dialog = Some(Dialog {
        id,
        plan,
        access,
        sync,
        scroll: 0,
        alternative: None,
    });
    commands
}

/// Where a reboot key or its pods' list leads: send the commands, or open the dialog with the
/// other way behind `n`.
pub fn reboot_next(state: &mut State, next: super::node_remedy::RebootNext) -> Vec<Command> {
    match next {
        super::node_remedy::RebootNext::Commands(commands) => commands,
        super::node_remedy::RebootNext::Dialog(plan, alternative) => {
            let commands = open_dialog(state, *plan);
            if let Some(dialog) = state.actions.dialog.as_mut() {
                dialog.alternative = alternative.map(|(label, plan)| (label, *plan));
            }
            commands
        }
    }
}

/// Open the confirm dialog for a mutating action (never in read-only mode) and ask the server
/// whether the token may do it.
pub fn offer(state: &mut State, action: Action) -> Vec<Command> {
    if state.readonly {
        state.notice = Some("read-only mode: actions are disabled".into());
        return Vec::new();
    }
    match plan_for(state, action) {
        Ok(plan) => open_dialog(state, plan),
        Err(e) => {
            state.notice = Some(e);
            Vec::new()
        }
    }
}

#[cfg(test)]
#[path = "mutations_tests.rs"]
mod tests;
