//! The synthetic workspace (≈1 GiB of notebooks, CSV, logs, source, random blobs and a
//! 10,000-file folder), generated deterministically, and what the bench counts in a tree.

use std::fs::{self, File};
use std::io::{BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use lablink_fileserver::archive::CACHE_FOLDERS;
use serde_json::json;

use super::{remove_dir, remove_file};

/// Change when the generator changes: the workspace is rebuilt when the marker differs.
const WORKSPACE_VERSION: &str = "lablink bench files workspace v1";
/// Files in `many/`, the folder the listing is timed on.
pub const MANY_FILES: usize = 10_000;
/// Extensions the generator fills with random bytes.
const INCOMPRESSIBLE: [&str; 5] = ["png", "npz", "zip", "npy", "bin"];

/// Generates the workspace unless the marker says this version is already there.
/// Returns the generation time, or `None` when it was reused.
pub fn ensure_workspace(work: &Path, ws: &Path) -> anyhow::Result<Option<f64>> {
    let marker = work.join("workspace.version");
    if ws.is_dir() && fs::read_to_string(&marker).is_ok_and(|v| v.trim() == WORKSPACE_VERSION) {
        eprintln!("reusing {} ({WORKSPACE_VERSION})", ws.display());
        return Ok(None);
    }
    remove_file(&marker)?;
    remove_dir(ws)?;
    fs::create_dir_all(ws)?;
    let t = Instant::now();
    let mut g = Gen { ws: ws.to_path_buf(), rng: Rng::new(0x1AB1_1BC0_FFEE_2026) };
    g.generate()?;
    let secs = t.elapsed().as_secs_f64();
    fs::write(&marker, format!("{WORKSPACE_VERSION}\n"))?;
    eprintln!("generated {} in {secs:.1} s", ws.display());
    Ok(Some(secs))
}

/// xorshift64: deterministic, fast, and random enough that deflate cannot shrink its output.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        Self(seed.max(1))
    }

    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    /// Uniform in `lo..=hi`.
    fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below(hi - lo + 1)
    }

    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Log-uniform in `lo..hi`: many small, some large.
    fn log_uniform(&mut self, lo: u64, hi: u64) -> u64 {
        let (a, b) = ((lo as f64).ln(), (hi as f64).ln());
        (a + self.unit() * (b - a)).exp() as u64
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }

    fn fill(&mut self, buf: &mut [u8]) {
        for chunk in buf.chunks_mut(8) {
            let v = self.next().to_le_bytes();
            chunk.copy_from_slice(&v[..chunk.len()]);
        }
    }
}

const WORDS: &[&str] = &[
    "data",
    "model",
    "signal",
    "sample",
    "mean",
    "variance",
    "gradient",
    "loss",
    "epoch",
    "batch",
    "feature",
    "label",
    "matrix",
    "vector",
    "kernel",
    "sensor",
    "noise",
    "filter",
    "spectrum",
    "peak",
    "baseline",
    "fit",
    "residual",
    "error",
    "estimate",
    "trial",
    "control",
    "group",
    "cohort",
    "cell",
    "protein",
    "sequence",
    "temperature",
    "pressure",
    "voltage",
    "current",
    "frequency",
    "phase",
    "amplitude",
    "result",
    "the",
    "of",
    "and",
    "we",
    "observe",
    "that",
    "is",
    "in",
    "a",
    "with",
];

const KIB: u64 = 1024;
const MIB_U: u64 = 1 << 20;

struct Gen {
    ws: PathBuf,
    rng: Rng,
}

