//! The embedded default's signing secret: generated on first start, kept in the data dir with
//! owner-only permissions, never printed.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;
use genuine_runtime::config::{Secret, Source};

/// Name of the secret's file in the data dir.
const FILE_NAME: &str = "auth.secret";

/// The secret from `GENUINE_AUTH_SECRET`, else from the data dir's file, creating it when
/// `create` is set. Returns where it came from, for the start-up banner.
pub fn load_or_create(source: &Source, create: bool) -> anyhow::Result<(Secret, String)> {
    if let Some(secret) = source.suite().secret("AUTH_SECRET") {
        return Ok((secret, "GENUINE_AUTH_SECRET".to_owned()));
    }
    let path = path_in(source);
    if path.exists() {
        let value = std::fs::read_to_string(&path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        return Ok((Secret::new(value.trim()), path.display().to_string()));
    }
    anyhow::ensure!(
        create,
        "no signing secret: set GENUINE_AUTH_SECRET or run `genuine up` once to create {}",
        path.display()
    );
    let secret = generate();
    write_private(&path, secret.expose())?;
    Ok((secret, format!("{} (new)", path.display())))
}

fn path_in(source: &Source) -> PathBuf {
    Path::new(&source.suite().string("DATA_DIR", "./data")).join(FILE_NAME)
}

/// 32 random bytes, hex-encoded.
fn generate() -> Secret {
    let bytes: [u8; 32] = rand::random();
    Secret::new(bytes.iter().map(|b| format!("{b:02x}")).collect::<String>())
}

fn write_private(path: &Path, value: &str) -> anyhow::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options
        .open(path)
        .with_context(|| format!("cannot create {}", path.display()))?;
    file.write_all(value.as_bytes())?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn created_once_then_read_back() {
        let dir = tempfile::tempdir().expect("dir");
        let source = Source::from_map([("GENUINE_DATA_DIR", dir.path().display().to_string())]);
        assert!(load_or_create(&source, false).is_err());
        let (first, origin) = load_or_create(&source, true).expect("created");
        assert!(origin.ends_with("(new)"));
        let (again, _) = load_or_create(&source, false).expect("read");
        assert_eq!(first, again);
        assert_eq!(first.expose().len(), 64);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join(FILE_NAME))
                .expect("file")
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn the_environment_wins() {
        let source = Source::from_map([("GENUINE_AUTH_SECRET", "from-env")]);
        let (secret, origin) = load_or_create(&source, false).expect("env");
        assert_eq!(secret.expose(), "from-env");
        assert_eq!(origin, "GENUINE_AUTH_SECRET");
    }
}
