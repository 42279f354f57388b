//! Scenario files: incidents with expected decisions, run by tests and `extramile test`.
