//! Listing latency on a 10,000-entry folder, as `cargo xtask bench files` measures it: the real
//! router on loopback, one fresh connection per request, p50/p99 of the client's wait.
//!
//! `cargo run --release -p lablink-fileserver --example list_latency [requests]`

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use jsonwebtoken::{Algorithm, EncodingKey, Header};
use lablink_fileserver::config::{FilesConfig, V2Key};
use lablink_protocol::files::TokenClaims;

const SECRET: &str = "a listing-latency secret of decent length";
const FILES: usize = 10_000;

fn token(path: &str, seq: u64) -> String {
    let iat = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs() as i64;
    let claims = TokenClaims {
        iss: "list-latency".into(),
        sub: "u".into(),
        scope: "read".into(),
        htm: "GET".into(),
        htu: path.into(),
        iat,
        exp: iat + 60,
        jti: format!("{}-{seq}", std::process::id()),
    };
    let mut header = Header::new(Algorithm::HS256);
    header.kid = Some("k".into());
    jsonwebtoken::encode(&header, &claims, &EncodingKey::from_secret(SECRET.as_bytes())).unwrap()
}

/// One GET over a fresh connection; returns the body's length.
fn get(addr: std::net::SocketAddr, query: &str, seq: u64) -> usize {
    let path = "/v2/homes/u/entries";
    let mut stream = TcpStream::connect(addr).unwrap();
    stream.set_nodelay(true).unwrap();
    let head = format!(
        "GET {path}?{query} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {}\r\nConnection: close\r\n\r\n",
        token(path, seq)
    );
    stream.write_all(head.as_bytes()).unwrap();
    let mut reader = BufReader::with_capacity(1 << 20, stream);
    let mut line = String::new();
    reader.read_line(&mut line).unwrap();
    assert!(line.contains(" 200 "), "{line}");
    let mut length = None;
    loop {
        line.clear();
        reader.read_line(&mut line).unwrap();
        if line.trim_end().is_empty() {
            break;
        }
        if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
            length = v.trim().parse::<usize>().ok();
        }
    }
    let mut body = Vec::with_capacity(2 << 20);
    match length {
        Some(n) => {
            body.resize(n, 0);
            reader.read_exact(&mut body).unwrap();
        }
        None => {
            reader.read_to_end(&mut body).unwrap();
        }
    }
    body.len()
}

/// CPU time of this process (client and server) so far, user and system, in ms: on a loaded
/// machine a steadier measure than wall time.
fn cpu_ms() -> (f64, f64) {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap();
    let fields: Vec<&str> = stat.rsplit_once(')').unwrap().1.split_whitespace().collect();
    let tick = 1000.0 / 100.0;
    (fields[11].parse::<f64>().unwrap() * tick, fields[12].parse::<f64>().unwrap() * tick)
}

fn main() {
    let requests: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(200);
    let tmp = tempfile::tempdir().unwrap();
    let many = tmp.path().join("homes/u/many");
    std::fs::create_dir_all(&many).unwrap();
    for i in 0..FILES {
        std::fs::write(many.join(format!("item_{i:05}.txt")), vec![b'x'; 100 + i % 3000]).unwrap();
    }
    let config = FilesConfig {
        homes: tmp.path().join("homes"),
        v2_keys: vec![V2Key {
            kid: "k".into(),
            secret: Some(SECRET.into()),
            secret_file: None,
            issuer: None,
        }],
        ..FilesConfig::default()
    };
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let listener = runtime.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).unwrap();
    let addr = listener.local_addr().unwrap();
    let app = lablink_fileserver::router(lablink_fileserver::AppState::new(&config).unwrap());
    runtime.spawn(async move { axum::serve(listener, app).await.unwrap() });
    let mut seq = 0;
    for (label, query, min_body) in [
        ("10,000 entries", "path=many&limit=10000", FILES * 20),
        ("first 500", "path=many&limit=500", 500 * 20),
    ] {
        for _ in 0..10 {
            seq += 1;
            get(addr, query, seq);
        }
        let (u0, s0) = cpu_ms();
        let mut ms: Vec<f64> = (0..requests)
            .map(|_| {
                seq += 1;
                let t = Instant::now();
                assert!(get(addr, query, seq) > min_body);
                t.elapsed().as_secs_f64() * 1e3
            })
            .collect();
        let (u1, s1) = cpu_ms();
        ms.sort_by(f64::total_cmp);
        let pct = |p: f64| ms[((p * ms.len() as f64).ceil() as usize).clamp(1, ms.len()) - 1];
        let n = requests as f64;
        println!(
            "{label}: p50 {:.2} ms, p99 {:.2} ms; CPU per request {:.2} ms user + {:.2} ms system ({requests} requests)",
            pct(0.5),
            pct(0.99),
            (u1 - u0) / n,
            (s1 - s0) / n
        );
    }
}
