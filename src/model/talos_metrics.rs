//! A Talos node's metrics over time, as `talosctl dashboard` draws them: the Machine API gives
//! cumulative counters (CPU seconds, bytes, sectors) and current values (memory, load); two
//! samples in a row make one point of rates. Points are kept per node for the last minutes,
//! bounded, and drawn as sparklines by time, so polls at one rate or another line up.

use std::collections::VecDeque;

use jiff::{SignedDuration, Timestamp};

/// How far back the points go.
pub const WINDOW: SignedDuration = SignedDuration::from_mins(10);
/// At most this many points per node (one a second for the whole window).
const MAX_POINTS: usize = 600;
/// Links shown per node, at most (the busiest physical ones).
const MAX_LINKS: usize = 4;

/// One link's counters.
#[derive(Debug, Clone, PartialEq)]
pub struct LinkCounters {
    pub name: String,
    pub rx_bytes: u64,
    pub tx_bytes: u64,
}

/// What one poll read, as cumulative counters.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RawSample {
    pub at: Timestamp,
    /// CPU seconds since boot: busy (everything but idle and iowait) and all.
    pub cpu_busy: Option<f64>,
    pub cpu_all: Option<f64>,
    pub mem_used_pct: Option<f64>,
    /// `MemTotal` (kB, as /proc/meminfo gives it).
    pub mem_total_kb: Option<u64>,
    pub load1: Option<f64>,
    /// Physical links only (no loopback, veth, CNI or bridge links).
    pub links: Vec<LinkCounters>,
    /// Bytes read and written on whole disks (no partitions, loop or device-mapper devices).
    pub disk_read: Option<u64>,
    pub disk_written: Option<u64>,
}

/// A link's rates at one point.
#[derive(Debug, Clone, PartialEq)]
pub struct LinkRate {
    pub name: String,
    pub rx_per_sec: f64,
    pub tx_per_sec: f64,
}

/// Rates between two samples, and the values read at the second.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Point {
    pub at: Timestamp,
    pub cpu_pct: Option<f64>,
    pub mem_pct: Option<f64>,
    pub load1: Option<f64>,
    pub links: Vec<LinkRate>,
    pub disk_read_per_sec: Option<f64>,
    pub disk_write_per_sec: Option<f64>,
}

/// Whether a link is one of the machine's own: not loopback, not a container's veth, not a
/// CNI's or bridge's virtual link.
pub fn is_physical_link(name: &str) -> bool {
    const VIRTUAL: [&str; 12] = [
        "lo", "veth", "lxc", "cali", "cilium", "flannel", "cni", "docker", "kube", "tunl", "vxlan",
        "genev",
    ];
    !name.is_empty() && !VIRTUAL.iter().any(|v| name.starts_with(v))
}

/// Whether a block device is a whole disk (`sda`, `vda`, `nvme0n1`, `mmcblk0`), not a
/// partition, a loop or a device-mapper device. `total` counts partitions twice, so the
/// cockpit sums whole disks itself.
pub fn is_whole_disk(name: &str) -> bool {
    if name.starts_with("loop") || name.starts_with("dm-") || name.starts_with("sr") {
        return false;
    }
    if let Some(rest) = name
        .strip_prefix("nvme")
        .or_else(|| name.strip_prefix("mmcblk"))
    {
        return !rest.contains('p');
    }
    ["sd", "vd", "hd", "xvd"]
        .iter()
        .any(|p| name.starts_with(p) && !name.ends_with(|c: char| c.is_ascii_digit()))
}

fn per_sec(before: u64, after: u64, secs: f64) -> Option<f64> {
    // A counter that went back was reset (a link recreated): no rate for this interval.
    (after >= before && secs > 0.0).then(|| (after - before) as f64 / secs)
}

/// The point two samples make.
pub fn point(before: &RawSample, after: &RawSample) -> Point {
    let secs = after.at.duration_since(before.at).as_secs_f64();
    let cpu_pct = match (
        before.cpu_busy,
        before.cpu_all,
        after.cpu_busy,
        after.cpu_all,
    ) {
        (Some(b0), Some(a0), Some(b1), Some(a1)) if a1 > a0 => {
            Some((100.0 * (b1 - b0) / (a1 - a0)).clamp(0.0, 100.0))
        }
        _ => None,
    };
    let links = after
        .links
        .iter()
        .filter_map(|l| {
            let old = before.links.iter().find(|o| o.name == l.name)?;
            Some(LinkRate {
                name: l.name.clone(),
                rx_per_sec: per_sec(old.rx_bytes, l.rx_bytes, secs)?,
                tx_per_sec: per_sec(old.tx_bytes, l.tx_bytes, secs)?,
            })
        })
        .collect();
    let disk = |b: Option<u64>, a: Option<u64>| per_sec(b?, a?, secs);
    Point {
        at: after.at,
        cpu_pct,
        mem_pct: after.mem_used_pct,
        load1: after.load1,
        links,
        disk_read_per_sec: disk(before.disk_read, after.disk_read),
        disk_write_per_sec: disk(before.disk_written, after.disk_written),
    }
}

/// Keep the busiest physical links of a poll, by name order among equals.
pub fn keep_links(mut links: Vec<LinkCounters>) -> Vec<LinkCounters> {
    links.retain(|l| is_physical_link(&l.name));
    links.sort_by(|a, b| {
        (b.rx_bytes + b.tx_bytes)
            .cmp(&(a.rx_bytes + a.tx_bytes))
            .then_with(|| a.name.cmp(&b.name))
    });
    links.truncate(MAX_LINKS);
    links.sort_by(|a, b| a.name.cmp(&b.name));
    links
}

