//! A simulated node's counters, as the kernel keeps them: cumulative since boot (CPU seconds,
//! bytes, sectors), rising at a rate that wanders over time, so successive polls give moving
//! but plausible rates. A control plane works a little harder than a worker.

use jiff::Timestamp;

use super::node::NodeState;
use crate::db::fnv;
use crate::proto::machine::{CpuStat, DiskStat, NetDev};

impl NodeState {
    pub fn cores(&self) -> f64 {
        if self.spec.control_plane { 4.0 } else { 8.0 }
    }

    fn uptime_secs(&self) -> f64 {
        (Timestamp::now().as_millisecond() - self.boot_time.as_millisecond()) as f64 / 1000.0
    }

    /// ∫₀ᵘᵖᵗⁱᵐᵉ (base + amp·sin(2πt/period + phase)) dt: a counter whose rate wanders between
    /// base − amp and base + amp (never below zero while amp ≤ base).
    fn counter(&self, what: &str, base: f64, amp: f64, period: f64) -> f64 {
        let phase = (fnv(format!("{}/{what}", self.spec.hostname).as_bytes()) % 628) as f64 / 100.0;
        let t = self.uptime_secs();
        let w = std::f64::consts::TAU / period;
        base * t + amp / w * (phase.cos() - (w * t + phase).cos())
    }

    /// All CPUs' seconds since boot, as `/proc/stat` counts them.
    pub fn cpu_total(&self) -> CpuStat {
        let all = self.cores() * self.uptime_secs();
        let base = if self.spec.control_plane { 0.35 } else { 0.2 };
        let busy = self.cores() * self.counter("cpu", base, base * 0.8, 47.0);
        let user = busy * 0.7;
        let system = busy * 0.25;
        let soft_irq = busy - user - system;
        let iowait = all * 0.01;
        CpuStat {
            user,
            system,
            soft_irq,
            iowait,
            idle: (all - busy - iowait).max(0.0),
            ..CpuStat::default()
        }
    }

    /// The host's links: its NIC, loopback, and the CNI's virtual links.
    pub fn net_devices(&self) -> Vec<NetDev> {
        let link = |name: &str, rx: f64, tx: f64| NetDev {
            name: name.into(),
            rx_bytes: self.counter(&format!("{name}/rx"), rx, rx * 0.9, 29.0) as u64,
            tx_bytes: self.counter(&format!("{name}/tx"), tx, tx * 0.9, 41.0) as u64,
            rx_packets: self.counter(&format!("{name}/rxp"), rx / 900.0, 0.0, 1.0) as u64,
            tx_packets: self.counter(&format!("{name}/txp"), tx / 900.0, 0.0, 1.0) as u64,
            ..NetDev::default()
        };
        let heavy = if self.spec.control_plane { 2.0 } else { 1.0 };
        vec![
            link("lxc_health", 300.0, 300.0),
            link("eth0", 180_000.0 * heavy, 90_000.0 * heavy),
            link("cilium_host", 20_000.0, 20_000.0),
            link("lo", 60_000.0 * heavy, 60_000.0 * heavy),
        ]
    }

    /// The disk and its partitions (counted again inside the disk), and a loop device.
    pub fn disk_devices(&self) -> Vec<DiskStat> {
        let disk = |name: &str, share: f64| {
            let read = self.counter(&format!("{name}/r"), 40.0 * share, 35.0 * share, 53.0);
            let written = self.counter(&format!("{name}/w"), 220.0 * share, 200.0 * share, 31.0);
            DiskStat {
                name: name.into(),
                read_sectors: read as u64,
                read_completed: (read / 8.0) as u64,
                write_sectors: written as u64,
                write_completed: (written / 8.0) as u64,
                ..DiskStat::default()
            }
        };
        vec![
            disk("loop0", 0.01),
            disk("vda", 1.0),
            disk("vda1", 0.02),
            disk("vda5", 0.3),
            disk("vda6", 0.68),
        ]
    }
}

/// What `total` holds: every line summed, its name empty.
pub fn disk_total(devices: &[DiskStat]) -> DiskStat {
    devices.iter().fold(DiskStat::default(), |mut t, d| {
        t.read_sectors += d.read_sectors;
        t.read_completed += d.read_completed;
        t.write_sectors += d.write_sectors;
        t.write_completed += d.write_completed;
        t
    })
}

/// What `total` holds for links: all summed, named by the sorted names joined with ", ".
pub fn net_total(devices: &[NetDev]) -> NetDev {
    let mut names: Vec<&str> = devices.iter().map(|d| d.name.as_str()).collect();
    names.sort();
    devices.iter().fold(
        NetDev {
            name: names.join(", "),
            ..NetDev::default()
        },
        |mut t, d| {
            t.rx_bytes += d.rx_bytes;
            t.tx_bytes += d.tx_bytes;
            t.rx_packets += d.rx_packets;
            t.tx_packets += d.tx_packets;
            t
        },
    )
}

