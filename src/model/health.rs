//! What "healthy" means for each well-known kind, as data: one small rule per kind reading
//! the few fields that decide it (conditions, phases, dates, counts). The kind browser shows
//! the verdict in a HEALTH column; the attention feed will read the same rules. Pure.

use jiff::{SignedDuration, Timestamp};
use serde_json::Value;

use super::text::sanitize;

/// How bad, worst last (so verdicts compare).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Healthy,
    Progressing,
    Unknown,
    Warning,
    Degraded,
}

impl Level {
    pub fn word(self) -> &'static str {
        match self {
            Level::Healthy => "Healthy",
            Level::Progressing => "Progressing",
            Level::Unknown => "Unknown",
            Level::Warning => "Warning",
            Level::Degraded => "Degraded",
        }
    }
}

/// A rule's verdict: the level and, unless healthy, why in a few words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Health {
    pub level: Level,
    pub reason: String,
}

impl Health {
    fn new(level: Level, reason: impl Into<String>) -> Health {
        Health {
            level,
            reason: sanitize(&reason.into()),
        }
    }

    pub fn healthy() -> Health {
        Health::new(Level::Healthy, "")
    }

    /// `Healthy`, or `Degraded: Expired — certificate expired on …`.
    pub fn text(&self) -> String {
        if self.reason.is_empty() {
            self.level.word().to_string()
        } else {
            format!("{}: {}", self.level.word(), self.reason)
        }
    }
}

/// A rule reads an object (at `now`) and says how it is.
pub type Rule = fn(&Value, Timestamp) -> Health;

/// The fields of a spec that rules read (`/spec/paused` …); the kind browser parses no other
/// (a provider machine's spec is mostly volumes and networks). The rules' tests judge objects
/// reduced the same way, so a rule reading another spec field fails them.
pub const SPEC_FIELDS: &[&str] = &["paused", "schedule", "unschedulable"];

/// The rule for a kind, if opsdeck knows what healthy means for it.
pub fn rule(group: &str, kind: &str) -> Option<Rule> {
    Some(match (group, kind) {
        ("", "Node") => node,
        ("cert-manager.io", "Certificate") => certificate,
        ("cert-manager.io", "Issuer" | "ClusterIssuer") => ready_condition,
        ("gateway.networking.k8s.io", "GatewayClass") => gateway_class,
        ("gateway.networking.k8s.io", "Gateway") => gateway,
        ("gateway.networking.k8s.io", "HTTPRoute" | "GRPCRoute" | "TLSRoute") => route,
        ("metallb.io", "IPAddressPool") => address_pool,
        ("wgpolicyk8s.io", "PolicyReport" | "ClusterPolicyReport") => policy_report,
        ("velero.io", "Backup") => backup,
        ("velero.io", "Schedule") => schedule,
        ("velero.io", "BackupStorageLocation") => storage_location,
        ("karpenter.sh", "NodePool") => ready_condition,
        ("karpenter.sh", "NodeClaim") => node_claim,
        ("platform.kratix.io", "Promise") => promise,
        ("metal3.io", "BareMetalHost") => bare_metal_host,
        ("argoproj.io", "ApplicationSet") => application_set,
        // Any Cluster API provider's machine: vSphere, Metal3, Tinkerbell, Harvester …
        ("infrastructure.cluster.x-k8s.io", k) if k.ends_with("Machine") => infra_machine,
        _ => return None,
    })
}

/// `Value::pointer` without its allocations: it copies each step to undo `~1` and `~0`
/// escapes, which the rules' fixed paths never hold (a provider machine's verdict took a
/// dozen copies).
fn at<'a>(v: &'a Value, pointer: &str) -> Option<&'a Value> {
    debug_assert!(!pointer.contains('~'), "an escaped pointer: {pointer}");
    if pointer.is_empty() {
        return Some(v);
    }
    pointer
        .strip_prefix('/')?
        .split('/')
        .try_fold(v, |v, step| match v {
            Value::Object(fields) => fields.get(step),
            Value::Array(items) => items.get(step.parse::<usize>().ok()?),
            _ => None,
        })
}

fn text<'a>(v: &'a Value, pointer: &str) -> &'a str {
    at(v, pointer).and_then(Value::as_str).unwrap_or("")
}

fn conditions(v: &Value) -> &[Value] {
    at(v, "/status/conditions")
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

fn condition<'a>(list: &'a [Value], kind: &str) -> Option<&'a Value> {
    list.iter().find(|c| c["type"] == kind)
}

