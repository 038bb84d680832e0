//! `opsdeck-sim`, the simulator alone (what the benchmarks run): it announces its kubeconfig,
//! serves it, and on SIGTERM removes the folder holding its credentials and exits cleanly; an
//! unknown scenario is a one-line error.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

#[test]
fn it_serves_until_sigterm_and_then_removes_its_credentials() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_opsdeck-sim"))
        .args(["--scenario", "default"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("starts");
    let stdout = child.stdout.take().expect("stdout");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let first = rx.recv_timeout(Duration::from_secs(60));
    let pid = i32::try_from(child.id()).expect("pid");
    let stop = || {
        // SAFETY: kill(2) only sends a signal, to our own child.
        unsafe { libc::kill(pid, libc::SIGTERM) };
    };
    let Ok(first) = first else {
        let _ = child.kill();
        panic!("no KUBECONFIG line within 60 s");
    };
    let kubeconfig = std::path::PathBuf::from(first.strip_prefix("KUBECONFIG=").expect(&first));
    let text = std::fs::read_to_string(&kubeconfig).expect("the kubeconfig it names");
    assert!(text.contains("server: https://127.0.0.1:"), "{text}");
    let rest: Vec<String> = std::iter::from_fn(|| rx.recv_timeout(Duration::from_secs(5)).ok())
        .take_while(|l| !l.starts_with("# then"))
        .collect();
    assert!(
        rest.iter()
            .any(|l| l.starts_with("ARGOCD_SERVER=https://127.0.0.1:")),
        "{rest:?}"
    );

    stop();
    let asked = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if asked.elapsed() > Duration::from_secs(30) {
            let _ = child.kill();
            panic!("still running 30 s after SIGTERM");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "{status}");
    let folder = kubeconfig.parent().expect("its folder");
    assert!(!folder.exists(), "{} left behind", folder.display());
}

#[test]
fn an_unknown_scenario_is_one_line_naming_it() {
    let out = Command::new(env!("CARGO_BIN_EXE_opsdeck-sim"))
        .args(["--scenario", "/nonexistent/scenario.yaml"])
        .output()
        .expect("runs");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("/nonexistent/scenario.yaml"), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "{err}");
}
