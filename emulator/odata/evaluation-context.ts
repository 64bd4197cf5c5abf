/** What the evaluator needs to know about the data; supplied by the Dataverse layer (or a test). */

export type Row = Record<string, unknown>;

export interface EvaluationContext {
  /**
   * Follows a navigation property: a row for single-valued, an array for collection-valued, null when the lookup
   * is empty, undefined when `name` is not a navigation property (then row[name] is read).
   */
  navigate?(row: Row, name: string): Row | Row[] | null | undefined;
  /** Edm type name of a structural property ('Edm.String', 'Edm.Guid', ...), when known. */
  typeOf?(row: Row, property: string): string | undefined;
  /** Clock for now() and the relative date functions (default: the real clock). */
  now?: Date;
  /** systemuserid of the caller, for EqualUserId / NotEqualUserId. */
  userId?: string;
  /** businessunitid of the caller, for EqualBusinessId / NotEqualBusinessId. */
  businessUnitId?: string;
  /** `@name=value` query options (raw values) for aliases left unresolved at parse time. */
  aliases?: Record<string, string>;
}
