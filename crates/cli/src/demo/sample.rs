//! The demo user's workspace: a course folder, data, caches, a link to another home, hostile
//! and unusual names, and a folder of 10,000 entries. Made once; kept across restarts.

use std::fmt::Write as _;
use std::path::Path;

/// A small course workspace: notebooks, data, a cache folder, a link to another home, a
/// hostile file name and a folder of 10,000 entries.
pub fn sample_workspace(home: &Path) -> std::io::Result<()> {
    if home.join(".demo-v2").exists() {
        return Ok(());
    }
    let _ = std::fs::remove_dir_all(home);
    let course = home.join("intro-python");
    for (i, topic) in ["variables", "loops", "functions", "plotting"].iter().enumerate() {
        let nb = notebook(&format!("# Week {}: {topic}", i + 1), &format!("print('{topic}')"));
        write(&course.join(format!("week{}-{topic}.ipynb", i + 1)), nb.as_bytes())?;
    }
    let mut csv = String::from("student,score\n");
    for i in 0..2000 {
        let _ = writeln!(csv, "s{i:04},{}", (i * 37) % 101);
    }
    write(&course.join("data/scores.csv"), csv.as_bytes())?;
    write(&course.join(".ipynb_checkpoints/week1-variables-checkpoint.ipynb"), b"{}")?;
    write(&course.join("__pycache__/helpers.cpython-311.pyc"), b"\0")?;
    write(&course.join("helpers.py"), b"def mean(xs):\n    return sum(xs) / len(xs)\n")?;
    write(&home.join("<img src=x onerror=alert(1)>.ipynb"), notebook("# hostile name", "1").as_bytes())?;
    write(&home.join("notes ünïcode.md"), "# Notes\n".as_bytes())?;
    // A right-to-left override makes this look like "homeworkyp.txt"; the picker shows it.
    write(&home.join("homework\u{202E}txt.py"), b"print('not a text file')\n")?;
    let many = home.join("many");
    std::fs::create_dir_all(&many)?;
    for i in 0..10_000 {
        std::fs::write(many.join(format!("item-{i:05}.txt")), format!("{i}\n"))?;
    }
    let link = home.join("link-to-someone-else");
    let _ = std::os::unix::fs::symlink("../someone-else/private", &link);
    std::fs::write(home.join(".demo-v2"), b"")?;
    Ok(())
}

fn notebook(markdown: &str, code: &str) -> String {
    serde_json::json!({
        "cells": [
            {"cell_type": "markdown", "metadata": {}, "source": [markdown]},
            {"cell_type": "code", "execution_count": null, "metadata": {}, "outputs": [], "source": [code]}
        ],
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
        "nbformat": 4,
        "nbformat_minor": 5
    })
    .to_string()
}

fn write(path: &Path, data: &[u8]) -> std::io::Result<()> {
    std::fs::create_dir_all(path.parent().expect("has a parent"))?;
    std::fs::write(path, data)
}

pub fn random_hex(bytes: usize) -> std::io::Result<String> {
    let mut buf = vec![0u8; bytes];
    std::io::Read::read_exact(&mut std::fs::File::open("/dev/urandom")?, &mut buf)?;
    Ok(buf.iter().map(|b| format!("{b:02x}")).collect())
}
