//! Criterion benchmarks: extramile against hand-written Rust (and, with `--features peers`,
//! Rhai, Rego on regorus and GoRules ZEN). The fairness gate runs first: every engine must
//! give the same gestures and amounts on the seeded corpus, or the bench stops.
#![allow(
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    reason = "benchmark code, not the library: fixed tables and exact test arithmetic"
)]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "a bench stops on any failure")]

use criterion::{BenchmarkId, Criterion, Throughput};
use extramile_benches::corpus::{self, Incident};
use extramile_benches::{generated, load, native, outcome, request, request_json, REFERENCE_POLICY};
use std::hint::black_box;
use std::time::{Duration, Instant};

/// How many distinct incidents a benchmark cycles through (a power of two).
const CYCLE: usize = 1024;
/// The sizes of the generated policies.
const RULE_COUNTS: [usize; 4] = [20, 200, 2_000, 10_000];

fn main() {
    let mut criterion = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .configure_from_args();
    fairness_gate();
    reference(&mut criterion);
    json(&mut criterion);
    explain(&mut criterion);
    scaling(&mut criterion);
    loading(&mut criterion);
    threads(&mut criterion);
    criterion.final_summary();
}

/// Every engine on the 10,000 incidents of the reference corpus, and on 500 incidents of
/// every generated policy: any disagreement stops the bench.
fn fairness_gate() {
    let started = Instant::now();
    let policy = load(REFERENCE_POLICY).unwrap();
    let request = request(false).unwrap();
    let corpus = corpus::reference();
    let mut engines = extramile_benches::core_gate_engines(&policy, &request);
    #[cfg(feature = "peers")]
    engines.extend(extramile_benches::peers::reference_gate_engines().unwrap());
    let names: Vec<String> = engines.iter().map(|(name, _)| name.clone()).collect();
    let fired = outcome::gate(&corpus, &mut engines).unwrap_or_else(|mismatch| panic!("{mismatch}"));
    assert_eq!(fired.len(), 20, "the corpus must fire every rule: {fired:?}");
    for n_rules in RULE_COUNTS {
        let policy = load(&generated::extramile_source(n_rules)).unwrap();
        let n_kinds = generated::n_kinds(n_rules);
        let mut engines: Vec<outcome::GateEngine<'_>> = vec![
            (
                "extramile".to_string(),
                Box::new(|i: &Incident| extramile_benches::extramile_outcome(&policy, &request, &generated::facts(i))),
            ),
            ("rust".to_string(), Box::new(move |i: &Incident| outcome::of_native(&generated::decide(i, n_kinds)))),
        ];
        #[cfg(feature = "peers")]
        engines.extend(extramile_benches::peers::generated_gate_engines(n_rules).unwrap());
        outcome::gate(&corpus::incidents(corpus::SEED, 500, n_kinds), &mut engines)
            .unwrap_or_else(|mismatch| panic!("{n_rules} rules: {mismatch}"));
    }
    eprintln!(
        "fairness gate passed: {} engines agree on {} incidents ({:.1} s)",
        names.len(),
        corpus.len(),
        started.elapsed().as_secs_f64()
    );
}

/// The reference decision on pre-parsed input: each engine's own input type, built once.
fn reference(c: &mut Criterion) {
    let policy = load(REFERENCE_POLICY).unwrap();
    let request = request(false).unwrap();
    let incidents: Vec<Incident> = corpus::reference().into_iter().take(CYCLE).collect();
    let facts: Vec<serde_json::Value> = incidents.iter().map(Incident::to_json).collect();
    let mut group = c.benchmark_group("reference");
    let mut i = 0;
    group.bench_function("extramile", |b| {
        b.iter(|| {
            i = (i + 1) % CYCLE;
            black_box(policy.evaluate(black_box(&facts[i]), &request).unwrap())
        })
    });
    // extramile's own pre-parsed input, as each peer below gets its own: the facts read for
    // the policy once, outside the timed loop.
    let read: Vec<extramile::Facts> = facts.iter().map(|f| policy.facts(f).unwrap()).collect();
    group.bench_function("extramile (facts read in advance)", |b| {
        b.iter(|| {
            i = (i + 1) % CYCLE;
            black_box(policy.evaluate_facts(black_box(&read[i]), &request).unwrap())
        })
    });
    group.bench_function("rust (serde_json::Value)", |b| {
        b.iter(|| {
            i = (i + 1) % CYCLE;
            black_box(native::decide_value(black_box(&facts[i])).unwrap())
        })
    });
    group.bench_function("rust (typed struct)", |b| {
        b.iter(|| {
            i = (i + 1) % CYCLE;
            black_box(native::decide(black_box(&incidents[i])))
        })
    });
    #[cfg(feature = "peers")]
    extramile_benches::peers::bench_reference(&mut group, &incidents);
    group.finish();
}

