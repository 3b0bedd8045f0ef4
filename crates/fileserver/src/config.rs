//! Configuration: a TOML file, then `LABLINK_FILES_…` environment overrides.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use serde::Deserialize;

/// How a user id becomes the name of a home folder.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum HomeNaming {
    /// The id is the folder name (it must be a single safe name).
    #[default]
    Plain,
    /// noto's escaping: `.` → `-2e`, `_` → `-5f`, `@` → `-40`.
    Noto,
}

impl std::str::FromStr for HomeNaming {
    type Err = anyhow::Error;
    fn from_str(s: &str) -> anyhow::Result<Self> {
        match s {
            "plain" => Ok(Self::Plain),
            "noto" => Ok(Self::Noto),
            other => bail!("home_naming must be `plain` or `noto`, not `{other}`"),
        }
    }
}

/// A v2 signing key (HS256), chosen by the token's `kid`.
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct V2Key {
    pub kid: String,
    #[serde(default)]
    pub secret: Option<String>,
    /// Read the secret from this file instead (trailing newline ignored).
    #[serde(default)]
    pub secret_file: Option<PathBuf>,
    /// When set, tokens signed with this key must carry this `iss`.
    #[serde(default)]
    pub issuer: Option<String>,
}

/// A noto-legacy API key: the `user` query parameter and its HMAC secret.
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LegacyKey {
    pub user: String,
    #[serde(default)]
    pub secret: Option<String>,
    #[serde(default)]
    pub secret_file: Option<PathBuf>,
}

impl std::fmt::Debug for V2Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("V2Key").field("kid", &self.kid).field("issuer", &self.issuer).finish()
    }
}

impl std::fmt::Debug for LegacyKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LegacyKey").field("user", &self.user).finish()
    }
}

/// Limits that keep one request from exhausting the server.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Limits {
    /// Largest accepted upload (compressed zip), bytes.
    pub max_upload_bytes: u64,
    /// Most entries in one uploaded zip.
    pub max_entries: u64,
    /// Most bytes one upload may expand to.
    pub max_uncompressed_bytes: u64,
    /// Accepted so older files still load, no longer enforced: real data (a zero-filled array)
    /// compresses past any fixed ratio. Bombs are stopped by counting the bytes that actually
    /// come out against each entry's declared size and `max_uncompressed_bytes`.
    pub max_ratio: u64,
    /// Largest zip the legacy `/zfs` builds in memory (it answers base64 inside JSON).
    pub max_legacy_zip_bytes: u64,
    /// Largest page of `entries`.
    pub max_page: u32,
    /// Most nodes a legacy recursive listing (`/lof`, `/lod`) returns.
    pub max_tree_nodes: usize,
    /// `max_depth` of `/lof` when the client gives none (clients may ask for up to 16).
    pub lof_max_depth: u32,
    /// Seconds a legacy signature stays valid.
    pub legacy_ttl_secs: i64,
    /// Seconds a client clock may run ahead.
    pub clock_skew_secs: i64,
    /// Most live token ids remembered against replay.
    pub replay_cache_size: usize,
    /// Threads compressing at once across the whole server.
    pub compress_threads: usize,
    /// Archives written at once; further requests wait their turn. With few cores more at once
    /// would not be faster, only hold more memory.
    pub max_concurrent_archives: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_upload_bytes: 2 << 30,
            max_entries: 100_000,
            max_uncompressed_bytes: 8 << 30,
            max_ratio: 200,
            max_legacy_zip_bytes: 100 << 20,
            max_page: 10_000,
            max_tree_nodes: 50_000,
            lof_max_depth: 5,
            legacy_ttl_secs: 30,
            clock_skew_secs: 5,
            replay_cache_size: 100_000,
            compress_threads: std::thread::available_parallelism().map_or(2, |n| n.get()),
            max_concurrent_archives: 2 * std::thread::available_parallelism().map_or(2, |n| n.get()),
        }
    }
}

/// Everything `lablink files` needs.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FilesConfig {
    /// Folder holding one folder per user home.
    pub homes: PathBuf,
    /// Address to listen on (loopback unless told otherwise).
    pub listen: SocketAddr,
    pub home_naming: HomeNaming,
    pub v2_keys: Vec<V2Key>,
    pub legacy_keys: Vec<LegacyKey>,
    pub limits: Limits,
}

