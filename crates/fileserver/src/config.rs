//! Configuration: a TOML file, then `LABLINK_FILES_…` environment variables, then flags (the
//! layering of `lablink_protocol::settings`, shared with the grading service).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use lablink_protocol::settings::{self, Setting, parse};
use serde::Deserialize;

/// How a user id becomes the name of a home folder.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum HomeNaming {
    /// The id is the folder name (it must be a single safe name).
    #[default]
    Plain,
    /// noto's escaping: `.` → `-2e`, `_` → `-5f`, `@` → `-40`, and `-` → `-2d` so that no two
    /// ids share a home.
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

/// The clock of `last-modification` in legacy listings.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LegacyTimes {
    /// The server's local time (`TZ`, else `/etc/localtime`), as the original server wrote it.
    #[default]
    Local,
    Utc,
}

impl std::str::FromStr for LegacyTimes {
    type Err = anyhow::Error;
    fn from_str(s: &str) -> anyhow::Result<Self> {
        match s {
            "local" => Ok(Self::Local),
            "utc" => Ok(Self::Utc),
            other => bail!("legacy_times must be `local` or `utc`, not `{other}`"),
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
    /// Largest file `PUT /v2/homes/{home}/file` writes, bytes (small files: manifests, notes).
    pub max_file_bytes: u64,
    /// Most entries in one uploaded zip.
    pub max_entries: u64,
    /// Most bytes one upload may expand to.
    pub max_uncompressed_bytes: u64,
    /// Accepted so older files still load, no longer enforced: real data (a zero-filled array)
    /// compresses past any fixed ratio. Bombs are stopped by counting the bytes that actually
    /// come out against each entry's declared size and `max_uncompressed_bytes`.
    pub max_ratio: u64,
    /// Largest zip the legacy `/zfs` sends (built in a temporary file, sent as base64 inside
    /// JSON); by default the same as `max_upload_bytes`.
    pub max_legacy_zip_bytes: u64,
    /// Largest page of `entries`.
    pub max_page: u32,
    /// Most nodes a legacy recursive listing (`/lof`, `/lod`) returns.
    pub max_tree_nodes: usize,
    /// Most bytes (about) of the payload of a legacy recursive listing: with `max_tree_nodes`,
    /// bounds the memory one listing takes.
    pub max_tree_bytes: u64,
    /// `max_depth` of `/lof` when the client gives none, as the original's (clients may ask
    /// for up to 16).
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
            max_file_bytes: 16 << 20,
            max_entries: 100_000,
            max_uncompressed_bytes: 8 << 30,
            max_ratio: 200,
            max_legacy_zip_bytes: 2 << 30,
            max_page: 10_000,
            // The noto picker loads a teacher's whole home at once: 84,000 entries are seen.
            max_tree_nodes: 250_000,
            max_tree_bytes: 32 << 20,
            lof_max_depth: 10,
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
    pub legacy_times: LegacyTimes,
    pub v2_keys: Vec<V2Key>,
    pub legacy_keys: Vec<LegacyKey>,
    pub limits: Limits,
}

#[derive(Deserialize)]
struct FileWrapper {
    files: FilesConfig,
}

/// A `[files.limits]` setting that takes a whole number.
macro_rules! limit {
    ($env:literal, $field:ident, $help:literal $(, $check:ident)?) => {
        Setting {
            env: $env,
            key: concat!("limits.", stringify!($field)),
            help: $help,
            apply: |c, v| {
                c.limits.$field = parse::whole(v)?;
                $(c.limits.$field = $check(c.limits.$field);)?
                Ok(())
            },
        }
    };
}

fn at_least_one(n: usize) -> usize {
    n.max(1)
}

impl Default for FilesConfig {
    fn default() -> Self {
        Self {
            homes: PathBuf::from("/srv/homes"),
            listen: SocketAddr::from(([127, 0, 0, 1], 8600)),
            home_naming: HomeNaming::Plain,
            legacy_times: LegacyTimes::Local,
            v2_keys: Vec::new(),
            legacy_keys: Vec::new(),
            limits: Limits::default(),
        }
    }
}

/// The environment variables of `lablink files` (and what its flags stand for). To add a
/// setting: add its field (with its default), then one line here; `--help` and the tests that
/// every field has its variable follow from this table.
pub const SETTINGS: &[Setting<FilesConfig>] = &[
    Setting {
        env: "HOMES",
        key: "homes",
        help: "folder holding one folder per user home",
        apply: |c, v| {
            c.homes = PathBuf::from(v);
            Ok(())
        },
    },
    Setting {
        env: "LISTEN",
        key: "listen",
        help: "listen address (default 127.0.0.1:8600)",
        apply: |c, v| {
            c.listen = parse::address(v)?;
            Ok(())
        },
    },
    Setting {
        env: "HOME_NAMING",
        key: "home_naming",
        help: "plain | noto (noto: - -> -2d, . -> -2e, _ -> -5f, @ -> -40)",
        apply: |c, v| {
            c.home_naming = v.parse().map_err(|e: anyhow::Error| e.to_string())?;
            Ok(())
        },
    },
    Setting {
        env: "LEGACY_TIMES",
        key: "legacy_times",
        help: "local | utc (legacy last-modification; default local)",
        apply: |c, v| {
            c.legacy_times = v.parse().map_err(|e: anyhow::Error| e.to_string())?;
            Ok(())
        },
    },
    Setting {
        env: "V2_KEYS",
        key: "v2_keys",
        help: "kid=secret[,kid=secret...] (HS256 keys for v2 tokens)",
        apply: |c, v| {
            c.v2_keys = parse::pairs(v)?
                .into_iter()
                .map(|(kid, secret)| V2Key { kid, secret: Some(secret), secret_file: None, issuer: None })
                .collect();
            Ok(())
        },
    },
    Setting {
        env: "LEGACY_KEYS",
        key: "legacy_keys",
        help: "user=secret[,user=secret...] (noto-legacy HMAC keys)",
        apply: |c, v| {
            c.legacy_keys = parse::pairs(v)?
                .into_iter()
                .map(|(user, secret)| LegacyKey { user, secret: Some(secret), secret_file: None })
                .collect();
            Ok(())
        },
    },
    limit!("MAX_UPLOAD_BYTES", max_upload_bytes, "largest accepted upload (zip), bytes"),
    limit!("MAX_FILE_BYTES", max_file_bytes, "largest file one v2 PUT file writes, bytes"),
    limit!("MAX_ENTRIES", max_entries, "most entries in one uploaded zip (and one archive)"),
    limit!("MAX_UNCOMPRESSED_BYTES", max_uncompressed_bytes, "most bytes one upload may expand to"),
    limit!("MAX_RATIO", max_ratio, "ignored (kept so older files load)"),
    limit!("MAX_LEGACY_ZIP_BYTES", max_legacy_zip_bytes, "largest zip the legacy /zfs answers"),
    limit!("MAX_PAGE", max_page, "largest page of `entries`"),
    limit!("MAX_TREE_NODES", max_tree_nodes, "most nodes a legacy /lof or /lod returns"),
    limit!("MAX_TREE_BYTES", max_tree_bytes, "most bytes of a legacy /lof or /lod reply"),
    limit!("LOF_MAX_DEPTH", lof_max_depth, "max_depth of /lof when the client gives none"),
    limit!("LEGACY_TTL_SECS", legacy_ttl_secs, "seconds a legacy signature stays valid"),
    limit!("CLOCK_SKEW_SECS", clock_skew_secs, "seconds a client clock may run ahead"),
    limit!("REPLAY_CACHE_SIZE", replay_cache_size, "most live token ids remembered against replay"),
    limit!("COMPRESS_THREADS", compress_threads, "threads compressing at once (at least 1)", at_least_one),
    limit!(
        "MAX_CONCURRENT_ARCHIVES",
        max_concurrent_archives,
        "archives written at once, more wait (at least 1)",
        at_least_one
    ),
];

/// Variables are named `LABLINK_FILES_` and the setting's name.
pub const ENV_PREFIX: &str = "LABLINK_FILES_";

/// What `lablink files --help` says after the flags: the layering, every variable, an example.
pub fn env_help() -> String {
    format!(
        "Configuration is read from the TOML file given by --config (section [files] or top level),
then overridden by these environment variables, then by the flags above:
{}Example file:
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
Secrets are never logged.",
        settings::env_help(ENV_PREFIX, SETTINGS)
    )
}

impl FilesConfig {
    /// Reads the optional TOML file, then applies environment overrides from `env`.
    pub fn load(
        file: Option<&Path>,
        env: impl IntoIterator<Item = (String, String)>,
    ) -> anyhow::Result<Self> {
        Self::load_with_flags(file, env, &[])
    }

    /// The file, then `env`, then `flags` (each a variable's full name and its value).
    pub fn load_with_flags(
        file: Option<&Path>,
        env: impl IntoIterator<Item = (String, String)>,
        flags: &[(String, String)],
    ) -> anyhow::Result<Self> {
        let mut config = match file {
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .with_context(|| format!("reading config file {}", path.display()))?;
                Self::from_toml(&text).with_context(|| format!("parsing config file {}", path.display()))?
            }
            None => Self::default(),
        };
        settings::apply_overrides(&mut config, ENV_PREFIX, SETTINGS, env, flags)
            .map_err(|e| anyhow::anyhow!("{e} (see `lablink files --help`)"))?;
        config.load_secret_files()?;
        Ok(config)
    }

    /// Parses TOML with the settings either under `[files]` or at the top level. With a
    /// `[files]` table the rest of the file is not ours (a file may hold `[grading]` too).
    pub fn from_toml(text: &str) -> anyhow::Result<Self> {
        let table: toml::Table = toml::from_str(text)?;
        if table.contains_key("files") {
            let FileWrapper { files } =
                toml::from_str(text).map_err(|e| anyhow::anyhow!("in [files]: {e}"))?;
            return Ok(files);
        }
        Ok(toml::from_str(text)?)
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
            ("LABLINK_FILES_MAX_TREE_NODES".to_owned(), "9".to_owned()),
            ("LABLINK_FILES_MAX_TREE_BYTES".to_owned(), "1000".to_owned()),
            ("LABLINK_FILES_MAX_FILE_BYTES".to_owned(), "4096".to_owned()),
            ("UNRELATED".to_owned(), "x".to_owned()),
        ];
        let c = FilesConfig::load(Some(&file), env).unwrap();
        assert_eq!(c.homes, PathBuf::from("/h"));
        assert_eq!(c.home_naming, HomeNaming::Noto);
        assert_eq!(c.listen.port(), 9999);
        assert_eq!(c.limits.max_entries, 7);
        assert_eq!(c.limits.max_ratio, 50);
        assert_eq!((c.limits.max_tree_nodes, c.limits.max_tree_bytes), (9, 1000));
        assert_eq!(c.limits.max_file_bytes, 4096);
        // Defaults the noto plugins need: depth 10 as the original's, zips as large as uploads.
        let d = Limits::default();
        assert_eq!(d.lof_max_depth, 10);
        assert_eq!(d.max_file_bytes, 16 << 20);
        assert_eq!(d.max_legacy_zip_bytes, d.max_upload_bytes);
        assert!(d.max_tree_nodes >= 84_000);
        assert_eq!(c.v2_keys[0].kid, "a");
    }

