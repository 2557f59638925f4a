//! The enforcement service's configuration: the common settings plus the workflow's deadlines
//! and thresholds, each from a `GENUINE_ENFORCEMENT_*` variable with the legal value as default.
//!
//! | variable | default |
//! |---|---|
//! | `GENUINE_ENFORCEMENT_COUNTER_NOTICE_WINDOW` | `15d` (ECL Art. 43; `3s` in tests) |
//! | `GENUINE_ENFORCEMENT_APPEAL_WINDOW` | `180d` (DSA Art. 20) |
//! | `GENUINE_ENFORCEMENT_TAKEDOWN_ON_RECEIPT` | `true` (regulators, good-faith rights holders) |
//! | `GENUINE_ENFORCEMENT_GOOD_FAITH_MIN_UPHELD` | `0.90` |
//! | `GENUINE_ENFORCEMENT_GOOD_FAITH_MAX_COUNTER` | `0.05` |
//! | `GENUINE_ENFORCEMENT_GOOD_FAITH_MIN_DECIDED` | `10` |
//! | `GENUINE_ENFORCEMENT_TRACK_RECORD_PERIOD` | `90d` |
//! | `GENUINE_ENFORCEMENT_UNFOUNDED_WARNING` / `_UNFOUNDED_SUSPENSION` | `5` / `10` rejected notices |
//! | `GENUINE_ENFORCEMENT_NOTIFIER_SUSPENSION` | `30d` (DSA Art. 23(2)) |
//! | `GENUINE_ENFORCEMENT_BUYER_LOOKBACK` | `180d` (DSA Art. 32) |
//! | `GENUINE_ENFORCEMENT_DEADLINE_SWEEP_INTERVAL` | `200ms`: how late at most a window closes |
//! | `GENUINE_ENFORCEMENT_AUDIT_SIGNING_KEY` | none: generated once into `<data dir>/enforcement-audit.key` |

use std::path::Path;
use std::time::Duration;

use anyhow::Context;
use chrono::TimeDelta;
use genuine_runtime::config::{ConfigError, Secret, ServiceSettings, Source};

use crate::domain::audit::AuditSigner;
use crate::domain::priority::TrackRecordPolicy;
use crate::store::Rules;
use crate::{DEFAULT_PORT, NAME};

/// The file the generated audit key is kept in, under the data directory.
pub const AUDIT_KEY_FILE: &str = "enforcement-audit.key";

/// Everything the enforcement service reads at start.
#[derive(Debug, Clone)]
pub struct EnforcementConfig {
    /// Listen address, database, auth, peers, limits.
    pub settings: ServiceSettings,
    /// Deadlines and thresholds of the workflow.
    pub rules: Rules,
    /// The Ed25519 secret of the audit log (hex or base64), when configured.
    pub audit_signing_key: Option<Secret>,
    /// How often due deadlines are looked for when nothing wakes the dispatcher.
    pub deadline_sweep_interval: Duration,
}

impl EnforcementConfig {
    /// Reads the configuration from `source`.
    ///
    /// # Errors
    /// The first bad value, naming its variable.
    pub fn load(source: &Source) -> Result<Self, ConfigError> {
        let settings = ServiceSettings::load(source, NAME, DEFAULT_PORT)?;
        let s = source.scoped(NAME);
        let defaults = Rules::default();
        let policy = TrackRecordPolicy::default();
        let rules = Rules {
            counter_notice_window: s
                .time_delta("COUNTER_NOTICE_WINDOW", defaults.counter_notice_window)?,
            counter_notice_calendar: s
                .parse("COUNTER_NOTICE_CALENDAR", defaults.counter_notice_calendar)?,
            appeal_window: s.time_delta("APPEAL_WINDOW", defaults.appeal_window)?,
            takedown_on_receipt: s.bool("TAKEDOWN_ON_RECEIPT", defaults.takedown_on_receipt)?,
            track_record: TrackRecordPolicy {
                min_upheld_share: s.ranged(
                    "GOOD_FAITH_MIN_UPHELD",
                    policy.min_upheld_share,
                    0.0..=1.0,
                )?,
                max_successful_counter_share: s.ranged(
                    "GOOD_FAITH_MAX_COUNTER",
                    policy.max_successful_counter_share,
                    0.0..=1.0,
                )?,
                min_decided: s.ranged(
                    "GOOD_FAITH_MIN_DECIDED",
                    policy.min_decided,
                    0..=1_000_000,
                )?,
                unfounded_warning: s.ranged(
                    "UNFOUNDED_WARNING",
                    policy.unfounded_warning,
                    1..=1_000_000,
                )?,
                unfounded_suspension: s.ranged(
                    "UNFOUNDED_SUSPENSION",
                    policy.unfounded_suspension,
                    1..=1_000_000,
                )?,
            },
            track_record_period: s
                .time_delta("TRACK_RECORD_PERIOD", defaults.track_record_period)?,
            notifier_suspension: s
                .time_delta("NOTIFIER_SUSPENSION", defaults.notifier_suspension)?,
            buyer_lookback: s.time_delta("BUYER_LOOKBACK", defaults.buyer_lookback)?,
        };
        if rules.counter_notice_window <= TimeDelta::zero() {
            return Err(ConfigError::new(
                s.variable("COUNTER_NOTICE_WINDOW"),
                "must be longer than zero",
            ));
        }
        let audit_signing_key = s.secret("AUDIT_SIGNING_KEY");
        if let Some(key) = &audit_signing_key
            && AuditSigner::from_text(key.expose()).is_err()
        {
            return Err(ConfigError::new(
                s.variable("AUDIT_SIGNING_KEY"),
                "must be a 32-byte Ed25519 secret as 64 hex digits or base64",
            ));
        }
        let deadline_sweep_interval =
            s.duration("DEADLINE_SWEEP_INTERVAL", Duration::from_millis(200))?;
        if deadline_sweep_interval.is_zero() {
            return Err(ConfigError::new(
                s.variable("DEADLINE_SWEEP_INTERVAL"),
                "must be longer than zero",
            ));
        }
        Ok(Self {
            settings,
            rules,
            audit_signing_key,
            deadline_sweep_interval,
        })
    }

