//! Mutating actions in the cockpit: building the plan for the selection, the replica-count
//! prompt, the confirm dialog and what its keys do. Pure, like `update`: the commands it
//! returns are run by the executor.

use crossterm::event::{KeyCode, KeyModifiers};

use super::action::Action;
use super::msg::Command;
use super::state::{
    Access, Dialog, OPERATIONS_KEPT, OpStatus, Operation, Prompt, Screen, State, visible_apps,
    visible_secrets, visible_vms,
};
use crate::model::actions::{self, ActionPlan, SyncOptions};
use crate::model::argo::AppRow;
use crate::model::store::ObjRef;

/// Keys while a confirm dialog is open: Enter sends (unless denied), Esc cancels.
pub fn dialog_key(state: &mut State, code: KeyCode, mods: KeyModifiers) -> Vec<Command> {
    let cancel = code == KeyCode::Esc
        || (code == KeyCode::Char('c') && mods.contains(KeyModifiers::CONTROL));
    if cancel {
        state.dialog = None;
        return Vec::new();
    }
    // Sync options toggle in the dialog; the preview shows the new body at once.
    if let KeyCode::Char(c @ ('p' | 'd' | 'o')) = code {
        toggle_sync_option(state, c);
        return Vec::new();
    }
    if code != KeyCode::Enter {
        return Vec::new();
    }
    let Some(dialog) = state.dialog.take() else {
        return Vec::new();
    };
    if let Access::Denied(reason) = &dialog.access {
        state.notice = Some(format!("{}: {reason}", dialog.plan.title));
        return Vec::new();
    }
    state.operations.insert(
        0,
        Operation {
            id: dialog.id,
            at: state.now,
            plan: dialog.plan.clone(),
            status: OpStatus::Sent,
        },
    );
    state.operations.truncate(OPERATIONS_KEPT);
    vec![Command::Execute {
        id: dialog.id,
        plan: dialog.plan,
    }]
}

/// Flip one sync option and rebuild the plan it shows (and would send).
fn toggle_sync_option(state: &mut State, option: char) {
    let Some(dialog) = state.dialog.as_mut() else {
        return;
    };
    let Some(mut options) = dialog.sync else {
        return;
    };
    match option {
        'p' => options.prune = !options.prune,
        'd' => options.dry_run = !options.dry_run,
        _ => options.apply_out_of_sync_only = !options.apply_out_of_sync_only,
    }
    let Some(app) = state.apps.get(&dialog.plan.target) else {
        return;
    };
    if let Ok(plan) = actions::argo_sync(app, options, &state.user) {
        dialog.plan = plan;
        dialog.sync = Some(options);
    }
}

/// The plan a mutating action would send for the current selection, or why there is none.
fn plan_for(state: &State, action: Action) -> Result<ActionPlan, String> {
    let app = || -> Result<&AppRow, String> {
        match state.screen() {
            Screen::Apps => visible_apps(state)
                .get(state.apps_cursor.selected)
                .copied()
                .ok_or_else(|| "no application selected".to_string()),
            Screen::SyncWaves(key) => state
                .apps
                .get(key)
                .ok_or_else(|| "the application is gone".to_string()),
            _ => Err("select an application first (:apps)".to_string()),
        }
    };
    match action {
        Action::Sync => actions::argo_sync(app()?, SyncOptions::default(), &state.user),
        Action::Refresh => Ok(actions::argo_refresh(app()?, false)),
        Action::HardRefresh => Ok(actions::argo_refresh(app()?, true)),
        Action::Terminate => actions::argo_terminate(app()?),
        Action::VmStart | Action::VmStop | Action::VmRestart => {
            let vm = match state.screen() {
                Screen::Vms => visible_vms(state)
                    .get(state.vms_cursor.selected)
                    .copied()
                    .ok_or_else(|| "no VM selected".to_string())?,
                _ => return Err("select a VM first (:vms)".to_string()),
            };
            let what = match action {
                Action::VmStart => "start",
                Action::VmStop => "stop",
                _ => "restart",
            };
            Ok(actions::vm_power(vm, what))
        }
        Action::ForceSync => match state.screen() {
            Screen::Secrets => visible_secrets(state)
                .get(state.secrets_cursor.selected)
                .map(|es| actions::es_force_sync(es, state.now))
                .ok_or_else(|| "no ExternalSecret selected".to_string()),
            _ => Err("select an ExternalSecret first (:secrets)".to_string()),
        },
        _ => Err("not an action".to_string()),
    }
}

/// `S` on a MachineDeployment in the tree: ask for the new count.
pub fn ask_replicas(state: &mut State) {
    if state.readonly {
        state.notice = Some("read-only mode: actions are disabled".into());
        return;
    }
    let selected = state.tree.selected().last().cloned().unwrap_or_default();
    let md = state
        .deployments
        .iter()
        .find(|d| format!("md:{}", d.key) == selected);
    match md {
        Some(md) => {
            state.prompt = Some(Prompt::Scale {
                key: md.key.clone(),
                text: md.replicas.desired.to_string(),
            })
        }
        None => state.notice = Some("select a MachineDeployment in the tree to scale it".into()),
    }
}

/// The count was entered: open the confirm dialog with the scale request.
pub fn scale_to(state: &mut State, key: &ObjRef, text: &str) -> Vec<Command> {
    let Some(md) = state.deployments.get(key) else {
        state.notice = Some(format!("{} is gone", key.name));
        return Vec::new();
    };
    match text.trim().parse::<u32>() {
        Ok(n) => open_dialog(state, actions::md_scale(md, n)),
        Err(_) => {
            state.notice = Some(format!(
                "{text:?} is not a replica count (a whole number, 0 or more)"
            ));
            Vec::new()
        }
    }
}

fn open_dialog(state: &mut State, plan: ActionPlan) -> Vec<Command> {
    let id = state.next_id;
    state.next_id += 1;
    let sync = (plan.action == "argocd.sync").then(SyncOptions::default);
    state.dialog = Some(Dialog {
        id,
        plan: plan.clone(),
        access: Access::Checking,
        sync,
    });
    vec![Command::CheckAccess { id, plan }]
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