impl Gen {
    fn generate(&mut self) -> anyhow::Result<()> {
        // Compressible: notebooks, CSV, a large log, source and notes, the 10,000-file folder.
        for week in 1..=20 {
            for lab in 1..=25 {
                let size = self.rng.log_uniform(10 * KIB, 3 * MIB_U) as usize;
                let nb = notebook(&mut self.rng, size);
                self.bytes(&format!("notebooks/week_{week:02}/lab_{lab:02}.ipynb"), nb.as_bytes())?;
            }
            for cp in 1..=3 {
                let size = self.rng.range(4 * KIB, 16 * KIB) as usize;
                let nb = notebook(&mut self.rng, size);
                let rel = format!("notebooks/week_{week:02}/.ipynb_checkpoints/lab_{cp:02}-checkpoint.ipynb");
                self.bytes(&rel, nb.as_bytes())?;
            }
        }
        for i in 1..=8 {
            let size = self.rng.range(10 * MIB_U, 40 * MIB_U);
            self.csv(&format!("data/csv/measurements_{i:02}.csv"), size)?;
        }
        self.text("large/simulation.log", 100 * MIB_U, log_line)?;
        for i in 0..80 {
            let size = self.rng.range(2 * KIB, 60 * KIB);
            self.text(&format!("src/module_{i:03}.py"), size, |rng, s| {
                s.push_str(&code_line(rng));
                s.push('\n');
            })?;
        }
        for i in 0..20 {
            let size = self.rng.range(KIB, 8 * KIB);
            self.random(
                &format!("src/__pycache__/module_{i:03}.cpython-312.pyc"),
                b"\xcb\x0d\x0d\x0a",
                size,
            )?;
        }
        for i in 0..40 {
            let size = self.rng.range(KIB, 30 * KIB);
            self.text(&format!("docs/notes_{i:02}.md"), size, prose_line)?;
        }
        for i in 0..MANY_FILES {
            let size = self.rng.range(KIB, 8 * KIB);
            self.text(&format!("many/item_{i:05}.txt"), size, |rng, s| {
                let v = rng.unit() * 1000.0;
                let w = rng.pick(WORDS);
                s.push_str(&format!(
                    "id={} label={w} score={v:.4} flag={}\n",
                    rng.below(1_000_000),
                    rng.below(2)
                ));
            })?;
        }
        // Incompressible: random bytes, with and without compressed-format names.
        self.random("large/model_checkpoint.bin", b"", 100 * MIB_U)?;
        for i in 1..=20 {
            let size = self.rng.range(MIB_U / 2, 7 * MIB_U / 2);
            self.random(&format!("data/images/figure_{i:03}.png"), b"\x89PNG\r\n\x1a\n", size)?;
        }
        for i in 1..=10 {
            let size = self.rng.range(3 * MIB_U, 7 * MIB_U);
            self.random(&format!("data/arrays/weights_{i:02}.npz"), b"PK\x03\x04", size)?;
        }
        for i in 1..=5 {
            let size = self.rng.range(6 * MIB_U, 10 * MIB_U);
            self.random(&format!("data/archives/dataset_{i:02}.zip"), b"PK\x03\x04", size)?;
        }
        for i in 1..=20 {
            let size = self.rng.range(2 * MIB_U, 6 * MIB_U);
            self.random(&format!("data/arrays/features_{i:02}.npy"), b"\x93NUMPY\x01\x00v\x00", size)?;
        }
        for i in 0..60 {
            let size = self.rng.range(100 * KIB, 900 * KIB);
            self.random(&format!("data/blobs/chunk_{i:03}.bin"), b"", size)?;
        }
        self.bytes("README.md", b"# Lab workspace\n\nSynthetic data for `cargo xtask bench files`.\n")?;
        Ok(())
    }

    fn create(&self, rel: &str) -> anyhow::Result<File> {
        let path = self.ws.join(rel);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent)?;
        }
        File::create(&path).with_context(|| format!("creating {}", path.display()))
    }

    fn bytes(&mut self, rel: &str, data: &[u8]) -> anyhow::Result<()> {
        self.create(rel)?.write_all(data)?;
        Ok(())
    }

    fn random(&mut self, rel: &str, magic: &[u8], size: u64) -> anyhow::Result<()> {
        let mut file = self.create(rel)?;
        file.write_all(magic)?;
        let mut left = size.saturating_sub(magic.len() as u64);
        let mut buf = vec![0u8; (MIB_U as usize).min(left as usize)];
        while left > 0 {
            let n = buf.len().min(left as usize);
            self.rng.fill(&mut buf[..n]);
            file.write_all(&buf[..n])?;
            left -= n as u64;
        }
        Ok(())
    }

    /// A text file of about `size` bytes made of whole lines.
    fn text(
        &mut self,
        rel: &str,
        size: u64,
        mut line: impl FnMut(&mut Rng, &mut String),
    ) -> anyhow::Result<()> {
        let mut file = BufWriter::with_capacity(MIB_U as usize, self.create(rel)?);
        let mut chunk = String::with_capacity(80 * KIB as usize);
        let mut written = 0;
        while written < size {
            chunk.clear();
            while chunk.len() < 64 * KIB as usize && written + (chunk.len() as u64) < size {
                line(&mut self.rng, &mut chunk);
            }
            file.write_all(chunk.as_bytes())?;
            written += chunk.len() as u64;
        }
        file.flush()?;
        Ok(())
    }

    /// Numeric CSV: a time column and eight random walks.
    fn csv(&mut self, rel: &str, size: u64) -> anyhow::Result<()> {
        let mut walk = [0f64; 8];
        let mut t = 0u64;
        let mut header = true;
        self.text(rel, size, |rng, s| {
            if header {
                s.push_str("t,ch0,ch1,ch2,ch3,ch4,ch5,ch6,ch7\n");
                header = false;
            }
            t += 1;
            s.push_str(&t.to_string());
            for w in &mut walk {
                *w += rng.unit() - 0.5;
                s.push_str(&format!(",{w:.5}"));
            }
            s.push('\n');
        })
    }
}

