//! The JupyterLab extension (`lab-extension/`) and its wheel,
//! `target/dist/lablink_labextension-<version>-py3-none-any.whl`:
//! - the grades panel's Wasm and web glue (`wasm::build_grades_panel`) copied into
//!   `lab-extension/wasm/` (git-ignored);
//! - `npm run build` there: tsc, then `jupyter builder build` (JupyterLab's extension builder,
//!   which `jupyter labextension build` hands to), with the venv's `bin` first on PATH;
//! - `pip wheel` of the package without build isolation (hatchling and the build hook are in the
//!   venv; the hook sees the labextension built and skips).
//!
//! A digest of the inputs beside the wheel makes a run with nothing changed skip the npm and
//! wheel builds. `check_wheel` reads the wheel back; `listed` asks `jupyter labextension list`
//! about an installed copy (the demo's stack installs it).

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::fs::File;
use std::hash::{Hash as _, Hasher as _};
use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, bail, ensure};

use crate::util::{run, step};
use crate::wasm;

/// The extension's folder in the repository.
pub const EXTENSION_DIR: &str = "lab-extension";
/// Its npm name, which is also its folder under `share/jupyter/labextensions/`.
pub const NPM_NAME: &str = "@lablink/labextension";
/// The Python package (and the wheel's name stem).
const PACKAGE: &str = "lablink_labextension";
/// The panel's files the extension imports, from `wasm::build_grades_panel`'s folder.
const PANEL_FILES: [&str; 2] = ["lablink_grades_panel.js", "lablink_grades_panel_bg.wasm"];
/// Beside the wheel: the digest of the inputs it was built from.
const STAMP: &str = ".lab-extension-inputs";
/// What under the extension's folder is built output or tooling, not input to the build.
const NOT_INPUTS: [&str; 7] =
    ["node_modules", "lib", "dist", "build", "tsconfig.tsbuildinfo", "labextension", "__pycache__"];

/// Builds the panel, the labextension and the wheel (each skipped when nothing changed) into
/// `target/dist/`, checks the wheel and returns its path.
pub fn build_wheel(root: &Path, venv: &Path) -> anyhow::Result<PathBuf> {
    let panel = wasm::build_grades_panel(root)?;
    let ext = root.join(EXTENSION_DIR);
    copy_panel(&panel, &ext.join("wasm"))?;
    let version = version(&ext)?;
    let dist = root.join("target/dist");
    let wheel = dist.join(format!("{PACKAGE}-{version}-py3-none-any.whl"));
    let mut inputs = vec![root.join("package-lock.json"), root.join("tests/grading/requirements.txt")];
    inputs.extend(input_files(&ext)?);
    let digest = digest(root, &inputs)?;
    let stamp = dist.join(STAMP);
    if wheel.is_file() && std::fs::read_to_string(&stamp).ok().as_deref() == Some(&digest) {
        eprintln!("{}: up to date", wheel.display());
        return Ok(wheel);
    }
    wasm::ensure_npm(root)?;
    step("the JupyterLab extension (tsc, jupyter builder build)");
    run(Command::new("npm")
        .current_dir(root)
        .args(["run", "build", "--workspace", EXTENSION_DIR])
        .env("PATH", venv_path(venv)?)
        .env("VIRTUAL_ENV", venv))?;
    step("the JupyterLab extension's wheel (hatchling)");
    std::fs::create_dir_all(&dist)?;
    let _ = std::fs::remove_file(&stamp);
    for old in std::fs::read_dir(&dist)? {
        let old = old?.path();
        let name = old.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        if name.starts_with(&format!("{PACKAGE}-")) && name.ends_with(".whl") {
            std::fs::remove_file(&old)?;
        }
    }
    run(Command::new(venv.join("bin/python"))
        .args(["-m", "pip", "wheel", "--quiet", "--disable-pip-version-check", "--no-cache-dir"])
        .args(["--no-deps", "--no-build-isolation", "--wheel-dir"])
        .arg(&dist)
        .arg(&ext))?;
    ensure!(wheel.is_file(), "pip wheel did not write {}", wheel.display());
    check_wheel(&wheel, &ext.join("wasm/lablink_grades_panel_bg.wasm"))?;
    std::fs::write(&stamp, digest)?;
    eprintln!("{}: {} KB", wheel.display(), std::fs::metadata(&wheel)?.len() / 1000);
    Ok(wheel)
}

