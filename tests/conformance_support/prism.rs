//! A `prism mock` process on 127.0.0.1, started from the copy `cargo xtask test` installs into
//! `target/tools/npm/`, and killed when the guard is dropped (also when a test panics).

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read};
use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

/// How long Prism may take to load the spec and listen.
const STARTUP_TIMEOUT: Duration = Duration::from_secs(60);
/// How many of Prism's last log lines are kept for failure messages.
const LOG_LINES: usize = 200;

/// What Prism answers with.
#[derive(Clone, Copy, Debug)]
pub enum Mode {
    /// The spec's examples (`prism mock`).
    Examples,
    /// Responses generated from the schemas (`prism mock -d --seed N`); with the same seed an
    /// operation gets the same response on every run.
    Dynamic { seed: u32 },
}

/// A running Prism mock server. Dropping it kills the process and waits for it.
pub struct Prism {
    child: Child,
    addr: SocketAddr,
    log: Arc<Mutex<VecDeque<String>>>,
}

impl Prism {
    /// Starts `prism mock --errors` (a request that violates the spec gets an error status as well
    /// as the `sl-violations` header) on a free port and waits until it listens.
    pub fn start(mode: Mode) -> Prism {
        let binary = binary();
        assert!(
            binary.exists(),
            "Prism is not installed at {}: run `cargo xtask test` once; it installs the pinned \
             tools from tests/conformance/package-lock.json into target/tools/npm/",
            binary.display()
        );
        // Another process can take the free port between our probe and Prism's bind: try again.
        let mut last_failure = String::new();
        for _ in 0..3 {
            match Prism::try_start(&binary, mode) {
                Ok(prism) => return prism,
                Err(failure) => last_failure = failure,
            }
        }
        panic!("Prism did not start: {last_failure}")
    }

    fn try_start(binary: &Path, mode: Mode) -> Result<Prism, String> {
        let port = free_port();
        let spec = root().join("openapi/sgp-evaluations.yaml");
        let mut command = Command::new(binary);
        command
            .arg("mock")
            .arg(&spec)
            .args(["--host", "127.0.0.1", "--port", &port.to_string(), "--errors"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        if let Mode::Dynamic { seed } = mode {
            command.args(["--dynamic", "--seed", &seed.to_string()]);
        }
        let mut child = command
            .spawn()
            .map_err(|e| format!("could not run {} (is `node` on PATH?): {e}", binary.display()))?;
        let log = Arc::new(Mutex::new(VecDeque::new()));
        let (ready_tx, ready_rx) = mpsc::channel();
        let stdout = child.stdout.take().expect("piped stdout");
        let stderr = child.stderr.take().expect("piped stderr");
        drain(stdout, Arc::clone(&log), Some(ready_tx));
        drain(stderr, Arc::clone(&log), None);
        let mut prism = Prism {
            child,
            addr: SocketAddr::from(([127, 0, 0, 1], port)),
            log,
        };
        let started = Instant::now();
        loop {
            match ready_rx.recv_timeout(Duration::from_millis(100)) {
                Ok(()) => return Ok(prism),
                Err(mpsc::RecvTimeoutError::Disconnected) => {
                    return Err(format!(
                        "Prism's output ended before it listened:\n{}",
                        prism.log_tail(40)
                    ))
                }
                Err(mpsc::RecvTimeoutError::Timeout) => {}
            }
            if let Ok(Some(status)) = prism.child.try_wait() {
                return Err(format!("Prism exited with {status}:\n{}", prism.log_tail(40)));
            }
            if started.elapsed() > STARTUP_TIMEOUT {
                let tail = prism.log_tail(40);
                prism.stop();
                return Err(format!("Prism did not listen within {STARTUP_TIMEOUT:?}:\n{tail}"));
            }
        }
    }

    /// The address Prism listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The process id, for tests of the guard itself.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The last `lines` lines Prism printed, for failure messages.
    pub fn log_tail(&self, lines: usize) -> String {
        let log = self.log.lock().unwrap_or_else(|e| e.into_inner());
        let skip = log.len().saturating_sub(lines);
        log.iter().skip(skip).cloned().collect::<Vec<_>>().join("\n")
    }

    fn stop(&mut self) {
        // `prism` is a node script run directly (no shell, no `--multiprocess`), so the child is
        // the only process to end.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Prism {
    fn drop(&mut self) {
        self.stop();
    }
}

/// `target/tools/npm/node_modules/.bin/prism` of this checkout.
pub fn binary() -> PathBuf {
    root().join("target/tools/npm/node_modules/.bin/prism")
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ has a parent")
        .to_path_buf()
}

fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    listener.local_addr().expect("local address").port()
}

/// Reads a pipe of Prism's to its end on a thread (so Prism never blocks on a full pipe), keeps
/// the last lines, and signals `ready` once Prism says it listens.
fn drain(pipe: impl Read + Send + 'static, log: Arc<Mutex<VecDeque<String>>>, ready: Option<mpsc::Sender<()>>) {
    thread::spawn(move || {
        let mut ready = ready;
        for line in BufReader::new(pipe).lines() {
            let Ok(line) = line else { break };
            if line.contains("Prism is listening on") {
                if let Some(ready) = ready.take() {
                    let _ = ready.send(());
                }
            }
            let mut log = log.lock().unwrap_or_else(|e| e.into_inner());
            if log.len() == LOG_LINES {
                log.pop_front();
            }
            log.push_back(line);
        }
    });
}