/// `Reason: message`, or whichever of them is there.
fn because(c: &Value) -> String {
    let (reason, message) = (text(c, "/reason"), text(c, "/message"));
    match (reason.is_empty(), message.is_empty()) {
        (false, false) => format!("{reason} — {message}"),
        (false, true) => reason.to_string(),
        (true, false) => message.to_string(),
        (true, true) => format!("{} {}", text(c, "/type"), text(c, "/status")),
    }
}

/// A `Ready` condition decides: True is healthy, False degraded, missing not yet known.
fn ready_condition(v: &Value, _now: Timestamp) -> Health {
    match condition(conditions(v), "Ready") {
        Some(c) if c["status"] == "True" => Health::healthy(),
        Some(c) if c["status"] == "False" => Health::new(Level::Degraded, because(c)),
        Some(c) => Health::new(Level::Unknown, because(c)),
        None => Health::new(Level::Progressing, "not reconciled yet"),
    }
}

/// Every listed condition True, else the first that is not says why (`Degraded`).
fn all_true(list: &[Value], kinds: &[&str], missing: Level) -> Health {
    for kind in kinds {
        match condition(list, kind) {
            Some(c) if c["status"] == "True" => {}
            Some(c) => return Health::new(Level::Degraded, format!("{kind}: {}", because(c))),
            None => return Health::new(missing, format!("no {kind} condition yet")),
        }
    }
    Health::healthy()
}

fn time(v: &Value, pointer: &str) -> Option<Timestamp> {
    at(v, pointer)?.as_str()?.parse().ok()
}

/// `5d`, `3h`, `12m`.
fn span(d: SignedDuration) -> String {
    let s = d.as_secs().abs();
    match s {
        s if s >= 86_400 => format!("{}d", s / 86_400),
        s if s >= 3_600 => format!("{}h", s / 3_600),
        s => format!("{}m", s / 60),
    }
}

/// How soon before expiry a certificate is a warning.
const EXPIRY_WARNING: SignedDuration = SignedDuration::from_hours(14 * 24);

/// cert-manager: Ready decides; a Ready certificate that expires within 14 days warns.
fn certificate(v: &Value, now: Timestamp) -> Health {
    let ready = ready_condition(v, now);
    let Some(not_after) = time(v, "/status/notAfter") else {
        return ready;
    };
    let left = not_after.duration_since(now);
    if left <= SignedDuration::ZERO {
        return Health::new(Level::Degraded, format!("expired {} ago", span(left)));
    }
    if ready.level == Level::Healthy && left < EXPIRY_WARNING {
        return Health::new(Level::Warning, format!("expires in {}", span(left)));
    }
    ready
}

fn gateway_class(v: &Value, _now: Timestamp) -> Health {
    all_true(conditions(v), &["Accepted"], Level::Progressing)
}

fn gateway(v: &Value, _now: Timestamp) -> Health {
    all_true(
        conditions(v),
        &["Accepted", "Programmed"],
        Level::Progressing,
    )
}

/// A route is healthy when every parent accepted it and its references resolve.
fn route(v: &Value, _now: Timestamp) -> Health {
    let parents = at(v, "/status/parents")
        .and_then(Value::as_array)
        .map_or(&[][..], Vec::as_slice);
    if parents.is_empty() {
        return Health::new(Level::Progressing, "no parent has reported yet");
    }
    for p in parents {
        let list = p["conditions"].as_array().map_or(&[][..], Vec::as_slice);
        let health = all_true(list, &["Accepted", "ResolvedRefs"], Level::Unknown);
        if health.level != Level::Healthy {
            let parent = text(p, "/parentRef/name");
            return Health::new(health.level, format!("{} (parent {parent})", health.reason));
        }
    }
    Health::healthy()
}

/// MetalLB reports assigned and available addresses: none left warns.
fn address_pool(v: &Value, _now: Timestamp) -> Health {
    let number = |p: &str| at(v, p).and_then(Value::as_u64);
    match (
        number("/status/assignedIPv4"),
        number("/status/availableIPv4"),
    ) {
        (Some(used), Some(0)) => {
            Health::new(Level::Warning, format!("all {used} addresses assigned"))
        }
        _ => Health::healthy(),
    }
}

/// Kyverno's results: failures and errors degrade, warnings warn.
fn policy_report(v: &Value, _now: Timestamp) -> Health {
    let count = |k: &str| {
        at(v, &format!("/summary/{k}"))
            .and_then(Value::as_u64)
            .unwrap_or(0)
    };
    let (fail, error, warn) = (count("fail"), count("error"), count("warn"));
    if fail + error > 0 {
        Health::new(Level::Degraded, format!("{fail} fail, {error} error"))
    } else if warn > 0 {
        Health::new(Level::Warning, format!("{warn} warn"))
    } else {
        Health::healthy()
    }
}

