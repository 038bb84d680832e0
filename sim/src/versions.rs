//! The few value formats the simulated controllers read: semantic versions, image tags and Go
//! durations. Written here rather than borrowed from the cockpit, so a parsing mistake on one
//! side shows up as a disagreement with the other in the tests.

/// `v1.33.2`, `1.10.6-alpha.1` → (1, 33, 2); anything else → None.
pub fn semver(text: &str) -> Option<(u32, u32, u32)> {
    let text = text.trim();
    let text = text.strip_prefix('v').unwrap_or(text);
    let end = text.find(['-', '+']).unwrap_or(text.len());
    let numbers: Vec<u32> = text[..end]
        .split('.')
        .map(str::parse)
        .collect::<Result<_, _>>()
        .ok()?;
    match numbers[..] {
        [major, minor, patch] => Some((major, minor, patch)),
        _ => None,
    }
}

/// The version an installer image reference carries in its tag (`…/installer:v1.11.2`).
pub fn image_tag_version(image: &str) -> Option<String> {
    let tag = image.trim().rsplit(':').next()?;
    // A registry port (`host:5000/installer`) is not a tag.
    if tag.contains('/') || tag.len() == image.trim().len() {
        return None;
    }
    let (major, minor, patch) = semver(tag)?;
    Some(format!("v{major}.{minor}.{patch}"))
}

/// Talos answers the LifecycleService from 1.13 on; older nodes only have the legacy upgrade.
pub fn has_lifecycle_service(talos_version: &str) -> bool {
    matches!(semver(talos_version), Some((1, minor, _)) if minor >= 13)
}

/// A Go duration (`1h`, `30m`, `1h30m`, `90s`, `500ms`, `0`) in seconds.
pub fn go_duration(text: &str) -> Option<f64> {
    let text = text.trim();
    if text == "0" {
        return Some(0.0);
    }
    let mut rest = text;
    let mut seconds = 0.0;
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let value: f64 = rest[..digits].parse().ok()?;
        rest = &rest[digits..];
        let (scale, unit_len) = if rest.starts_with("ms") {
            (0.001, 2)
        } else {
            match rest.chars().next()? {
                'h' => (3600.0, 1),
                'm' => (60.0, 1),
                's' => (1.0, 1),
                _ => return None,
            }
        };
        seconds += value * scale;
        rest = &rest[unit_len..];
    }
    Some(seconds)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_tags_and_durations() {
        assert_eq!(semver("v1.33.2"), Some((1, 33, 2)));
        assert_eq!(semver("1.10.6-alpha.1"), Some((1, 10, 6)));
        assert_eq!(semver("v1.33"), None);
        assert_eq!(
            image_tag_version("ghcr.io/siderolabs/installer:v1.11.2").as_deref(),
            Some("v1.11.2")
        );
        assert_eq!(image_tag_version("registry:5000/installer"), None);
        assert_eq!(image_tag_version("installer"), None);
        assert!(has_lifecycle_service("v1.13.2"));
        assert!(!has_lifecycle_service("v1.10.5"));
        assert_eq!(go_duration("1h30m"), Some(5400.0));
        assert_eq!(go_duration("500ms"), Some(0.5));
        assert_eq!(go_duration("0"), Some(0.0));
        assert_eq!(go_duration("5x"), None);
        assert_eq!(go_duration("m"), None);
    }
}
