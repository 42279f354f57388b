//! A fixed workload to profile under callgrind, which counts instructions repeatably on a
//! noisy machine: `valgrind --tool=callgrind target/release/examples/profile reference 2000`.
//! Scenarios: `reference`, `facts`, `explain`, `threads`, `json`, `rules10000`, `load20`, `load10000`, `rust`,
//! `rust_json`; a third argument repeats the workload for timing. `sizes` prints the average request and response sizes instead.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "a profiling harness stops on any failure")]

use extramile_benches::corpus::{self, Incident};
use extramile_benches::{generated, load, native, request, request_json, REFERENCE_POLICY};
use std::hint::black_box;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let scenario = args.get(1).map_or("reference", String::as_str);
    let n: usize = args.get(2).and_then(|n| n.parse().ok()).unwrap_or(2_000);
    // Rounds over the same inputs, for timing with `perf stat` or `time` (default 1).
    let rounds: usize = args.get(3).and_then(|n| n.parse().ok()).unwrap_or(1);
    let incidents: Vec<Incident> = corpus::reference().into_iter().take(n).collect();
    match scenario {
        "reference" | "explain" => {
            let policy = load(REFERENCE_POLICY).unwrap();
            let request = request(scenario == "explain").unwrap();
            let facts: Vec<serde_json::Value> = incidents.iter().map(Incident::to_json).collect();
            for _ in 0..rounds {
                for f in &facts {
                    black_box(policy.evaluate(black_box(f), &request).unwrap());
                }
            }
        }
        "facts" => {
            // The reference workload on facts read in advance (`Policy::facts`).
            let policy = load(REFERENCE_POLICY).unwrap();
            let request = request(false).unwrap();
            let facts: Vec<extramile::Facts> = incidents.iter().map(|i| policy.facts(&i.to_json()).unwrap()).collect();
            for _ in 0..rounds {
                for f in &facts {
                    black_box(policy.evaluate_facts(black_box(f), &request).unwrap());
                }
            }
        }
        "threads" => {
            // Two threads sharing one compiled policy, each running the reference workload.
            let policy = load(REFERENCE_POLICY).unwrap();
            let request = request(false).unwrap();
            let facts: Vec<serde_json::Value> = incidents.iter().map(Incident::to_json).collect();
            std::thread::scope(|scope| {
                for _ in 0..2 {
                    scope.spawn(|| {
                        for _ in 0..rounds {
                            for f in &facts {
                                black_box(policy.evaluate(black_box(f), &request).unwrap());
                            }
                        }
                    });
                }
            });
        }
        "json" => {
            let policy = load(REFERENCE_POLICY).unwrap();
            let requests: Vec<String> = incidents.iter().map(|i| request_json(&i.to_json())).collect();
            for _ in 0..rounds {
                for r in &requests {
                    black_box(policy.evaluate_json(black_box(r)).unwrap());
                }
            }
        }
        "rules10000" => {
            let policy = load(&generated::extramile_source(10_000)).unwrap();
            let request = request(false).unwrap();
            let facts: Vec<serde_json::Value> =
                corpus::incidents(corpus::SEED, n, generated::n_kinds(10_000)).iter().map(generated::facts).collect();
            for f in &facts {
                black_box(policy.evaluate(black_box(f), &request).unwrap());
            }
        }
        "load20" | "load10000" => {
            let source = generated::extramile_source(if scenario == "load20" { 20 } else { 10_000 });
            for _ in 0..n {
                black_box(load(black_box(&source)).unwrap());
            }
        }
        "rust_json" => {
            let requests: Vec<String> = incidents.iter().map(|i| request_json(&i.to_json())).collect();
            for _ in 0..rounds {
                for r in &requests {
                    black_box(native::decide_json(black_box(r)).unwrap());
                }
            }
        }
        "sizes" => {
            // Not a workload: the average size of the JSON each side writes, for the report.
            let policy = load(REFERENCE_POLICY).unwrap();
            let requests: Vec<String> = incidents.iter().map(|i| request_json(&i.to_json())).collect();
            let total = |f: &dyn Fn(&str) -> String| requests.iter().map(|r| f(r).len()).sum::<usize>() / n.max(1);
            let ours = total(&|r| policy.evaluate_json(r).unwrap());
            let rust = total(&|r| native::decide_json(r).unwrap());
            let input = requests.iter().map(String::len).sum::<usize>() / n.max(1);
            println!("request {input} bytes; response: extramile {ours} bytes, rust {rust} bytes");
        }
        "rust" => {
            let facts: Vec<serde_json::Value> = incidents.iter().map(Incident::to_json).collect();
            for _ in 0..rounds {
                for f in &facts {
                    black_box(native::decide_value(black_box(f)).unwrap());
                }
            }
        }
        other => eprintln!("unknown scenario `{other}`"),
    }
}
