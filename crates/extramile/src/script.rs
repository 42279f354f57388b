//! Rhai helpers: compiled once at load, run sandboxed with limits on operations, call
//! depth, expression depth, string, array and map sizes. No modules, no clock, no I/O:
//! `print` and `debug` go nowhere.

use crate::eval::expr::ExprError;
use crate::syntax::diagnostic::Diagnostic;
use crate::syntax::span::{SourceMap, Span};
use crate::value::Value;
use rhai::{Dynamic, Engine, EvalAltResult, Scope, AST};
use rust_decimal::Decimal;
use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

mod sandbox;

/// Resource limits for scripts. A limit hit is an evaluation error of the rule that called
/// the script: the rule grants nothing.
///
/// One Rhai operation may walk a whole array or map without being counted more (`a == a`,
/// `a.index_of(x)`, `let b = a;` copies it), so a call's work is bounded by
/// `max_operations × max(max_array_size, max_map_size)` element steps, plus string bytes
/// (which are cheap: compared and searched a word at a time). The defaults keep that product
/// at 10 million, about a second in the worst case; raise them together with care.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScriptLimits {
    /// Operations one call may perform.
    pub max_operations: u64,
    /// Nested function calls.
    pub max_call_depth: usize,
    /// Nesting of expressions in the script source.
    pub max_expr_depth: usize,
    /// Characters in a string.
    pub max_string_size: usize,
    /// Elements in an array.
    pub max_array_size: usize,
    /// Entries in an object map.
    pub max_map_size: usize,
}

impl Default for ScriptLimits {
    fn default() -> ScriptLimits {
        ScriptLimits {
            max_operations: 10_000,
            max_call_depth: 32,
            max_expr_depth: 64,
            max_string_size: 10_000,
            max_array_size: 1_000,
            max_map_size: 1_000,
        }
    }
}

/// A helper function a policy may call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScriptFunction {
    /// Its name.
    pub name: String,
    /// How many arguments it takes.
    pub arity: usize,
    block: usize,
}

/// The compiled script blocks of a policy.
pub struct Scripts {
    /// The sandbox; `None` for a policy without scripts, which then pays nothing for it.
    engine: Option<Engine>,
    blocks: Vec<AST>,
    /// Where each block's body starts in the policy: its line and column (1-based), to
    /// report runtime errors at policy lines as compile errors are.
    origins: Vec<(usize, usize)>,
    functions: Vec<ScriptFunction>,
    by_name: HashMap<(String, usize), usize>,
}

impl fmt::Debug for Scripts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Scripts").field("functions", &self.functions).finish_non_exhaustive()
    }
}

fn sandboxed_engine(limits: ScriptLimits) -> Engine {
    use rhai::packages::{
        ArithmeticPackage, BasicArrayPackage, BasicFnPackage, BasicIteratorPackage, BasicMapPackage, BasicMathPackage,
        BasicStringPackage, BitFieldPackage, LogicPackage, MoreStringPackage, Package,
    };
    // Rhai's standard library without its language core package (`sleep`, which blocks the
    // thread uncounted by the operation limit, `parse_json`, `exit` and value tags) and
    // without byte blobs.
    let mut engine = Engine::new_raw();
    let packages = [
        ArithmeticPackage::new().as_shared_module(),
        BasicStringPackage::new().as_shared_module(),
        BasicIteratorPackage::new().as_shared_module(),
        BasicFnPackage::new().as_shared_module(),
        BitFieldPackage::new().as_shared_module(),
        LogicPackage::new().as_shared_module(),
        BasicMathPackage::new().as_shared_module(),
        BasicArrayPackage::new().as_shared_module(),
        BasicMapPackage::new().as_shared_module(),
        MoreStringPackage::new().as_shared_module(),
    ];
    for package in packages {
        engine.register_global_module(package);
    }
    sandbox::replace_unsafe_functions(&mut engine);
    engine.on_print(|_| {});
    engine.on_debug(|_, _, _| {});
    engine.set_max_operations(limits.max_operations);
    engine.set_max_call_levels(limits.max_call_depth);
    engine.set_max_expr_depths(limits.max_expr_depth, limits.max_expr_depth);
    engine.set_max_string_size(limits.max_string_size);
    engine.set_max_array_size(limits.max_array_size);
    engine.set_max_map_size(limits.max_map_size);
    engine.set_strict_variables(true);
    engine.disable_symbol("eval");
    engine
}

