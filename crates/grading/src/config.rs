//! Configuration of `lablink grading`: a TOML file (`[grading]` table or top level).
//!
//! ```toml
//! [grading]
//! listen = "127.0.0.1:8610"
//! key_file = "/var/lib/lablink/grading-key.pem"   # made on first run
//!
//! # Optional: JupyterHub sets all of this in the environment of a service it starts.
//! [grading.hub]
//! cookie_secret_file = "/var/lib/lablink/cookie-secret"   # hex, shared by replicas
//!
//! [[grading.platforms]]
//! name = "moodle"
//! issuer = "https://moodle.example.org"
//! client_id = "AbC123"
//! deployment_id = "1"
//! token_url = "https://moodle.example.org/mod/lti/token.php"
//! keyset_url = "https://moodle.example.org/mod/lti/certs.php"
//!
//! [[grading.courses]]
//! id = "intro-python"
//! gradebook = "/srv/nbgrader/intro-python/gradebook.db"
//! instructor_group = "formgrade-intro-python"
//! platform = "moodle"
//! lineitems_url = "https://moodle.example.org/mod/lti/services.php/12/lineitems?type_id=3"
//! memberships_url = "https://moodle.example.org/mod/lti/services.php/CourseSection/12/bindings/3/memberships"
//! ```

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use lablink_protocol::settings::{self, Setting, parse};
use serde::Deserialize;

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GradingConfig {
    #[serde(default = "default_listen")]
    pub listen: SocketAddr,
    /// URL prefix the service is reached under (JupyterHub: `/services/<name>/`). Defaults to
    /// `JUPYTERHUB_SERVICE_PREFIX` when the hub starts the service, else `/`.
    #[serde(default)]
    pub prefix: Option<String>,
    /// The RSA key signing LTI 1.3 client assertions; made when missing.
    pub key_file: PathBuf,
    /// The sync journal (SQLite); defaults to `grading-journal.sqlite` beside the key file.
    #[serde(default)]
    pub journal: Option<PathBuf>,
    /// Scores sent at once during a sync.
    #[serde(default = "default_concurrency")]
    pub max_concurrency: usize,
    #[serde(default)]
    pub platforms: Vec<Platform>,
    #[serde(default)]
    pub courses: Vec<Course>,
    /// The JupyterHub that says who calls (see [`crate::auth`]).
    #[serde(default)]
    pub hub: Option<HubConfig>,
}

/// An LTI 1.3 platform (an LMS) this tool is registered with.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Platform {
    pub name: String,
    pub issuer: String,
    pub client_id: String,
    pub deployment_id: String,
    pub token_url: String,
    pub keyset_url: String,
    /// `aud` of the client assertion, when the platform wants other than its token URL.
    #[serde(default)]
    pub audience: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Course {
    /// The nbgrader course id.
    pub id: String,
    pub gradebook: PathBuf,
    /// JupyterHub group whose members may read and sync this course's grades.
    pub instructor_group: String,
    /// LTI 1.3: the platform's `name`.
    #[serde(default)]
    pub platform: Option<String>,
    /// LTI 1.3 AGS line items URL of the course context (else read from a stored launch).
    #[serde(default)]
    pub lineitems_url: Option<String>,
    /// LTI 1.3 NRPS memberships URL of the course context.
    #[serde(default)]
    pub memberships_url: Option<String>,
    /// The LMS course (LTI context id) whose launches may stand in for the two URLs above: an
    /// instructor's last launch of this course, stored by jupyterhub-ltiauthenticator.
    #[serde(default)]
    pub lms_context_id: Option<String>,
    /// How LMS roster members are matched to nbgrader students that have no `lms_user_id`
    /// (LTI 1.3); nbgrader's `lms_user_id` always wins.
    #[serde(default)]
    pub match_by: RosterMatch,
    /// Create the assignment's line item when the LMS has none (LTI 1.3).
    #[serde(default = "yes")]
    pub create_line_items: bool,
    /// LTI 1.1 Basic Outcomes, for an LMS without LTI 1.3.
    #[serde(default)]
    pub lti11: Option<Lti11>,
}

