//! Writes the reference corpus as JSON evaluation requests (one a line) for the WASM bench in
//! Node, and times the native `Policy::evaluate_json` on the very same requests.
//!
//! `cargo run --release -p extramile-benches --example wasm_requests -- OUT.jsonl` prints the
//! native median nanoseconds per evaluation; `benches/wasm/run.sh` compares it with Node.
#![allow(clippy::arithmetic_side_effects, reason = "benchmark arithmetic on integers and floats")]

use extramile_benches::{corpus, load, request_json, REFERENCE_POLICY};
use std::io::Write;
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out = std::env::args().nth(1).ok_or("usage: wasm_requests OUT.jsonl")?;
    let policy = load(REFERENCE_POLICY)?;
    let requests: Vec<String> = corpus::reference().iter().map(|i| request_json(&i.to_json())).collect();
    let mut file = std::io::BufWriter::new(std::fs::File::create(&out)?);
    for request in &requests {
        writeln!(file, "{request}")?;
    }
    file.flush()?;
    // Warm up, then take the median of several passes over the whole corpus.
    let mut bytes = 0usize;
    for request in &requests {
        bytes = bytes.wrapping_add(policy.evaluate_json(request)?.len());
    }
    let mut passes = Vec::new();
    for _ in 0..7 {
        let start = Instant::now();
        for request in &requests {
            bytes = bytes.wrapping_add(std::hint::black_box(policy.evaluate_json(request)?).len());
        }
        passes.push(start.elapsed().as_nanos() as f64 / requests.len() as f64);
    }
    passes.sort_by(f64::total_cmp);
    let median = passes.get(passes.len() / 2).copied().unwrap_or(f64::NAN);
    println!("{{\"requests\": {}, \"native_ns_per_eval\": {median:.0}, \"checksum\": {bytes}}}", requests.len());
    Ok(())
}
