//! The cockpit binary on a pseudo-terminal, ended other than by `q`: a panic anywhere, a
//! SIGTERM or a SIGHUP. The terminal is always restored, and what the demo started is
//! cleaned up.

/// What a run on a pseudo-terminal left: the terminal's bytes, the exit code, and what the
/// runner noted (the folders in `TMPDIR` just before it sent the signal).
struct TerminalRun {
    screen: String,
    code: i32,
    noted: String,
}

/// Run the cockpit binary on a pseudo-terminal (120×40) until it ends (at most a minute);
/// with `signal`, that signal is sent 1.5 s after the cockpit entered the alternate screen.
fn on_a_terminal(args: &[&str], env: &[(&str, &str)], signal: Option<i32>) -> TerminalRun {
    const RUNNER: &str = r#"
import fcntl, os, pty, select, signal, struct, sys, termios, time
send = int(sys.argv[1])
argv = sys.argv[2:]
pid, fd = pty.fork()
if pid == 0:
    fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    os.execv(argv[0], argv)
out = bytearray()
deadline = time.time() + 60
entered = None
while time.time() < deadline:
    ready, _, _ = select.select([fd], [], [], 0.5)
    if fd in ready:
        try:
            data = os.read(fd, 65536)
        except OSError:
            break
        if not data:
            break
        out += data
    if send and entered is None and b"\x1b[?1049h" in out:
        entered = time.time()
    if send and entered is not None and time.time() > entered + 1.5:
        tmp = os.environ.get("TMPDIR", "/tmp")
        sys.stderr.write("before: " + " ".join(sorted(os.listdir(tmp))) + "\n")
        os.kill(pid, send)
        send = 0
else:
    os.kill(pid, signal.SIGKILL)
_, status = os.waitpid(pid, 0)
sys.stdout.buffer.write(bytes(out))
sys.exit(os.waitstatus_to_exitcode(status) & 0xFF)
"#;
    let mut cmd = std::process::Command::new("python3");
    cmd.arg("-c")
        .arg(RUNNER)
        .arg(signal.unwrap_or(0).to_string())
        .arg(env!("CARGO_BIN_EXE_opsdeck"));
    cmd.args(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("python3 runs");
    TerminalRun {
        screen: String::from_utf8_lossy(&out.stdout).into_owned(),
        code: out.status.code().unwrap_or(-1),
        noted: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Whether the terminal was left the way it was found: the alternate screen entered, and
/// left again after the last time it was.
fn left_the_alternate_screen(screen: &str) -> bool {
    match (screen.rfind("\u{1b}[?1049h"), screen.rfind("\u{1b}[?1049l")) {
        (Some(entered), Some(left)) => left > entered,
        _ => false,
    }
}

/// The demo credentials folders in `dir`.
fn demo_folders(dir: &std::path::Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .expect("TMPDIR")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("opsdeck-demo-"))
        .collect()
}

#[test]
fn sigterm_or_sighup_end_the_demo_as_quitting_does() {
    for (signal, name) in [(libc::SIGTERM, "SIGTERM"), (libc::SIGHUP, "SIGHUP")] {
        let home = tempfile::tempdir().expect("home");
        let tmp = tempfile::tempdir().expect("TMPDIR");
        let (home_path, tmp_path) = (home.path().to_string_lossy(), tmp.path().to_string_lossy());
        let run = on_a_terminal(
            &["demo"],
            &[("HOME", &home_path), ("TMPDIR", &tmp_path)],
            Some(signal),
        );
        assert!(
            run.noted.contains("opsdeck-demo-"),
            "{name}: the demo's folder was there before the signal: {}",
            run.noted
        );
        assert_eq!(run.code, 0, "{name}: exit code; wrote:\n{}", run.screen);
        assert!(
            left_the_alternate_screen(&run.screen),
            "{name}: terminal not restored"
        );
        let left = demo_folders(tmp.path());
        assert!(left.is_empty(), "{name}: left behind {left:?}");
    }
}

#[test]
fn a_panic_anywhere_restores_the_terminal_and_ends_with_an_error() {
    for place in ["loop", "task"] {
        let home = tempfile::tempdir().expect("home");
        let home = home.path().to_string_lossy().into_owned();
        let tmp = tempfile::tempdir().expect("TMPDIR");
        let tmp_path = tmp.path().to_string_lossy().into_owned();
        let run = on_a_terminal(
            &["demo"],
            &[
                ("OPSDECK_INJECT_PANIC", place),
                ("HOME", &home),
                ("TMPDIR", &tmp_path),
            ],
            None,
        );
        assert_eq!(demo_folders(tmp.path()), Vec::<String>::new(), "{place}");
        let (screen, code) = (run.screen, run.code);
        assert_eq!(code, 101, "{place}: exit code; wrote:\n{screen}");
        assert!(
            screen.contains("injected panic in"),
            "{place}: the panic is printed:\n{screen}"
        );
        assert!(
            left_the_alternate_screen(&screen),
            "{place}: still on the alternate screen"
        );
        let left = screen.rfind("\u{1b}[?1049l").expect("left");
        let report = screen.find("injected panic in").expect("report");
        assert!(
            report > left,
            "{place}: the report is printed after the terminal is restored"
        );
    }
}
