//! What stands in front of every simulated apid's services. machined's access check: the
//! caller's roles come from its client certificate (the subject's Organization: `os:admin`,
//! `os:operator`, `os:reader`, `os:etcd:backup`), and each method lists the roles it allows; a
//! method not listed needs `os:admin`. A refusal is `PermissionDenied` "not authorized", before
//! the call reaches the service. And a node a test made hang: a call for it is taken and never
//! answered, as a machine that accepts connections but is wedged.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use tonic::Status;

use super::Registry;
use tonic::transport::server::{TcpConnectInfo, TlsConnectInfo};

const READ: &[&str] = &["os:admin", "os:operator", "os:reader"];
const ETCD_READ: &[&str] = &["os:admin", "os:operator", "os:reader", "os:etcd:backup"];
const SNAPSHOT: &[&str] = &["os:admin", "os:operator", "os:etcd:backup"];
const OPERATE: &[&str] = &["os:admin", "os:operator"];
const ADMIN: &[&str] = &["os:admin"];

/// The roles a method allows, by its gRPC path.
pub fn allowed_roles(path: &str) -> &'static [&'static str] {
    let method = path.rsplit('/').next().unwrap_or_default();
    match path
        .trim_start_matches('/')
        .split('/')
        .next()
        .unwrap_or_default()
    {
        "machine.MachineService" => match method {
            "Version" | "Hostname" | "ServiceList" | "Memory" | "LoadAvg" | "SystemStat"
            | "CPUInfo" | "CPUFreqStats" | "DiskStats" | "NetworkDeviceStats" | "Mounts"
            | "Processes" | "Logs" | "LogsContainers" | "Dmesg" | "Events" | "Containers"
            | "Stats" | "List" | "DiskUsage" | "Netstat" => READ,
            "EtcdMemberList" | "EtcdStatus" | "EtcdAlarmList" => ETCD_READ,
            "EtcdSnapshot" => SNAPSHOT,
            "Reboot" | "Shutdown" | "ServiceStart" | "ServiceStop" | "ServiceRestart"
            | "Restart" | "EtcdAlarmDisarm" | "EtcdDefragment" | "PacketCapture" | "ImagePull" => {
                OPERATE
            }
            _ => ADMIN,
        },
        "storage.StorageService" if method == "Disks" => READ,
        "cosi.resource.State" if matches!(method, "Get" | "List" | "Watch") => READ,
        "machine.ImageService" if method == "Pull" => OPERATE,
        _ => ADMIN,
    }
}

/// The roles a client certificate carries (its subject's Organization values).
pub fn roles_of(der: &[u8]) -> Vec<String> {
    let Ok((_, cert)) = x509_parser::parse_x509_certificate(der) else {
        return Vec::new();
    };
    cert.subject()
        .iter_organization()
        .filter_map(|o| o.as_str().ok())
        .map(str::to_string)
        .collect()
}

/// The roles of the peer of a request, from its TLS session.
pub fn peer_roles(extensions: &http::Extensions) -> Vec<String> {
    extensions
        .get::<TlsConnectInfo<TcpConnectInfo>>()
        .and_then(|i| i.peer_certs())
        .and_then(|certs| certs.first().map(|c| roles_of(c)))
        .unwrap_or_default()
}

/// The nodes a request is for: its `nodes` values, else its `node`, else the apid's own.
fn targets_of(headers: &http::HeaderMap, me: &str) -> Vec<String> {
    let values = |key: &str| -> Vec<String> {
        headers
            .get_all(key)
            .iter()
            .filter_map(|v| v.to_str().ok().map(str::to_string))
            .collect()
    };
    let nodes = values("nodes");
    if !nodes.is_empty() {
        return nodes;
    }
    let node = values("node");
    if node.is_empty() {
        vec![me.to_string()]
    } else {
        node
    }
}

/// The tower layer that puts the checks in front of every service of one apid.
#[derive(Clone)]
pub struct Layer {
    pub registry: Arc<Registry>,
    pub me: String,
}

impl<S> tower::Layer<S> for Layer {
    type Service = Gate<S>;
    fn layer(&self, inner: S) -> Gate<S> {
        Gate {
            inner,
            registry: self.registry.clone(),
            me: self.me.clone(),
        }
    }
}

#[derive(Clone)]
pub struct Gate<S> {
    inner: S,
    registry: Arc<Registry>,
    me: String,
}

type Answer<E> = Pin<Box<dyn Future<Output = Result<http::Response<tonic::body::Body>, E>> + Send>>;

impl<S, B> tower::Service<http::Request<B>> for Gate<S>
where
    S: tower::Service<http::Request<B>, Response = http::Response<tonic::body::Body>>,
    S::Future: Send + 'static,
    S::Error: Send + 'static,
{
    type Response = http::Response<tonic::body::Body>;
    type Error = S::Error;
    type Future = Answer<S::Error>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: http::Request<B>) -> Self::Future {
        let roles = peer_roles(req.extensions());
        let allowed = allowed_roles(req.uri().path());
        if !roles.iter().any(|r| allowed.contains(&r.as_str())) {
            let refused = Status::permission_denied("not authorized").into_http();
            return Box::pin(std::future::ready(Ok(refused)));
        }
        if targets_of(req.headers(), &self.me)
            .iter()
            .any(|t| self.registry.hangs(t))
        {
            return Box::pin(std::future::pending());
        }
        Box::pin(self.inner.call(req))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn methods_allow_the_roles_of_machineds_table() {
        let allows = |path: &str, role: &str| allowed_roles(path).contains(&role);
        assert!(allows("/machine.MachineService/Version", "os:reader"));
        assert!(!allows("/machine.MachineService/Reboot", "os:reader"));
        assert!(allows("/machine.MachineService/Reboot", "os:operator"));
        assert!(allows(
            "/machine.MachineService/EtcdSnapshot",
            "os:etcd:backup"
        ));
        assert!(!allows(
            "/machine.MachineService/EtcdForfeitLeadership",
            "os:operator"
        ));
        assert!(allows("/cosi.resource.State/Watch", "os:reader"));
        assert!(!allows("/machine.LifecycleService/Upgrade", "os:operator"));
        assert!(!allows(
            "/machine.MachineService/SomethingNew",
            "os:operator"
        ));
    }
}
