//! Syntax: grammar, AST, spans and diagnostics. Knows nothing about evaluation.

pub mod ast;
pub mod depth;
pub mod diagnostic;
pub mod fast;
pub mod format;
pub mod parser;
pub mod recover;
pub mod scan;
pub mod span;
pub(crate) mod suggest;
