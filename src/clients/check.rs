//! `opsdeck check`: reach every configured source once and say what opsdeck would find there —
//! a kube context's server version, latency, the kinds its panes read (present or missing),
//! who the token is and what its rules let it read and change; each Talos node's version; the
//! argocd-server's version and user. Sources are checked at once, each with its own deadline.

use std::time::{Duration, Instant};

use serde::Serialize;
use serde_json::{Value, json};

use super::argocd::ArgoCd;
use super::error::ClientError;
use super::kube::sources::{KubeSource, KubeSources, Role};
use super::kube::watch::WatchSpec;
use super::kube::{browse, post_json};
use super::talos::poller::TalosSetup;
use crate::model::catalog::ApiKind;
use crate::model::text::sanitize;

/// The namespace whose rules `SelfSubjectRulesReview` is asked for (cluster-wide bindings show
/// in every namespace's answer).
const RULES_NAMESPACE: &str = "default";

/// One source, as one line of the report.
#[derive(Debug, Clone, Serialize)]
pub struct SourceCheck {
    /// `kube`, `talos` or `argocd`.
    pub source: &'static str,
    /// The kube or talosconfig context, the node, or the server URL.
    pub name: String,
    /// The kube context's role, a Talos node's context.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    pub reachable: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    pub latency_ms: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kinds: Option<Kinds>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rbac: Option<Rbac>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// Which of the kinds opsdeck reads in this role the server serves.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Kinds {
    pub present: Vec<String>,
    pub missing: Vec<String>,
}

/// What the token's rules allow on the kinds present.
#[derive(Debug, Clone, Serialize)]
pub struct Rbac {
    pub namespace: &'static str,
    /// Kinds it may list and watch.
    pub read: usize,
    /// Kinds it may patch.
    pub patch: usize,
    pub of: usize,
    /// Kinds it may not list and watch (their panes will say forbidden).
    pub unreadable: Vec<String>,
    /// The server said its list of rules is incomplete (an authorizer it cannot enumerate).
    pub incomplete: bool,
}

impl SourceCheck {
    fn new(source: &'static str, name: String, role: Option<String>) -> Self {
        SourceCheck {
            source,
            name,
            role,
            reachable: false,
            version: None,
            latency_ms: 0,
            user: None,
            kinds: None,
            rbac: None,
            error: None,
        }
    }

    /// `name (role)`, the line's second column.
    fn label(&self) -> String {
        match &self.role {
            Some(role) => format!("{} ({role})", self.name),
            None => self.name.clone(),
        }
    }

    /// The line `opsdeck check` prints, its name column `width` wide.
    pub fn line(&self, width: usize) -> String {
        let mut parts = vec![format!("{:<7}{:<width$}", self.source, self.label())];
        if !self.reachable {
            parts.push(format!(
                "DOWN  {}",
                self.error.as_deref().unwrap_or("no answer")
            ));
            return parts.join("  ");
        }
        parts.push("ok".into());
        parts.extend(self.version.clone());
        parts.push(format!("{} ms", self.latency_ms));
        if let Some(user) = &self.user {
            parts.push(format!("as {user}"));
        }
        if let Some(kinds) = &self.kinds {
            let total = kinds.present.len() + kinds.missing.len();
            let mut text = format!("kinds {}/{total}", kinds.present.len());
            if !kinds.missing.is_empty() {
                text.push_str(&format!(" (missing {})", kinds.missing.join(", ")));
            }
            parts.push(text);
        }
        if let Some(rbac) = &self.rbac {
            let mut text = format!(
                "rbac: read {}/{}, patch {}/{}",
                rbac.read, rbac.of, rbac.patch, rbac.of
            );
            if !rbac.unreadable.is_empty() {
                text.push_str(&format!(" (cannot read {})", rbac.unreadable.join(", ")));
            }
            if rbac.incomplete {
                text.push_str(" (rules incomplete)");
            }
            parts.push(text);
        }
        if let Some(error) = &self.error {
            parts.push(format!("note: {error}"));
        }
        parts.join("  ")
    }
}

/// Every source's line, then the verdict; JSON when asked.
pub fn render(checks: &[SourceCheck], as_json: bool) -> String {
    if as_json {
        let doc = json!({"ok": all_reachable(checks), "sources": checks});
        return format!(
            "{}\n",
            serde_json::to_string_pretty(&doc).unwrap_or_default()
        );
    }
    let width = checks.iter().map(|c| c.label().len()).max().unwrap_or(0);
    let mut out: String = checks.iter().map(|c| c.line(width) + "\n").collect();
    let down = checks.iter().filter(|c| !c.reachable).count();
    out.push_str(&match down {
        0 => format!("all {} sources reachable\n", checks.len()),
        n => format!("{n} of {} sources down\n", checks.len()),
    });
    out
}

pub fn all_reachable(checks: &[SourceCheck]) -> bool {
    checks.iter().all(|c| c.reachable)
}