/// The rule matching an LMS member to an nbgrader student without an `lms_user_id`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RosterMatch {
    /// Only nbgrader's `lms_user_id` (students without one are `no_lms_id`).
    #[default]
    LmsUserId,
    /// The member's email equals the student's in nbgrader (case-insensitive).
    Email,
    /// The member's `lis_person_sourcedid` (Moodle: the ID number) is the nbgrader student id.
    Sourcedid,
    /// The `sub` of the student's own last LTI 1.3 launch at the hub (hub user = nbgrader id).
    Launch,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lti11 {
    /// The LMS's Basic Outcomes service (`lis_outcome_service_url`).
    pub outcome_service_url: String,
    /// Each student's `lis_result_sourcedid`, built from `{assignment}`, `{student}` (nbgrader
    /// id) and `{lms_user_id}`.
    pub sourcedid: String,
    pub consumer_key: String,
    /// The shared secret, or a file holding it.
    #[serde(default)]
    pub secret: Option<String>,
    #[serde(default)]
    pub secret_file: Option<PathBuf>,
}

fn default_listen() -> SocketAddr {
    "127.0.0.1:8610".parse().expect("a valid address")
}

fn yes() -> bool {
    true
}

fn default_concurrency() -> usize {
    8
}

#[derive(Deserialize)]
struct Wrapped {
    grading: GradingConfig,
}

/// The environment variables of `lablink grading` (and what its flags stand for): the
/// single-valued settings; platforms, courses and the hub table are set in the file. To add
/// one: its field, then one line here (`--help` lists this table).
pub const SETTINGS: &[Setting<GradingConfig>] = &[
    Setting {
        env: "LISTEN",
        key: "listen",
        help: "listen address (default 127.0.0.1:8610)",
        apply: |c, v| {
            c.listen = parse::address(v)?;
            Ok(())
        },
    },
    Setting {
        env: "PREFIX",
        key: "prefix",
        help: "URL prefix (default: JUPYTERHUB_SERVICE_PREFIX, else /)",
        apply: |c, v| {
            c.prefix = Some(v.to_owned());
            Ok(())
        },
    },
    Setting {
        env: "KEY_FILE",
        key: "key_file",
        help: "the RSA key of LTI 1.3 client assertions (made when missing)",
        apply: |c, v| {
            c.key_file = PathBuf::from(v);
            Ok(())
        },
    },
    Setting {
        env: "JOURNAL",
        key: "journal",
        help: "the sync journal (SQLite)",
        apply: |c, v| {
            c.journal = Some(PathBuf::from(v));
            Ok(())
        },
    },
    Setting {
        env: "MAX_CONCURRENCY",
        key: "max_concurrency",
        help: "scores sent at once during a sync (1 to 256)",
        apply: |c, v| {
            c.max_concurrency = parse::whole(v)?;
            Ok(())
        },
    },
    Setting {
        env: "COOKIE_SECRET",
        key: "hub.cookie_secret_file",
        help: "the hub cookie secret itself, hex (read when the hub auth starts)",
        // Read by `auth` from the environment itself; listed so it is known and documented.
        apply: |_, _| Ok(()),
    },
];

/// Variables are named `LABLINK_GRADING_` and the setting's name.
pub const ENV_PREFIX: &str = "LABLINK_GRADING_";

/// What `lablink grading --help` says after the flags.
pub fn env_help() -> String {
    format!(
        "Configuration is read from the TOML file given by --config (section [grading] or top level),
then overridden by these environment variables, then by the flags above:
{}",
        settings::env_help(ENV_PREFIX, SETTINGS)
    )
}

impl GradingConfig {
    /// The file, then `env`, then `flags` (each a variable's full name and its value), checked.
    pub fn load(
        path: &Path,
        env: impl IntoIterator<Item = (String, String)>,
        flags: &[(String, String)],
    ) -> anyhow::Result<Self> {
        let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        let mut config = Self::parse(&text).with_context(|| format!("in {}", path.display()))?;
        settings::apply_overrides(&mut config, ENV_PREFIX, SETTINGS, env, flags)
            .map_err(|e| anyhow::anyhow!("{e} (see `lablink grading --help`)"))?;
        config.check()?;
        Ok(config)
    }

    pub fn from_toml(text: &str) -> anyhow::Result<Self> {
        let config = Self::parse(text)?;
        config.check()?;
        Ok(config)
    }

    fn parse(text: &str) -> anyhow::Result<Self> {
        let value: toml::Table = toml::from_str(text)?;
        if value.contains_key("grading") {
            let wrapped: Wrapped = toml::from_str(text).map_err(|e| anyhow::anyhow!("in [grading]: {e}"))?;
            return Ok(wrapped.grading);
        }
        Ok(toml::from_str(text)?)
    }