/// Checks an installed extension the way an admin would: `jupyter labextension list` (with
/// `jupyter_path`, where the wheel put its `labextensions/`, searched too) must show it enabled
/// and OK. Returns its line.
pub fn listed(venv: &Path, jupyter_path: &Path) -> anyhow::Result<String> {
    let list = Command::new(venv.join("bin/jupyter"))
        .args(["labextension", "list"])
        .env("PATH", venv_path(venv)?)
        .env("JUPYTER_PATH", jupyter_path)
        .output()
        .context("running jupyter labextension list")?;
    // It writes the list to stderr; both streams are read.
    let text = format!("{}{}", String::from_utf8_lossy(&list.stdout), String::from_utf8_lossy(&list.stderr));
    ensure!(list.status.success(), "jupyter labextension list failed:\n{text}");
    listed_ok(&text)
}

/// The venv's `bin` first on PATH: `jupyter` finds its `builder` and `labextension` commands there.
fn venv_path(venv: &Path) -> anyhow::Result<OsString> {
    let rest = std::env::var_os("PATH").unwrap_or_default();
    let paths = std::iter::once(venv.join("bin")).chain(std::env::split_paths(&rest));
    Ok(std::env::join_paths(paths)?)
}

/// Puts the panel's glue and Wasm into the extension's `wasm/` folder, rewriting a file only
/// when its bytes differ (the typings there are the extension's own and stay).
fn copy_panel(panel: &Path, into: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(into)?;
    for name in PANEL_FILES {
        let from = panel.join(name);
        let bytes =
            std::fs::read(&from).with_context(|| format!("the panel build has no {}", from.display()))?;
        let to = into.join(name);
        if std::fs::read(&to).ok().as_deref() != Some(&bytes[..]) {
            std::fs::write(&to, bytes).with_context(|| format!("writing {}", to.display()))?;
        }
    }
    Ok(())
}

/// The extension's version, which `package.json` (the labextension) and the Python package's
/// `__version__` (the wheel) must both say.
fn version(ext: &Path) -> anyhow::Result<String> {
    let package: serde_json::Value = serde_json::from_slice(&std::fs::read(ext.join("package.json"))?)
        .context("reading lab-extension/package.json")?;
    let init = std::fs::read_to_string(ext.join(PACKAGE).join("__init__.py"))?;
    same_version(package["version"].as_str(), &init)
}

fn same_version(npm: Option<&str>, init: &str) -> anyhow::Result<String> {
    let npm = npm.context("lab-extension/package.json has no version")?;
    let python = init
        .lines()
        .find_map(|l| l.strip_prefix("__version__ = "))
        .map(|v| v.trim().trim_matches('"'))
        .context("lablink_labextension/__init__.py has no __version__ = \"…\" line")?;
    ensure!(
        npm == python,
        "lab-extension/package.json says version {npm}, lablink_labextension/__init__.py says {python}: \
         make them the same (the lab shows the first, pip the second)"
    );
    Ok(npm.to_owned())
}

/// The files under the extension's folder that go into the build, sorted.
fn input_files(ext: &Path) -> anyhow::Result<Vec<PathBuf>> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> anyhow::Result<()> {
        for entry in std::fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))? {
            let entry = entry?;
            let name = entry.file_name();
            if NOT_INPUTS.iter().any(|n| name == *n) || name.to_string_lossy().ends_with(".egg-info") {
                continue;
            }
            let path = entry.path();
            if entry.file_type()?.is_dir() {
                walk(&path, out)?;
            } else {
                out.push(path);
            }
        }
        Ok(())
    }
    let mut files = Vec::new();
    walk(ext, &mut files)?;
    files.sort();
    Ok(files)
}

/// A digest of the files' paths (relative to `root`) and contents: equal digests, same inputs.
/// SipHash is enough here; a false "changed" only costs a rebuild.
fn digest(root: &Path, files: &[PathBuf]) -> anyhow::Result<String> {
    let mut lines = String::new();
    for file in files {
        let bytes = std::fs::read(file).with_context(|| format!("reading {}", file.display()))?;
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        bytes.hash(&mut hasher);
        let name = file.strip_prefix(root).unwrap_or(file).display();
        lines.push_str(&format!("{name} {} {:016x}\n", bytes.len(), hasher.finish()));
    }
    Ok(lines)
}

