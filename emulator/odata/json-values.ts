/**
 * JSON arrays and objects inside expressions (`in [..]`, collection parameters such as PropertyValues=[..],
 * complex values). Members may be JSON strings or any common expression, so `['0','1']` (Dataverse dialect)
 * parses as well as `["0","1"]`.
 */
import type { ArrayExpr, Expr, ObjectExpr } from './ast';
import { ODataSyntaxError } from './errors';
import type { ExpressionParser } from './expression-parser';
import { isPunct, type Token } from './lexer';

function readJsonValue(p: ExpressionParser): Expr {
  const t = p.lexer.peek();
  if (t.kind !== 'jsonString') return p.parseCommonExpr();
  p.lexer.next();
  return { kind: 'literal', type: 'Edm.String', value: t.value as string, raw: t.text, position: t.start };
}

export function readArray(p: ExpressionParser): ArrayExpr {
  const open = p.lexer.next();
  const items: Expr[] = [];
  if (isPunct(p.lexer.peek(), ']')) {
    p.lexer.next();
    return { kind: 'array', items, position: open.start };
  }
  for (;;) {
    // Dataverse reads collection parameters with a JSON reader, hence this wording (positions relative to '[').
    const index = items.length;
    const invalid = (at: number) =>
      new ODataSyntaxError(
        `Invalid JSON. A comma character ',' was expected in scope 'Array'. Path '[${index}]', line 1, position ${at - open.start}.`,
        at,
        p.text,
      );
    let t: Token;
    try {
      items.push(readJsonValue(p));
      t = p.lexer.peek();
    } catch (e) {
      throw e instanceof ODataSyntaxError && !e.message.startsWith('Invalid JSON') ? invalid(p.lexer.position) : e;
    }
    if (isPunct(t, ']')) break;
    if (!isPunct(t, ',')) throw invalid(t.start);
    p.lexer.next();
  }
  p.lexer.next();
  return { kind: 'array', items, position: open.start };
}

export function readObject(p: ExpressionParser): ObjectExpr {
  const open = p.lexer.next();
  const members: ObjectExpr['members'] = [];
  if (isPunct(p.lexer.peek(), '}')) {
    p.lexer.next();
    return { kind: 'object', members, position: open.start };
  }
  for (;;) {
    const key = p.lexer.next();
    if (key.kind !== 'jsonString') throw p.lexer.error(key.start);
    p.expectPunct(':');
    members.push({ name: String(key.value), value: readJsonValue(p) });
    if (!isPunct(p.lexer.peek(), ',')) break;
    p.lexer.next();
  }
  p.expectPunct('}');
  return { kind: 'object', members, position: open.start };
}