fn backup(v: &Value, _now: Timestamp) -> Health {
    let phase = text(v, "/status/phase");
    let reason = text(v, "/status/failureReason");
    match phase {
        "Completed" => Health::healthy(),
        "Failed" | "FailedValidation" => Health::new(
            Level::Degraded,
            if reason.is_empty() {
                phase.to_string()
            } else {
                format!("{phase} — {reason}")
            },
        ),
        "PartiallyFailed"
        | "FinalizingPartiallyFailed"
        | "WaitingForPluginOperationsPartiallyFailed" => {
            let errors = at(v, "/status/errors").and_then(Value::as_u64).unwrap_or(0);
            Health::new(Level::Degraded, format!("{phase} ({errors} errors)"))
        }
        "" => Health::new(Level::Progressing, "New"),
        other => Health::new(Level::Progressing, other),
    }
}

/// The interval a cron schedule runs at, for the common shapes (`@every 6h`, `@daily`,
/// `0 */6 * * *`, `30 2 * * *`, `0 3 * * 0`); `None` when it cannot tell.
pub fn cron_interval(schedule: &str) -> Option<SignedDuration> {
    let s = schedule.trim();
    if let Some(every) = s.strip_prefix("@every ") {
        return parse_go_duration(every);
    }
    let named = match s {
        "@hourly" => Some(1),
        "@daily" | "@midnight" => Some(24),
        "@weekly" => Some(24 * 7),
        _ => None,
    };
    if let Some(hours) = named {
        return Some(SignedDuration::from_hours(hours));
    }
    let fields: Vec<&str> = s.split_whitespace().collect();
    let [minute, hour, dom, _month, dow] = fields.as_slice() else {
        return None;
    };
    let step = |f: &str| f.strip_prefix("*/").and_then(|n| n.parse::<i64>().ok());
    if *dow != "*" && *dom == "*" {
        return Some(SignedDuration::from_hours(24 * 7));
    }
    if *dom != "*" {
        return Some(SignedDuration::from_hours(24 * 30));
    }
    match (step(minute), *hour) {
        (Some(n), "*") => Some(SignedDuration::from_mins(n)),
        (None, "*") => Some(SignedDuration::from_hours(1)),
        (_, h) => step(h).map(SignedDuration::from_hours).or_else(|| {
            h.parse::<i64>()
                .ok()
                .map(|_| SignedDuration::from_hours(24))
        }),
    }
}

/// `6h`, `30m`, `1h30m`.
fn parse_go_duration(s: &str) -> Option<SignedDuration> {
    let mut total = 0i64;
    let mut number = String::new();
    for c in s.chars() {
        if c.is_ascii_digit() {
            number.push(c);
            continue;
        }
        let n: i64 = number.parse().ok()?;
        number.clear();
        total += n * match c {
            'h' => 3600,
            'm' => 60,
            's' => 1,
            _ => return None,
        };
    }
    (number.is_empty() && total > 0).then(|| SignedDuration::from_secs(total))
}

/// A schedule whose last backup is older than twice its interval is overdue.
fn schedule(v: &Value, now: Timestamp) -> Health {
    if text(v, "/status/phase") == "FailedValidation" {
        return Health::new(Level::Degraded, "FailedValidation");
    }
    if at(v, "/spec/paused").and_then(Value::as_bool) == Some(true) {
        return Health::new(Level::Warning, "paused");
    }
    let Some(interval) = cron_interval(text(v, "/spec/schedule")) else {
        return Health::healthy();
    };
    match time(v, "/status/lastBackup") {
        Some(last) if now.duration_since(last) > interval * 2 => Health::new(
            Level::Warning,
            format!(
                "last backup {} ago (every {})",
                span(now.duration_since(last)),
                span(interval)
            ),
        ),
        Some(_) => Health::healthy(),
        None => Health::new(Level::Progressing, "no backup yet"),
    }
}

fn storage_location(v: &Value, _now: Timestamp) -> Health {
    match text(v, "/status/phase") {
        "Available" => Health::healthy(),
        "Unavailable" => Health::new(
            Level::Degraded,
            format!("Unavailable — {}", text(v, "/status/message")),
        ),
        _ => Health::new(Level::Progressing, "not validated yet"),
    }
}

fn node_claim(v: &Value, _now: Timestamp) -> Health {
    all_true(
        conditions(v),
        &["Launched", "Registered", "Initialized", "Ready"],
        Level::Progressing,
    )
}

fn promise(v: &Value, now: Timestamp) -> Health {
    match text(v, "/status/status") {
        "Available" => Health::healthy(),
        "" => ready_condition(v, now),
        other => Health::new(Level::Degraded, other),
    }
}

