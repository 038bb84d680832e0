//! Versions and upgrade requests: what "the next Kubernetes minor" is, which upgrades are
//! allowed, and the Talos upgrade RPCs exactly as they will be sent. Pure.

use std::fmt;

use jiff::Timestamp;

/// A release version, `v1.33.4` (a leading `v` is optional; pre-release suffixes are kept out
/// of the comparison).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Version {
    pub major: u32,
    pub minor: u32,
    pub patch: u32,
}

impl Version {
    pub fn parse(text: &str) -> Option<Version> {
        let core = text.trim().trim_start_matches('v');
        let core = core.split(['-', '+']).next()?;
        let mut parts = core.split('.').map(|p| p.parse::<u32>().ok());
        let v = Version {
            major: parts.next()??,
            minor: parts.next()??,
            patch: parts.next()??,
        };
        parts.next().is_none().then_some(v)
    }

    pub fn next_minor(self) -> Version {
        Version {
            minor: self.minor + 1,
            patch: 0,
            ..self
        }
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "v{}.{}.{}", self.major, self.minor, self.patch)
    }
}

/// Is `target` a Kubernetes version this cluster may move to? Kubernetes supports upgrading
/// one minor version at a time and never downgrading.
pub fn check_kubernetes_target(current: &str, target: &str) -> Result<Version, String> {
    let to = Version::parse(target)
        .ok_or_else(|| format!("{target:?} is not a version like v1.34.1"))?;
    let Some(from) = Version::parse(current) else {
        // Nothing to compare with (the object carries no version yet): trust the user.
        return Ok(to);
    };
    if to <= from {
        return Err(format!("{to} is not newer than the current {from}"));
    }
    if to.major != from.major || to.minor > from.minor + 1 {
        return Err(format!(
            "Kubernetes upgrades one minor version at a time: go to v{}.{}.x first",
            from.major,
            from.minor + 1
        ));
    }
    Ok(to)
}

/// The version an installer image installs, from its tag
/// (`ghcr.io/siderolabs/installer:v1.11.2`, `factory.talos.dev/installer/<id>:v1.11.2`).
pub fn installer_version(image: &str) -> Option<Version> {
    let (_, tag) = image.trim().rsplit_once(':')?;
    // `host:port/repo` without a tag has a `/` after the colon.
    if tag.contains('/') {
        return None;
    }
    Version::parse(tag)
}

/// Where the installer image is taken from unless the user says otherwise.
pub const DEFAULT_INSTALLER: &str = "ghcr.io/siderolabs/installer";

/// Which upgrade API a node speaks: `LifecycleService` from Talos 1.13 on, the deprecated
/// `MachineService.Upgrade` before.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UpgradeApi {
    Lifecycle,
    Legacy,
}

impl UpgradeApi {
    /// talosctl's rule: the new flow only for servers newer than 1.13.0-alpha.2.
    pub fn for_node(talos_version: &str) -> UpgradeApi {
        match Version::parse(talos_version) {
            Some(v) if v >= Version::parse("v1.13.0").unwrap_or(v) && v.major < 2 => {
                UpgradeApi::Lifecycle
            }
            _ => UpgradeApi::Legacy,
        }
    }
}

/// One node's Talos OS upgrade, as it goes on the wire.
#[derive(Debug, Clone, PartialEq)]
pub struct TalosUpgrade {
    /// The talosconfig context.
    pub context: String,
    /// The node as the talosconfig addresses it (the `node` metadata of every call).
    pub node: String,
    pub image: String,
    pub api: UpgradeApi,
}

impl TalosUpgrade {
    /// The calls in order, as the dialog shows them.
    pub fn preview(&self) -> Vec<String> {
        let containerd = "containerd: {driver: CRI, namespace: NS_SYSTEM}";
        let mut lines = vec![format!(
            "talos    context {}, metadata node={}",
            self.context, self.node
        )];
        match self.api {
            UpgradeApi::Lifecycle => lines.extend([
                "rpc      /machine.ImageService/Pull".to_string(),
                format!("           {{{containerd}, image_ref: {:?}}}", self.image),
                "rpc      /machine.LifecycleService/Upgrade".to_string(),
                format!(
                    "           {{{containerd}, source: {{image_name: {:?}}}}}",
                    self.image
                ),
                "rpc      /machine.MachineService/Reboot {mode: DEFAULT}".to_string(),
                "         if the node answers Unimplemented, instead:".to_string(),
                format!(
                    "rpc      /machine.MachineService/Upgrade {{image: {:?}, preserve: true}}",
                    self.image
                ),
            ]),
            UpgradeApi::Legacy => lines.extend([
                format!(
                    "rpc      /machine.MachineService/Upgrade {{image: {:?}, preserve: true}}",
                    self.image
                ),
                "         (Talos before 1.13: the node installs, then reboots by itself)".into(),
            ]),
        }
        lines
    }
}

/// What a node looked like when its upgrade was planned, for the gates after its reboot.
#[derive(Debug, Clone, PartialEq)]
pub struct NodeBefore {
    pub boot_time: Option<Timestamp>,
    /// Etcd members this control-plane node saw; `None` for workers.
    pub etcd_members: Option<usize>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_parse_compare_and_step() {
        let v = Version::parse("v1.33.2").expect("parses");
        assert_eq!(v.next_minor().to_string(), "v1.34.0");
        assert_eq!(Version::parse("1.10.6-alpha.1"), Version::parse("v1.10.6"));
        assert!(Version::parse("v1.33").is_none());
        assert!(Version::parse("latest").is_none());
        assert!(check_kubernetes_target("v1.33.2", "v1.34.1").is_ok());
        let skip = check_kubernetes_target("v1.33.2", "v1.35.0").expect_err("skips a minor");
        assert!(skip.contains("v1.34.x"), "{skip}");
        assert!(check_kubernetes_target("v1.33.2", "v1.33.1").is_err());
        assert!(check_kubernetes_target("v1.33.2", "1.34").is_err());
    }

    #[test]
    fn installer_tags_and_upgrade_api() {
        assert_eq!(
            installer_version("ghcr.io/siderolabs/installer:v1.11.2").map(|v| v.to_string()),
            Some("v1.11.2".into())
        );
        assert_eq!(installer_version("registry:5000/installer"), None);
        assert_eq!(UpgradeApi::for_node("v1.13.2"), UpgradeApi::Lifecycle);
        assert_eq!(UpgradeApi::for_node("v1.10.6"), UpgradeApi::Legacy);
        let u = TalosUpgrade {
            context: "lab".into(),
            node: "lab-cp-0".into(),
            image: "ghcr.io/siderolabs/installer:v1.11.0".into(),
            api: UpgradeApi::Legacy,
        };
        assert!(u.preview().join("\n").contains("MachineService/Upgrade"));
    }
}
