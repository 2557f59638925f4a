//! Where settings come from, and typed reads that name the variable when a value is bad.

use std::collections::HashMap;
use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use super::Secret;

/// A bad or unreadable setting, naming the variable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{variable}: {message}")]
pub struct ConfigError {
    /// The environment variable at fault.
    pub variable: String,
    /// What is wrong with its value.
    pub message: String,
}

impl ConfigError {
    /// An error about `variable`.
    #[must_use]
    pub fn new(variable: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            variable: variable.into(),
            message: message.into(),
        }
    }
}

/// All settings given, by variable name.
#[derive(Debug, Clone, Default)]
pub struct Source {
    values: HashMap<String, String>,
}

/// The variable that names an optional settings file.
pub const CONFIG_FILE_VAR: &str = "GENUINE_CONFIG_FILE";

impl Source {
    /// Settings from a map (tests, or values assembled by the `genuine` CLI).
    #[must_use]
    pub fn from_map<K: Into<String>, V: Into<String>>(
        map: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        Self {
            values: map.into_iter().map(|(k, v)| (k.into(), v.into())).collect(),
        }
    }

    /// Settings from the process: the file named by `GENUINE_CONFIG_FILE` if set, then every
    /// `GENUINE_*` and `OTEL_*` environment variable over it.
    ///
    /// # Errors
    /// When the file cannot be read or has a malformed line.
    pub fn from_env() -> Result<Self, ConfigError> {
        let env: HashMap<String, String> = std::env::vars()
            .filter(|(k, _)| k.starts_with("GENUINE_") || k.starts_with("OTEL_"))
            .collect();
        let mut values = match env.get(CONFIG_FILE_VAR) {
            Some(path) => read_file(Path::new(path))?,
            None => HashMap::new(),
        };
        values.extend(env);
        Ok(Self { values })
    }

    /// Sets a value, overriding what was there (flags of the CLI).
    pub fn set(&mut self, variable: impl Into<String>, value: impl Into<String>) {
        self.values.insert(variable.into(), value.into());
    }

    /// The raw value of a variable.
    #[must_use]
    pub fn get(&self, variable: &str) -> Option<&str> {
        self.values.get(variable).map(String::as_str)
    }

    /// Reads for one service: `GENUINE_<SERVICE>_<KEY>` then `GENUINE_<KEY>`.
    #[must_use]
    pub fn scoped(&self, service: &str) -> Scoped<'_> {
        Scoped {
            source: self,
            prefix: format!(
                "GENUINE_{}_",
                service.to_ascii_uppercase().replace('-', "_")
            ),
        }
    }

    /// Reads of suite-wide `GENUINE_<KEY>` variables only.
    #[must_use]
    pub fn suite(&self) -> Scoped<'_> {
        Scoped {
            source: self,
            prefix: "GENUINE_".to_owned(),
        }
    }
}

/// `KEY=value` lines; blank lines and `#` comments are skipped; values may be quoted.
fn read_file(path: &Path) -> Result<HashMap<String, String>, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        ConfigError::new(
            CONFIG_FILE_VAR,
            format!("cannot read {}: {e}", path.display()),
        )
    })?;
    let mut values = HashMap::new();
    for (number, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let Some((key, value)) = line.split_once('=') else {
            return Err(ConfigError::new(
                CONFIG_FILE_VAR,
                format!("{}:{}: expected KEY=value", path.display(), number + 1),
            ));
        };
        let value = value.trim().trim_matches('"');
        values.insert(key.trim().to_owned(), value.to_owned());
    }
    Ok(values)
}

/// Typed reads of one service's settings. Each read names the variable it used in its error.
#[derive(Debug, Clone)]
pub struct Scoped<'a> {
    source: &'a Source,
    prefix: String,
}

