//! A PostgreSQL 15 cluster of the test's own, so that stopping it disturbs no other test: initdb
//! in a temporary folder, trust authentication, a free port, its socket in that folder. The
//! server refuses to run as root, so its commands run as the `postgres` user.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::process::free_port;

/// Where Debian's PostgreSQL 15 server binaries live.
pub const BIN: &str = "/usr/lib/postgresql/15/bin";

/// A running private cluster; stopped (immediately) and removed when dropped.
pub struct PrivatePostgres {
    dir: tempfile::TempDir,
    port: u16,
}

impl Drop for PrivatePostgres {
    fn drop(&mut self) {
        self.pg_ctl(&["stop", "-m", "immediate"]).ok();
    }
}

impl PrivatePostgres {
    /// Whether the server binaries are installed here.
    pub fn available() -> bool {
        Path::new(BIN).join("initdb").exists() && Path::new(BIN).join("pg_ctl").exists()
    }

    /// Creates the cluster and starts it.
    pub fn start() -> Self {
        let dir = tempfile::tempdir().expect("temporary folder");
        if is_root() {
            run(Command::new("chown").args(["postgres:postgres", &path(dir.path())]));
        }
        let postgres = Self {
            dir,
            port: free_port(),
        };
        run(as_postgres(&format!("{BIN}/initdb")).args([
            "-D",
            &path(&postgres.data()),
            "-A",
            "trust",
            "-U",
            "postgres",
            "--no-sync",
        ]));
        postgres.start_again();
        postgres
    }

    /// `postgres://postgres@127.0.0.1:<port>/postgres`: the admin database.
    pub fn admin_url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    /// The URL of database `name` on this cluster.
    pub fn url(&self, name: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{name}", self.port)
    }

    /// Stops the server at once, as a crash would: no checkpoint, clients cut off.
    pub fn stop_immediately(&self) {
        self.pg_ctl(&["stop", "-m", "immediate"])
            .expect("pg_ctl stop");
    }

    /// Starts the (stopped) server and waits until it accepts connections. `fsync` is off because
    /// only the server process stops here, never the machine: committed data stays in the page
    /// cache, and commits still wait for their WAL write.
    pub fn start_again(&self) {
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200",
            self.port,
            path(self.dir.path())
        );
        self.pg_ctl(&[
            "start",
            "-w",
            "-t",
            "120",
            "-o",
            &options,
            "-l",
            &path(&self.log_path()),
        ])
        .unwrap_or_else(|e| panic!("pg_ctl start: {e}\n{}", self.log()));
    }

    /// The server's log.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.log_path()).unwrap_or_default()
    }

    /// In `GENUINE_FAULT_LOG_DIR` when set (kept after the test, like the services' logs).
    fn log_path(&self) -> PathBuf {
        std::env::var("GENUINE_FAULT_LOG_DIR")
            .map_or_else(|_| self.dir.path().to_owned(), PathBuf::from)
            .join("postgres.log")
    }

    fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    fn pg_ctl(&self, args: &[&str]) -> Result<(), String> {
        let output = as_postgres(&format!("{BIN}/pg_ctl"))
            .args(["-D", &path(&self.data())])
            .args(args)
            .output()
            .map_err(|e| e.to_string())?;
        if output.status.success() {
            Ok(())
        } else {
            Err(String::from_utf8_lossy(&output.stderr).into_owned())
        }
    }
}

/// `program` run as the `postgres` user when the test runs as root (initdb refuses root).
fn as_postgres(program: &str) -> Command {
    if is_root() {
        let mut command = Command::new("runuser");
        command.args(["-u", "postgres", "--", program]);
        command
    } else {
        Command::new(program)
    }
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.starts_with(b"0\n"))
}

fn run(command: &mut Command) {
    let output = command.output().expect("command runs");
    assert!(
        output.status.success(),
        "{command:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

fn path(p: &Path) -> String {
    p.display().to_string()
}
