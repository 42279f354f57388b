//! The `extramile` command-line tool.

fn main() {}