fn bare_metal_host(v: &Value, _now: Timestamp) -> Health {
    let state = text(v, "/status/provisioning/state");
    let error = text(v, "/status/errorMessage");
    match text(v, "/status/operationalStatus") {
        "error" => Health::new(
            Level::Degraded,
            format!("{} — {error}", text(v, "/status/errorType")),
        ),
        "detached" => Health::new(Level::Warning, "detached"),
        "delayed" => Health::new(Level::Warning, format!("delayed ({state})")),
        "OK" if matches!(
            state,
            "provisioning" | "deprovisioning" | "inspecting" | "preparing"
        ) =>
        {
            Health::new(Level::Progressing, state)
        }
        "OK" | "discovered" | "servicing" => Health::healthy(),
        _ => Health::new(
            Level::Unknown,
            if state.is_empty() {
                "not registered yet"
            } else {
                state
            },
        ),
    }
}

fn application_set(v: &Value, _now: Timestamp) -> Health {
    let list = conditions(v);
    if let Some(c) = condition(list, "ErrorOccurred").filter(|c| c["status"] == "True") {
        return Health::new(Level::Degraded, because(c));
    }
    match condition(list, "ResourcesUpToDate") {
        Some(c) if c["status"] == "False" => Health::new(Level::Warning, because(c)),
        _ => Health::healthy(),
    }
}

/// A provider's machine: its failure says most, then its Ready condition (v1beta2 and most
/// v1beta1 providers), then the old `status.ready` flag.
fn infra_machine(v: &Value, now: Timestamp) -> Health {
    let (reason, message) = (
        text(v, "/status/failureReason"),
        text(v, "/status/failureMessage"),
    );
    if !reason.is_empty() || !message.is_empty() {
        return Health::new(
            Level::Degraded,
            format!("{reason} {message}").trim().to_string(),
        );
    }
    if condition(conditions(v), "Ready").is_some() {
        return ready_condition(v, now);
    }
    match at(v, "/status/ready").and_then(Value::as_bool) {
        Some(true) => Health::healthy(),
        Some(false) => Health::new(Level::Progressing, "not ready yet"),
        None => Health::new(Level::Progressing, "not reconciled yet"),
    }
}

/// Ready decides; pressure and a cordon warn.
fn node(v: &Value, _now: Timestamp) -> Health {
    let list = conditions(v);
    match condition(list, "Ready") {
        Some(c) if c["status"] == "True" => {}
        Some(c) => return Health::new(Level::Degraded, format!("NotReady — {}", because(c))),
        None => return Health::new(Level::Unknown, "no Ready condition"),
    }
    let pressure: Vec<&str> = ["MemoryPressure", "DiskPressure", "PIDPressure"]
        .into_iter()
        .filter(|k| condition(list, k).is_some_and(|c| c["status"] == "True"))
        .collect();
    if !pressure.is_empty() {
        return Health::new(Level::Warning, pressure.join(", "));
    }
    if at(v, "/spec/unschedulable").and_then(Value::as_bool) == Some(true) {
        return Health::new(Level::Warning, "cordoned");
    }
    Health::healthy()
}

/// How long a pod may stay Pending before it is a warning.
const PENDING_TOO_LONG: SignedDuration = SignedDuration::from_mins(5);

/// Whether a pod with this STATUS is waiting to start: its verdict turns with its age.
pub fn pod_waits(status: &str) -> bool {
    status == "Pending" || status.starts_with("Init:") || status == "ContainerCreating"
}

/// A pod from the server's printed cells (pods are many: their objects are not kept): the
/// STATUS word, RESTARTS (`7 (95s ago)`) and how long it has existed.
pub fn pod(status: &str, restarts: &str, age: Option<SignedDuration>) -> Health {
    let restarts: u64 = restarts
        .split_whitespace()
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    let waiting_badly = [
        "CrashLoopBackOff",
        "ImagePullBackOff",
        "ErrImagePull",
        "CreateContainerConfigError",
        "InvalidImageName",
        "Error",
        "OOMKilled",
        "Evicted",
    ];
    if waiting_badly.iter().any(|w| status.ends_with(w)) {
        return Health::new(Level::Degraded, format!("{status}, {restarts} restarts"));
    }
    if pod_waits(status) {
        return match age {
            Some(a) if a > PENDING_TOO_LONG => {
                Health::new(Level::Warning, format!("{status} for {}", span(a)))
            }
            _ => Health::new(Level::Progressing, status),
        };
    }
    if restarts > 5 {
        return Health::new(Level::Warning, format!("{restarts} restarts"));
    }
    match status {
        "Running" | "Completed" | "Succeeded" => Health::healthy(),
        "Terminating" => Health::new(Level::Progressing, "Terminating"),
        other => Health::new(Level::Unknown, other),
    }
}

#[cfg(test)]
#[path = "health_tests.rs"]
mod tests;