    fn check(&self) -> anyhow::Result<()> {
        if !(1..=256).contains(&self.max_concurrency) {
            bail!("max_concurrency must be between 1 and 256");
        }
        for (i, p) in self.platforms.iter().enumerate() {
            if self.platforms[..i].iter().any(|q| q.name == p.name) {
                bail!("two platforms are named {:?}", p.name);
            }
            for (field, url) in [("token_url", &p.token_url), ("keyset_url", &p.keyset_url)] {
                if !(url.starts_with("https://") || url.starts_with("http://")) {
                    bail!("platform {:?}: {field} must be an http(s) URL", p.name);
                }
            }
        }
        for (i, c) in self.courses.iter().enumerate() {
            if self.courses[..i].iter().any(|d| d.id == c.id) {
                bail!("two courses have the id {:?}", c.id);
            }
            match (&c.platform, &c.lti11) {
                (Some(name), None) => {
                    if !self.platforms.iter().any(|p| &p.name == name) {
                        bail!("course {:?}: no platform named {name:?}", c.id);
                    }
                    let urls = c.lineitems_url.is_some() && c.memberships_url.is_some();
                    if !urls && c.lms_context_id.is_none() {
                        // Without the context id, a launch from another course could be taken.
                        bail!(
                            "course {:?}: set lineitems_url and memberships_url, or lms_context_id to read them from an instructor's LTI launch",
                            c.id
                        );
                    }
                }
                (None, Some(lti11)) => {
                    if lti11.secret.is_some() == lti11.secret_file.is_some() {
                        bail!("course {:?}: give lti11.secret or lti11.secret_file (one of them)", c.id);
                    }
                }
                (Some(_), Some(_)) => {
                    bail!("course {:?}: choose LTI 1.3 (platform) or LTI 1.1 (lti11), not both", c.id)
                }
                (None, None) => bail!("course {:?}: no LMS: set platform (LTI 1.3) or lti11", c.id),
            }
            if c.instructor_group.is_empty() {
                bail!("course {:?}: instructor_group is required", c.id);
            }
        }
        Ok(())
    }

    pub fn journal_path(&self) -> PathBuf {
        self.journal.clone().unwrap_or_else(|| {
            self.key_file.parent().unwrap_or(Path::new(".")).join("grading-journal.sqlite")
        })
    }

    /// The URL prefix, normalised to start and end with `/`.
    pub fn prefix(&self, env_prefix: Option<&str>) -> String {
        let raw = self.prefix.as_deref().or(env_prefix).unwrap_or("/");
        let trimmed = raw.trim_matches('/');
        if trimmed.is_empty() { "/".into() } else { format!("/{trimmed}/") }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FULL: &str = r#"
[grading]
key_file = "/tmp/k.pem"
[[grading.platforms]]
name = "moodle"
issuer = "https://moodle.example.org"
client_id = "AbC"
deployment_id = "1"
token_url = "https://moodle.example.org/mod/lti/token.php"
keyset_url = "https://moodle.example.org/mod/lti/certs.php"
[[grading.courses]]
id = "intro"
gradebook = "/srv/intro/gradebook.db"
instructor_group = "formgrade-intro"
platform = "moodle"
lms_context_id = "12"
[[grading.courses]]
id = "old"
gradebook = "/srv/old/gradebook.db"
instructor_group = "formgrade-old"
lti11 = { outcome_service_url = "https://old.example.org/outcomes", sourcedid = "{assignment}:{lms_user_id}", consumer_key = "k", secret = "s" }
"#;

    #[test]
    fn reads_a_full_config_with_defaults() {
        let c = GradingConfig::from_toml(FULL).unwrap();
        assert_eq!(c.listen, default_listen());
        assert_eq!(c.max_concurrency, 8);
        assert_eq!(c.courses.len(), 2);
        assert_eq!(c.prefix(None), "/");
        assert_eq!(c.prefix(Some("/services/lablink-grading")), "/services/lablink-grading/");
        let top_level = FULL.replace("[grading]\n", "").replace("grading.", "");
        assert_eq!(GradingConfig::from_toml(&top_level).unwrap(), c);
    }

    #[test]
    fn flags_then_env_then_file() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("grading.toml");
        std::fs::write(&file, FULL.replace("[grading]\n", "[grading]\nmax_concurrency = 3\n")).unwrap();
        let env = |pairs: &[(&str, &str)]| -> Vec<(String, String)> {
            pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
        };
        let vars = env(&[
            ("LABLINK_GRADING_LISTEN", "127.0.0.1:9001"),
            ("LABLINK_GRADING_MAX_CONCURRENCY", "4"),
            ("LABLINK_GRADING_COOKIE_SECRET", "abcd"),
        ]);
        let flags = env(&[("LABLINK_GRADING_MAX_CONCURRENCY", "5")]);
        let c = GradingConfig::load(&file, vars.clone(), &flags).unwrap();
        assert_eq!((c.listen.port(), c.max_concurrency), (9001, 5));
        assert_eq!(GradingConfig::load(&file, Vec::new(), &[]).unwrap().max_concurrency, 3);
        // A flag goes through the same checks as the file.
        let zero = env(&[("LABLINK_GRADING_MAX_CONCURRENCY", "0")]);
        let err = format!("{:#}", GradingConfig::load(&file, vars, &zero).unwrap_err());
        assert!(err.contains("max_concurrency must be between 1 and 256"), "{err}");
        let typo = env(&[("LABLINK_GRADING_LISTN", "127.0.0.1:9001")]);
        let err = format!("{:#}", GradingConfig::load(&file, typo, &[]).unwrap_err());
        assert!(err.contains("unknown setting LABLINK_GRADING_LISTN"), "{err}");
    }

