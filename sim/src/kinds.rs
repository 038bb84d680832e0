//! The kinds the simulated Kubernetes API serves, as plain data.
//!
//! One `KindDef` per resource; discovery, routing, RBAC and the scale subresource all read this
//! table, so adding a kind is one entry here.

/// Where the scale subresource finds its numbers (the CRD's `subresources.scale`).
#[derive(Debug, Clone, Copy)]
pub struct ScalePaths {
    pub spec_replicas: &'static [&'static str],
    pub status_replicas: &'static [&'static str],
    pub label_selector: &'static [&'static str],
}

#[derive(Debug, Clone, Copy)]
pub struct KindDef {
    /// API group; empty for the core group.
    pub group: &'static str,
    /// Served versions; the first is the storage and preferred version.
    pub versions: &'static [&'static str],
    pub kind: &'static str,
    pub plural: &'static str,
    pub singular: &'static str,
    pub namespaced: bool,
    pub short_names: &'static [&'static str],
    pub categories: &'static [&'static str],
    pub status_subresource: bool,
    pub scale: Option<ScalePaths>,
}

impl KindDef {
    pub fn is_core(&self) -> bool {
        self.group.is_empty()
    }

    /// Compiled into the API server (core, `apps`, `policy`) or served by an aggregated one
    /// (metrics-server), not a CustomResourceDefinition: its lists are written the built-in
    /// way and its printer is a Go one.
    pub fn is_builtin(&self) -> bool {
        matches!(self.group, "" | "apps" | "policy" | METRICS)
    }

    /// The verbs discovery lists: metrics are read, never written or watched.
    pub fn verbs(&self) -> &'static [&'static str] {
        if self.group == METRICS {
            &["get", "list"]
        } else {
            &[
                "delete",
                "deletecollection",
                "get",
                "list",
                "patch",
                "create",
                "update",
                "watch",
            ]
        }
    }

    pub fn api_version(&self, version: &str) -> String {
        if self.is_core() {
            version.to_string()
        } else {
            format!("{}/{}", self.group, version)
        }
    }

    pub fn storage_version(&self) -> &'static str {
        self.versions[0]
    }

    /// `machines.cluster.x-k8s.io` (or just `nodes` for the core group), as in Status messages.
    pub fn qualified_plural(&self) -> String {
        if self.is_core() {
            self.plural.to_string()
        } else {
            format!("{}.{}", self.plural, self.group)
        }
    }

    /// `Machine.cluster.x-k8s.io`, as in 422 messages.
    pub fn qualified_kind(&self) -> String {
        if self.is_core() {
            self.kind.to_string()
        } else {
            format!("{}.{}", self.kind, self.group)
        }
    }
}

const REPLICAS_SCALE: ScalePaths = ScalePaths {
    spec_replicas: &["spec", "replicas"],
    status_replicas: &["status", "replicas"],
    label_selector: &["status", "selector"],
};

const CAPI: &str = "cluster.x-k8s.io";
/// metrics-server's group: usage of pods and nodes, computed, read-only.
pub const METRICS: &str = "metrics.k8s.io";
const CAPI_VERSIONS: &[&str] = &["v1beta2", "v1beta1"];
const CAPI_CATEGORIES: &[&str] = &["cluster-api"];