impl Scripts {
    /// Compiles each block (`source`, where its body starts in the policy); reports
    /// compile errors at their policy line and column.
    pub fn compile(blocks: &[(&str, Span)], policy_source: &str, limits: ScriptLimits) -> (Scripts, Vec<Diagnostic>) {
        if blocks.is_empty() {
            return (Scripts::empty(), Vec::new());
        }
        let engine = sandboxed_engine(limits);
        let mut diagnostics = Vec::new();
        let mut asts = Vec::new();
        let mut origins = Vec::new();
        let mut source_map: Option<SourceMap> = None;
        let mut functions: Vec<ScriptFunction> = Vec::new();
        let mut by_name: HashMap<(String, usize), usize> = HashMap::new();
        for (source, body_span) in blocks {
            let compiled = sandbox::contain_panic(|| engine.compile(*source)).unwrap_or_else(|message| {
                Err(rhai::ParseError(
                    Box::new(rhai::ParseErrorType::BadInput(rhai::LexError::Runtime(message))),
                    rhai::Position::NONE,
                ))
            });
            match compiled {
                Ok(ast) => {
                    let block = asts.len();
                    for f in ast.iter_functions() {
                        let arity = f.params.len();
                        let key = (f.name.to_string(), arity);
                        if by_name.contains_key(&key) {
                            diagnostics.push(Diagnostic::error(
                                "E0113",
                                format!("script function `{}` with {arity} arguments is defined twice", f.name),
                                *body_span,
                            ));
                        }
                        by_name.entry(key).or_insert(functions.len());
                        functions.push(ScriptFunction { name: f.name.to_string(), arity, block });
                    }
                    asts.push(ast);
                    let map = source_map.get_or_insert_with(|| SourceMap::new(policy_source));
                    let at = map.line_column(policy_source, body_span.start);
                    origins.push((at.line as usize, at.column as usize));
                }
                Err(err) => {
                    let span = map_position(policy_source, *body_span, err.1.line(), err.1.position());
                    diagnostics.push(
                        Diagnostic::error("E0110", format!("script does not compile: {}", err.0), span)
                            .with_help("scripts are Rhai; see https://rhai.rs/book for the syntax"),
                    );
                }
            }
        }
        (Scripts { engine: Some(engine), blocks: asts, origins, functions, by_name }, diagnostics)
    }

    /// No scripts at all.
    pub fn empty() -> Scripts {
        Scripts {
            engine: None,
            blocks: Vec::new(),
            origins: Vec::new(),
            functions: Vec::new(),
            by_name: HashMap::new(),
        }
    }

    /// The functions defined, in source order.
    pub fn functions(&self) -> &[ScriptFunction] {
        &self.functions
    }

    /// The index of function `name` taking `arity` arguments.
    pub fn find(&self, name: &str, arity: usize) -> Option<usize> {
        self.by_name.get(&(name.to_string(), arity)).copied()
    }

    /// Calls function `index` with `args`.
    pub fn call(&self, index: usize, args: &[Value], span: Span) -> Result<Value, Box<ExprError>> {
        let function =
            self.functions.get(index).ok_or_else(|| ExprError::new("internal error: unknown script function", span))?;
        let ast = self
            .blocks
            .get(function.block)
            .ok_or_else(|| ExprError::new("internal error: unknown script block", span))?;
        let engine = self.engine.as_ref().ok_or_else(|| ExprError::new("internal error: no script engine", span))?;
        let origin = self.origins.get(function.block).copied().unwrap_or((1, 1));
        let args: Vec<Dynamic> = args.iter().map(to_dynamic).collect();
        let options = rhai::CallFnOptions::new().eval_ast(false).rewind_scope(true);
        let result: Dynamic = sandbox::contain_panic(|| {
            engine
                .call_fn_with_options(options, &mut Scope::new(), ast, &function.name, args)
                .map_err(|err| describe_failure(&function.name, *err, origin))
        })
        .map_err(|message| ExprError::new(message, span))?
        .map_err(|message| ExprError::new(message, span))?;
        from_dynamic(result).map_err(|why| ExprError::new(format!("script `{}` {why}", function.name), span))
    }
}

