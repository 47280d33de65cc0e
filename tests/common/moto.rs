//! A real local AWS-compatible endpoint for tests: moto's server mode (PyPI `moto[server]`,
//! installed into `.venv` by `make test`), started per test on a free loopback port and
//! stopped when dropped.

use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::project_path;

/// A running moto server.
pub struct Moto {
    child: Child,
    /// `http://127.0.0.1:<port>`.
    pub endpoint: String,
}

impl Moto {
    /// Starts moto_server (from `$MOTO_SERVER`, `.venv/bin/moto_server` or the PATH).
    pub fn start() -> Moto {
        let port = free_port();
        let child = Command::new(moto_server())
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("moto_server starts: run `make test`, which installs it into .venv");
        let moto = Moto {
            child,
            endpoint: format!("http://127.0.0.1:{port}"),
        };
        wait_for(port);
        moto
    }

    /// Environment a shell would see, pointing AWS calls at this server.
    pub fn env(&self, name: &str) -> Option<String> {
        match name {
            "AWS_REGION" => Some("eu-central-1".into()),
            "AWS_ACCESS_KEY_ID" => Some("testing".into()),
            "AWS_SECRET_ACCESS_KEY" => Some("testing".into()),
            "AWS_ENDPOINT_URL" => Some(self.endpoint.clone()),
            _ => None,
        }
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn moto_server() -> PathBuf {
    if let Some(path) = std::env::var_os("MOTO_SERVER") {
        return PathBuf::from(path);
    }
    let venv = project_path(".venv/bin/moto_server");
    if venv.exists() {
        venv
    } else {
        PathBuf::from("moto_server")
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|addr| addr.port())
        .expect("a free loopback port")
}

fn wait_for(port: u16) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            Instant::now() < deadline,
            "moto_server did not start on port {port}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}