    #[test]
    fn a_typo_in_the_grading_table_is_named_there() {
        let err =
            format!("{:#}", GradingConfig::from_toml(&FULL.replace("key_file", "keyfile")).unwrap_err());
        assert!(err.contains("in [grading]") && err.contains("unknown field `keyfile`"), "{err}");
    }

    #[test]
    fn reads_the_optional_hub_table() {
        assert_eq!(GradingConfig::from_toml(FULL).unwrap().hub, None);
        let with_hub =
            format!("{FULL}\n[grading.hub]\ncache_seconds = 5\npublic_hub_url = \"https://h/hub/\"\n");
        let hub = GradingConfig::from_toml(&with_hub).unwrap().hub.unwrap();
        assert_eq!((hub.cache_seconds, hub.public_hub_url.as_deref()), (Some(5), Some("https://h/hub/")));
        let typo = format!("{FULL}\n[grading.hub]\napi_urll = \"http://h\"\n");
        assert!(format!("{:#}", GradingConfig::from_toml(&typo).unwrap_err()).contains("unknown field"));
    }

    #[test]
    fn refuses_inconsistent_configs_with_the_reason() {
        let cases = [
            (FULL.replace("platform = \"moodle\"", "platform = \"canvas\""), "no platform named \"canvas\""),
            (FULL.lines().filter(|l| !l.starts_with("lti11")).collect::<Vec<_>>().join("\n"), "no LMS"),
            (FULL.replace("secret = \"s\"", "secret = \"s\", secret_file = \"/f\""), "one of them"),
            (
                FULL.replace("token_url = \"https://", "token_url = \"ftp://"),
                "token_url must be an http(s) URL",
            ),
            (FULL.replace("id = \"old\"", "id = \"intro\""), "two courses have the id"),
            (FULL.replace("key_file", "keyfile"), "unknown field"),
        ];
        for (text, needle) in &cases {
            let err = format!("{:#}", GradingConfig::from_toml(text).unwrap_err());
            assert!(err.contains(needle), "{needle}: {err}");
        }
        let zero =
            FULL.replace("key_file = \"/tmp/k.pem\"", "key_file = \"/tmp/k.pem\"\nmax_concurrency = 0");
        assert!(format!("{:#}", GradingConfig::from_toml(&zero).unwrap_err()).contains("max_concurrency"));
    }
}

/// `[grading.hub]`: how to reach JupyterHub. Every field is optional; the hub sets the
/// `JUPYTERHUB_*` variables named below when it starts the service, which is the usual way.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HubConfig {
    /// The hub's REST API, e.g. `http://127.0.0.1:8081/hub/api` (`JUPYTERHUB_API_URL`).
    pub api_url: Option<String>,
    /// The service's own API token (`JUPYTERHUB_API_TOKEN`).
    pub api_token: Option<String>,
    /// The service's name at the hub (`JUPYTERHUB_SERVICE_NAME`); tokens must grant access to it.
    pub service_name: Option<String>,
    /// OAuth client id (`JUPYTERHUB_CLIENT_ID`); else `service-<service_name>`.
    pub client_id: Option<String>,
    /// OAuth redirect URI registered at the hub (`JUPYTERHUB_OAUTH_CALLBACK_URL`); else
    /// `<prefix>oauth_callback`. Its path must be that route.
    pub oauth_callback_url: Option<String>,
    /// The hub as browsers reach it, e.g. `https://hub.example.org/hub/`
    /// (`JUPYTERHUB_PUBLIC_HUB_URL`; else `JUPYTERHUB_HOST` + `JUPYTERHUB_BASE_URL` + `hub/`).
    pub public_hub_url: Option<String>,
    /// File holding the hex key (≥ 32 bytes) signing our cookies; else the hex in
    /// `LABLINK_GRADING_COOKIE_SECRET`. Replicas must share one. Without either, each process
    /// draws a random key, so sessions end when it restarts.
    pub cookie_secret_file: Option<PathBuf>,
    /// Mark cookies `Secure`. Default: when the public hub URL is https or the request came
    /// through a proxy saying `X-Forwarded-Proto: https`.
    pub secure_cookies: Option<bool>,
    /// Seconds a hub answer is trusted (default 30, at most 300; 0 asks the hub every time).
    pub cache_seconds: Option<u64>,
    /// Seconds a browser session lasts (default 8 hours).
    pub session_seconds: Option<u64>,
}

