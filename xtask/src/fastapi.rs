//! The FastAPI round trip (a step of `cargo xtask test`): the OpenAPI 3.1 document of the small
//! FastAPI app `tests/fastapi/app.py` is generated into a client crate in `target/`, and
//! `tests/fastapi/roundtrip.rs`, built against that client, calls every operation of the app served
//! by uvicorn on 127.0.0.1. The server is started after the build and stopped when the step ends,
//! whether it passed or not.

use std::fs;
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};

use crate::cmd::{Cmd, KillOnDrop};
use crate::{generate, scratch};

/// FastAPI, uvicorn and what an `UploadFile` needs, pinned.
pub const REQUIREMENTS: &str = "tests/fastapi/requirements.txt";
const APP: &str = "tests/fastapi/app.py";
const PROGRAM: &str = "tests/fastapi/roundtrip.rs";
const OUT: &str = "target/fastapi-roundtrip";
const CLIENT_CRATE: &str = "fastapi-roundtrip-client";
const PROGRAM_CRATE: &str = "fastapi-roundtrip";
/// How long uvicorn may take to accept connections.
const STARTUP: Duration = Duration::from_secs(30);

pub fn round_trip(root: &Path, python: &Path) -> Result<()> {
    let out = root.join(OUT);
    let _ = fs::remove_dir_all(&out);
    fs::create_dir_all(&out).with_context(|| format!("creating {}", out.display()))?;
    // What the app serves at /openapi.json; the program checks that the server serves the same.
    let document = Cmd::new(python).args([APP, "--print-openapi"]).dir(root).read()?;
    let document_path = out.join("openapi.json");
    fs::write(&document_path, document).with_context(|| format!("writing {}", document_path.display()))?;
    generate::generate_any(
        &document_path.display().to_string(),
        Some(CLIENT_CRATE),
        &out.join("client").display().to_string(),
    )?;
    write_program_crate(root, &out.join("roundtrip"))?;
    scratch::write_workspace(&out, &["client".to_owned(), "roundtrip".to_owned()])?;
    scratch::copy_lockfile(root, &out)?;
    Cmd::new("cargo")
        .args(["build", "--quiet", "--manifest-path"])
        .arg(out.join("Cargo.toml"))
        .args(["-p", PROGRAM_CRATE, "--target-dir"])
        .arg(root.join("target"))
        .dir(root)
        .run()?;

    let port = free_port()?;
    let mut server = Server::start(python, root, port)?;
    server.wait_until_ready(port)?;
    Cmd::new(root.join("target/debug").join(PROGRAM_CRATE))
        .env("FASTAPI_BASE_URL", format!("http://127.0.0.1:{port}"))
        .env("FASTAPI_OPENAPI", &document_path)
        .dir(root)
        .run()
}

/// The program's crate: its one binary is `tests/fastapi/roundtrip.rs`, its dependencies the
/// generated client and what the client itself depends on.
fn write_program_crate(root: &Path, dir: &Path) -> Result<()> {
    fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let program = root.join(PROGRAM);
    let manifest = format!(
        r#"[package]
name = "{PROGRAM_CRATE}"
version = "0.0.0"
edition = "2021"
publish = false

[[bin]]
name = "{PROGRAM_CRATE}"
path = {program:?}

[dependencies]
{CLIENT_CRATE} = {{ path = "../client" }}
chrono = {{ version = "0.4", default-features = false }}
reqwest = {{ version = "0.12", default-features = false, features = ["rustls-tls"] }}
serde_json = "1"
tokio = {{ version = "1", features = ["macros", "rt"] }}
"#,
    );
    let path = dir.join("Cargo.toml");
    fs::write(&path, manifest).with_context(|| format!("writing {}", path.display()))
}

/// A port nobody listens on now (the kernel's pick; the server binds it a moment later).
fn free_port() -> Result<u16> {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).context("finding a free port")?;
    Ok(listener.local_addr()?.port())
}

/// uvicorn serving the app; stopped when dropped, so on every way out of [`round_trip`].
struct Server(KillOnDrop);

impl Server {
    fn start(python: &Path, root: &Path, port: u16) -> Result<Server> {
        let command = Cmd::new(python).arg(APP).args(["--port", &port.to_string()]).dir(root);
        let child = command
            .command()
            .spawn()
            .with_context(|| format!("could not start {command}"))?;
        Ok(Server(KillOnDrop(child)))
    }

    fn wait_until_ready(&mut self, port: u16) -> Result<()> {
        let address = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
        let started = Instant::now();
        while started.elapsed() < STARTUP {
            if let Some(status) = self.0 .0.try_wait()? {
                bail!("uvicorn exited with {status} before accepting connections");
            }
            if TcpStream::connect_timeout(&address, Duration::from_millis(200)).is_ok() {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        bail!("uvicorn did not accept connections on {address} within {STARTUP:?}")
    }
}
