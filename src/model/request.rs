//! The closed sets a mutating request is made of: which action it is (its audit name), the HTTP
//! method, a VM lifecycle verb, a BMC power action. Enums, so a typo cannot turn into another
//! action on the wire.

use std::fmt;

/// Every mutating action the cockpit sends, by the stable name the audit log and `:ops` use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ActionKind {
    ArgoSync,
    ArgoRefresh,
    ArgoHardRefresh,
    ArgoTerminate,
    VmStart,
    VmStop,
    VmRestart,
    VmMigrate,
    ExternalSecretForceSync,
    MachineDeploymentScale,
    BmcPowerOn,
    BmcPowerOff,
    BmcPowerCycle,
    /// One step of a Kubernetes upgrade: the control plane's version.
    UpgradeControlPlane,
    /// One step of a Kubernetes upgrade: a MachineDeployment's version.
    UpgradeWorkers,
    /// A whole Kubernetes upgrade (control plane, then each MachineDeployment).
    KubernetesUpgrade,
    TalosUpgrade,
    /// A Talos service restarted through the Machine API (kubelet, extensions).
    TalosServiceRestart,
    EtcdDefragment,
    EtcdAlarmDisarm,
    EtcdForfeitLeadership,
    /// A Talos node rebooted (drained first unless the user skipped it).
    TalosReboot,
    EtcdSnapshot,
    /// Any object the kind browser shows.
    Delete,
    NodeCordon,
    NodeUncordon,
    /// A workload's pods replaced by a new template revision (`kubectl rollout restart`).
    RolloutRestart,
    /// A Deployment's, StatefulSet's or ReplicaSet's replicas.
    WorkloadScale,
    /// A node cordoned and its pods evicted, one request per step.
    NodeDrain,
    /// One pod evicted through the eviction API (a step of a drain).
    PodEvict,
    /// A user's command from plugins.toml, run on a row.
    Plugin,
}

impl ActionKind {
    pub fn name(self) -> &'static str {
        match self {
            ActionKind::ArgoSync => "argocd.sync",
            ActionKind::ArgoRefresh => "argocd.refresh",
            ActionKind::ArgoHardRefresh => "argocd.refresh.hard",
            ActionKind::ArgoTerminate => "argocd.terminate",
            ActionKind::VmStart => "vm.start",
            ActionKind::VmStop => "vm.stop",
            ActionKind::VmRestart => "vm.restart",
            ActionKind::VmMigrate => "vm.migrate",
            ActionKind::ExternalSecretForceSync => "externalsecret.force-sync",
            ActionKind::MachineDeploymentScale => "machinedeployment.scale",
            ActionKind::BmcPowerOn => "bmc.power-on",
            ActionKind::BmcPowerOff => "bmc.power-off",
            ActionKind::BmcPowerCycle => "bmc.power-cycle",
            ActionKind::UpgradeControlPlane => "kubernetes.upgrade.control-plane",
            ActionKind::UpgradeWorkers => "kubernetes.upgrade.workers",
            ActionKind::KubernetesUpgrade => "kubernetes.upgrade",
            ActionKind::TalosUpgrade => "talos.upgrade",
            ActionKind::TalosServiceRestart => "talos.service-restart",
            ActionKind::EtcdDefragment => "etcd.defragment",
            ActionKind::EtcdAlarmDisarm => "etcd.alarm-disarm",
            ActionKind::EtcdForfeitLeadership => "etcd.forfeit-leadership",
            ActionKind::TalosReboot => "talos.reboot",
            ActionKind::EtcdSnapshot => "etcd.snapshot",
            ActionKind::Delete => "kubernetes.delete",
            ActionKind::NodeCordon => "node.cordon",
            ActionKind::NodeUncordon => "node.uncordon",
            ActionKind::RolloutRestart => "workload.restart",
            ActionKind::WorkloadScale => "workload.scale",
            ActionKind::NodeDrain => "node.drain",
            ActionKind::PodEvict => "pod.evict",
            ActionKind::Plugin => "plugin",
        }
    }

    pub fn is_argo(self) -> bool {
        matches!(
            self,
            ActionKind::ArgoSync
                | ActionKind::ArgoRefresh
                | ActionKind::ArgoHardRefresh
                | ActionKind::ArgoTerminate
        )
    }
}

impl fmt::Display for ActionKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
    Put,
    Patch,
    Delete,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
        }
    }

    /// The Kubernetes RBAC verb a request with this method needs on its object.
    pub fn rbac_verb(self) -> &'static str {
        match self {
            Method::Get => "get",
            Method::Post => "create",
            Method::Put => "update",
            Method::Patch => "patch",
            Method::Delete => "delete",
        }
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// KubeVirt's lifecycle subresources on a VirtualMachine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VmVerb {
    Start,
    Stop,
    Restart,
    Migrate,
}

impl VmVerb {
    /// The subresource the `PUT` goes to.
    pub fn subresource(self) -> &'static str {
        match self {
            VmVerb::Start => "start",
            VmVerb::Stop => "stop",
            VmVerb::Restart => "restart",
            VmVerb::Migrate => "migrate",
        }
    }

    pub fn kind(self) -> ActionKind {
        match self {
            VmVerb::Start => ActionKind::VmStart,
            VmVerb::Stop => ActionKind::VmStop,
            VmVerb::Restart => ActionKind::VmRestart,
            VmVerb::Migrate => ActionKind::VmMigrate,
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            VmVerb::Start => "Start",
            VmVerb::Stop => "Stop",
            VmVerb::Restart => "Restart",
            VmVerb::Migrate => "Migrate",
        }
    }
}

/// A Rufio BMC power action (`spec.tasks[].powerAction` of a Job).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PowerAction {
    On,
    Off,
    Cycle,
}

impl PowerAction {
    /// The value Rufio's Job takes.
    pub fn wire(self) -> &'static str {
        match self {
            PowerAction::On => "on",
            PowerAction::Off => "off",
            PowerAction::Cycle => "cycle",
        }
    }

    pub fn kind(self) -> ActionKind {
        match self {
            PowerAction::On => ActionKind::BmcPowerOn,
            PowerAction::Off => ActionKind::BmcPowerOff,
            PowerAction::Cycle => ActionKind::BmcPowerCycle,
        }
    }
}
