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
