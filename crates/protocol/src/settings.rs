//! How the services' settings are layered, the same for each: the TOML file, then its
//! environment variables (`LABLINK_FILES_…`, `LABLINK_GRADING_…`), then command-line flags.
//!
//! A service lists its variables once, in a table of [`Setting`]s; that table applies them and
//! writes the help text (`lablink files --help`), so the two cannot drift apart. A flag is given
//! as the variable it stands for, so it goes through the same parsing.

/// One setting the environment (and maybe a flag) can set.
pub struct Setting<C> {
    /// The variable's name without the service's prefix, e.g. `LISTEN`.
    pub env: &'static str,
    /// Where it sits in the file, e.g. `listen` or `limits.max_entries`.
    pub key: &'static str,
    /// One line for the help text.
    pub help: &'static str,
    /// Parses the value into the configuration; the error says what the value should be.
    pub apply: fn(&mut C, &str) -> Result<(), String>,
}

/// Applies every variable of `env` that starts with `prefix`, then `flags` (pairs of a
/// variable's full name and a value: a flag wins over the environment). A variable with the
/// prefix that is not in `settings` is an error, so a typo does not go unnoticed.
pub fn apply_overrides<C>(
    config: &mut C,
    prefix: &str,
    settings: &[Setting<C>],
    env: impl IntoIterator<Item = (String, String)>,
    flags: &[(String, String)],
) -> Result<(), String> {
    let flags = flags.iter().map(|(n, v)| (n.clone(), v.clone()));
    for (name, value) in env.into_iter().chain(flags) {
        let Some(short) = name.strip_prefix(prefix) else { continue };
        let Some(setting) = settings.iter().find(|s| s.env == short) else {
            return Err(format!("unknown setting {name}"));
        };
        (setting.apply)(config, &value).map_err(|why| format!("{name}: {why}"))?;
    }
    Ok(())
}

/// The variables as help lines: name, then what it sets and where it sits in the file.
pub fn env_help<C>(prefix: &str, settings: &[Setting<C>]) -> String {
    let width = settings.iter().map(|s| s.env.len()).max().unwrap_or(0) + prefix.len();
    let mut out = String::new();
    for s in settings {
        let name = format!("{prefix}{}", s.env);
        out.push_str(&format!("  {name:<width$}  {} (file: {})\n", s.help, s.key));
    }
    out
}

/// Parsers for the common kinds of value.
pub mod parse {
    pub fn whole<T: std::str::FromStr>(value: &str) -> Result<T, String> {
        value.trim().parse().map_err(|_| format!("must be a whole number, not {value:?}"))
    }

    pub fn address<T: std::str::FromStr>(value: &str) -> Result<T, String> {
        value.trim().parse().map_err(|_| format!("must be an address like 127.0.0.1:8600, not {value:?}"))
    }

    pub fn boolean(value: &str) -> Result<bool, String> {
        match value.trim() {
            "1" | "true" | "yes" => Ok(true),
            "0" | "false" | "no" => Ok(false),
            other => Err(format!("must be true or false, not {other:?}")),
        }
    }

    /// `id=secret[,id=secret…]`.
    pub fn pairs(value: &str) -> Result<Vec<(String, String)>, String> {
        value
            .split(',')
            .filter(|p| !p.trim().is_empty())
            .map(|pair| match pair.split_once('=') {
                Some((id, secret)) if !id.trim().is_empty() => Ok((id.trim().to_owned(), secret.to_owned())),
                _ => Err("must look like id=secret[,id=secret]".to_owned()),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Default)]
    struct Demo {
        port: u16,
        name: String,
    }

    const SETTINGS: [Setting<Demo>; 2] = [
        Setting {
            env: "PORT",
            key: "port",
            help: "the port",
            apply: |c, v| {
                c.port = parse::whole(v)?;
                Ok(())
            },
        },
        Setting {
            env: "NAME",
            key: "name",
            help: "the name",
            apply: |c, v| {
                c.name = v.to_owned();
                Ok(())
            },
        },
    ];

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(n, v)| (n.to_string(), v.to_string())).collect()
    }

    #[test]
    fn flags_win_over_the_environment() {
        let mut c = Demo::default();
        let e = env(&[("X_PORT", "1"), ("X_NAME", "env"), ("OTHER", "ignored")]);
        apply_overrides(&mut c, "X_", &SETTINGS, e, &env(&[("X_NAME", "flag")])).unwrap();
        assert_eq!((c.port, c.name.as_str()), (1, "flag"));
    }

    #[test]
    fn unknown_and_bad_values_are_named() {
        let mut c = Demo::default();
        let err = apply_overrides(&mut c, "X_", &SETTINGS, env(&[("X_PROT", "1")]), &[]).unwrap_err();
        assert_eq!(err, "unknown setting X_PROT");
        let err = apply_overrides(&mut c, "X_", &SETTINGS, env(&[("X_PORT", "eighty")]), &[]).unwrap_err();
        assert!(err.starts_with("X_PORT: must be a whole number"), "{err}");
    }

    #[test]
    fn help_lists_every_variable() {
        let help = env_help("X_", &SETTINGS);
        assert_eq!(help, "  X_PORT  the port (file: port)\n  X_NAME  the name (file: name)\n");
    }
}
