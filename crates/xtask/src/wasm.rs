//! The Wasm pipeline: cargo (size profile) → the wasm-bindgen CLI, once per glue (`--target web`
//! for pages that load ES modules, `--target no-modules` for Moodle's AMD loader) → `wasm-opt -Oz`
//! from npm's binaryen, kept only when it makes the gzip smaller. The tools are installed here
//! when missing, at the versions the lockfiles pin.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, bail};

use crate::util::{cargo, run, step, target_dir};

/// The folder picker's package.
pub const PICKER: &str = "lablink-picker";

/// The JupyterLab grades panel's package.
pub const GRADES_PANEL: &str = "lablink-grades-panel";

/// The JS glue wasm-bindgen writes around the same Wasm.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Glue {
    /// An ES module: `import init, { mount } from "./lablink_picker.js"`.
    Web,
    /// A classic script defining one global, named after the package (`lablink_picker`):
    /// `await lablink_picker({ module_or_path })`, then `lablink_picker.mount(…)`. For hosts whose
    /// loader rewrites `import` (Moodle's AMD build).
    NoModules,
}

impl Glue {
    /// Where `cargo xtask` puts the picker's build with this glue.
    pub fn picker_dir(self, root: &Path) -> PathBuf {
        root.join(match self {
            Glue::Web => "target/dist/picker",
            Glue::NoModules => "target/dist/moodle-picker",
        })
    }
}

/// What one widget build produced, with gzip sizes (level 9, as a web server would send it).
pub struct Built {
    pub js_gzip: usize,
    pub wasm_gzip: usize,
    /// Whether the wasm-opt output was kept.
    pub optimised: bool,
}

/// The version of `package` recorded in Cargo.lock.
fn locked_version(root: &Path, package: &str) -> anyhow::Result<String> {
    let lock = std::fs::read_to_string(root.join("Cargo.lock"))?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line == format!("name = \"{package}\"")
            && let Some(version) = lines.next().and_then(|l| l.strip_prefix("version = \""))
        {
            return Ok(version.trim_end_matches('"').to_owned());
        }
    }
    bail!("{package} is not in Cargo.lock")
}

fn cargo_bin(name: &str) -> PathBuf {
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
        .unwrap_or_else(|| PathBuf::from(".cargo"));
    home.join("bin").join(name)
}

/// The wasm-bindgen CLI at exactly the crate's version (the two must match), installed when
/// missing or different. Returns its path.
pub fn ensure_wasm_bindgen(root: &Path) -> anyhow::Result<PathBuf> {
    let want = locked_version(root, "wasm-bindgen")?;
    let bin = cargo_bin("wasm-bindgen");
    let have = Command::new(&bin)
        .arg("--version")
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned());
    if have.as_deref().map(str::trim) == Some(&format!("wasm-bindgen {want}")) {
        return Ok(bin);
    }
    step(&format!("installing wasm-bindgen-cli {want} (a few minutes, once)"));
    // Without --locked: the CLI's own lockfile names a crate version the registry here lacks.
    run(cargo(root).args(["install", "wasm-bindgen-cli", "--version", &want]))?;
    Ok(bin)
}

/// `npm ci` when node_modules does not match package-lock.json (binaryen, playwright-core).
pub fn ensure_npm(root: &Path) -> anyhow::Result<()> {
    let lock = std::fs::read(root.join("package-lock.json")).context("reading package-lock.json")?;
    let stamp = root.join("node_modules/.lablink-installed-lock");
    if std::fs::read(&stamp).ok().as_deref() == Some(&lock[..]) {
        return Ok(());
    }
    step("npm ci (binaryen, playwright-core, configurable-http-proxy)");
    run(Command::new("npm").current_dir(root).args(["ci", "--no-audit", "--no-fund"]))?;
    std::fs::write(stamp, lock)?;
    Ok(())
}

pub fn gzip_len(data: &[u8]) -> anyhow::Result<usize> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(data)?;
    Ok(gz.finish()?.len())
}

/// Builds the picker with each glue into its `Glue::picker_dir`.
pub fn build_picker(root: &Path, glues: &[Glue]) -> anyhow::Result<Vec<Built>> {
    let outputs: Vec<(Glue, PathBuf)> = glues.iter().map(|&g| (g, g.picker_dir(root))).collect();
    build(root, PICKER, &outputs)
}

/// Builds the grades panel with the web glue (`lablink_grades_panel.js` +
/// `lablink_grades_panel_bg.wasm`, which the lab extension imports) into
/// `target/dist/grades-panel`, and returns that folder.
pub fn build_grades_panel(root: &Path) -> anyhow::Result<PathBuf> {
    Ok(build_grades_panel_sized(root)?.0)
}

