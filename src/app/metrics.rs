//! CPU and memory in the kind browser on pods and nodes, from the Metrics API, as `kubectl
//! top` and k9s show them. The API has no watch, so the clusters that serve it are polled at
//! metrics-server's own resolution while the list is open; a cluster without metrics-server
//! shows `n/a`, never an error.

use std::collections::BTreeMap;

use super::msg::Command;
use super::state::State;
use crate::clients::error::ClientError;
use crate::model::metrics::{BrowseMetrics, MetricsOf, MetricsSource as Source, Report};

/// How often the usage is asked for: metrics-server scrapes every 15 s.
pub const POLL_EVERY: std::time::Duration = std::time::Duration::from_secs(15);

/// Start polling the usage of the kind just opened, on the clusters that serve metrics.
pub fn start(state: &mut State) -> Option<Command> {
    let target = state.browse.target.as_ref()?;
    let of = MetricsOf::of(&target.kind)?;
    let serving = served_by(state, of);
    let mut polled = Vec::new();
    let mut clusters = BTreeMap::new();
    for cluster in &target.clusters {
        if serving.contains(cluster) {
            polled.push(cluster.clone());
            clusters.insert(cluster.clone(), Source::Waiting);
        } else {
            clusters.insert(cluster.clone(), Source::NotServed);
        }
    }
    let (id, namespace) = (target.id, target.namespace.clone());
    state.browse.metrics = BrowseMetrics {
        of: Some(of),
        clusters,
        ..BrowseMetrics::default()
    };
    state.browse.kept.get_mut().changed_all();
    (!polled.is_empty()).then_some(Command::PollMetrics {
        id,
        of,
        clusters: polled,
        namespace,
    })
}

/// Discovery has learnt more: poll the browsed clusters that turned out to serve metrics.
pub fn newly_served(state: &mut State) -> Option<Command> {
    let target = state.browse.target.as_ref()?;
    let of = state.browse.metrics.of?;
    let serving = served_by(state, of);
    let (id, namespace) = (target.id, target.namespace.clone());
    let metrics = &mut state.browse.metrics;
    let new: Vec<String> = metrics
        .clusters
        .iter()
        .filter(|(c, s)| **s == Source::NotServed && serving.contains(*c))
        .map(|(c, _)| c.clone())
        .collect();
    for cluster in &new {
        metrics.clusters.insert(cluster.clone(), Source::Waiting);
    }
    state.browse.kept.get_mut().changed_all();
    (!new.is_empty()).then_some(Command::PollMetrics {
        id,
        of,
        clusters: new,
        namespace,
    })
}

/// The clusters whose discovery lists the Metrics API's resource for `of`.
fn served_by(state: &State, of: MetricsOf) -> std::collections::BTreeSet<String> {
    state
        .catalog
        .resolve(&format!("{}.metrics.k8s.io", of.plural()))
        .map(|(_, clusters)| clusters.clone())
        .unwrap_or_default()
}

/// A poll answered: replace that cluster's numbers.
pub fn on_report(state: &mut State, id: u64, cluster: String, result: Result<Report, ClientError>) {
    if state.browse.target.as_ref().map(|t| t.id) != Some(id) {
        return;
    }
    // Every row's usage cells may change.
    state.browse.kept.get_mut().changed_all();
    let metrics = &mut state.browse.metrics;
    match result {
        Ok(report) => {
            metrics.usage.retain(|k, _| k.cluster != cluster);
            metrics.usage.extend(report.usage);
            metrics.allocatable.retain(|k, _| k.cluster != cluster);
            metrics.allocatable.extend(report.allocatable);
            // Kept while the pod has usage (a pod gone takes its requests with it).
            let usage = &metrics.usage;
            metrics
                .resources
                .retain(|k, _| k.cluster != cluster || usage.contains_key(k));
            metrics.resources.extend(report.resources);
            metrics.clusters.insert(cluster, Source::Live);
        }
        Err(e) => {
            metrics
                .clusters
                .insert(cluster, Source::Failed(e.to_string()));
        }
    }
}
