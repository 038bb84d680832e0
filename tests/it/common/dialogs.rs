//! An action's confirmation dialog: waiting for its permission check, and confirming it.

use opsdeck::app::domains::{Access, OpStatus};

use super::Cockpit;

/// Wait until the dialog's permission check allows the action.
pub async fn wait_allowed(c: &mut Cockpit) {
    c.wait_for("permission", |s| {
        s.actions
            .dialog
            .as_ref()
            .is_some_and(|d| d.access == Access::Allowed)
    })
    .await;
}

/// Wait until the dialog's permission check denies the action.
pub async fn wait_denied(c: &mut Cockpit) {
    c.wait_for("denied", |s| {
        s.actions
            .dialog
            .as_ref()
            .is_some_and(|d| matches!(d.access, Access::Denied(_)))
    })
    .await;
}

/// Wait until the dialog's permission check allows the action, press Enter, and wait until
/// the server accepted it.
pub async fn confirm(c: &mut Cockpit) {
    wait_allowed(c).await;
    let before = c.state.actions.operations.len();
    c.press(&["<Enter>"]);
    c.wait_for("accepted", |s| {
        s.actions.operations.len() == before + 1
            && matches!(s.actions.operations[0].status, OpStatus::Succeeded(_))
    })
    .await;
}