    /// The audit signer: the configured key, or the one kept in the data directory, generated
    /// there (owner-readable only) on first start.
    ///
    /// # Errors
    /// When the key file cannot be read or written, or holds no valid key.
    pub fn audit_signer(&self) -> anyhow::Result<AuditSigner> {
        if let Some(key) = &self.audit_signing_key {
            return AuditSigner::from_text(key.expose())
                .context("GENUINE_ENFORCEMENT_AUDIT_SIGNING_KEY is invalid");
        }
        load_or_create_key(&self.settings.data_dir.join(AUDIT_KEY_FILE))
    }
}

fn load_or_create_key(path: &Path) -> anyhow::Result<AuditSigner> {
    match std::fs::read_to_string(path) {
        Ok(text) => AuditSigner::from_text(&text)
            .with_context(|| format!("{} holds no valid key", path.display())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let signer = AuditSigner::generate();
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir)
                    .with_context(|| format!("cannot create {}", dir.display()))?;
            }
            write_private(path, &signer.secret_hex())
                .with_context(|| format!("cannot write {}", path.display()))?;
            tracing::info!(path = %path.display(), key_id = %signer.key_id(), "generated the audit signing key");
            Ok(signer)
        }
        Err(e) => Err(e).with_context(|| format!("cannot read {}", path.display())),
    }
}

#[cfg(unix)]
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write as _;
    use std::os::unix::fs::OpenOptionsExt as _;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(text.as_bytes())
}

#[cfg(not(unix))]
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    std::fs::write(path, text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_the_legal_values() {
        let config = EnforcementConfig::load(&Source::default()).expect("defaults");
        assert_eq!(config.rules.counter_notice_window, TimeDelta::days(15));
        assert_eq!(config.rules.appeal_window, TimeDelta::days(180));
        assert!(config.rules.takedown_on_receipt);
        assert_eq!(config.settings.listen_addr.port(), DEFAULT_PORT);
        assert!(config.audit_signing_key.is_none());
    }

    #[test]
    fn test_values_and_bad_values() {
        let source = Source::from_map([
            ("GENUINE_ENFORCEMENT_COUNTER_NOTICE_WINDOW", "3s"),
            ("GENUINE_ENFORCEMENT_TAKEDOWN_ON_RECEIPT", "false"),
            ("GENUINE_ENFORCEMENT_GOOD_FAITH_MIN_DECIDED", "0"),
        ]);
        let config = EnforcementConfig::load(&source).expect("valid");
        assert_eq!(config.rules.counter_notice_window, TimeDelta::seconds(3));
        assert!(!config.rules.takedown_on_receipt);
        assert_eq!(config.rules.track_record.min_decided, 0);

        for (variable, value) in [
            ("GENUINE_ENFORCEMENT_COUNTER_NOTICE_WINDOW", "soon"),
            ("GENUINE_ENFORCEMENT_GOOD_FAITH_MIN_UPHELD", "1.5"),
            ("GENUINE_ENFORCEMENT_AUDIT_SIGNING_KEY", "not-a-key"),
            ("GENUINE_ENFORCEMENT_DEADLINE_SWEEP_INTERVAL", "0s"),
        ] {
            let error = EnforcementConfig::load(&Source::from_map([(variable, value)]))
                .expect_err(variable);
            assert!(error.to_string().contains(variable), "{error}");
        }
    }

    #[test]
    fn the_window_calendar_is_configurable() {
        use crate::domain::window::WindowCalendar;
        let business = Source::from_map([
            ("GENUINE_AUTH_SECRET", "s"),
            ("GENUINE_ENFORCEMENT_COUNTER_NOTICE_WINDOW", "10d"),
            (
                "GENUINE_ENFORCEMENT_COUNTER_NOTICE_CALENDAR",
                "business_days",
            ),
        ]);
        let rules = EnforcementConfig::load(&business).expect("valid").rules;
        assert_eq!(rules.counter_notice_calendar, WindowCalendar::BusinessDays);
        let bad = Source::from_map([("GENUINE_ENFORCEMENT_COUNTER_NOTICE_CALENDAR", "lunar")]);
        let err = EnforcementConfig::load(&bad).expect_err("bad calendar");
        assert_eq!(err.variable, "GENUINE_ENFORCEMENT_COUNTER_NOTICE_CALENDAR");
    }

    #[test]
    fn the_generated_key_is_kept_and_reused() {
        let dir = tempfile::tempdir().expect("dir");
        let source =
            Source::from_map([("GENUINE_DATA_DIR", dir.path().to_string_lossy().to_string())]);
        let config = EnforcementConfig::load(&source).expect("valid");
        let first = config.audit_signer().expect("generated");
        let second = config.audit_signer().expect("read back");
        assert_eq!(first.public_key(), second.public_key());
        let configured =
            Source::from_map([("GENUINE_ENFORCEMENT_AUDIT_SIGNING_KEY", first.secret_hex())]);
        let from_config = EnforcementConfig::load(&configured)
            .expect("valid")
            .audit_signer()
            .expect("key");
        assert_eq!(from_config.public_key(), first.public_key());
    }
}