fn log_line(rng: &mut Rng, s: &mut String) {
    let step = rng.below(1_000_000);
    let level = if rng.below(50) == 0 { "WARN" } else { "INFO" };
    s.push_str(&format!(
        "2026-03-{:02}T{:02}:{:02}:{:02}.{:03}Z {level} trainer: step={step} loss={:.5} lr={:.1e} grad_norm={:.3} throughput={} samples/s\n",
        1 + rng.below(28),
        rng.below(24),
        rng.below(60),
        rng.below(60),
        rng.below(1000),
        rng.unit() * 3.0,
        1e-4 * (1.0 + rng.unit()),
        rng.unit() * 10.0,
        500 + rng.below(1500),
    ));
}

fn prose_line(rng: &mut Rng, s: &mut String) {
    if rng.below(8) == 0 {
        s.push_str(&format!("\n## {} {}\n\n", rng.pick(WORDS), rng.pick(WORDS)));
    }
    let words = 8 + rng.below(16);
    for i in 0..words {
        if i > 0 {
            s.push(' ');
        }
        s.push_str(rng.pick(WORDS));
    }
    s.push_str(".\n");
}

fn code_line(rng: &mut Rng) -> String {
    let i = rng.below(64);
    match rng.below(9) {
        0 => {
            format!("df_{i} = pd.read_csv(\"data/csv/measurements_{:02}.csv\", index_col=0)", rng.range(1, 8))
        }
        1 => format!(
            "x_{i} = np.linspace({:.2}, {:.2}, {})",
            rng.unit(),
            1.0 + rng.unit() * 9.0,
            rng.range(10, 5000)
        ),
        2 => format!(
            "history = model.fit(X_train, y_train, epochs={}, batch_size={}, validation_split=0.{})",
            rng.range(5, 200),
            1 << rng.range(4, 9),
            rng.range(1, 3)
        ),
        3 => format!("for step in range({}):", rng.range(10, 10_000)),
        4 => format!("    total_{i} += weights[step] * {:.4}", rng.unit()),
        5 => format!("plt.plot(t, signal_{i}, label=\"run {}\")", rng.below(100)),
        6 => "print(f\"epoch {epoch}: loss={loss:.4f} acc={acc:.3f}\")".to_owned(),
        7 => format!(
            "    grad_{i} = compute_gradient(params, batch_{}, lr={:.0e})",
            rng.below(32),
            1e-3 * rng.unit()
        ),
        _ => format!(
            "result_{i} = summarize(df_{}, columns=[\"ch{}\", \"ch{}\"])",
            rng.below(64),
            rng.below(8),
            rng.below(8)
        ),
    }
}