impl Default for FilesConfig {
    fn default() -> Self {
        Self {
            homes: PathBuf::from("/srv/homes"),
            listen: SocketAddr::from(([127, 0, 0, 1], 8600)),
            home_naming: HomeNaming::Plain,
            v2_keys: Vec::new(),
            legacy_keys: Vec::new(),
            limits: Limits::default(),
        }
    }
}

/// The documented environment overrides (also shown by `lablink files --help`).
pub const ENV_HELP: &str = "\
Configuration is read from the TOML file given by --config (section [files] or top level),
then overridden by these environment variables:
  LABLINK_FILES_HOMES            folder holding one folder per user home
  LABLINK_FILES_LISTEN           listen address (default 127.0.0.1:8600)
  LABLINK_FILES_HOME_NAMING      plain | noto (noto: . -> -2e, _ -> -5f, @ -> -40)
  LABLINK_FILES_V2_KEYS          kid=secret[,kid=secret...]   (HS256 keys for v2 tokens)
  LABLINK_FILES_LEGACY_KEYS      user=secret[,user=secret...] (noto-legacy HMAC keys)
  LABLINK_FILES_MAX_UPLOAD_BYTES, LABLINK_FILES_MAX_ENTRIES,
  LABLINK_FILES_MAX_UNCOMPRESSED_BYTES, LABLINK_FILES_MAX_RATIO (ignored),
  LABLINK_FILES_MAX_LEGACY_ZIP_BYTES, LABLINK_FILES_LEGACY_TTL_SECS,
  LABLINK_FILES_CLOCK_SKEW_SECS, LABLINK_FILES_COMPRESS_THREADS,
  LABLINK_FILES_MAX_CONCURRENT_ARCHIVES
Example file:
  [files]
  homes = \"/srv/homes\"
  listen = \"127.0.0.1:8600\"
  home_naming = \"plain\"
  [[files.v2_keys]]
  kid = \"moodle-2026\"
  secret_file = \"/etc/lablink/moodle-2026.key\"
  issuer = \"https://moodle.example.org\"
  [[files.legacy_keys]]
  user = \"moodle\"
  secret_file = \"/etc/lablink/legacy.key\"
  [files.limits]
  max_upload_bytes = 2147483648
Secrets are never logged.";

#[derive(Deserialize)]
struct FileWrapper {
    files: Option<FilesConfig>,
}

