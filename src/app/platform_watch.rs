//! Watching the platform's other systems for the attention feed: once a cluster's discovery
//! has finished, one watch per followed kind it serves (none for kinds it does not, so a
//! cluster without Velero costs nothing), each object judged by its kind's health rule as it
//! arrives and only the verdict kept (`model::platform_health`).

use kube::Client;
use kube::api::DynamicObject;
use tokio::sync::mpsc::UnboundedSender;
use tokio::task::JoinHandle;

use super::msg::{Command, Msg};
use super::state::State;
use super::watches::sink;
use crate::clients::kube::watch::{WatchSpec, spawn_watch};
use crate::model::platform_health::{FollowedKind, platform_health_row};
use crate::model::store::ObjRef;
use crate::model::text::sanitize;

const fn followed(group: &'static str, kind: &'static str, plural: &'static str) -> FollowedKind {
    FollowedKind {
        group,
        kind,
        plural,
    }
}

const GATEWAY: &str = "gateway.networking.k8s.io";
const POLICY: &str = "wgpolicyk8s.io";
const VELERO: &str = "velero.io";

/// The kinds followed, with the versions to ask for (newest first). Every one has a rule in
/// `model::health`. Workload Nodes and the providers' machines are the chain's and the
/// cluster tree's, not here.
const FOLLOWED: &[(FollowedKind, &[&str])] = &[
    (
        followed("cert-manager.io", "Certificate", "certificates"),
        &["v1"],
    ),
    (followed("cert-manager.io", "Issuer", "issuers"), &["v1"]),
    (
        followed("cert-manager.io", "ClusterIssuer", "clusterissuers"),
        &["v1"],
    ),
    (
        followed(GATEWAY, "GatewayClass", "gatewayclasses"),
        &["v1", "v1beta1"],
    ),
    (followed(GATEWAY, "Gateway", "gateways"), &["v1", "v1beta1"]),
    (
        followed(GATEWAY, "HTTPRoute", "httproutes"),
        &["v1", "v1beta1"],
    ),
    (
        followed("metallb.io", "IPAddressPool", "ipaddresspools"),
        &["v1beta1"],
    ),
    (
        followed(POLICY, "PolicyReport", "policyreports"),
        &["v1alpha2"],
    ),
    (
        followed(POLICY, "ClusterPolicyReport", "clusterpolicyreports"),
        &["v1alpha2"],
    ),
    (followed(VELERO, "Backup", "backups"), &["v1"]),
    (followed(VELERO, "Schedule", "schedules"), &["v1"]),
    (
        followed(VELERO, "BackupStorageLocation", "backupstoragelocations"),
        &["v1"],
    ),
    (followed("karpenter.sh", "NodePool", "nodepools"), &["v1"]),
    (followed("karpenter.sh", "NodeClaim", "nodeclaims"), &["v1"]),
    (
        followed("platform.kratix.io", "Promise", "promises"),
        &["v1alpha1"],
    ),
    (
        followed("metal3.io", "BareMetalHost", "baremetalhosts"),
        &["v1alpha1"],
    ),
    (
        followed("argoproj.io", "ApplicationSet", "applicationsets"),
        &["v1alpha1"],
    ),
];

/// Watches to start on clusters whose discovery has just finished.
pub fn watch_new(state: &mut State) -> Vec<Command> {
    let ready: Vec<String> = state
        .catalog
        .answered_clusters()
        .filter(|c| !state.platform_health.watched.contains(*c))
        .cloned()
        .collect();
    let mut commands = Vec::new();
    for cluster in ready {
        let kinds: Vec<FollowedKind> = FOLLOWED
            .iter()
            .map(|(kind, _)| *kind)
            .filter(|kind| {
                state
                    .catalog
                    .resolve(&kind.qualified())
                    .is_some_and(|(_, serving)| serving.contains(&cluster))
            })
            .collect();
        state.platform_health.watched.insert(cluster.clone());
        if !kinds.is_empty() {
            commands.push(Command::WatchPlatformHealth { cluster, kinds });
        }
    }
    commands
}

/// Watch one followed kind on a cluster.
pub fn spawn(
    client: &Client,
    cluster: &str,
    kind: FollowedKind,
    tx: &UnboundedSender<Msg>,
) -> Option<JoinHandle<()>> {
    let versions = FOLLOWED.iter().find(|(k, _)| *k == kind)?.1;
    let rule = crate::model::health::rule(kind.group, kind.kind)?;
    let send = sink(tx, move |u| Msg::PlatformHealth(kind, u));
    Some(spawn_watch::<DynamicObject, _, _, _>(
        client.clone(),
        cluster.to_string(),
        WatchSpec::new(kind.group, versions, kind.kind, kind.plural),
        move |o: &DynamicObject| {
            let text = |s: &Option<String>| sanitize(s.as_deref().unwrap_or(""));
            let key = ObjRef::new(text(&o.metadata.namespace), text(&o.metadata.name));
            platform_health_row(kind, rule, key, &o.data, jiff::Timestamp::now())
        },
        move |u| {
            send.send(u);
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_followed_kind_has_a_health_rule() {
        for (kind, versions) in FOLLOWED {
            assert!(
                crate::model::health::rule(kind.group, kind.kind).is_some(),
                "{kind:?}"
            );
            assert!(!versions.is_empty());
        }
    }
}
