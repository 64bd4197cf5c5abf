/**
 * Names that go into URLs unquoted (columns, navigation paths, entity sets, enum types). Only plain OData
 * identifiers are accepted, so no text can reach a query through a name: anything that needs other characters
 * must go through `raw()` on purpose.
 */

// ASCII only: Dataverse logical names and F&O field names are ASCII, and the ABNF needs other letters
// percent-encoded, which would make a name look different in the URL than in the metadata.
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;

export function isIdentifier(name: string): boolean {
  return IDENTIFIER.test(name);
}

/** `Microsoft.Dynamics.CRM.account`: two or more identifiers joined by dots. */
export function isQualifiedName(name: string): boolean {
  const parts = name.split('.');
  return parts.length >= 2 && parts.every(isIdentifier);
}

function describe(value: unknown): string {
  return typeof value === 'string' ? `'${value}'` : String(value);
}

export function assertIdentifier(name: unknown, what: string): string {
  if (typeof name !== 'string' || !IDENTIFIER.test(name)) {
    throw new TypeError(`Invalid ${what} ${describe(name)}: expected an OData identifier (letters, digits, '_').`);
  }
  return name;
}

export function assertQualifiedName(name: unknown, what: string): string {
  if (typeof name !== 'string' || !isQualifiedName(name)) {
    throw new TypeError(`Invalid ${what} ${describe(name)}: expected a namespace-qualified name such as 'Namespace.Type'.`);
  }
  return name;
}

/**
 * A property path: identifiers separated by '/', e.g. `primarycontactid/fullname` or
 * `parentcustomerid_account/name`; a segment may be a type cast (`Microsoft.Dynamics.CRM.account`).
 */
export function assertPropertyPath(path: unknown, what = 'column'): string {
  const ok =
    typeof path === 'string' &&
    path.split('/').every((segment, i, all) => isIdentifier(segment) || (i < all.length - 1 && isQualifiedName(segment)));
  if (!ok) {
    throw new TypeError(
      `Invalid ${what} ${describe(path)}: expected a column name or a path of names separated by '/' ` +
        `(use raw() for anything else).`,
    );
  }
  return path as string;
}
