//! Opt-in discovery: workload clusters and Talos endpoints from the management cluster's CAPI
//! Secrets, used by real clients; a token that may not read Secrets gets a clear message.

use crate::common;

use crate::common::{Cockpit, line_with};
use opsdeck::clients::kube::discovery::discover;
use opsdeck::clients::kube::sources::{KubeSources, Role};
use opsdeck::clients::talos::poller::TalosSetup;

#[tokio::test]
async fn workload_clusters_and_talos_endpoints_come_from_capi_secrets() {
    let sim = common::frozen_sim_with_talos().await;
    let management = common::admin(&sim).await;
    let found = discover(&management, &["opsdeck-management".into()]).await;
    assert!(found.problems.is_empty(), "{:?}", found.problems);
    let names: Vec<&str> = found.kube.iter().map(|s| s.context.as_str()).collect();
    assert_eq!(
        names,
        vec!["media"],
        "only media has an API server of its own"
    );
    assert!(found.kube.iter().all(|s| s.role == Role::Workload));
    let mut talos: Vec<&str> = found.talos.iter().map(|c| c.name.as_str()).collect();
    talos.sort();
    assert_eq!(talos, vec!["lab", "media"]);

    // The discovered clients work: the media cluster's ExternalSecrets arrive under "media".
    let mut sources = KubeSources::single("opsdeck-management", management);
    sources.0.extend(found.kube);
    let mut setup = TalosSetup::default();
    setup.add_contexts(found.talos);
    assert_eq!(setup.nodes.len(), 9);
    let mut c = Cockpit::start_with_sources(sources, setup).await;
    c.press(&["4"]);
    c.wait_for("media secrets", |s| {
        s.eso
            .external_secrets
            .iter()
            .any(|e| e.key.cluster == "media")
    })
    .await;
    c.press(&["3"]);
    // The nodes of the Machines that have one (the one still provisioning has no node yet).
    c.wait_for("talos nodes", |s| {
        s.talos.nodes.len() == 8 && s.talos.nodes.iter().all(|n| n.error.is_none())
    })
    .await;
    c.wait_for("the machine statuses", |s| s.talos.machine.len() == 8)
        .await;
    c.wait_for("lab-cp's status", |s| {
        s.talos
            .machine
            .iter()
            .any(|(k, m)| k.name.starts_with("lab-cp-") && matches!(m.status, Some(Ok(_))))
    })
    .await;
    assert!(line_with(&c.frame(), "lab-cp-").contains("running, ready"));
}

#[tokio::test]
async fn a_token_that_may_not_read_secrets_is_told_so() {
    let sim = common::frozen_sim().await;
    let viewer = common::client_for(&sim, "opsdeck-viewer").await;
    let found = discover(&viewer, &[]).await;
    assert!(found.kube.is_empty() && found.talos.is_empty());
    let problem = found.problems.join(" ");
    assert!(
        problem.contains("cannot list resource \"secrets\""),
        "{problem}"
    );
}
