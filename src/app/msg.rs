//! Messages into `update`, and the commands it hands back for the loop to execute.

use crossterm::event::Event;
use jiff::Timestamp;

use crate::model::actions::ActionPlan;
use crate::model::argo::{AppDetail, AppRow};
use crate::model::capi::{ClusterRow, ControlPlaneRow, DeploymentRow, MachineRow};
use crate::model::eso::{ExternalSecretRow, StoreRow};
use crate::model::hosts::{BmcRow, HardwareRow, WorkflowRow};
use crate::model::store::{ObjRef, WatchUpdate};
use crate::model::talos::{TalosNodeRow, TextSource};
use crate::model::vms::{HostRow, ImageRow, VmRow, VmiRow};

#[derive(Debug)]
pub enum Msg {
    Input(Event),
    /// Wall-clock time passed; ages and "stale since" labels move.
    Tick(Timestamp),
    Clusters(WatchUpdate<ClusterRow>),
    ControlPlanes(WatchUpdate<ControlPlaneRow>),
    Deployments(WatchUpdate<DeploymentRow>),
    Machines(WatchUpdate<MachineRow>),
    Apps(WatchUpdate<AppRow>),
    AppDetail(WatchUpdate<AppDetail>),
    Talos(WatchUpdate<TalosNodeRow>),
    ExternalSecrets(WatchUpdate<ExternalSecretRow>),
    SecretStores(WatchUpdate<StoreRow>),
    ClusterSecretStores(WatchUpdate<StoreRow>),
    Vms(WatchUpdate<VmRow>),
    Vmis(WatchUpdate<VmiRow>),
    VmImages(WatchUpdate<ImageRow>),
    Hosts(WatchUpdate<HostRow>),
    Hardware(WatchUpdate<HardwareRow>),
    Workflows(WatchUpdate<WorkflowRow>),
    Bmcs(WatchUpdate<BmcRow>),
    /// The answer of a SelfSubjectAccessReview for the action in the dialog.
    AccessChecked {
        id: u64,
        result: Result<bool, String>,
    },
    /// An action was sent: what the server said.
    ActionDone {
        id: u64,
        result: Result<String, String>,
    },
    /// A chunk of a node's log or kernel log, or why the stream stopped.
    NodeText {
        key: ObjRef,
        source: TextSource,
        text: Result<String, String>,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    /// Start watching one Application in full (the sync-wave view).
    WatchAppDetail(ObjRef),
    StopAppDetail,
    /// Follow a node's service log or dmesg (replacing any stream already open).
    StreamNodeText(ObjRef, TextSource),
    StopNodeText,
    /// Ask the API server whether the plan would be allowed.
    CheckAccess {
        id: u64,
        plan: ActionPlan,
    },
    /// Send the plan, exactly as shown, and record it in the audit log.
    Execute {
        id: u64,
        plan: ActionPlan,
    },
}
