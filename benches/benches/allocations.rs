//! Heap allocations per evaluation, counted by a global allocator (`stats_alloc`). Prints a
//! table; run with `cargo bench -p extramile-benches --bench allocations`.
#![allow(
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    reason = "benchmark code, not the library: fixed tables and exact test arithmetic"
)]
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "a bench stops on any failure")]

use extramile_benches::corpus::{self, Incident};
use extramile_benches::{generated, load, native, request, request_json, REFERENCE_POLICY};
use stats_alloc::{Region, StatsAlloc, INSTRUMENTED_SYSTEM};
use std::alloc::System;
use std::hint::black_box;

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

const N: usize = 1_000;

/// Allocations and bytes per call of `f` over `inputs`.
fn measure<T>(inputs: &[T], mut f: impl FnMut(&T)) -> (f64, f64) {
    let region = Region::new(GLOBAL);
    for input in inputs {
        f(input);
    }
    let stats = region.change();
    (stats.allocations as f64 / inputs.len() as f64, stats.bytes_allocated as f64 / inputs.len() as f64)
}

fn main() {
    // `cargo test --benches` passes `--bench`-less arguments; the count is cheap, so always run.
    let policy = load(REFERENCE_POLICY).unwrap();
    let off = request(false).unwrap();
    let on = request(true).unwrap();
    let incidents: Vec<Incident> = corpus::reference().into_iter().take(N).collect();
    let facts: Vec<serde_json::Value> = incidents.iter().map(Incident::to_json).collect();
    let requests: Vec<String> = facts.iter().map(request_json).collect();
    let read: Vec<extramile::Facts> = facts.iter().map(|f| policy.facts(f).unwrap()).collect();
    let big = load(&generated::extramile_source(10_000)).unwrap();
    let big_facts: Vec<serde_json::Value> =
        corpus::incidents(corpus::SEED, N, generated::n_kinds(10_000)).iter().map(generated::facts).collect();

    let rows: Vec<(&str, (f64, f64))> = vec![
        (
            "extramile, pre-parsed Value",
            measure(&facts, |f| {
                black_box(policy.evaluate(f, &off).unwrap());
            }),
        ),
        (
            "extramile, facts read in advance",
            measure(&read, |f| {
                black_box(policy.evaluate_facts(f, &off).unwrap());
            }),
        ),
        (
            "extramile, explain on",
            measure(&facts, |f| {
                black_box(policy.evaluate(f, &on).unwrap());
            }),
        ),
        (
            "extramile, JSON string in/out",
            measure(&requests, |r| {
                black_box(policy.evaluate_json(r).unwrap());
            }),
        ),
        (
            "extramile, 10,000 rules keyed on kind",
            measure(&big_facts, |f| {
                black_box(big.evaluate(f, &off).unwrap());
            }),
        ),
        (
            "rust, typed struct",
            measure(&incidents, |i| {
                black_box(native::decide(i));
            }),
        ),
        (
            "rust, serde_json::Value",
            measure(&facts, |f| {
                black_box(native::decide_value(f));
            }),
        ),
        (
            "rust, JSON string in/out",
            measure(&requests, |r| {
                black_box(native::decide_json(r));
            }),
        ),
    ];
    println!("| evaluation | allocations per evaluation | bytes allocated per evaluation |");
    println!("|---|---:|---:|");
    for (name, (allocations, bytes)) in rows {
        println!("| {name} | {allocations:.1} | {bytes:.0} |");
    }
}
