//! `opsdeck demo`: the simulated platform on 127.0.0.1 and the cockpit against it. The only
//! place the cockpit binary touches the simulator; everything after start-up goes over the
//! same sockets and clients as production.

use std::process::ExitCode;

use color_eyre::eyre::{Result, eyre};
use opsdeck::clients::argocd::{ArgoCd, ArgoCdSettings};
use opsdeck::clients::kube::connect::KubeconfigSource;
use opsdeck::clients::kube::sources::Role;
use opsdeck::clients::talos::config::Talosconfig;
use opsdeck::clients::talos::poller::TalosSetup;
use opsdeck_sim::Simulator;
use opsdeck_sim::scenario::Scenario;
use opsdeck_sim::standalone::{self, DemoDir};

use crate::Then;
use crate::platform::{Platform, kube_sources, with_discovery};

/// Remove the demo's credentials folder where the process ends without dropping it (the
/// panic hook exits).
pub fn remove_folders() {
    DemoDir::remove_all();
}

pub async fn run(scenario: &str, serve_only: bool, then: Then) -> Result<ExitCode> {
    if serve_only {
        standalone::serve(scenario).await?;
        return Ok(ExitCode::SUCCESS);
    }
    let scenario = Scenario::load(scenario)?;
    let options = standalone::options_for(&scenario);
    let sim = Simulator::start(scenario, options).await?;
    let yaml = sim.kubeconfig_yaml();
    let dir = DemoDir::create()?;
    let kubeconfig = dir.write("kubeconfig", &yaml)?;
    let talosconfig = match sim.talosconfig_yaml() {
        Some(t) => Some((dir.write("talosconfig", &t)?, t)),
        None => None,
    };
    let mut talos = match &talosconfig {
        Some((path, text)) => {
            TalosSetup::from_config(Talosconfig::parse(&path.display().to_string(), text))
        }
        None => TalosSetup::default(),
    };
    // The demo shows discovery at work: workload clusters are found through the management
    // cluster's CAPI Secrets, not named up front.
    let source = KubeconfigSource::Text(&yaml);
    let named: Vec<(Role, String)> = sim
        .cluster_roles()
        .into_iter()
        .filter_map(|(role, context)| match role {
            opsdeck_sim::Role::Management => Some((Role::Management, context)),
            opsdeck_sim::Role::Harvester => Some((Role::Harvester, context)),
            opsdeck_sim::Role::Workload => None,
        })
        .collect();
    let mut kube = kube_sources(&source, None, &named).await?;
    let notice = with_discovery(&mut kube, &mut talos).await;
    // The demo's argocd-server: Argo CD actions and resource-tree health go through it.
    let endpoint = sim.argocd_endpoint();
    let settings = ArgoCdSettings {
        server: endpoint.server,
        token: endpoint.token,
        ca_pem: Some(endpoint.ca_pem),
    };
    let argocd = Some(ArgoCd::new(&settings).map_err(|e| eyre!(e))?);
    let platform = Platform {
        kube,
        talos,
        argocd,
        notice,
        readonly_contexts: Default::default(),
        kubeconfig: Some(kubeconfig),
        cluster_contexts: Default::default(),
        unverified: Vec::new(),
    };
    crate::launch(platform, then).await
}