    #[test]
    fn flags_win_over_env_over_file() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("c.toml");
        std::fs::write(&file, "[files]\nlisten = \"127.0.0.1:1000\"\nhomes = \"/file\"\n").unwrap();
        let pair = |k: &str, v: &str| (k.to_owned(), v.to_owned());
        let env = [pair("LABLINK_FILES_LISTEN", "127.0.0.1:2000"), pair("LABLINK_FILES_HOMES", "/env")];
        let flags = [pair("LABLINK_FILES_LISTEN", "127.0.0.1:3000")];
        let c = FilesConfig::load_with_flags(Some(&file), env.clone(), &flags).unwrap();
        assert_eq!((c.listen.port(), c.homes.as_path()), (3000, Path::new("/env")));
        let c = FilesConfig::load(Some(&file), env).unwrap();
        assert_eq!(c.listen.port(), 2000);
        let c = FilesConfig::load(Some(&file), []).unwrap();
        assert_eq!((c.listen.port(), c.homes.as_path()), (1000, Path::new("/file")));
    }

    #[test]
    fn a_typo_in_the_files_table_is_named_as_itself() {
        let err = FilesConfig::from_toml("[files]\nlisen = \"127.0.0.1:1\"\n").unwrap_err();
        let err = format!("{err:#}");
        assert!(err.contains("unknown field `lisen`") && err.contains("[files]"), "{err}");
        assert!(!err.contains("unknown field `files`"), "{err}");
        let err = format!("{:#}", FilesConfig::from_toml("[files.limits]\nmax_entriez = 1\n").unwrap_err());
        assert!(err.contains("unknown field `max_entriez`"), "{err}");
        // Other services' tables may share the file.
        let c = FilesConfig::from_toml("[files]\nhomes = \"/h\"\n[grading]\nkey_file = \"k\"\n").unwrap();
        assert_eq!(c.homes, PathBuf::from("/h"));
    }

    /// The field names serde knows for a struct (what `deserialize_struct` is told).
    fn fields_of<'de, T: Deserialize<'de>>() -> &'static [&'static str] {
        struct Capture(&'static [&'static str]);
        impl<'de> serde::Deserializer<'de> for &mut Capture {
            type Error = serde::de::value::Error;
            fn deserialize_any<V: serde::de::Visitor<'de>>(self, _: V) -> Result<V::Value, Self::Error> {
                Err(serde::de::Error::custom("not a struct"))
            }
            fn deserialize_struct<V: serde::de::Visitor<'de>>(
                self,
                _: &'static str,
                fields: &'static [&'static str],
                _: V,
            ) -> Result<V::Value, Self::Error> {
                self.0 = fields;
                Err(serde::de::Error::custom("captured"))
            }
            serde::forward_to_deserialize_any! {
                bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
                option unit unit_struct newtype_struct seq tuple tuple_struct map enum identifier
                ignored_any
            }
        }
        let mut capture = Capture(&[]);
        let _ = T::deserialize(&mut capture);
        capture.0
    }

    #[test]
    fn every_setting_has_its_variable() {
        let mut keys: Vec<String> = fields_of::<FilesConfig>()
            .iter()
            .filter(|f| **f != "limits")
            .map(|f| f.to_string())
            .chain(fields_of::<Limits>().iter().map(|f| format!("limits.{f}")))
            .collect();
        assert!(keys.len() > 10, "{keys:?}");
        let mut in_table: Vec<String> = SETTINGS.iter().map(|s| s.key.to_owned()).collect();
        keys.sort();
        in_table.sort();
        assert_eq!(keys, in_table, "every field of the file has one LABLINK_FILES_ variable");
        let help = env_help();
        for s in SETTINGS {
            assert!(help.contains(&format!("{ENV_PREFIX}{} ", s.env)), "help lacks {}", s.env);
        }
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
