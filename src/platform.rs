//! What the cockpit is pointed at — kube contexts in their roles, Talos nodes, argocd-server —
//! from the command line and config.toml (the demo builds the same from its simulator). The
//! cockpit, `snapshot` and `check` all start from one of these.

use color_eyre::eyre::{Result, WrapErr, eyre};

use opsdeck::app::config::UserConfig;
use opsdeck::clients::argocd::{ArgoCd, ArgoCdSettings};
use opsdeck::clients::error::ClientError;
use opsdeck::clients::kube::connect::{
    ConnectError, KubeconfigSource, connect, context_names, server_of, unverified_contexts,
};
use opsdeck::clients::kube::discovery::discover;
use opsdeck::clients::kube::sources::{KubeSource, KubeSources, Role};
use opsdeck::clients::talos::config::{self as talos_config, Talosconfig};
use opsdeck::clients::talos::poller::TalosSetup;

use crate::Cli;

/// The sources, connected (nothing sent yet), and a notice for the footer.
pub struct Platform {
    pub kube: KubeSources,
    pub talos: TalosSetup,
    pub argocd: Option<ArgoCd>,
    pub notice: Option<String>,
    /// Contexts the user's config marks read-only.
    pub readonly_contexts: std::collections::BTreeSet<String>,
    /// The kubeconfig file(s) in use, for plugins (`$KUBECONFIG`).
    pub kubeconfig: Option<std::path::PathBuf>,
    /// CAPI cluster → the kube context of its API server, where config.toml says.
    pub cluster_contexts: std::collections::BTreeMap<String, String>,
    /// Contexts whose server certificate is not verified (`insecure-skip-tls-verify`).
    pub unverified: Vec<String>,
}

impl Platform {
    /// From the flags and config.toml. No kubeconfig at all is a first run: said in one
    /// paragraph and exit code 2, not an error chain.
    pub async fn from_user(cli: &Cli) -> Result<Platform> {
        Self::connect(cli, false).await
    }

    /// As `from_user`, and with `discover` also the clusters the management cluster's CAPI
    /// Secrets name even when neither the flag nor config.toml asks (`check` looks at all).
    pub async fn connect(cli: &Cli, discover: bool) -> Result<Platform> {
        let user = UserConfig::load()?.unwrap_or_default();
        let wanted: Vec<(Role, String)> = if cli.clusters.is_empty() {
            user.clusters
                .iter()
                .map(|c| (c.role, c.context.clone()))
                .collect()
        } else {
            cli.clusters
                .iter()
                .map(|f| parse_cluster_flag(f))
                .collect::<Result<_>>()?
        };
        let source = KubeconfigSource::Default(cli.kubeconfig.as_deref());
        let mut kube = match kube_sources(&source, cli.context.as_deref(), &wanted).await {
            Ok(kube) => kube,
            Err(e) => match e.downcast_ref::<ConnectError>() {
                Some(ConnectError::NoKubeconfig { looked_at }) => {
                    eprint!("{}", crate::first_run(looked_at));
                    std::process::exit(2);
                }
                _ => return Err(e),
            },
        };
        let talosconfig = cli.talosconfig.clone().or(user.talosconfig.clone());
        let mut talos = talos_from_file(talosconfig.as_deref());
        let notice = if discover || cli.discover || user.discover {
            with_discovery(&mut kube, &mut talos).await
        } else {
            None
        };
        let argocd = argocd_from(
            cli.argocd_server.as_deref(),
            cli.argocd_ca_file.as_deref(),
            &user,
        )?;
        let names: Vec<String> = kube.0.iter().map(|s| s.context.clone()).collect();
        let unverified = unverified_contexts(source, &names);
        Ok(Platform {
            kube,
            talos,
            argocd,
            notice,
            unverified,
            readonly_contexts: user.readonly_contexts(),
            kubeconfig: kubeconfig_in_use(cli.kubeconfig.as_deref()),
            cluster_contexts: user.cluster_contexts(),
        })
    }
}

/// What a plugin should be told the kubeconfig is: the flag, else `$KUBECONFIG` as set (it may
/// list several files), else `~/.kube/config` when it exists.
fn kubeconfig_in_use(flag: Option<&std::path::Path>) -> Option<std::path::PathBuf> {
    if let Some(path) = flag {
        return Some(path.to_path_buf());
    }
    if let Some(list) = std::env::var_os("KUBECONFIG").filter(|v| !v.is_empty()) {
        return Some(list.into());
    }
    let home = directories::BaseDirs::new()?
        .home_dir()
        .join(".kube")
        .join("config");
    home.exists().then_some(home)
}

/// How long the first contact with each API server may take before it counts as down.
const FIRST_CONTACT: std::time::Duration = std::time::Duration::from_secs(5);

