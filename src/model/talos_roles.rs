//! What a Talos client certificate may do. Talos has no access review, but the certificate's
//! subject Organization names its roles (`os:admin`, `os:operator`, `os:reader`,
//! `os:etcd:backup`), and machined checks each method against a fixed table: the cockpit reads
//! the roles and refuses, with the reason, what the node would refuse. Pure.

/// The roles that may call a Machine API method (by its full path); a method missing from
/// the table needs `os:admin`, as in machined.
pub fn allowed_roles(method: &str) -> &'static [&'static str] {
    const READ: &[&str] = &["os:admin", "os:operator", "os:reader"];
    const ETCD_READ: &[&str] = &["os:admin", "os:operator", "os:reader", "os:etcd:backup"];
    const ETCD_BACKUP: &[&str] = &["os:admin", "os:operator", "os:etcd:backup"];
    const OPERATE: &[&str] = &["os:admin", "os:operator"];
    const ADMIN: &[&str] = &["os:admin"];
    let Some(rpc) = method.strip_prefix("/machine.MachineService/") else {
        return match method {
            "/machine.ImageService/Pull" => OPERATE,
            "/storage.StorageService/Disks"
            | "/cosi.resource.State/Get"
            | "/cosi.resource.State/List"
            | "/cosi.resource.State/Watch" => READ,
            _ => ADMIN,
        };
    };
    match rpc {
        "Version" | "Hostname" | "ServiceList" | "Memory" | "LoadAvg" | "SystemStat"
        | "CPUInfo" | "CPUFreqStats" | "DiskStats" | "NetworkDeviceStats" | "Mounts"
        | "Processes" | "Logs" | "LogsContainers" | "Dmesg" | "Events" => READ,
        "EtcdMemberList" | "EtcdStatus" | "EtcdAlarmList" => ETCD_READ,
        "EtcdSnapshot" => ETCD_BACKUP,
        "Reboot" | "Shutdown" | "ServiceStart" | "ServiceStop" | "ServiceRestart" | "Restart"
        | "EtcdAlarmDisarm" | "EtcdDefragment" => OPERATE,
        _ => ADMIN,
    }
}

/// Why a certificate with `roles` may not call `methods`, or None when it may call them all.
pub fn refusal(roles: &[String], methods: &[&str]) -> Option<String> {
    let denied = methods.iter().find(|m| {
        !allowed_roles(m)
            .iter()
            .any(|allowed| roles.iter().any(|r| r == allowed))
    })?;
    let have = if roles.is_empty() {
        "no role".to_string()
    } else {
        roles.join(", ")
    };
    Some(format!(
        "your Talos certificate has {have}; {denied} needs {}",
        allowed_roles(denied).join(" or ")
    ))
}

/// Why a certificate with `roles` may not read a sensitive COSI resource (the machine config:
/// machined lets only `os:admin` read those), or None when it may.
pub fn sensitive_refusal(roles: &[String], what: &str) -> Option<String> {
    // Roles that could not be read are not known to be short: the node decides.
    if roles.is_empty() || roles.iter().any(|r| r == "os:admin") {
        return None;
    }
    Some(format!(
        "your Talos certificate has {}; {what} is a sensitive resource, readable with os:admin only",
        roles.join(", ")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn roles(r: &[&str]) -> Vec<String> {
        r.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn each_role_may_do_what_machined_allows_it() {
        let restart = ["/machine.MachineService/ServiceRestart"];
        let upgrade = [
            "/machine.ImageService/Pull",
            "/machine.LifecycleService/Upgrade",
            "/machine.MachineService/Reboot",
        ];
        assert_eq!(refusal(&roles(&["os:admin"]), &upgrade), None);
        assert_eq!(refusal(&roles(&["os:operator"]), &restart), None);
        let why = refusal(&roles(&["os:operator"]), &upgrade).expect("admin only");
        assert!(
            why.contains("LifecycleService/Upgrade needs os:admin"),
            "{why}"
        );
        let why = refusal(&roles(&["os:reader"]), &restart).expect("read only");
        assert!(
            why.starts_with("your Talos certificate has os:reader;")
                && why.ends_with("needs os:admin or os:operator"),
            "{why}"
        );
        assert!(refusal(&[], &["/machine.MachineService/Version"]).is_some());
        assert_eq!(
            refusal(
                &roles(&["os:etcd:backup"]),
                &["/machine.MachineService/EtcdSnapshot"]
            ),
            None
        );
        assert!(
            refusal(
                &roles(&["os:operator"]),
                &["/machine.MachineService/EtcdForfeitLeadership"]
            )
            .is_some()
        );
    }
}