/// [`build_grades_panel`], with the gzip sizes for the bench (`panel_gzip_kb`).
pub fn build_grades_panel_sized(root: &Path) -> anyhow::Result<(PathBuf, Built)> {
    let out = root.join("target/dist/grades-panel");
    let built = build(root, GRADES_PANEL, &[(Glue::Web, out.clone())])?.pop().context("no build")?;
    Ok((out, built))
}

/// Builds the cdylib `package` (e.g. `lablink-picker`) once, then writes it with each glue into
/// its folder (emptied first). Returns one `Built` per output, in order.
pub fn build(root: &Path, package: &str, outputs: &[(Glue, PathBuf)]) -> anyhow::Result<Vec<Built>> {
    let bindgen = ensure_wasm_bindgen(root)?;
    ensure_npm(root)?;
    step(&format!("{package} for wasm32 (size profile)"));
    run(cargo(root).args([
        "build",
        "--target",
        "wasm32-unknown-unknown",
        "--profile",
        "wasm-release",
        "-p",
        package,
    ]))?;
    let stem = package.replace('-', "_");
    let raw = target_dir(root).join(format!("wasm32-unknown-unknown/wasm-release/{stem}.wasm"));
    // wasm-opt's output for the wasm-bindgen output it saw last, with both gzip sizes: the glues
    // usually share the same Wasm byte for byte, and then it runs once.
    let mut last: Option<(Vec<u8>, Vec<u8>, usize, usize)> = None;
    let mut built = Vec::new();
    for (glue, out) in outputs {
        let _ = std::fs::remove_dir_all(out);
        let mut bindgen_cmd = Command::new(&bindgen);
        match glue {
            Glue::Web => bindgen_cmd.args(["--target", "web"]),
            Glue::NoModules => bindgen_cmd.args(["--target", "no-modules", "--no-modules-global", &stem]),
        };
        run(bindgen_cmd
            .args(["--no-typescript", "--remove-name-section", "--remove-producers-section"])
            .arg("--out-dir")
            .arg(out)
            .arg(&raw))?;
        let wasm = out.join(format!("{stem}_bg.wasm"));
        let js = out.join(format!("{stem}.js"));
        let before = std::fs::read(&wasm)?;
        let (after, gz_before, gz_after) = match last.take() {
            Some((input, after, gz_before, gz_after)) if input == before => (after, gz_before, gz_after),
            _ => {
                let after = wasm_opt(root, &wasm, &out.join(format!("{stem}_bg.opt.wasm")))?;
                let (gz_before, gz_after) = (gzip_len(&before)?, gzip_len(&after)?);
                (after, gz_before, gz_after)
            }
        };
        let optimised = gz_after < gz_before;
        if optimised {
            std::fs::write(&wasm, &after)?;
        }
        let wasm_gzip = gz_before.min(gz_after);
        let js_gzip = gzip_len(&std::fs::read(&js)?)?;
        eprintln!(
            "{package}, {glue:?} glue: wasm {:.1} KB gzip (wasm-opt -Oz {}: {:.1} → {:.1} KB), JS glue {:.1} KB gzip",
            wasm_gzip as f64 / 1000.0,
            if optimised { "kept" } else { "dropped, no gain" },
            gz_before as f64 / 1000.0,
            gz_after as f64 / 1000.0,
            js_gzip as f64 / 1000.0,
        );
        last = Some((before, after, gz_before, gz_after));
        built.push(Built { js_gzip, wasm_gzip, optimised });
    }
    Ok(built)
}

/// `wasm-opt -Oz` of `wasm` through the scratch file `scratch` (removed after); returns its output.
fn wasm_opt(root: &Path, wasm: &Path, scratch: &Path) -> anyhow::Result<Vec<u8>> {
    run(Command::new(root.join("node_modules/.bin/wasm-opt"))
        .arg("-Oz")
        // The features rustc's wasm32 target emits today; wasm-opt must accept them in the input.
        .args([
            "--enable-bulk-memory",
            "--enable-nontrapping-float-to-int",
            "--enable-sign-ext",
            "--enable-mutable-globals",
            "--enable-multivalue",
            "--enable-reference-types",
        ])
        .arg(wasm)
        .arg("-o")
        .arg(scratch))?;
    let after = std::fs::read(scratch)?;
    std::fs::remove_file(scratch)?;
    Ok(after)
}