/// A Jupyter notebook of roughly `target` bytes: code cells with printed output, some
/// markdown, and now and then a figure (random bytes, base64).
fn notebook(rng: &mut Rng, target: usize) -> String {
    let mut cells = Vec::new();
    let mut size = 600;
    let mut count = 0;
    while size < target {
        count += 1;
        let cell = match rng.below(25) {
            0..=3 => {
                let mut text = String::new();
                for _ in 0..rng.range(1, 6) {
                    prose_line(rng, &mut text);
                }
                json!({"cell_type": "markdown", "id": format!("md{count}"), "metadata": {}, "source": lines(&text)})
            }
            4 => {
                let raw = (rng.range(5 * KIB, 60 * KIB) as usize).min(target / 3).max(64);
                let mut png = vec![0u8; raw];
                rng.fill(&mut png);
                png[..8].copy_from_slice(b"\x89PNG\r\n\x1a\n");
                json!({
                    "cell_type": "code", "execution_count": count, "id": format!("c{count}"), "metadata": {},
                    "source": lines(&format!("fig, ax = plt.subplots()\n{}\nplt.show()", code_line(rng))),
                    "outputs": [{
                        "output_type": "display_data", "metadata": {},
                        "data": {"image/png": STANDARD.encode(&png) + "\n", "text/plain": ["<Figure size 640x480 with 1 Axes>"]}
                    }]
                })
            }
            _ => {
                let mut code = String::new();
                for _ in 0..rng.range(2, 14) {
                    code.push_str(&code_line(rng));
                    code.push('\n');
                }
                let mut out = String::new();
                for e in 0..rng.range(0, 40) {
                    out.push_str(&format!(
                        "epoch {e:3}: loss={:.5} acc={:.4} val_loss={:.5}\n",
                        rng.unit() * 2.0,
                        rng.unit(),
                        rng.unit() * 2.0
                    ));
                }
                json!({
                    "cell_type": "code", "execution_count": count, "id": format!("c{count}"), "metadata": {},
                    "source": lines(code.trim_end()),
                    "outputs": [{"output_type": "stream", "name": "stdout", "text": lines(&out)}]
                })
            }
        };
        size += serde_json::to_string(&cell).map_or(0, |s| s.len()) * 11 / 10;
        cells.push(cell);
    }
    let nb = json!({
        "cells": cells,
        "metadata": {
            "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
            "language_info": {"name": "python", "version": "3.12.3"}
        },
        "nbformat": 4,
        "nbformat_minor": 5
    });
    serde_json::to_string_pretty(&nb).expect("JSON values serialize") + "\n"
}

/// Notebook style: a list of lines, each but the last ending in a newline.
fn lines(text: &str) -> Vec<String> {
    text.split_inclusive('\n').map(str::to_owned).collect()
}

/// Reads every file once so that both sides start from a warm page cache.
pub fn warm_up(dir: &Path) -> anyhow::Result<u64> {
    let mut buf = vec![0u8; 1 << 20];
    let mut total = 0;
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in fs::read_dir(&d)? {
            let entry = entry?;
            let ft = entry.file_type()?;
            if ft.is_dir() {
                stack.push(entry.path());
            } else if ft.is_file() {
                let mut f = File::open(entry.path())?;
                loop {
                    let n = f.read(&mut buf)?;
                    if n == 0 {
                        break;
                    }
                    total += n as u64;
                }
            }
        }
    }
    Ok(total)
}

#[derive(Debug, Default)]
pub struct TreeStats {
    pub files: u64,
    pub folders: u64,
    pub bytes: u64,
    /// Files (and their bytes) below the folders the server leaves out (`CACHE_FOLDERS`).
    pub excluded_files: u64,
    pub excluded_bytes: u64,
    pub incompressible_bytes: u64,
    /// Of those, bytes under names that do not say "compressed" (`.npy`, `.bin`).
    pub incompressible_unnamed_bytes: u64,
}

impl TreeStats {
    pub fn of(dir: &Path) -> anyhow::Result<Self> {
        let mut stats = Self::default();
        let mut stack = vec![(dir.to_path_buf(), false)];
        while let Some((d, in_cache)) = stack.pop() {
            for entry in fs::read_dir(&d).with_context(|| format!("listing {}", d.display()))? {
                let entry = entry?;
                let meta = entry.metadata()?;
                if meta.is_dir() {
                    stats.folders += 1;
                    let cache = CACHE_FOLDERS.iter().any(|c| entry.file_name() == *c);
                    stack.push((entry.path(), in_cache || cache));
                } else if meta.is_file() {
                    stats.files += 1;
                    stats.bytes += meta.len();
                    if in_cache {
                        stats.excluded_files += 1;
                        stats.excluded_bytes += meta.len();
                    }
                    let path = entry.path();
                    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
                    if INCOMPRESSIBLE.contains(&ext) {
                        stats.incompressible_bytes += meta.len();
                        if ["npy", "bin"].contains(&ext) {
                            stats.incompressible_unnamed_bytes += meta.len();
                        }
                    }
                }
            }
        }
        Ok(stats)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notebook_is_json_of_about_the_size() {
        let mut rng = Rng::new(7);
        let nb = notebook(&mut rng, 200_000);
        let v: serde_json::Value = serde_json::from_str(&nb).unwrap();
        assert_eq!(v["nbformat"], 4);
        assert!(nb.len() > 150_000 && nb.len() < 400_000, "{}", nb.len());
    }
}