/// Reads the wheel back: the Python package, and under the wheel's data the labextension as
/// JupyterLab loads it — its `package.json` naming it and its entry point, that
/// `remoteEntry.*.js`, the panel's Wasm byte for byte (`panel_wasm`) as a webpack asset, the
/// settings schema with `serviceUrl`, and `install.json` naming the pip package.
pub fn check_wheel(wheel: &Path, panel_wasm: &Path) -> anyhow::Result<()> {
    let mut zip =
        zip::ZipArchive::new(File::open(wheel).with_context(|| format!("opening {}", wheel.display()))?)
            .with_context(|| format!("reading {}", wheel.display()))?;
    let mut files = BTreeMap::new();
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i)?;
        if entry.is_dir() {
            continue;
        }
        let name = entry.name()?.into_owned();
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes)?;
        files.insert(name, bytes);
    }
    let panel_wasm =
        std::fs::read(panel_wasm).with_context(|| format!("reading {}", panel_wasm.display()))?;
    check_files(&files, &panel_wasm)
        .with_context(|| format!("{} is not a working lab extension", wheel.display()))
}

fn check_files(files: &BTreeMap<String, Vec<u8>>, panel_wasm: &[u8]) -> anyhow::Result<()> {
    ensure!(files.contains_key(&format!("{PACKAGE}/__init__.py")), "no {PACKAGE}/__init__.py");
    let share = format!("share/jupyter/labextensions/{NPM_NAME}/");
    let ext: BTreeMap<&str, &[u8]> = files
        .iter()
        .filter_map(|(name, bytes)| {
            let (data, inside) = name.split_once(".data/data/")?;
            (data.starts_with(PACKAGE) && !data.contains('/'))
                .then(|| inside.strip_prefix(&share))
                .flatten()
                .map(|inside| (inside, &bytes[..]))
        })
        .collect();
    ensure!(!ext.is_empty(), "nothing under {share} in the wheel's data");
    let json = |name: &str| -> anyhow::Result<serde_json::Value> {
        let bytes = ext.get(name).with_context(|| format!("no {share}{name}"))?;
        serde_json::from_slice(bytes).with_context(|| format!("{share}{name} is not JSON"))
    };
    let package = json("package.json")?;
    ensure!(package["name"] == NPM_NAME, "its package.json names {} instead of {NPM_NAME}", package["name"]);
    let load = package["jupyterlab"]["_build"]["load"].as_str().context(
        "its package.json has no jupyterlab._build.load: not built by JupyterLab's extension builder",
    )?;
    ensure!(
        load.starts_with("static/remoteEntry.") && load.ends_with(".js"),
        "its package.json loads {load}, not a static/remoteEntry.*.js"
    );
    ensure!(ext.contains_key(load), "its package.json loads {load}, which is not in the wheel");
    let wasm: Vec<&&str> = ext.keys().filter(|n| n.starts_with("static/") && n.ends_with(".wasm")).collect();
    ensure!(wasm.len() == 1, "{} .wasm assets under static/ instead of the panel's one", wasm.len());
    ensure!(ext[*wasm[0]] == panel_wasm, "static/{} is not the grades panel's Wasm as built", wasm[0]);
    let schema = json(&format!("schemas/{NPM_NAME}/plugin.json"))?;
    ensure!(
        schema["properties"]["serviceUrl"]["type"] == "string",
        "its settings schema has no serviceUrl string"
    );
    let install = json("install.json")?;
    ensure!(
        install["packageName"] == "lablink-labextension",
        "its install.json names {} instead of lablink-labextension",
        install["packageName"]
    );
    Ok(())
}

/// Finds the extension's line in `jupyter labextension list`'s output (colours removed) and
/// requires it enabled and OK; returns that line.
fn listed_ok(output: &str) -> anyhow::Result<String> {
    let plain = strip_ansi(output);
    let Some(line) = plain.lines().find(|l| l.split_whitespace().next() == Some(NPM_NAME)) else {
        bail!("jupyter labextension list does not list {NPM_NAME}:\n{plain}");
    };
    let words: Vec<&str> = line.split_whitespace().collect();
    ensure!(
        words.contains(&"enabled") && words.contains(&"OK"),
        "{NPM_NAME} is not enabled and OK in jupyter labextension list: {}\n{plain}",
        line.trim()
    );
    Ok(line.trim().to_owned())
}