impl Platform {
    /// Ask every kube context's API server for its version once. When none answers and there
    /// is no Talos node to look at either, the cockpit would only show errors: say so in one
    /// paragraph with the next steps, and exit code 2. When some are down, the footer says
    /// which.
    pub async fn first_contact(mut self, cli: &Cli) -> Platform {
        let asks = self.kube.0.iter().map(|source| async move {
            let answer = tokio::time::timeout(FIRST_CONTACT, source.client.apiserver_version());
            let why = match answer.await {
                Ok(Ok(_)) => return None,
                Ok(Err(e)) => ClientError::from_kube(&e).to_string(),
                Err(_) => format!("no answer in {} s", FIRST_CONTACT.as_secs()),
            };
            Some((source.context.clone(), why))
        });
        let down: Vec<(String, String)> = futures::future::join_all(asks)
            .await
            .into_iter()
            .flatten()
            .collect();
        if down.is_empty() {
            return self;
        }
        if down.len() == self.kube.0.len() && self.talos.nodes.is_empty() {
            eprint!("{}", unreachable(cli, &down));
            std::process::exit(2);
        }
        let named: Vec<String> = down.iter().map(|(c, why)| format!("{c} ({why})")).collect();
        let said = format!("no answer from {}", named.join(", "));
        self.notice = Some(match self.notice.take() {
            Some(other) => format!("{said}; {other}"),
            None => said,
        });
        self
    }
}

/// The paragraph for "nothing answers": what was tried, then what to do next.
fn unreachable(cli: &Cli, down: &[(String, String)]) -> String {
    let source = || KubeconfigSource::Default(cli.kubeconfig.as_deref());
    let tried: Vec<String> = down
        .iter()
        .map(|(context, why)| match server_of(source(), context) {
            Some(server) => format!("context {context:?} ({server}): {why}"),
            None => format!("context {context:?}: {why}"),
        })
        .collect();
    let others: Vec<String> = context_names(source())
        .into_iter()
        .filter(|c| !down.iter().any(|(d, _)| d == c))
        .collect();
    let other_line = match others.as_slice() {
        [] => String::new(),
        names => format!(
            "  Use another context:       opsdeck --context NAME  (also in the kubeconfig: {})\n",
            names.join(", ")
        ),
    };
    format!(
        "opsdeck: the Kubernetes API does not answer — {}.\n\n\
         \x20 See what does answer:      opsdeck check\n\
         {other_line}\
         \x20 Try it without a cluster:  opsdeck demo\n",
        tried.join("; ")
    )
}

/// Talos clients from the talosconfig; a missing or bad file is shown in the `:talos` pane.
fn talos_from_file(flag: Option<&std::path::Path>) -> TalosSetup {
    let config = match talos_config::find(flag) {
        Some(path) => Talosconfig::load(&path),
        None => Err(talos_config::TalosConfigError::NotFound),
    };
    TalosSetup::from_config(config)
}

/// `management=ctx` → (role, context).
fn parse_cluster_flag(flag: &str) -> Result<(Role, String)> {
    let (role, context) = flag.split_once('=').ok_or_else(|| {
        eyre!("--cluster {flag:?}: write ROLE=CONTEXT, e.g. management=admin@mgmt")
    })?;
    let role = Role::parse(role).ok_or_else(|| {
        eyre!("--cluster {flag:?}: role must be management, harvester or workload")
    })?;
    Ok((role, context.to_string()))
}

/// Connect every (role, context); with none, the given or current context as management.
pub async fn kube_sources(
    kubeconfig: &KubeconfigSource<'_>,
    context: Option<&str>,
    wanted: &[(Role, String)],
) -> Result<KubeSources> {
    if wanted.is_empty() {
        let (client, name) = connect(kubeconfig.clone(), context).await?;
        return Ok(KubeSources::single(name, client));
    }
    let mut sources = Vec::new();
    for (role, ctx) in wanted {
        let (client, name) = connect(kubeconfig.clone(), Some(ctx)).await?;
        sources.push(KubeSource {
            context: name,
            role: *role,
            client,
        });
    }
    Ok(KubeSources(sources))
}

/// Add what the management cluster's CAPI Secrets name; problems come back as a notice.
pub async fn with_discovery(kube: &mut KubeSources, talos: &mut TalosSetup) -> Option<String> {
    let management = kube.with_role(Role::Management).next()?.client.clone();
    let known: Vec<String> = kube.0.iter().map(|s| s.context.clone()).collect();
    let found = discover(&management, &known).await;
    kube.0.extend(found.kube);
    talos.add_contexts(found.talos);
    (!found.problems.is_empty()).then(|| found.problems.join("; "))
}

/// argocd-server settings from the flag, the environment and config.toml, if a server is named.
fn argocd_from(
    cli: Option<&str>,
    cli_ca: Option<&std::path::Path>,
    user: &UserConfig,
) -> Result<Option<ArgoCd>> {
    let server = cli
        .map(str::to_string)
        .or_else(|| std::env::var("ARGOCD_SERVER").ok())
        .or_else(|| user.argocd_server.clone());
    let Some(server) = server else {
        return Ok(None);
    };
    let token = std::env::var("ARGOCD_AUTH_TOKEN")
        .ok()
        .or_else(|| user.argocd_token.clone())
        .ok_or_else(|| {
            eyre!("--argocd-server {server} needs a token: set ARGOCD_AUTH_TOKEN or argocd_token in config.toml")
        })?;
    let ca_pem = match cli_ca.or(user.argocd_ca_file.as_deref()) {
        Some(path) => Some(
            std::fs::read_to_string(path)
                .wrap_err_with(|| format!("argocd_ca_file {}", path.display()))?,
        ),
        None => None,
    };
    let settings = ArgoCdSettings {
        server,
        token,
        ca_pem,
    };
    ArgoCd::new(&settings).map(Some).map_err(|e| eyre!(e))
}
