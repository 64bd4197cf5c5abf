/**
 * Typed AST of OData system query options. Positions are 0-based offsets into the text that was parsed (the
 * decoded option value, or an alias value for nodes that came from a parameter alias).
 */

export type EdmPrimitiveType =
  | 'Edm.String'
  | 'Edm.Boolean'
  | 'Edm.Int32'
  | 'Edm.Int64'
  | 'Edm.Decimal'
  | 'Edm.Double'
  | 'Edm.Guid'
  | 'Edm.DateTimeOffset'
  | 'Edm.Date'
  | 'Edm.TimeOfDay'
  | 'Edm.Duration'
  | 'Edm.Binary'
  | 'Edm.Geography'
  | 'Edm.Geometry';

/** 'null' is the type of the `null` literal; 'Enum' carries the qualified type in `enumType`. */
export type LiteralType = EdmPrimitiveType | 'Enum' | 'null';

export interface LiteralExpr {
  kind: 'literal';
  type: LiteralType;
  /**
   * string for String/Guid/dates/times/Duration/Binary (base64url text)/geo/Enum (member list text),
   * number for numeric types (Int64 beyond 2^53 loses precision; `raw` keeps the digits), boolean, or null.
   */
  value: string | number | boolean | null;
  raw: string;
  enumType?: string;
  position: number;
}

export type PathRoot =
  | { kind: 'implicit' }
  | { kind: 'it' }
  | { kind: 'this' }
  | { kind: 'root' }
  | { kind: 'variable'; name: string }
  | { kind: 'alias'; name: string };

export interface NamedParameter {
  name: string;
  value: Expr;
}

export type PathSegment =
  | { kind: 'member'; name: string }
  /** Namespace-qualified type name used as a cast segment, e.g. `Address/Model.AddressWithLocation`. */
  | { kind: 'cast'; typeName: string }
  | { kind: 'annotation'; term: string; qualifier?: string }
  /** Bound function segment `Model.Fn(p=1)` or unqualified `Fn()` after a slash. */
  | { kind: 'call'; name: string; parameters: NamedParameter[] }
  /** Key predicate after a collection segment: `Items(1)`, `$filter(...)(ID='x')`. */
  | { kind: 'key'; value?: Expr; parameters?: NamedParameter[] }
  | { kind: 'count'; filter?: Expr; search?: string }
  | { kind: 'filter'; predicate: Expr }
  | { kind: 'lambda'; operator: 'any' | 'all'; variable?: string; predicate?: Expr };

export interface PathExpr {
  kind: 'path';
  root: PathRoot;
  segments: PathSegment[];
  position: number;
}

/** A parameter alias whose value was not known at parse time; the evaluator resolves it from ctx.aliases. */
export interface AliasExpr {
  kind: 'alias';
  name: string;
  position: number;
}

export type LogicalOperator = 'and' | 'or';
export type ComparisonOperator = 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le';
export type ArithmeticOperator = 'add' | 'sub' | 'mul' | 'div' | 'divby' | 'mod';
export type BinaryOperator = LogicalOperator | ComparisonOperator | ArithmeticOperator | 'has' | 'in';

export interface BinaryExpr {
  kind: 'binary';
  operator: BinaryOperator;
  left: Expr;
  right: Expr;
  position: number;
}

export interface UnaryExpr {
  kind: 'unary';
  operator: 'not' | 'negate';
  operand: Expr;
  position: number;
}

/** Built-in (unqualified, or `geo.*`) function; `name` is the canonical spelling, e.g. 'matchesPattern'. */
export interface MethodCallExpr {
  kind: 'method';
  name: string;
  args: Expr[];
  position: number;
}

/** `cast(expr?, Type)` and `isof(expr?, Type)`; without operand they apply to the current instance. */
export interface TypeFunctionExpr {
  kind: 'cast' | 'isof';
  operand?: Expr;
  typeName: string;
  position: number;
}

export interface CaseExpr {
  kind: 'case';
  branches: { when: Expr; then: Expr }[];
  position: number;
}

/** Namespace-qualified function with named parameters, e.g. Microsoft.Dynamics.CRM.In(PropertyName=..). */
export interface FunctionCallExpr {
  kind: 'function';
  /** Full qualified name as written. */
  name: string;
  namespace: string;
  shortName: string;
  parameters: NamedParameter[];
  position: number;
}

/** Parenthesised literal list, only valid as the right operand of `in`. */
export interface ListExpr {
  kind: 'list';
  items: Expr[];
  position: number;
}

export interface ArrayExpr {
  kind: 'array';
  items: Expr[];
  position: number;
}

export interface ObjectExpr {
  kind: 'object';
  members: { name: string; value: Expr }[];
  position: number;
}

export type Expr =
  | LiteralExpr
  | PathExpr
  | AliasExpr
  | BinaryExpr
  | UnaryExpr
  | MethodCallExpr
  | TypeFunctionExpr
  | CaseExpr
  | FunctionCallExpr
  | ListExpr
  | ArrayExpr
  | ObjectExpr;

export interface OrderByItem {
  expression: Expr;
  direction: 'asc' | 'desc';
}

export interface ComputeItem {
  expression: Expr;
  alias: string;
}

/**
 * Options that may appear in parentheses after a $select or $expand item. The parser accepts every option the
 * OData grammar allows there; the Dataverse layer decides which ones to reject.
 */
export interface NestedOptions {
  select?: SelectItem[];
  filter?: Expr;
  orderby?: OrderByItem[];
  top?: number;
  skip?: number;
  count?: boolean;
  expand?: ExpandItem[];
  levels?: number | 'max';
  search?: string;
  compute?: ComputeItem[];
  apply?: Transformation[];
  /** `@name=value` pairs, raw value text. */
  aliases?: Record<string, string>;
}

export interface SelectItem {
  /** Segments as written; casts keep their qualified name, annotations their leading '@'. */
  path: string[];
  star?: boolean;
  /** `Namespace.*` */
  allOperationsInSchema?: string;
  /** `Model.Fn(p1,p2)` overload signature. */
  parameterNames?: string[];
  options?: NestedOptions;
}

export interface ExpandItem {
  path: string[];
  star?: boolean;
  /** `$expand=$value` (stream). */
  value?: boolean;
  ref?: boolean;
  count?: boolean;
  options: NestedOptions;
}

export type AggregateMethod = 'sum' | 'min' | 'max' | 'average' | 'countdistinct';

export type AggregateItem =
  /** `$count as alias` */
  | { kind: 'count'; alias: string }
  /** `path/$count as alias` */
  | { kind: 'pathCount'; path: PathExpr; alias: string }
  /** `expr with method as alias`; `method` may be a qualified custom method name. */
  | { kind: 'aggregate'; expression: Expr; method: AggregateMethod | string; alias: string };

export type Transformation =
  | { kind: 'aggregate'; items: AggregateItem[] }
  | { kind: 'groupby'; properties: string[][]; transformations: Transformation[] }
  | { kind: 'filter'; predicate: Expr };

/** All system query options of one request, as parsed by parseQueryOptions. */
export interface ParsedQueryOptions extends NestedOptions {
  format?: string;
  skiptoken?: string;
  deltatoken?: string;
  /** Non-system options without '@' or '$'. */
  custom: Record<string, string>;
  aliases: Record<string, string>;
}