/// Check everything at once, each source within `timeout`; kube contexts first, in order.
pub async fn check_all(
    kube: &KubeSources,
    kinds_for: impl Fn(Role) -> Vec<WatchSpec>,
    talos: &TalosSetup,
    argocd: Option<&ArgoCd>,
    timeout: Duration,
) -> Vec<SourceCheck> {
    let kube_checks = kube.0.iter().map(|source| {
        let wanted = kinds_for(source.role);
        async move {
            match tokio::time::timeout(timeout, check_kube(source, &wanted)).await {
                Ok(check) => check,
                Err(_) => {
                    let mut check = SourceCheck::new(
                        "kube",
                        source.context.clone(),
                        Some(source.role.name().to_string()),
                    );
                    check.error = Some(format!("no answer in {} s", timeout.as_secs()));
                    check
                }
            }
        }
    });
    let argocd_check = async {
        match argocd {
            Some(argocd) => Some(check_argocd(argocd, timeout).await),
            None => None,
        }
    };
    let (mut checks, talos_checks, argocd_check) = tokio::join!(
        futures::future::join_all(kube_checks),
        check_talos(talos),
        argocd_check,
    );
    checks.extend(talos_checks);
    checks.extend(argocd_check);
    checks
}

/// Check a kube context: version (timed), then discovery, who it is and its rules.
pub async fn check_kube(source: &KubeSource, wanted: &[WatchSpec]) -> SourceCheck {
    let mut check = SourceCheck::new(
        "kube",
        source.context.clone(),
        Some(source.role.name().to_string()),
    );
    let client = &source.client;
    let started = Instant::now();
    match client.apiserver_version().await {
        Ok(info) => {
            check.reachable = true;
            check.version = Some(sanitize(&info.git_version));
        }
        Err(e) => {
            check.error = Some(ClientError::from_kube(&e).to_string());
            return check;
        }
    }
    check.latency_ms = started.elapsed().as_millis() as u64;
    let who = json!({"kind": "SelfSubjectReview", "apiVersion": "authentication.k8s.io/v1"});
    let rules = json!({"kind": "SelfSubjectRulesReview", "apiVersion": "authorization.k8s.io/v1",
                       "spec": {"namespace": RULES_NAMESPACE}});
    let (core, groups, whoami, rules) = tokio::join!(
        browse::discover_core(client),
        browse::discover_groups(client),
        post_json(
            client,
            "/apis/authentication.k8s.io/v1/selfsubjectreviews",
            &who
        ),
        post_json(
            client,
            "/apis/authorization.k8s.io/v1/selfsubjectrulesreviews",
            &rules
        ),
    );
    check.user = whoami.ok().and_then(|w| {
        w.pointer("/status/userInfo/username")
            .and_then(Value::as_str)
            .map(sanitize)
    });
    let served: Vec<ApiKind> = match (core, groups) {
        (Ok(mut core), Ok(groups)) => {
            core.extend(groups);
            core
        }
        (Err(e), _) | (_, Err(e)) => {
            check.error = Some(format!("discovery: {e}"));
            return check;
        }
    };
    let kinds = presence(wanted, &served);
    match rules {
        Ok(review) => check.rbac = Some(rbac(&review, wanted, &kinds)),
        Err(e) => check.error = Some(format!("rules review: {e}")),
    }
    check.kinds = Some(kinds);
    check
}

/// `clusters.cluster.x-k8s.io`, or `nodes` for the core group.
fn qualified(spec: &WatchSpec) -> String {
    if spec.group.is_empty() {
        spec.plural.to_string()
    } else {
        format!("{}.{}", spec.plural, spec.group)
    }
}

/// Which wanted kinds the discovery lists (any version: the watch picks among its own).
fn presence(wanted: &[WatchSpec], served: &[ApiKind]) -> Kinds {
    let mut kinds = Kinds::default();
    for spec in wanted {
        let found = served
            .iter()
            .any(|k| k.group == spec.group && k.plural == spec.plural);
        let list = if found {
            &mut kinds.present
        } else {
            &mut kinds.missing
        };
        list.push(qualified(spec));
    }
    kinds
}

/// Whether a rules review's resource rules allow a verb on a group's resource.
fn allows(review: &Value, verb: &str, group: &str, resource: &str) -> bool {
    let has = |rule: &Value, field: &str, value: &str| {
        rule[field]
            .as_array()
            .is_some_and(|xs| xs.iter().any(|x| x == "*" || x == value))
    };
    review
        .pointer("/status/resourceRules")
        .and_then(Value::as_array)
        .is_some_and(|rules| {
            rules.iter().any(|r| {
                has(r, "verbs", verb) && has(r, "apiGroups", group) && has(r, "resources", resource)
            })
        })
}

