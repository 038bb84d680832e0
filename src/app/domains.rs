//! The rows and per-domain state the cockpit keeps, one group per layer of the platform. `State`
//! holds one of each.

use std::collections::BTreeSet;

use super::state::{Dialog, Inspector, Operation, TableCursor};
use crate::model::actions::ResourceRef;
use crate::model::argo::{AppDetail, AppRow};
use crate::model::argo_rest::ResourceHealth;
use crate::model::eso::{ExternalSecretRow, StoreRow};
use crate::model::hosts::{BmcJobRow, BmcRow, HardwareRow, WorkflowRow};
use crate::model::store::{ObjRef, RowStore};
use crate::model::talos::TalosNodeRow;
use crate::model::vms::{HostRow, ImageRow, VmRow, VmiRow};

/// Argo CD: the Applications, and the one the sync-wave view follows.
#[derive(Debug, Default)]
pub struct Argo {
    pub apps: RowStore<AppRow>,
    /// The one Application the sync-wave view watches in full.
    pub app_detail: RowStore<AppDetail>,
    /// argocd-server, when the REST transport is configured: Argo CD actions go there and the
    /// sync-wave view reads per-resource health from its resource tree.
    pub server: Option<String>,
    /// That resource tree's health for the app the sync-wave view shows.
    pub tree_health: Option<(ObjRef, Result<ResourceHealth, String>)>,
    /// Resources marked in the sync-wave view for a selective sync.
    pub wave_marks: BTreeSet<ResourceRef>,
    pub waves_cursor: TableCursor,
}

/// Talos: the polled nodes and the node inspector.
#[derive(Debug, Default)]
pub struct Talos {
    pub nodes: RowStore<TalosNodeRow>,
    pub inspector: Inspector,
}

/// External Secrets and the stores they read from.
#[derive(Debug, Default)]
pub struct Eso {
    pub external_secrets: RowStore<ExternalSecretRow>,
    pub secret_stores: RowStore<StoreRow>,
    pub cluster_secret_stores: RowStore<StoreRow>,
}

/// Harvester: KubeVirt VMs and their instances, images, and the hosts.
#[derive(Debug, Default)]
pub struct Harvester {
    pub vms: RowStore<VmRow>,
    pub vmis: RowStore<VmiRow>,
    pub vm_images: RowStore<ImageRow>,
    pub hosts: RowStore<HostRow>,
}

/// Bare metal: Tinkerbell Hardware and Workflows, Rufio BMC Machines and Jobs.
#[derive(Debug, Default)]
pub struct Metal {
    pub hardware: RowStore<HardwareRow>,
    pub workflows: RowStore<WorkflowRow>,
    pub bmcs: RowStore<BmcRow>,
    pub bmc_jobs: RowStore<BmcJobRow>,
}

/// What this cockpit sends: the open confirm dialog and the operations sent.
#[derive(Debug)]
pub struct Actions {
    pub dialog: Option<Dialog>,
    pub operations: Vec<Operation>,
    pub next_id: u64,
    /// Who `.operation.initiatedBy.username` names.
    pub user: String,
}

impl Default for Actions {
    fn default() -> Self {
        Actions {
            dialog: None,
            operations: Vec::new(),
            next_id: 1,
            user: "opsdeck".into(),
        }
    }
}
