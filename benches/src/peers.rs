//! Peer engines (feature `peers`): the reference decision and the generated family in
//! Rhai, Rego (regorus, interpreter and RVM bytecode) and a GoRules ZEN decision table.