/// The rules, counted over the kinds the server has.
fn rbac(review: &Value, wanted: &[WatchSpec], kinds: &Kinds) -> Rbac {
    let present: Vec<&WatchSpec> = wanted
        .iter()
        .filter(|s| kinds.present.contains(&qualified(s)))
        .collect();
    let can = |s: &WatchSpec, verb: &str| allows(review, verb, s.group, s.plural);
    Rbac {
        namespace: RULES_NAMESPACE,
        read: present
            .iter()
            .filter(|s| can(s, "list") && can(s, "watch"))
            .count(),
        patch: present.iter().filter(|s| can(s, "patch")).count(),
        of: present.len(),
        unreadable: present
            .iter()
            .filter(|s| !(can(s, "list") && can(s, "watch")))
            .map(|s| qualified(s))
            .collect(),
        incomplete: review
            .pointer("/status/incomplete")
            .and_then(Value::as_bool)
            .unwrap_or(false),
    }
}

/// Check every Talos node the setup polls: its Talos version through its context's endpoint.
pub async fn check_talos(setup: &TalosSetup) -> Vec<SourceCheck> {
    let asks = setup.nodes.iter().map(|node| async move {
        let context = node.cluster.to_string();
        let mut check = SourceCheck::new("talos", node.name.to_string(), Some(context.clone()));
        let Some(client) = setup.clients.get(&context) else {
            check.error = Some(format!("no talosconfig context {context}"));
            return check;
        };
        let started = Instant::now();
        let row = client.snapshot(&node.name).await;
        check.latency_ms = started.elapsed().as_millis() as u64;
        check.version = row.talos_version.clone();
        check.reachable = check.version.is_some();
        check.error = row.error.clone();
        check
    });
    let mut checks = futures::future::join_all(asks).await;
    if let Some(problem) = setup.problem.as_ref().filter(|_| setup.nodes.is_empty()) {
        let mut check = SourceCheck::new("talos", "talosconfig".into(), None);
        check.error = Some(sanitize(problem));
        checks.push(check);
    }
    checks
}

/// Check argocd-server: its version, and who the token is (a refused token is a failure).
pub async fn check_argocd(argocd: &ArgoCd, timeout: Duration) -> SourceCheck {
    let mut check = SourceCheck::new("argocd", argocd.server.clone(), None);
    let started = Instant::now();
    match tokio::time::timeout(timeout, argocd.whoami()).await {
        Ok(Ok((version, user))) => {
            check.reachable = true;
            check.version = Some(version);
            check.user = user;
        }
        Ok(Err(e)) => check.error = Some(e.to_string()),
        Err(_) => check.error = Some(format!("no answer in {} s", timeout.as_secs())),
    }
    check.latency_ms = started.elapsed().as_millis() as u64;
    check
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(group: &str, plural: &str) -> ApiKind {
        ApiKind {
            group: group.into(),
            version: "v1".into(),
            kind: String::new(),
            plural: plural.into(),
            singular: String::new(),
            short_names: Vec::new(),
            namespaced: true,
        }
    }

    const WANTED: [WatchSpec; 2] = [
        WatchSpec::new("cluster.x-k8s.io", &["v1beta2"], "Machine", "machines"),
        WatchSpec::new("argoproj.io", &["v1alpha1"], "Application", "applications"),
    ];

    #[test]
    fn kinds_are_present_by_group_and_plural() {
        let kinds = presence(&WANTED, &[kind("cluster.x-k8s.io", "machines")]);
        assert_eq!(kinds.present, ["machines.cluster.x-k8s.io"]);
        assert_eq!(kinds.missing, ["applications.argoproj.io"]);
    }

    #[test]
    fn rules_count_what_may_be_read_and_patched() {
        let kinds = presence(
            &WANTED,
            &[
                kind("cluster.x-k8s.io", "machines"),
                kind("argoproj.io", "applications"),
            ],
        );
        let review = json!({"status": {"incomplete": true, "resourceRules": [
            {"verbs": ["get", "list", "watch"], "apiGroups": ["cluster.x-k8s.io"], "resources": ["*"]},
            {"verbs": ["patch"], "apiGroups": ["*"], "resources": ["applications"]},
        ]}});
        let r = rbac(&review, &WANTED, &kinds);
        assert_eq!((r.read, r.patch, r.of), (1, 1, 2));
        assert_eq!(r.unreadable, ["applications.argoproj.io"]);
        assert!(r.incomplete);
        let line = SourceCheck {
            reachable: true,
            rbac: Some(r),
            kinds: Some(kinds),
            ..SourceCheck::new("kube", "mgmt".into(), Some("management".into()))
        }
        .line(0);
        assert!(line.contains("kinds 2/2"), "{line}");
        assert!(line.contains("rbac: read 1/2, patch 1/2 (cannot read applications.argoproj.io) (rules incomplete)"), "{line}");
    }

    #[test]
    fn a_down_source_says_why_and_fails_the_report() {
        let mut down = SourceCheck::new("argocd", "https://a".into(), None);
        down.error = Some("connection refused".into());
        assert_eq!(
            down.line(12),
            "argocd https://a     DOWN  connection refused"
        );
        let text = render(&[down.clone()], false);
        assert!(text.ends_with("1 of 1 sources down\n"), "{text}");
        let doc: Value = serde_json::from_str(&render(&[down], true)).expect("json");
        assert_eq!(doc["ok"], false);
        assert_eq!(doc["sources"][0]["error"], "connection refused");
    }
}