impl Scoped<'_> {
    /// The variable and value for `key`: service-specific first, then suite-wide.
    fn lookup(&self, key: &str) -> (String, Option<&str>) {
        let specific = format!("{}{key}", self.prefix);
        if let Some(value) = self.source.get(&specific) {
            return (specific, Some(value));
        }
        let suite = format!("GENUINE_{key}");
        let value = self.source.get(&suite);
        if value.is_some() {
            (suite, value)
        } else {
            (specific, None)
        }
    }

    /// The name under which a service-specific value for `key` would be read.
    #[must_use]
    pub fn variable(&self, key: &str) -> String {
        format!("{}{key}", self.prefix)
    }

    /// A string, or `None` when unset or empty.
    #[must_use]
    pub fn optional(&self, key: &str) -> Option<String> {
        self.lookup(key)
            .1
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    }

    /// A string with a default.
    #[must_use]
    pub fn string(&self, key: &str, default: &str) -> String {
        self.optional(key).unwrap_or_else(|| default.to_owned())
    }

    /// A secret, or `None` when unset.
    #[must_use]
    pub fn secret(&self, key: &str) -> Option<Secret> {
        self.optional(key).map(Secret::new)
    }

    /// Any `FromStr` value with a default.
    ///
    /// # Errors
    /// When the value does not parse; the error names the variable and the value.
    pub fn parse<T>(&self, key: &str, default: T) -> Result<T, ConfigError>
    where
        T: FromStr,
        T::Err: std::fmt::Display,
    {
        match self.lookup(key) {
            (_, None) | (_, Some("")) => Ok(default),
            (variable, Some(raw)) => raw
                .trim()
                .parse()
                .map_err(|e| ConfigError::new(variable, format!("invalid value {raw:?}: {e}"))),
        }
    }

    /// A duration like `15d`, `3s`, `250ms` or `1h 30m`.
    ///
    /// # Errors
    /// When the value is not a duration.
    pub fn duration(&self, key: &str, default: Duration) -> Result<Duration, ConfigError> {
        match self.lookup(key) {
            (_, None) | (_, Some("")) => Ok(default),
            (variable, Some(raw)) => humantime::parse_duration(raw.trim()).map_err(|e| {
                ConfigError::new(
                    variable,
                    format!("invalid duration {raw:?} ({e}); use e.g. 15d, 3s, 250ms"),
                )
            }),
        }
    }

    /// A duration like [`Scoped::duration`], as a `chrono` span: the form rules that are
    /// compared with timestamps (windows, periods, half-lives) keep.
    ///
    /// # Errors
    /// When the value is not a duration, or too long for a `TimeDelta`.
    pub fn time_delta(
        &self,
        key: &str,
        default: chrono::TimeDelta,
    ) -> Result<chrono::TimeDelta, ConfigError> {
        let fallback = default.to_std().unwrap_or(Duration::ZERO);
        let value = self.duration(key, fallback)?;
        chrono::TimeDelta::from_std(value)
            .map_err(|_| ConfigError::new(self.variable(key), "is too long"))
    }

    /// A boolean: true/false, 1/0, yes/no, on/off.
    ///
    /// # Errors
    /// When the value is none of those.
    pub fn bool(&self, key: &str, default: bool) -> Result<bool, ConfigError> {
        match self.lookup(key) {
            (_, None) | (_, Some("")) => Ok(default),
            (variable, Some(raw)) => match raw.trim().to_ascii_lowercase().as_str() {
                "true" | "1" | "yes" | "on" => Ok(true),
                "false" | "0" | "no" | "off" => Ok(false),
                _ => Err(ConfigError::new(
                    variable,
                    format!("invalid boolean {raw:?}; use true or false"),
                )),
            },
        }
    }

    /// A number that must lie in `range`.
    ///
    /// # Errors
    /// When it does not parse or lies outside the range.
    pub fn ranged<T>(
        &self,
        key: &str,
        default: T,
        range: std::ops::RangeInclusive<T>,
    ) -> Result<T, ConfigError>
    where
        T: FromStr + PartialOrd + std::fmt::Display + Copy,
        T::Err: std::fmt::Display,
    {
        let value = self.parse(key, default)?;
        if range.contains(&value) {
            Ok(value)
        } else {
            Err(ConfigError::new(
                self.lookup(key).0,
                format!("{value} is outside {}..={}", range.start(), range.end()),
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_value_overrides_suite_value_overrides_default() {
        let source = Source::from_map([
            ("GENUINE_LOG_FORMAT", "json"),
            ("GENUINE_LISTING_LOG_FORMAT", "pretty"),
        ]);
        assert_eq!(source.scoped("listing").string("LOG_FORMAT", "x"), "pretty");
        assert_eq!(
            source.scoped("enforcement").string("LOG_FORMAT", "x"),
            "json"
        );
        assert_eq!(source.scoped("enforcement").string("OTHER", "x"), "x");
    }

    #[test]
    fn bad_values_name_the_variable() {
        let source = Source::from_map([
            ("GENUINE_ENFORCEMENT_COUNTER_NOTICE_WINDOW", "fifteen days"),
            ("GENUINE_LISTING_CONCURRENCY_LIMIT", "-3"),
            ("GENUINE_TAKEDOWN_ON_RECEIPT", "maybe"),
            ("GENUINE_LISTING_SHARE", "150"),
        ]);
        let err = source
            .scoped("enforcement")
            .duration("COUNTER_NOTICE_WINDOW", Duration::from_secs(1))
            .expect_err("bad duration");
        assert_eq!(err.variable, "GENUINE_ENFORCEMENT_COUNTER_NOTICE_WINDOW");
        let err = source
            .scoped("listing")
            .parse("CONCURRENCY_LIMIT", 1_usize)
            .expect_err("bad");
        assert_eq!(err.variable, "GENUINE_LISTING_CONCURRENCY_LIMIT");
        let err = source
            .scoped("enforcement")
            .bool("TAKEDOWN_ON_RECEIPT", true)
            .expect_err("bad");
        assert_eq!(err.variable, "GENUINE_TAKEDOWN_ON_RECEIPT");
        let err = source
            .scoped("listing")
            .ranged("SHARE", 30_u32, 0..=100)
            .expect_err("range");
        assert!(
            err.to_string()
                .starts_with("GENUINE_LISTING_SHARE: 150 is outside")
        );
    }

    #[test]
    fn time_deltas_default_parse_and_refuse_what_chrono_cannot_hold() {
        let source = Source::from_map([
            ("GENUINE_X_WINDOW", "15d"),
            ("GENUINE_X_FOREVER", "600000000000d"),
        ]);
        let s = source.scoped("x");
        let day = chrono::TimeDelta::days(1);
        assert_eq!(
            s.time_delta("WINDOW", day).expect("15d"),
            chrono::TimeDelta::days(15)
        );
        assert_eq!(s.time_delta("UNSET", day).expect("default"), day);
        let err = s.time_delta("FOREVER", day).expect_err("too long");
        assert_eq!(err.variable, "GENUINE_X_FOREVER");
    }

    #[test]
    fn durations_and_booleans_parse() {
        let source = Source::from_map([
            ("GENUINE_A", "15d"),
            ("GENUINE_B", "3s"),
            ("GENUINE_C", "off"),
        ]);
        let s = source.scoped("x");
        assert_eq!(
            s.duration("A", Duration::ZERO),
            Ok(Duration::from_secs(15 * 86_400))
        );
        assert_eq!(s.duration("B", Duration::ZERO), Ok(Duration::from_secs(3)));
        assert_eq!(s.bool("C", true), Ok(false));
        assert_eq!(
            s.duration("MISSING", Duration::from_secs(9)),
            Ok(Duration::from_secs(9))
        );
    }

    #[test]
    fn file_values_are_read_and_malformed_lines_named() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("genuine.env");
        std::fs::write(
            &path,
            "# comment\nGENUINE_DATA_DIR=\"/var/lib/genuine\"\n\n",
        )
        .expect("write");
        let values = read_file(&path).expect("read");
        assert_eq!(values["GENUINE_DATA_DIR"], "/var/lib/genuine");
        std::fs::write(&path, "GENUINE_DATA_DIR\n").expect("write");
        let err = read_file(&path).expect_err("malformed");
        assert_eq!(err.variable, CONFIG_FILE_VAR);
        assert!(err.message.ends_with(":1: expected KEY=value"));
    }
}