/// (command, executable, args, share of the node's CPU, resident MiB, threads) of what runs
/// on a node: Talos' own services, then Kubernetes', then the etcd and API server of a
/// control plane.
const PROCESSES: &[(&str, &str, &str, f64, u64, i32)] = &[
    ("init", "/sbin/init", "/sbin/init", 0.002, 12, 1),
    ("machined", "/sbin/init", "/sbin/init", 0.02, 96, 14),
    ("apid", "/sbin/apid", "/sbin/apid", 0.004, 38, 11),
    (
        "udevd",
        "/sbin/udevd",
        "/sbin/udevd --resolve-names=never",
        0.001,
        6,
        1,
    ),
    (
        "containerd",
        "/bin/containerd",
        "/bin/containerd --address /system/run/containerd/containerd.sock",
        0.01,
        48,
        16,
    ),
    (
        "containerd",
        "/bin/containerd",
        "/bin/containerd --address /run/containerd/containerd.sock",
        0.02,
        72,
        22,
    ),
    (
        "kubelet",
        "/usr/local/bin/kubelet",
        "/usr/local/bin/kubelet --config=/etc/kubernetes/kubelet.yaml",
        0.05,
        140,
        28,
    ),
    (
        "cilium-agent",
        "/usr/bin/cilium-agent",
        "cilium-agent --config-dir=/tmp/cilium/config-map",
        0.03,
        210,
        30,
    ),
];
const CONTROL_PLANE: &[(&str, &str, &str, f64, u64, i32)] = &[
    (
        "etcd",
        "/usr/local/bin/etcd",
        "/usr/local/bin/etcd --data-dir=/var/lib/etcd",
        0.06,
        310,
        18,
    ),
    (
        "kube-apiserver",
        "/usr/local/bin/kube-apiserver",
        "/usr/local/bin/kube-apiserver --etcd-servers=https://localhost:2379",
        0.09,
        620,
        24,
    ),
    ("trustd", "/sbin/trustd", "/sbin/trustd", 0.001, 20, 8),
];

impl NodeState {
    /// The node's processes, their CPU seconds growing with time.
    pub fn processes(&self) -> Vec<crate::proto::machine::ProcessInfo> {
        let extra: &[_] = if self.spec.control_plane {
            CONTROL_PLANE
        } else {
            &[]
        };
        PROCESSES
            .iter()
            .chain(extra)
            .enumerate()
            .map(|(i, (command, exe, args, share, mib, threads))| {
                let cpu = self.counter(
                    &format!("proc/{i}"),
                    share * self.cores(),
                    share * self.cores() * 0.7,
                    23.0,
                );
                crate::proto::machine::ProcessInfo {
                    pid: if i == 0 { 1 } else { 300 + 37 * i as i32 },
                    ppid: if i == 0 { 0 } else { 1 },
                    state: "S".into(),
                    threads: *threads,
                    cpu_time: cpu,
                    virtual_memory: mib * 4 * 1024 * 1024,
                    resident_memory: mib * 1024 * 1024,
                    command: command.to_string(),
                    executable: exe.to_string(),
                    args: args.to_string(),
                    label: String::new(),
                }
            })
            .collect()
    }

    /// machined's `/proc/mounts`, with sizes.
    pub fn mounts(&self) -> Vec<crate::proto::machine::MountStat> {
        const GIB: u64 = 1024 * 1024 * 1024;
        let used = |base: f64| (base + 0.05 * self.wobble(300.0)).clamp(0.0, 1.0);
        let mount =
            |fs: &str, on: &str, size: u64, used_share: f64| crate::proto::machine::MountStat {
                filesystem: fs.into(),
                size,
                available: (size as f64 * (1.0 - used_share)) as u64,
                mounted_on: on.into(),
            };
        vec![
            mount("/dev/vda5", "/system/state", 100 * 1024 * 1024, 0.08),
            mount("/dev/vda6", "/var", 120 * GIB, used(0.42)),
            mount("overlay", "/", 80 * 1024 * 1024, 1.0),
            mount("tmpfs", "/run", 4 * GIB, 0.01),
            mount("proc", "/proc", 0, 0.0),
        ]
    }
}

impl NodeState {
    /// The VM's disk, as Talos lists it (a virtio disk: type UNKNOWN, Talos installed on it).
    pub fn disks(&self) -> Vec<crate::proto::storage::Disk> {
        let gib = 1024 * 1024 * 1024;
        vec![crate::proto::storage::Disk {
            size: if self.spec.control_plane { 60 } else { 120 } * gib,
            model: "QEMU HARDDISK".into(),
            device_name: "/dev/vda".into(),
            serial: format!("{:016x}", crate::db::fnv(self.spec.hostname.as_bytes())),
            modalias: "virtio:d00000002v00001AF4".into(),
            r#type: crate::proto::storage::disk::DiskType::Unknown as i32,
            bus_path: "/pci0000:00/0000:00:05.0/virtio2".into(),
            system_disk: true,
            subsystem: "/sys/class/block".into(),
            ..Default::default()
        }]
    }
}