fn describe_failure(name: &str, err: EvalAltResult, origin: (usize, usize)) -> String {
    match err {
        EvalAltResult::ErrorTooManyOperations(_) => format!("script `{name}` ran too long and was stopped"),
        EvalAltResult::ErrorStackOverflow(_) => format!("script `{name}` called functions too deeply and was stopped"),
        EvalAltResult::ErrorDataTooLarge(what, _) => {
            format!("script `{name}` built a value too large ({what}) and was stopped")
        }
        other => format!("script `{name}` failed: {}", runtime_error_text(other, origin)),
    }
}

/// A runtime error's text with its positions (and those of the calls it passed through) at
/// policy lines and columns: Rhai counts them from the start of the script block, whose
/// body starts at `origin` in the policy.
fn runtime_error_text(err: EvalAltResult, origin: (usize, usize)) -> String {
    match err {
        EvalAltResult::ErrorInFunctionCall(function, _, inner, position) => format!(
            "{}, in call to function `{function}`{}",
            runtime_error_text(*inner, origin),
            policy_position(position, origin)
        ),
        mut other => {
            let position = other.take_position();
            format!("{other}{}", policy_position(position, origin))
        }
    }
}

/// ` (line L, column C)` of a Rhai position in a block whose body starts at `origin`, or
/// nothing if the position is unknown.
fn policy_position(position: rhai::Position, (body_line, body_column): (usize, usize)) -> String {
    let (Some(line), Some(column)) = (position.line(), position.position()) else { return String::new() };
    let policy_line = body_line.saturating_add(line).saturating_sub(1);
    let policy_column = if line == 1 { body_column.saturating_add(column).saturating_sub(1) } else { column };
    format!(" (line {policy_line}, column {policy_column})")
}

/// Maps a Rhai position (1-based line and column within the script) to a policy span.
fn map_position(policy_source: &str, body: Span, line: Option<usize>, column: Option<usize>) -> Span {
    let body_text = policy_source.get(body.range()).unwrap_or("");
    let Some(line) = line else { return Span { start: body.start, end: body.start } };
    let mut offset = 0usize;
    for (idx, text) in body_text.split_inclusive('\n').enumerate() {
        if idx + 1 == line {
            let column_bytes: usize =
                text.chars().take(column.unwrap_or(1).saturating_sub(1)).map(char::len_utf8).sum();
            offset += column_bytes;
            break;
        }
        offset += text.len();
    }
    let start = body.start as usize + offset;
    Span::new(start, start)
}

fn to_dynamic(value: &Value) -> Dynamic {
    match value {
        Value::Text(s) => Dynamic::from(s.to_string()),
        Value::Number(n) | Value::Money(n) => Dynamic::from_decimal(*n),
        Value::Bool(b) => Dynamic::from_bool(*b),
        Value::Date(d) => Dynamic::from(d.to_string()),
        Value::Time(t) => Dynamic::from(t.to_rfc3339()),
        Value::Duration(secs) => Dynamic::from_int(*secs),
        Value::List(items) => Dynamic::from_array(items.iter().map(to_dynamic).collect()),
    }
}

fn from_dynamic(value: Dynamic) -> Result<Value, String> {
    if value.is_unit() {
        return Err("returned nothing".to_string());
    }
    if let Some(b) = value.clone().try_cast::<bool>() {
        return Ok(Value::Bool(b));
    }
    if let Some(i) = value.clone().try_cast::<rhai::INT>() {
        return Ok(Value::Number(Decimal::from(i)));
    }
    if let Some(d) = value.clone().try_cast::<Decimal>() {
        return Ok(Value::Number(d));
    }
    if value.is_string() {
        return Ok(Value::Text(Arc::from(value.into_string().unwrap_or_default())));
    }
    if value.is_array() {
        let items = value.into_array().unwrap_or_default();
        let values = items.into_iter().map(from_dynamic).collect::<Result<Vec<_>, _>>()?;
        return Ok(Value::List(Arc::from(values)));
    }
    Err(format!("returned a value of type `{}`, which policies cannot use", value.type_name()))
}