/// JSON string in, JSON string out: the contract of `Policy::evaluate_json`, against
/// hand-written Rust deserialising the same request with serde and serialising its answer.
fn json(c: &mut Criterion) {
    let policy = load(REFERENCE_POLICY).unwrap();
    let requests: Vec<String> =
        corpus::reference().iter().take(CYCLE).map(|incident| request_json(&incident.to_json())).collect();
    let mut group = c.benchmark_group("json");
    let mut i = 0;
    group.bench_function("extramile", |b| {
        b.iter(|| {
            i = (i + 1) % CYCLE;
            black_box(policy.evaluate_json(black_box(&requests[i])).unwrap())
        })
    });
    group.bench_function("rust", |b| {
        b.iter(|| {
            i = (i + 1) % CYCLE;
            black_box(native::decide_json(black_box(&requests[i])).unwrap())
        })
    });
    group.finish();
}

/// The reference decision with the rule-by-rule trace off and on.
fn explain(c: &mut Criterion) {
    let policy = load(REFERENCE_POLICY).unwrap();
    let facts: Vec<serde_json::Value> = corpus::reference().iter().take(CYCLE).map(Incident::to_json).collect();
    let mut group = c.benchmark_group("explain");
    for trace in [false, true] {
        let request = request(trace).unwrap();
        let mut i = 0;
        group.bench_function(if trace { "on" } else { "off" }, |b| {
            b.iter(|| {
                i = (i + 1) % CYCLE;
                black_box(policy.evaluate(black_box(&facts[i]), &request).unwrap())
            })
        });
    }
    group.finish();
}

/// Generated policies of 20 to 10,000 rules keyed on the incident kind.
fn scaling(c: &mut Criterion) {
    let request = request(false).unwrap();
    let mut group = c.benchmark_group("scaling");
    for n_rules in RULE_COUNTS {
        // Peers take milliseconds per evaluation of the large policies: fewer samples.
        group.sample_size(if n_rules >= 2_000 { 10 } else { 50 });
        let policy = load(&generated::extramile_source(n_rules)).unwrap();
        let n_kinds = generated::n_kinds(n_rules);
        let incidents = corpus::incidents(corpus::SEED, CYCLE, n_kinds);
        let facts: Vec<serde_json::Value> = incidents.iter().map(generated::facts).collect();
        let mut i = 0;
        group.bench_with_input(BenchmarkId::new("extramile", n_rules), &n_rules, |b, _| {
            b.iter(|| {
                i = (i + 1) % CYCLE;
                black_box(policy.evaluate(black_box(&facts[i]), &request).unwrap())
            })
        });
        group.bench_with_input(BenchmarkId::new("rust", n_rules), &n_rules, |b, _| {
            b.iter(|| {
                i = (i + 1) % CYCLE;
                black_box(generated::decide(black_box(&incidents[i]), n_kinds))
            })
        });
        #[cfg(feature = "peers")]
        extramile_benches::peers::bench_scaling(&mut group, n_rules, &incidents);
    }
    group.finish();
}

/// Load: parse, check and compile a policy of 20 and of 10,000 rules.
fn loading(c: &mut Criterion) {
    let mut group = c.benchmark_group("load");
    group.sample_size(20);
    for n_rules in [20, 10_000] {
        let source = generated::extramile_source(n_rules);
        group.bench_with_input(BenchmarkId::new("extramile", n_rules), &source, |b, source| {
            b.iter(|| black_box(load(black_box(source)).unwrap()))
        });
    }
    let reference = REFERENCE_POLICY.to_string();
    group.bench_with_input(BenchmarkId::new("extramile", "reference"), &reference, |b, source| {
        b.iter(|| black_box(load(black_box(source)).unwrap()))
    });
    group.finish();
}

/// Throughput: one compiled policy shared by two threads, against one thread.
fn threads(c: &mut Criterion) {
    let policy = load(REFERENCE_POLICY).unwrap();
    let request = request(false).unwrap();
    let facts: Vec<serde_json::Value> = corpus::reference().iter().take(CYCLE).map(Incident::to_json).collect();
    let mut group = c.benchmark_group("threads");
    for n_threads in [1_usize, 2] {
        group.throughput(Throughput::Elements(n_threads as u64));
        group.bench_with_input(BenchmarkId::new("extramile", n_threads), &n_threads, |b, &n_threads| {
            // One iteration is one evaluation on each thread, all sharing `policy`.
            b.iter_custom(|iters| {
                let started = Instant::now();
                std::thread::scope(|scope| {
                    for thread in 0..n_threads {
                        let (policy, request, facts) = (&policy, &request, &facts);
                        scope.spawn(move || {
                            for n in 0..iters as usize {
                                let facts = &facts[(n + thread * 512) % CYCLE];
                                black_box(policy.evaluate(black_box(facts), request).unwrap());
                            }
                        });
                    }
                });
                started.elapsed()
            })
        });
    }
    group.finish();
}
