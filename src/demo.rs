//! `opsdeck demo`: the simulated platform on 127.0.0.1 and the cockpit against it. The only
//! place the cockpit binary touches the simulator; everything after start-up goes over the
//! same sockets and clients as production.

use std::io::Write;
use std::path::PathBuf;

use color_eyre::eyre::{Result, WrapErr, eyre};
use opsdeck::clients::argocd::{ArgoCd, ArgoCdSettings};
use opsdeck::clients::kube::connect::KubeconfigSource;
use opsdeck::clients::kube::sources::Role;
use opsdeck::clients::talos::config::Talosconfig;
use opsdeck::clients::talos::poller::TalosSetup;
use opsdeck_sim::scenario::Scenario;
use opsdeck_sim::{SimOptions, Simulator};

use crate::Then;
use crate::platform::{Platform, kube_sources, with_discovery};

/// Scenarios with more Talos machines than this run without simulated apids: thousands of
/// them would only slow a benchmark scenario down.
const MAX_SIMULATED_APIDS: usize = 100;

pub async fn run(scenario: &str, serve_only: bool, then: Then) -> Result<()> {
    let scenario = Scenario::load(scenario)?;
    let options = SimOptions {
        talos: scenario.machine_count() <= MAX_SIMULATED_APIDS,
        ..SimOptions::default()
    };
    let sim = Simulator::start(scenario, options).await?;
    let yaml = sim.kubeconfig_yaml();
    let dir = DemoDir::create()?;
    let kubeconfig = dir.write("kubeconfig", &yaml)?;
    let talosconfig = match sim.talosconfig_yaml() {
        Some(t) => Some((dir.write("talosconfig", &t)?, t)),
        None => None,
    };
    if serve_only {
        let ca = dir.write("argocd-ca.pem", &sim.ca_pem)?;
        let mut lines = vec![format!("KUBECONFIG={}", kubeconfig.display())];
        if let Some((path, _)) = &talosconfig {
            lines.push(format!("TALOSCONFIG={}", path.display()));
        }
        // A local simulator's token: printing it is how you use it.
        lines.push(format!("ARGOCD_SERVER=https://{}", sim.argocd_addr));
        lines.push(format!("ARGOCD_AUTH_TOKEN={}", sim.argocd_token));
        lines.push(format!("# then: opsdeck --argocd-ca-file {}", ca.display()));
        announce(&lines);
        tokio::signal::ctrl_c().await?;
        drop(sim);
        return Ok(());
    }
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

/// Print the lines a script reads to find the simulator. A reader that closed the pipe early
/// (`| head -1`) must not stop the simulator: the write error is dropped and it keeps serving.
fn announce(lines: &[String]) {
    let mut out = std::io::stdout().lock();
    for line in lines {
        if writeln!(out, "{line}").is_err() {
            return;
        }
    }
    let _ = out.flush();
}

/// The demo's kubeconfig and talosconfig, written where kubectl and talosctl can use them;
/// removed on drop.
struct DemoDir(PathBuf);

impl DemoDir {
    fn create() -> Result<Self> {
        let dir = std::env::temp_dir().join(format!("opsdeck-demo-{}", std::process::id()));
        std::fs::create_dir_all(&dir).wrap_err("creating the demo directory")?;
        Ok(DemoDir(dir))
    }

    fn write(&self, name: &str, text: &str) -> Result<PathBuf> {
        let path = self.0.join(name);
        std::fs::write(&path, text).wrap_err_with(|| format!("writing the demo {name}"))?;
        Ok(path)
    }
}

impl Drop for DemoDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