/// The hub's settings once the `JUPYTERHUB_*` environment filled in what `[grading.hub]` leaves out.
#[derive(Debug, Clone, PartialEq)]
pub struct HubEnv {
    pub api_url: String,
    pub api_token: String,
    pub client_id: String,
    pub callback_url: String,
    pub access_scopes: Vec<String>,
    /// Ends with `/`.
    pub public_hub_url: String,
    /// The hex in `LABLINK_GRADING_COOKIE_SECRET`, used when no `cookie_secret_file` is set.
    pub cookie_secret: Option<String>,
}

impl HubConfig {
    /// This table with the hub's environment (`env` looks a variable up) as fallback; `None` when
    /// no hub API URL is known. `prefix` is the service's, normalised (`/services/<name>/`).
    pub fn with_env(
        &self,
        prefix: &str,
        env: impl Fn(&str) -> Option<String>,
    ) -> anyhow::Result<Option<HubEnv>> {
        let pick =
            |field: &Option<String>, var: &str| non_empty(field.clone()).or_else(|| non_empty(env(var)));
        let Some(api_url) = pick(&self.api_url, "JUPYTERHUB_API_URL") else {
            return Ok(None);
        };
        if !(api_url.starts_with("http://") || api_url.starts_with("https://")) {
            bail!("hub api_url must be an http(s) URL");
        }
        let api_token = pick(&self.api_token, "JUPYTERHUB_API_TOKEN").context(
            "the hub's API URL is known but not the service's API token (api_token or JUPYTERHUB_API_TOKEN)",
        )?;
        let service_name = pick(&self.service_name, "JUPYTERHUB_SERVICE_NAME");
        let client_id = pick(&self.client_id, "JUPYTERHUB_CLIENT_ID")
            .or_else(|| service_name.as_ref().map(|n| format!("service-{n}")))
            .context("no OAuth client id: set client_id, JUPYTERHUB_CLIENT_ID or the service name")?;
        let service_name = service_name.or_else(|| client_id.strip_prefix("service-").map(str::to_owned));
        let access_scopes = match non_empty(env("JUPYTERHUB_OAUTH_ACCESS_SCOPES")) {
            Some(json) => {
                serde_json::from_str(&json).context("JUPYTERHUB_OAUTH_ACCESS_SCOPES is not a JSON list")?
            }
            None => service_name
                .iter()
                .flat_map(|n| ["access:services".to_owned(), format!("access:services!service={n}")])
                .collect(),
        };
        let callback_url = pick(&self.oauth_callback_url, "JUPYTERHUB_OAUTH_CALLBACK_URL")
            .unwrap_or_else(|| format!("{prefix}oauth_callback"));
        let public_hub_url =
            with_slash(pick(&self.public_hub_url, "JUPYTERHUB_PUBLIC_HUB_URL").unwrap_or_else(|| {
                let host = non_empty(env("JUPYTERHUB_HOST")).unwrap_or_default();
                let base = with_slash(non_empty(env("JUPYTERHUB_BASE_URL")).unwrap_or_else(|| "/".into()));
                format!("{}{base}hub/", host.trim_end_matches('/'))
            }));
        let cookie_secret = non_empty(env("LABLINK_GRADING_COOKIE_SECRET"));
        Ok(Some(HubEnv {
            api_url,
            api_token,
            client_id,
            callback_url,
            access_scopes,
            public_hub_url,
            cookie_secret,
        }))
    }
}

fn non_empty(value: Option<String>) -> Option<String> {
    value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

fn with_slash(url: String) -> String {
    if url.ends_with('/') { url } else { format!("{url}/") }
}
