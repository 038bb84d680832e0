//! The Kubernetes API servers the cockpit watches, each a kube context with a role that
//! decides which panes read it: the management cluster (Cluster API, Argo CD), the Harvester
//! cluster (VMs, hosts), workload clusters.

use kube::Client;
use serde::Deserialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Management,
    Harvester,
    Workload,
}

impl Role {
    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "management" | "mgmt" => Some(Role::Management),
            "harvester" => Some(Role::Harvester),
            "workload" => Some(Role::Workload),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Role::Management => "management",
            Role::Harvester => "harvester",
            Role::Workload => "workload",
        }
    }
}

#[derive(Clone)]
pub struct KubeSource {
    /// The kube context; rows from this source carry it as their cluster.
    pub context: String,
    pub role: Role,
    pub client: Client,
}

#[derive(Clone, Default)]
pub struct KubeSources(pub Vec<KubeSource>);

impl KubeSources {
    /// One context that plays every role it can (the plain `opsdeck --context x` case).
    pub fn single(context: impl Into<String>, client: Client) -> Self {
        KubeSources(vec![KubeSource {
            context: context.into(),
            role: Role::Management,
            client,
        }])
    }

    pub fn with_role(&self, role: Role) -> impl Iterator<Item = &KubeSource> {
        self.0.iter().filter(move |s| s.role == role)
    }

    pub fn client(&self, context: &str) -> Option<&Client> {
        self.0
            .iter()
            .find(|s| s.context == context)
            .map(|s| &s.client)
    }

    /// `mgmt, harvester, media` for the header.
    pub fn names(&self) -> String {
        self.0
            .iter()
            .map(|s| s.context.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }
}
