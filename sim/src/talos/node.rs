//! One simulated Talos node: what its Machine API reports, moving a little over time.

use std::time::Duration;

use jiff::Timestamp;

use tonic::Status;

use crate::db::fnv;
use crate::versions::image_tag_version;

#[derive(Debug, Clone)]
pub struct NodeSpec {
    pub hostname: String,
    pub cluster: String,
    pub control_plane: bool,
    pub talos_version: String,
    pub kubernetes_version: String,
    /// A service whose health check fails on this node, if any.
    pub unhealthy_service: Option<String>,
}

#[derive(Debug, Clone)]
pub struct NodeState {
    pub spec: NodeSpec,
    pub boot_time: Timestamp,
    pub memtotal_kb: u64,
    /// Members of this node's cluster etcd (control-plane hostnames), for control planes.
    pub etcd_peers: Vec<String>,
    /// What etcd's status reports as wrong (an alarm), when a test raises one.
    pub etcd_errors: Vec<String>,
    /// The member was defragmented since the simulator started.
    pub defragmented: bool,
}

pub fn member_id(hostname: &str) -> u64 {
    fnv(format!("etcd/{hostname}").as_bytes())
}

impl NodeState {
    pub fn new(spec: NodeSpec, etcd_peers: Vec<String>) -> Self {
        let seed = fnv(spec.hostname.as_bytes());
        let uptime = Duration::from_secs(3600 * 24 * (1 + seed % 20) + seed % 3600);
        let boot_time = Timestamp::now()
            .checked_sub(uptime)
            .unwrap_or(Timestamp::UNIX_EPOCH);
        NodeState {
            memtotal_kb: if spec.control_plane { 8 } else { 16 } * 1024 * 1024,
            spec,
            boot_time,
            etcd_peers,
            etcd_errors: Vec::new(),
            defragmented: false,
        }
    }

    pub(super) fn wobble(&self, period_secs: f64) -> f64 {
        let phase = (fnv(self.spec.hostname.as_bytes()) % 1000) as f64;
        let t = Timestamp::now().as_millisecond() as f64 / 1000.0;
        ((t / period_secs) + phase).sin()
    }

    pub fn memavailable_kb(&self) -> u64 {
        let used = 0.45 + 0.1 * self.wobble(37.0);
        (self.memtotal_kb as f64 * (1.0 - used)) as u64
    }

    pub fn load(&self) -> (f64, f64, f64) {
        let base = if self.spec.control_plane { 0.9 } else { 0.5 };
        let l1 = base + 0.4 * self.wobble(11.0);
        (l1.max(0.0), (base + 0.2 * self.wobble(60.0)).max(0.0), base)
    }

    pub fn services(&self) -> Vec<&'static str> {
        let mut s = vec!["apid", "containerd", "cri", "kubelet", "machined", "udevd"];
        if self.spec.control_plane {
            s.extend(["etcd", "trustd"]);
        }
        s.sort();
        s
    }

    /// One line of a service's log, the `n`th since boot.
    pub fn log_line(&self, service: &str, n: u64) -> String {
        let ts = Timestamp::now()
            .round(jiff::Unit::Millisecond)
            .unwrap_or(Timestamp::now());
        let host = &self.spec.hostname;
        let text = match service {
            "etcd" => format!(
                "{{\"level\":\"info\",\"ts\":\"{ts}\",\"msg\":\"apply entries\",\"index\":{}}}",
                100_000 + n * 7
            ),
            "kubelet" if self.spec.unhealthy_service.as_deref() == Some("kubelet") => {
                // Colored output, as some components write: the cockpit must not pass it through.
                format!(
                    "E{ts} \u{1b}[31mNode {host} not ready: container runtime network not ready\u{1b}[0m (attempt {n})"
                )
            }
            "kubelet" => format!(
                "I{ts} kubelet.go:2{}: \"SyncLoop (probe)\" probe=\"readiness\" status=\"ready\"",
                n % 100
            ),
            "apid" => format!("{ts} apid: proxying request to node {host} (call {n})"),
            "machined" => format!(
                "{ts} machined: controller runtime: reconcile done, {} resources",
                200 + n % 13
            ),
            "containerd" | "cri" => {
                format!("{ts} {service}: level=info msg=\"container event\" n={n}")
            }
            "trustd" => format!("{ts} trustd: certificate request served (n={n})"),
            _ => format!("{ts} {service}: tick {n}"),
        };
        format!("{host}: {text}\n")
    }

    pub fn dmesg_line(&self, n: u64) -> String {
        let secs = 3.0 + n as f64 * 0.731;
        let msg = match n % 5 {
            0 => "eth0: link becomes ready",
            1 => "virtio_net virtio1 eth0: renamed from ens3",
            2 => "EXT4-fs (vda6): mounted filesystem with ordered data mode",
            3 => "kvm: vcpu 0 entering steady state",
            _ => "talos: machined: boot sequence step finished",
        };
        format!("[{secs:>12.6}] {msg}\n")
    }
}

/// The version an installer image installs, or the error a node gives for a bad reference.
pub fn image_version(image: &str) -> Result<String, Status> {
    image_tag_version(image)
        .ok_or_else(|| Status::invalid_argument(format!("invalid image reference {image:?}")))
}
