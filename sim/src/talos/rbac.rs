//! machined's access check: the caller's roles come from its client certificate (the subject's
//! Organization: `os:admin`, `os:operator`, `os:reader`, `os:etcd:backup`), and each method
//! lists the roles it allows; a method not listed needs `os:admin`. A refusal is
//! `PermissionDenied` "not authorized", before the call reaches the service.

use std::future::{Ready, ready};
use std::task::{Context, Poll};

use futures::future::Either;
use tonic::Status;
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

/// The tower layer that puts the check in front of every service of an apid.
#[derive(Clone, Copy)]
pub struct Layer;

impl<S> tower::Layer<S> for Layer {
    type Service = Rbac<S>;
    fn layer(&self, inner: S) -> Rbac<S> {
        Rbac { inner }
    }
}

#[derive(Clone)]
pub struct Rbac<S> {
    inner: S,
}

impl<S, B> tower::Service<http::Request<B>> for Rbac<S>
where
    S: tower::Service<http::Request<B>, Response = http::Response<tonic::body::Body>>,
{
    type Response = http::Response<tonic::body::Body>;
    type Error = S::Error;
    type Future = Either<S::Future, Ready<Result<Self::Response, S::Error>>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: http::Request<B>) -> Self::Future {
        let roles = peer_roles(req.extensions());
        let allowed = allowed_roles(req.uri().path());
        if roles.iter().any(|r| allowed.contains(&r.as_str())) {
            Either::Left(self.inner.call(req))
        } else {
            Either::Right(ready(Ok(
                Status::permission_denied("not authorized").into_http()
            )))
        }
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
