//! `genuine serve <service>` as a real child process of the test: started with the environment
//! the test gives it, its output appended to a log file, killed or stopped by signal, and started
//! again with the same environment, as a supervisor would.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::Duration;

use tokio::time::Instant;

use super::grpc::serving;

/// A port that was free a moment ago on 127.0.0.1.
pub fn free_port() -> u16 {
    let probe = std::net::TcpListener::bind("127.0.0.1:0").expect("free port");
    probe.local_addr().expect("addr").port()
}

/// One service of the `genuine` binary running as a child process. Killed when dropped.
pub struct GenuineProcess {
    service: String,
    port: u16,
    env: Vec<(String, String)>,
    log_path: PathBuf,
    child: Child,
}

impl Drop for GenuineProcess {
    fn drop(&mut self) {
        self.child.kill().ok();
        self.child.wait().ok();
    }
}

impl GenuineProcess {
    /// Starts `genuine serve <service>` listening on `port` with `env` (on top of the test's own
    /// environment, without an OTLP endpoint), logging to `log_path`.
    pub fn spawn(service: &str, port: u16, env: Vec<(String, String)>, log_path: &Path) -> Self {
        let child = launch(service, port, &env, log_path);
        Self {
            service: service.to_owned(),
            port,
            env,
            log_path: log_path.to_owned(),
            child,
        }
    }

    /// `http://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Waits until health answers SERVING; if the process exits meanwhile (it could not reach
    /// its database at start, say), starts it again, as a supervisor would. Panics with the log
    /// after `limit`.
    pub async fn wait_serving(&mut self, limit: Duration) {
        let deadline = Instant::now() + limit;
        while !serving(&self.url()).await {
            assert!(
                Instant::now() < deadline,
                "{} not SERVING after {limit:?}\n{}",
                self.service,
                self.log_tail()
            );
            if self.child.try_wait().expect("wait").is_some() {
                tokio::time::sleep(Duration::from_millis(300)).await;
                self.child = launch(&self.service, self.port, &self.env, &self.log_path);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// SIGKILL: the process dies at once, whatever it was doing; reaped before returning.
    pub fn kill(&mut self) {
        self.child.kill().expect("SIGKILL");
        self.child.wait().expect("reaped");
    }

    /// Starts the process again with the same environment (after [`GenuineProcess::kill`]).
    pub fn restart(&mut self) {
        assert!(
            self.child.try_wait().expect("wait").is_some(),
            "{} is still running",
            self.service
        );
        self.child = launch(&self.service, self.port, &self.env, &self.log_path);
    }

    /// Sends SIGTERM; the moment it was sent.
    pub fn terminate(&self) -> Instant {
        let sent = Instant::now();
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(status.success(), "kill -TERM failed");
        sent
    }

    /// Waits up to `limit` for the process to exit.
    pub fn wait_exit(&mut self, limit: Duration) -> Option<ExitStatus> {
        let deadline = std::time::Instant::now() + limit;
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                return Some(status);
            }
            if std::time::Instant::now() > deadline {
                return None;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Everything the process (and its earlier incarnations) logged.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log_path).unwrap_or_default()
    }

    /// The last lines of the log, for failure messages.
    pub fn log_tail(&self) -> String {
        let log = self.log();
        let lines: Vec<&str> = log.lines().collect();
        lines[lines.len().saturating_sub(40)..].join("\n")
    }
}

fn launch(service: &str, port: u16, env: &[(String, String)], log_path: &Path) -> Child {
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(log_path)
        .expect("log file");
    let upper = service.to_ascii_uppercase();
    Command::new(env!("CARGO_BIN_EXE_genuine"))
        .args(["serve", service])
        .env(
            format!("GENUINE_{upper}_LISTEN_ADDR"),
            format!("127.0.0.1:{port}"),
        )
        .envs(env.iter().map(|(k, v)| (k, v)))
        .env_remove("OTEL_EXPORTER_OTLP_ENDPOINT")
        .stdout(log.try_clone().expect("log"))
        .stderr(log)
        .stdin(Stdio::null())
        .spawn()
        .expect("genuine starts")
}
