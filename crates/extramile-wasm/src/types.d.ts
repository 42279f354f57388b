/** An exact decimal amount in the decision's currency, such as `"50.00"` (never a number). */
export type Amount = string;

/** A byte range of the policy source, end exclusive. */
export interface Span {
  start: number;
  end: number;
}

/** A secondary place of a diagnostic. */
export interface Label {
  span: Span;
  message: string;
}

/** A problem found when a policy loads (docs/json.md#diagnostic), with its position. */
export interface Diagnostic {
  severity: "error" | "warning";
  /** A stable code such as `"E0102"`. */
  code: string;
  message: string;
  /** Byte offsets into the source (UTF-8), end exclusive. */
  span: Span;
  labels: Label[];
  /** How to fix it, or `null` when not known. */
  help: string | null;
  /** 1-based line of `span.start`. */
  line: number;
  /** 1-based column of `span.start`, in characters (Unicode scalar values). */
  column: number;
  /** 1-based line of `span.end`. */
  end_line: number;
  /** 1-based column of `span.end`, in characters. */
  end_column: number;
}

/** The incident: JSON facts, read by the policy's declared fact paths. */
export type Incident = { [key: string]: unknown };

/** Who acts, when, and whether to trace. */
export interface EvaluateOptions {
  /** The acting role; it must be on the policy's ladder. */
  role: string;
  /** The current time, RFC 3339 with an offset, e.g. `"2026-11-22T10:00:00-05:00"`. */
  now: string;
  /** Include the rule-by-rule trace (default `false`). */
  trace?: boolean;
  /** Refuse facts with a key that leads to no declared fact (`unknown_key`) instead of warning (default `false`). */
  strict?: boolean;
}

/** The whole request of the JSON contract (docs/json.md#evaluationrequest). */
export interface EvaluationRequest {
  facts: Incident;
  role: string;
  now: string;
  options?: { trace?: boolean; strict?: boolean };
}

export interface OfferedGesture {
  gesture: string;
  item?: string;
  up_to?: Amount;
  limited_by?: string;
}

export interface Offer {
  one_of: OfferedGesture[];
  rule: string;
  priority: number;
}

export interface Approval {
  gesture: string;
  item?: string;
  approver: string;
  up_to?: Amount;
  rule: string;
}

export interface Owed {
  gesture: string;
  item?: string;
  amount?: Amount;
  rule: string;
}

export interface Recommendation {
  gesture: string;
  item?: string;
  amount?: Amount;
  due?: string;
  rule: string;
  priority: number;
}

export interface Forbidden {
  gesture: string;
  rule: string;
  reason: string;
}

export interface Escalation {
  to: string;
  rule: string;
  reason?: string;
}

export interface Problem {
  rule: string;
  fact?: string;
  message: string;
  line: number;
  column: number;
}

/** A JSON value as read from the incident. */
export type FactValue = string | boolean | null | FactValue[];

export interface FactRead {
  fact: string;
  value: FactValue;
}

export interface RuleTrace {
  rule: string;
  outcome: "matched" | "not_matched" | "error";
  clause?: string;
  error?: string;
  reads: FactRead[];
  line: number;
  span: Span;
}

/** The answer for one incident (docs/json.md#decision). */
export interface Decision {
  policy: string;
  role: string;
  now: string;
  currency: string;
  offers: Offer[];
  needs_approval: Approval[];
  owed: Owed[];
  recommended: Recommendation[];
  forbidden: Forbidden[];
  escalations: Escalation[];
  errors: Problem[];
  warnings: Problem[];
  /** Present only when `trace` was asked for. */
  trace?: RuleTrace[];
}

/**
 * What every function of this package throws: an `Error` with a `kind` and the
 * policy's `diagnostics` (empty unless `kind` is `"invalid_policy"`).
 */
export type ExtramileError = Error & { message: string; diagnostics: Diagnostic[] } & (
  | {
      /** The policy source has errors; `rendered` shows them rustc-style. */
      kind: "invalid_policy";
      rendered: string;
    }
  | { kind: "unknown_role"; role: string; roles: string[] }
  | { kind: "facts_not_object"; found: "null" | "a boolean" | "a number" | "a string" | "an array" }
  | { kind: "unknown_key"; path: string; suggestion?: string }
  | { kind: "invalid_request" }
  | { kind: "invalid_argument" }
);