impl FilesConfig {
    /// Reads the optional TOML file, then applies environment overrides from `env`.
    pub fn load(
        file: Option<&Path>,
        env: impl IntoIterator<Item = (String, String)>,
    ) -> anyhow::Result<Self> {
        let mut config = match file {
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .with_context(|| format!("reading config file {}", path.display()))?;
                Self::from_toml(&text).with_context(|| format!("parsing config file {}", path.display()))?
            }
            None => Self::default(),
        };
        for (name, value) in env {
            config.apply_env(&name, &value)?;
        }
        config.load_secret_files()?;
        Ok(config)
    }

    /// Parses TOML with the settings either under `[files]` or at the top level.
    pub fn from_toml(text: &str) -> anyhow::Result<Self> {
        if let Ok(FileWrapper { files: Some(files) }) = toml::from_str::<FileWrapper>(text) {
            return Ok(files);
        }
        Ok(toml::from_str(text)?)
    }

    fn apply_env(&mut self, name: &str, value: &str) -> anyhow::Result<()> {
        let Some(key) = name.strip_prefix("LABLINK_FILES_") else { return Ok(()) };
        let num = |v: &str| -> anyhow::Result<u64> {
            v.trim().parse::<u64>().with_context(|| format!("{name} must be a whole number"))
        };
        let l = &mut self.limits;
        match key {
            "HOMES" => self.homes = PathBuf::from(value),
            "LISTEN" => self.listen = value.parse().with_context(|| format!("{name}: bad address"))?,
            "HOME_NAMING" => self.home_naming = value.parse()?,
            "V2_KEYS" => {
                self.v2_keys = parse_pairs(name, value)?
                    .into_iter()
                    .map(|(kid, secret)| V2Key { kid, secret: Some(secret), secret_file: None, issuer: None })
                    .collect()
            }
            "LEGACY_KEYS" => {
                self.legacy_keys = parse_pairs(name, value)?
                    .into_iter()
                    .map(|(user, secret)| LegacyKey { user, secret: Some(secret), secret_file: None })
                    .collect()
            }
            "MAX_UPLOAD_BYTES" => l.max_upload_bytes = num(value)?,
            "MAX_ENTRIES" => l.max_entries = num(value)?,
            "MAX_UNCOMPRESSED_BYTES" => l.max_uncompressed_bytes = num(value)?,
            "MAX_RATIO" => l.max_ratio = num(value)?,
            "MAX_LEGACY_ZIP_BYTES" => l.max_legacy_zip_bytes = num(value)?,
            "LEGACY_TTL_SECS" => l.legacy_ttl_secs = num(value)? as i64,
            "CLOCK_SKEW_SECS" => l.clock_skew_secs = num(value)? as i64,
            "COMPRESS_THREADS" => l.compress_threads = num(value)?.max(1) as usize,
            "MAX_CONCURRENT_ARCHIVES" => l.max_concurrent_archives = num(value)?.max(1) as usize,
            _ => bail!("unknown setting {name} (see `lablink files --help`)"),
        }
        Ok(())
    }

    fn load_secret_files(&mut self) -> anyhow::Result<()> {
        fn read(file: &Path) -> anyhow::Result<String> {
            let text = std::fs::read_to_string(file)
                .with_context(|| format!("reading secret file {}", file.display()))?;
            Ok(text.trim_end_matches(['\n', '\r']).to_owned())
        }
        for key in &mut self.v2_keys {
            if let Some(file) = &key.secret_file {
                key.secret = Some(read(file)?);
            }
            match &key.secret {
                Some(s) if s.len() >= 16 => {}
                _ => bail!("v2 key `{}` needs a secret of at least 16 bytes", key.kid),
            }
        }
        for key in &mut self.legacy_keys {
            if let Some(file) = &key.secret_file {
                key.secret = Some(read(file)?);
            }
            if key.secret.as_deref().is_none_or(str::is_empty) {
                bail!("legacy key `{}` needs a secret", key.user);
            }
        }
        Ok(())
    }
}

fn parse_pairs(name: &str, value: &str) -> anyhow::Result<Vec<(String, String)>> {
    value
        .split(',')
        .filter(|p| !p.trim().is_empty())
        .map(|pair| match pair.split_once('=') {
            Some((id, secret)) if !id.trim().is_empty() => Ok((id.trim().to_owned(), secret.to_owned())),
            _ => bail!("{name} must look like id=secret[,id=secret]"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_then_env() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("c.toml");
        std::fs::write(
            &file,
            "[files]\nhomes = \"/h\"\nhome_naming = \"noto\"\n[[files.v2_keys]]\nkid = \"a\"\nsecret = \"0123456789abcdef\"\n[files.limits]\nmax_entries = 7\n",
        )
        .unwrap();
        let env = [
            ("LABLINK_FILES_LISTEN".to_owned(), "127.0.0.1:9999".to_owned()),
            ("LABLINK_FILES_MAX_RATIO".to_owned(), "50".to_owned()),
            ("UNRELATED".to_owned(), "x".to_owned()),
        ];
        let c = FilesConfig::load(Some(&file), env).unwrap();
        assert_eq!(c.homes, PathBuf::from("/h"));
        assert_eq!(c.home_naming, HomeNaming::Noto);
        assert_eq!(c.listen.port(), 9999);
        assert_eq!(c.limits.max_entries, 7);
        assert_eq!(c.limits.max_ratio, 50);
        assert_eq!(c.v2_keys[0].kid, "a");
    }

    #[test]
    fn refuses_short_secret_and_unknown_env() {
        let env = [("LABLINK_FILES_V2_KEYS".to_owned(), "k=short".to_owned())];
        assert!(FilesConfig::load(None, env).is_err());
        let env = [("LABLINK_FILES_NOPE".to_owned(), "1".to_owned())];
        assert!(FilesConfig::load(None, env).is_err());
    }

    #[test]
    fn debug_hides_secrets() {
        let k = V2Key {
            kid: "k".into(),
            secret: Some("supersecretvalue!!".into()),
            secret_file: None,
            issuer: None,
        };
        assert!(!format!("{k:?}").contains("supersecret"));
    }
}