pub const KINDS: &[KindDef] = &[
    KindDef {
        group: "",
        versions: &["v1"],
        kind: "Namespace",
        plural: "namespaces",
        singular: "namespace",
        namespaced: false,
        short_names: &["ns"],
        categories: &[],
        status_subresource: true,
        scale: None,
    },
    KindDef {
        group: "",
        versions: &["v1"],
        kind: "Node",
        plural: "nodes",
        singular: "node",
        namespaced: false,
        short_names: &["no"],
        categories: &[],
        status_subresource: true,
        scale: None,
    },
    KindDef {
        group: CAPI,
        versions: CAPI_VERSIONS,
        kind: "Cluster",
        plural: "clusters",
        singular: "cluster",
        namespaced: true,
        short_names: &["cl"],
        categories: CAPI_CATEGORIES,
        status_subresource: true,
        scale: None,
    },
    KindDef {
        group: CAPI,
        versions: CAPI_VERSIONS,
        kind: "MachineDeployment",
        plural: "machinedeployments",
        singular: "machinedeployment",
        namespaced: true,
        short_names: &["md"],
        categories: CAPI_CATEGORIES,
        status_subresource: true,
        scale: Some(REPLICAS_SCALE),
    },
    KindDef {
        group: CAPI,
        versions: CAPI_VERSIONS,
        kind: "MachineSet",
        plural: "machinesets",
        singular: "machineset",
        namespaced: true,
        short_names: &["ms"],
        categories: CAPI_CATEGORIES,
        status_subresource: true,
        scale: Some(REPLICAS_SCALE),
    },
    KindDef {
        group: CAPI,
        versions: CAPI_VERSIONS,
        kind: "Machine",
        plural: "machines",
        singular: "machine",
        namespaced: true,
        short_names: &["ma"],
        categories: CAPI_CATEGORIES,
        status_subresource: true,
        scale: None,
    },
    KindDef {
        group: "controlplane.cluster.x-k8s.io",
        versions: &["v1alpha3"],
        kind: "TalosControlPlane",
        plural: "taloscontrolplanes",
        singular: "taloscontrolplane",
        namespaced: true,
        short_names: &["tcp"],
        categories: CAPI_CATEGORIES,
        status_subresource: true,
        scale: Some(REPLICAS_SCALE),
    },
    KindDef {
        group: "argoproj.io",
        versions: &["v1alpha1"],
        kind: "Application",
        plural: "applications",
        singular: "application",
        namespaced: true,
        short_names: &["app", "apps"],
        categories: &[],
        // The Application CRD has no status subresource: status is written through the object.
        status_subresource: false,
        scale: None,
    },
    KindDef {
        group: "argoproj.io",
        versions: &["v1alpha1"],
        kind: "AppProject",
        plural: "appprojects",
        singular: "appproject",
        namespaced: true,
        short_names: &["appproj", "appprojs"],
        categories: &[],
        status_subresource: false,
        scale: None,
    },
    KindDef {
        group: "external-secrets.io",
        versions: &["v1"],
        kind: "ExternalSecret",
        plural: "externalsecrets",
        singular: "externalsecret",
        namespaced: true,
        short_names: &["es"],
        categories: &["external-secrets"],
        status_subresource: true,
        scale: None,
    },
    KindDef {
        group: "external-secrets.io",
        versions: &["v1"],
        kind: "SecretStore",
        plural: "secretstores",
        singular: "secretstore",
        namespaced: true,
        short_names: &["ss"],
        categories: &["external-secrets"],
        status_subresource: true,
        scale: None,
    },
    KindDef {
        group: "external-secrets.io",
        versions: &["v1"],
        kind: "ClusterSecretStore",
        plural: "clustersecretstores",
        singular: "clustersecretstore",
        namespaced: false,
        short_names: &["css"],
        categories: &["external-secrets"],
        status_subresource: true,
        scale: None,
    },
    KindDef {
        group: "kubevirt.io",
        versions: &["v1"],
        kind: "VirtualMachine",
        plural: "virtualmachines",
        singular: "virtualmachine",
        namespaced: true,
        short_names: &["vm", "vms"],
        categories: &["all"],
        status_subresource: true,
        scale: None,
    },
    KindDef {
        group: "kubevirt.io",
        versions: &["v1"],
        kind: "VirtualMachineInstance",
        plural: "virtualmachineinstances",
        singular: "virtualmachineinstance",
        namespaced: true,
        short_names: &["vmi", "vmis"],
        categories: &["all"],
        status_subresource: true,
        scale: None,
    },
    KindDef {
        group: "harvesterhci.io",
        versions: &["v1beta1"],
        kind: "VirtualMachineImage",
        plural: "virtualmachineimages",
        singular: "virtualmachineimage",
        namespaced: true,
        short_names: &["vmimage", "vmimages"],
        categories: &[],
        status_subresource: false,
        scale: None,
    },
    KindDef {
        group: "tinkerbell.org",
        versions: &["v1alpha1"],
        kind: "Hardware",
        plural: "hardware",
        singular: "hardware",
        namespaced: true,
        short_names: &["hw"],
        categories: &["tinkerbell"],
        status_subresource: true,
        scale: None,
    },
    KindDef {
        group: "tinkerbell.org",
        versions: &["v1alpha1"],
        kind: "Template",
        plural: "templates",
        singular: "template",
        namespaced: true,
        short_names: &["tpl"],
        categories: &["tinkerbell"],
        status_subresource: true,
        scale: None,
    },
    KindDef {
        group: "tinkerbell.org",
        versions: &["v1alpha1"],
        kind: "Workflow",
        plural: "workflows",
        singular: "workflow",
        namespaced: true,
        short_names: &["wf"],
        categories: &["tinkerbell"],
        status_subresource: true,
        scale: None,
    },
    KindDef {
        group: "bmc.tinkerbell.org",
        versions: &["v1alpha1"],
        kind: "Machine",
        plural: "machines",
        singular: "machine",
        namespaced: true,
        short_names: &[],
        categories: &["tinkerbell"],
        status_subresource: true,
        scale: None,
    },
    KindDef {
        group: "bmc.tinkerbell.org",
        versions: &["v1alpha1"],
        kind: "Job",
        plural: "jobs",
        singular: "job",
        namespaced: true,
        short_names: &["j"],
        categories: &["tinkerbell"],
        status_subresource: true,
        scale: None,
    },
    KindDef {
        group: "infrastructure.cluster.x-k8s.io",
        // The CRD also serves v1alpha1; the simulator serves the storage version only.
        versions: &["v1beta1"],
        kind: "HarvesterMachine",
        plural: "harvestermachines",
        singular: "harvestermachine",
        namespaced: true,
        short_names: &["hvm"],
        categories: &["cluster-api"],
        status_subresource: true,
        scale: None,
    },
    KindDef {
        group: "",
        versions: &["v1"],
        kind: "Pod",
        plural: "pods",
        singular: "pod",
        namespaced: true,
        short_names: &["po"],
        categories: &["all"],
        status_subresource: true,
        scale: None,
    },
    KindDef {
        group: "",
        versions: &["v1"],
        kind: "Event",
        plural: "events",
        singular: "event",
        namespaced: true,
        short_names: &["ev"],
        categories: &[],
        status_subresource: false,
        scale: None,
    },
    KindDef {
        group: "apps",
        versions: &["v1"],
        kind: "Deployment",
        plural: "deployments",
        singular: "deployment",
        namespaced: true,
        short_names: &["deploy"],
        categories: &["all"],
        status_subresource: true,
        scale: Some(REPLICAS_SCALE),
    },
    KindDef {
        group: "apps",
        versions: &["v1"],
        kind: "ReplicaSet",
        plural: "replicasets",
        singular: "replicaset",
        namespaced: true,
        short_names: &["rs"],
        categories: &["all"],
        status_subresource: true,
        scale: Some(REPLICAS_SCALE),
    },
    KindDef {
        group: "policy",
        versions: &["v1"],
        kind: "PodDisruptionBudget",
        plural: "poddisruptionbudgets",
        singular: "poddisruptionbudget",
        namespaced: true,
        short_names: &["pdb"],
        categories: &[],
        status_subresource: true,
        scale: None,
    },
    KindDef {
        group: METRICS,
        versions: &["v1beta1"],
        kind: "PodMetrics",
        plural: "pods",
        singular: "",
        namespaced: true,
        short_names: &[],
        categories: &[],
        status_subresource: false,
        scale: None,
    },
    KindDef {
        group: METRICS,
        versions: &["v1beta1"],
        kind: "NodeMetrics",
        plural: "nodes",
        singular: "",
        namespaced: false,
        short_names: &[],
        categories: &[],
        status_subresource: false,
        scale: None,
    },
    KindDef {
        group: "cert-manager.io",
        versions: &["v1"],
        kind: "Certificate",
        plural: "certificates",
        singular: "certificate",
        namespaced: true,
        short_names: &["cert", "certs"],
        categories: &["cert-manager"],
        status_subresource: true,
        scale: None,
    },
    KindDef {
        group: "cert-manager.io",
        versions: &["v1"],
        kind: "Issuer",
        plural: "issuers",
        singular: "issuer",
        namespaced: true,
        short_names: &["iss"],
        categories: &["cert-manager"],
        status_subresource: true,
        scale: None,
    },
    KindDef {
        group: "cert-manager.io",
        versions: &["v1"],
        kind: "ClusterIssuer",
        plural: "clusterissuers",
        singular: "clusterissuer",
        namespaced: false,
        short_names: &["ciss"],
        categories: &["cert-manager"],
        status_subresource: true,
        scale: None,
    },
    KindDef {
        group: "velero.io",
        versions: &["v1"],
        kind: "Backup",
        plural: "backups",
        singular: "backup",
        namespaced: true,
        short_names: &[],
        categories: &[],
        status_subresource: true,
        scale: None,
    },
    KindDef {
        group: "velero.io",
        versions: &["v1"],
        kind: "Schedule",
        plural: "schedules",
        singular: "schedule",
        namespaced: true,
        short_names: &[],
        categories: &[],
        status_subresource: true,
        scale: None,
    },
    KindDef {
        group: "velero.io",
        versions: &["v1"],
        kind: "BackupStorageLocation",
        plural: "backupstoragelocations",
        singular: "backupstoragelocation",
        namespaced: true,
        short_names: &["bsl"],
        categories: &[],
        status_subresource: true,
        scale: None,
    },
    KindDef {
        group: "gateway.networking.k8s.io",
        // The CRD also serves v1beta1; the simulator serves the storage version only.
        versions: &["v1"],
        kind: "GatewayClass",
        plural: "gatewayclasses",
        singular: "gatewayclass",
        namespaced: false,
        short_names: &["gc"],
        categories: &["gateway-api"],
        status_subresource: true,
        scale: None,
    },
    KindDef {
        group: "gateway.networking.k8s.io",
        // The CRD also serves v1beta1; the simulator serves the storage version only.
        versions: &["v1"],
        kind: "Gateway",
        plural: "gateways",
        singular: "gateway",
        namespaced: true,
        short_names: &["gtw"],
        categories: &["gateway-api"],
        status_subresource: true,
        scale: None,
    },
    KindDef {
        group: "gateway.networking.k8s.io",
        // The CRD also serves v1beta1; the simulator serves the storage version only.
        versions: &["v1"],
        kind: "HTTPRoute",
        plural: "httproutes",
        singular: "httproute",
        namespaced: true,
        short_names: &[],
        categories: &["gateway-api"],
        status_subresource: true,
        scale: None,
    },
    KindDef {
        group: "metallb.io",
        versions: &["v1beta1"],
        kind: "IPAddressPool",
        plural: "ipaddresspools",
        singular: "ipaddresspool",
        namespaced: true,
        short_names: &[],
        categories: &["metallb"],
        status_subresource: true,
        scale: None,
    },
    KindDef {
        group: "wgpolicyk8s.io",
        versions: &["v1alpha2"],
        kind: "PolicyReport",
        plural: "policyreports",
        singular: "policyreport",
        namespaced: true,
        short_names: &["polr"],
        categories: &[],
        status_subresource: false,
        scale: None,
    },
    KindDef {
        group: "traefik.io",
        versions: &["v1alpha1"],
        kind: "IngressRoute",
        plural: "ingressroutes",
        singular: "ingressroute",
        namespaced: true,
        short_names: &[],
        categories: &[],
        status_subresource: false,
        scale: None,
    },
    KindDef {
        group: "karpenter.sh",
        versions: &["v1"],
        kind: "NodePool",
        plural: "nodepools",
        singular: "nodepool",
        namespaced: false,
        short_names: &[],
        categories: &["karpenter"],
        status_subresource: true,
        scale: None,
    },
    KindDef {
        group: "karpenter.sh",
        versions: &["v1"],
        kind: "NodeClaim",
        plural: "nodeclaims",
        singular: "nodeclaim",
        namespaced: false,
        short_names: &[],
        categories: &["karpenter"],
        status_subresource: true,
        scale: None,
    },
    KindDef {
        group: "platform.kratix.io",
        versions: &["v1alpha1"],
        kind: "Promise",
        plural: "promises",
        singular: "promise",
        namespaced: false,
        short_names: &[],
        categories: &["kratix"],
        status_subresource: true,
        scale: None,
    },
    KindDef {
        group: "metal3.io",
        versions: &["v1alpha1"],
        kind: "BareMetalHost",
        plural: "baremetalhosts",
        singular: "baremetalhost",
        namespaced: true,
        short_names: &["bmh", "bmhost"],
        categories: &[],
        status_subresource: true,
        scale: None,
    },
    KindDef {
        group: "argoproj.io",
        versions: &["v1alpha1"],
        kind: "ApplicationSet",
        plural: "applicationsets",
        singular: "applicationset",
        namespaced: true,
        short_names: &["appset", "appsets"],
        categories: &[],
        status_subresource: true,
        scale: None,
    },
    KindDef {
        group: "",
        versions: &["v1"],
        kind: "Service",
        plural: "services",
        singular: "service",
        namespaced: true,
        short_names: &["svc"],
        categories: &["all"],
        status_subresource: true,
        scale: None,
    },
    KindDef {
        group: "",
        versions: &["v1"],
        kind: "ConfigMap",
        plural: "configmaps",
        singular: "configmap",
        namespaced: true,
        short_names: &["cm"],
        categories: &[],
        status_subresource: false,
        scale: None,
    },
    KindDef {
        group: "",
        versions: &["v1"],
        kind: "Secret",
        plural: "secrets",
        singular: "secret",
        namespaced: true,
        short_names: &[],
        categories: &[],
        status_subresource: false,
        scale: None,
    },
];

/// Index into `KINDS`; cheap to copy and to key maps with.
pub type KindId = usize;

/// A kind by name, or by `group/Kind` where two groups share a kind name (CAPI `Machine`
/// versus `bmc.tinkerbell.org/Machine`); a bare name means the first in the table.
pub fn kind_id(kind: &str) -> Option<KindId> {
    match kind.rsplit_once('/') {
        Some((group, kind)) => KINDS
            .iter()
            .position(|k| k.group == group && k.kind == kind),
        None => KINDS.iter().position(|k| k.kind == kind),
    }
}

pub fn by_plural(group: &str, plural: &str) -> Option<KindId> {
    KINDS
        .iter()
        .position(|k| k.group == group && k.plural == plural)
}

/// Groups in discovery order: core first, then the rest in table order, each once.
pub fn groups() -> Vec<&'static str> {
    let mut out: Vec<&'static str> = Vec::new();
    for k in KINDS.iter().filter(|k| !k.is_core()) {
        if !out.contains(&k.group) {
            out.push(k.group);
        }
    }
    out
}