/// `text` without its ANSI colour sequences (ESC `[` … letter).
fn strip_ansi(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const WASM: &[u8] = b"\0asm\x01\0\0\0panel";

    /// The files of a wheel as `build_wheel` makes it.
    fn good() -> BTreeMap<String, Vec<u8>> {
        let data = format!("{PACKAGE}-0.1.0.data/data/share/jupyter/labextensions/{NPM_NAME}/");
        let package = serde_json::json!({
            "name": NPM_NAME,
            "jupyterlab": { "_build": { "load": "static/remoteEntry.abc123.js", "extension": "./extension" } }
        });
        let schema =
            serde_json::json!({ "properties": { "serviceUrl": { "type": "string", "default": "" } } });
        BTreeMap::from([
            (format!("{PACKAGE}/__init__.py"), b"__version__ = \"0.1.0\"\n".to_vec()),
            (format!("{data}package.json"), package.to_string().into_bytes()),
            (format!("{data}static/remoteEntry.abc123.js"), b"var _JUPYTERLAB;".to_vec()),
            (format!("{data}static/ad85f635.wasm"), WASM.to_vec()),
            (format!("{data}schemas/{NPM_NAME}/plugin.json"), schema.to_string().into_bytes()),
            (format!("{data}install.json"), br#"{"packageName": "lablink-labextension"}"#.to_vec()),
            (format!("{PACKAGE}-0.1.0.dist-info/RECORD"), Vec::new()),
        ])
    }

    fn data(name: &str) -> String {
        format!("{PACKAGE}-0.1.0.data/data/share/jupyter/labextensions/{NPM_NAME}/{name}")
    }

    #[test]
    fn a_built_wheel_passes() {
        check_files(&good(), WASM).unwrap();
    }

    #[test]
    fn a_wheel_missing_a_piece_is_refused_naming_it() {
        for (missing, why) in [
            (format!("{PACKAGE}/__init__.py"), "no lablink_labextension/__init__.py".to_owned()),
            (data("package.json"), format!("no share/jupyter/labextensions/{NPM_NAME}/package.json")),
            (data("static/remoteEntry.abc123.js"), "which is not in the wheel".to_owned()),
            (data("static/ad85f635.wasm"), "0 .wasm assets".to_owned()),
            (data(&format!("schemas/{NPM_NAME}/plugin.json")), "plugin.json".to_owned()),
            (data("install.json"), "install.json".to_owned()),
        ] {
            let mut files = good();
            files.remove(&missing).unwrap();
            let err = format!("{:#}", check_files(&files, WASM).unwrap_err());
            assert!(err.contains(&why), "without {missing}: {err}");
        }
    }

    #[test]
    fn a_wheel_with_other_contents_is_refused() {
        let mut files = good();
        files.insert(data("static/ad85f635.wasm"), b"\0asm\x01\0\0\0older".to_vec());
        let err = check_files(&files, WASM).unwrap_err().to_string();
        assert!(err.contains("not the grades panel's Wasm"), "{err}");

        let mut files = good();
        files.insert(data("package.json"), serde_json::json!({ "name": NPM_NAME }).to_string().into_bytes());
        let err = check_files(&files, WASM).unwrap_err().to_string();
        assert!(err.contains("no jupyterlab._build.load"), "{err}");

        let mut files = good();
        files.insert(data("install.json"), br#"{"packageName": "other"}"#.to_vec());
        let err = check_files(&files, WASM).unwrap_err().to_string();
        assert!(err.contains("instead of lablink-labextension"), "{err}");

        // The labextension under another package's data folder is not ours.
        let files: BTreeMap<String, Vec<u8>> = good()
            .into_iter()
            .map(|(k, v)| (k.replace(&format!("{PACKAGE}-0.1.0.data"), "other-1.data"), v))
            .collect();
        let err = check_files(&files, WASM).unwrap_err().to_string();
        assert!(err.contains("nothing under"), "{err}");
    }

    #[test]
    fn a_real_wheel_file_is_read_back() {
        use std::io::Write as _;
        let dir = tempfile::tempdir().unwrap();
        let wheel = dir.path().join("w.whl");
        let mut zip = zip::ZipWriter::new(File::create(&wheel).unwrap());
        for (name, bytes) in good() {
            zip.start_file(name, zip::write::SimpleFileOptions::default()).unwrap();
            zip.write_all(&bytes).unwrap();
        }
        zip.finish().unwrap();
        let wasm = dir.path().join("panel_bg.wasm");
        std::fs::write(&wasm, WASM).unwrap();
        check_wheel(&wheel, &wasm).unwrap();
        std::fs::write(&wasm, b"\0asm\x01\0\0\0newer").unwrap();
        assert!(check_wheel(&wheel, &wasm).is_err());
    }

    const LISTED: &str = "JupyterLab v4.6.6\n/venv/share/jupyter/labextensions\n        \
        jupyterlab_pygments v0.3.0 \x1b[32menabled\x1b[0m \x1b[32mOK\x1b[0m (python, jupyterlab_pygments)\n        \
        @lablink/labextension v0.1.0 \x1b[32menabled\x1b[0m \x1b[32mOK\x1b[0m (python, lablink-labextension)\n";

    #[test]
    fn an_enabled_ok_extension_is_found_in_the_list() {
        let line = listed_ok(LISTED).unwrap();
        assert_eq!(line, "@lablink/labextension v0.1.0 enabled OK (python, lablink-labextension)");
    }

    #[test]
    fn a_missing_disabled_or_broken_extension_is_refused() {
        let missing = LISTED.replace("@lablink/labextension", "@other/extension");
        let disabled = LISTED.replace(
            "\x1b[32menabled\x1b[0m \x1b[32mOK\x1b[0m (python, lablink",
            "\x1b[31mdisabled\x1b[0m \x1b[32mOK\x1b[0m (python, lablink",
        );
        let broken =
            LISTED.replace("\x1b[32mOK\x1b[0m (python, lablink", "\x1b[31m X\x1b[0m (python, lablink");
        for (text, why) in
            [(missing, "does not list"), (disabled, "not enabled and OK"), (broken, "not enabled and OK")]
        {
            let err = listed_ok(&text).unwrap_err().to_string();
            assert!(err.contains(why), "{err}");
        }
    }

    #[test]
    fn the_two_versions_must_agree() {
        assert_eq!(same_version(Some("0.1.0"), "x = 1\n__version__ = \"0.1.0\"\n").unwrap(), "0.1.0");
        let err = same_version(Some("0.2.0"), "__version__ = \"0.1.0\"\n").unwrap_err().to_string();
        assert!(err.contains("says version 0.2.0") && err.contains("says 0.1.0"), "{err}");
        assert!(
            same_version(None, "__version__ = \"0.1.0\"\n").unwrap_err().to_string().contains("no version")
        );
        assert!(same_version(Some("0.1.0"), "").unwrap_err().to_string().contains("no __version__"));
    }

    #[test]
    fn the_inputs_leave_out_build_output_and_their_digest_follows_contents() {
        let dir = tempfile::tempdir().unwrap();
        let ext = dir.path().join(EXTENSION_DIR);
        for file in [
            "package.json",
            "src/index.ts",
            "wasm/lablink_grades_panel.js",
            "lib/index.js",
            "node_modules/x/y.js",
            "lablink_labextension/labextension/package.json",
            "lablink_labextension/__init__.py",
        ] {
            let path = ext.join(file);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, file).unwrap();
        }
        let files = input_files(&ext).unwrap();
        let names: Vec<String> =
            files.iter().map(|f| f.strip_prefix(&ext).unwrap().display().to_string()).collect();
        assert_eq!(
            names,
            [
                "lablink_labextension/__init__.py",
                "package.json",
                "src/index.ts",
                "wasm/lablink_grades_panel.js"
            ]
        );
        let before = digest(dir.path(), &files).unwrap();
        assert_eq!(digest(dir.path(), &files).unwrap(), before);
        std::fs::write(ext.join("src/index.ts"), "changed").unwrap();
        assert_ne!(digest(dir.path(), &files).unwrap(), before);
    }
}