/// A bar of `cells` characters filled to `pct` (eighths of a cell), for a table cell.
pub fn bar(pct: f64, cells: usize) -> String {
    const PARTS: [char; 8] = [' ', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];
    let eighths = ((pct.clamp(0.0, 100.0) / 100.0) * (cells * 8) as f64).round() as usize;
    let mut out: String = "█".repeat(eighths / 8);
    if eighths / 8 < cells {
        out.push(PARTS[eighths % 8]);
        out.push_str(&" ".repeat(cells - eighths / 8 - 1));
    }
    out
}

/// One node's points, oldest first.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NodeMetrics {
    pub points: VecDeque<Point>,
}

impl NodeMetrics {
    pub fn push(&mut self, p: Point) {
        let oldest = p.at - WINDOW;
        self.points.push_back(p);
        while self.points.len() > MAX_POINTS || self.points.front().is_some_and(|p| p.at < oldest) {
            self.points.pop_front();
        }
    }

    pub fn latest(&self) -> Option<&Point> {
        self.points.back()
    }

    /// `width` values over the last `width × step`, one per column ending at `now`: each the
    /// latest value measured in its column's time, or 0 where none was.
    pub fn series(
        &self,
        now: Timestamp,
        width: usize,
        step: SignedDuration,
        value: impl Fn(&Point) -> Option<f64>,
    ) -> Vec<Option<f64>> {
        let mut out = vec![None; width];
        let start = now - step * width as i32;
        for p in &self.points {
            if p.at <= start || p.at > now {
                continue;
            }
            let column =
                (p.at.duration_since(start).as_secs_f64() / step.as_secs_f64()).ceil() as usize;
            if let (Some(slot), Some(v)) = (out.get_mut(column.saturating_sub(1)), value(p)) {
                *slot = Some(v);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(secs: i64) -> Timestamp {
        Timestamp::UNIX_EPOCH + SignedDuration::from_secs(secs)
    }

    fn sample(secs: i64, busy: f64, all: f64, rx: u64, read: u64) -> RawSample {
        RawSample {
            at: at(secs),
            cpu_busy: Some(busy),
            cpu_all: Some(all),
            mem_used_pct: Some(40.0),
            mem_total_kb: None,
            load1: Some(0.5),
            links: vec![LinkCounters {
                name: "eth0".into(),
                rx_bytes: rx,
                tx_bytes: rx / 2,
            }],
            disk_read: Some(read),
            disk_written: Some(0),
        }
    }

    #[test]
    fn rates_come_from_the_deltas_of_two_samples() {
        let p = point(
            &sample(0, 100.0, 400.0, 1_000, 0),
            &sample(2, 103.0, 408.0, 5_000, 8_192),
        );
        assert_eq!(p.cpu_pct, Some(37.5), "3 busy of 8 CPU-seconds");
        assert_eq!(p.links[0].rx_per_sec, 2_000.0);
        assert_eq!(p.links[0].tx_per_sec, 1_000.0);
        assert_eq!(p.disk_read_per_sec, Some(4_096.0));
        // A counter that went back (a link recreated) gives no rate, not a huge one.
        let reset = point(
            &sample(2, 103.0, 408.0, 5_000, 8_192),
            &sample(4, 104.0, 416.0, 10, 8_192),
        );
        assert!(reset.links.is_empty());
    }

    #[test]
    fn only_machines_own_links_and_whole_disks_count() {
        for (name, physical) in [
            ("eth0", true),
            ("ens3", true),
            ("bond0", true),
            ("lo", false),
            ("veth12ab", false),
            ("lxc_health", false),
            ("cilium_host", false),
            ("kube-bridge", false),
        ] {
            assert_eq!(is_physical_link(name), physical, "{name}");
        }
        for (name, whole) in [
            ("sda", true),
            ("sda1", false),
            ("vda", true),
            ("vda6", false),
            ("nvme0n1", true),
            ("nvme0n1p2", false),
            ("mmcblk0", true),
            ("mmcblk0p1", false),
            ("loop0", false),
            ("dm-0", false),
        ] {
            assert_eq!(is_whole_disk(name), whole, "{name}");
        }
    }

    #[test]
    fn bars_fill_in_eighths() {
        assert_eq!(bar(0.0, 4), "    ");
        assert_eq!(bar(100.0, 4), "████");
        assert_eq!(bar(50.0, 4), "██  ");
        assert_eq!(bar(56.25, 4), "██▎ ", "18 of 32 eighths");
        assert_eq!(bar(250.0, 2), "██", "clamped");
        assert_eq!(bar(30.0, 5).chars().count(), 5);
    }

    #[test]
    fn points_are_bounded_and_drawn_by_time() {
        let mut m = NodeMetrics::default();
        for s in 0..1_000 {
            m.push(Point {
                at: at(s),
                cpu_pct: Some(s as f64),
                ..Point::default()
            });
        }
        assert!(m.points.len() <= MAX_POINTS);
        assert!(m.points.front().is_some_and(|p| p.at >= at(999) - WINDOW));
        // Four columns of 5 s ending at 999: the latest value in each.
        let series = m.series(at(999), 4, SignedDuration::from_secs(5), |p| p.cpu_pct);
        assert_eq!(series, [Some(984.0), Some(989.0), Some(994.0), Some(999.0)]);
        // Nothing measured in a column: nothing drawn there.
        let sparse = NodeMetrics {
            points: [Point {
                at: at(100),
                cpu_pct: Some(5.0),
                ..Point::default()
            }]
            .into(),
        };
        let series = sparse.series(at(110), 4, SignedDuration::from_secs(5), |p| p.cpu_pct);
        assert_eq!(series, [None, Some(5.0), None, None]);
    }
}
