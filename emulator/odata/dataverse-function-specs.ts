/**
 * Signatures of the Microsoft.Dynamics.CRM query functions (Web API query function reference). The parser uses
 * them to reject unknown names and wrong parameter sets up front, as Dataverse does even when no row matches.
 */
import type { FunctionCallExpr } from './ast';
import { ODataSyntaxError, unknownFunction } from './errors';

export const DATAVERSE_NAMESPACE = 'Microsoft.Dynamics.CRM';

type Shape = 'name' | 'value' | 'values' | 'value12';

const PARAMETERS: Record<Shape, string[]> = {
  name: ['PropertyName'],
  value: ['PropertyName', 'PropertyValue'],
  values: ['PropertyName', 'PropertyValues'],
  value12: ['PropertyName', 'PropertyValue1', 'PropertyValue2'],
};

const SHAPES: Record<string, Shape> = {};
function define(shape: Shape, names: string): void {
  for (const n of names.trim().split(/\s+/)) SHAPES[n] = shape;
}

define('values', 'In NotIn Between NotBetween ContainValues DoesNotContainValues');
define(
  'name',
  `Today Yesterday Tomorrow Last7Days Next7Days ThisWeek ThisMonth ThisYear LastWeek LastMonth LastYear
   NextWeek NextMonth NextYear EqualUserId NotEqualUserId EqualBusinessId NotEqualBusinessId
   ThisFiscalPeriod ThisFiscalYear LastFiscalPeriod LastFiscalYear NextFiscalPeriod NextFiscalYear
   EqualUserLanguage EqualUserOrUserHierarchy EqualUserOrUserHierarchyAndTeams EqualUserOrUserTeams EqualUserTeams`,
);
define(
  'value',
  `LastXDays NextXDays LastXHours NextXHours LastXWeeks NextXWeeks LastXMonths NextXMonths LastXYears NextXYears
   OlderThanXMinutes OlderThanXHours OlderThanXDays OlderThanXWeeks OlderThanXMonths OlderThanXYears
   On OnOrAfter OnOrBefore InFiscalYear InFiscalPeriod LastXFiscalPeriods LastXFiscalYears
   NextXFiscalPeriods NextXFiscalYears Above AboveOrEqual Under UnderOrEqual NotUnder Contains`,
);
define('value12', 'InFiscalPeriodAndYear InOrAfterFiscalPeriodAndYear InOrBeforeFiscalPeriodAndYear');

/** Functions the emulator recognises but does not evaluate (fiscal calendars, hierarchies, teams, full-text). */
export const UNSUPPORTED_DATAVERSE_FUNCTIONS = new Set(
  Object.keys(SHAPES).filter((n) =>
    /Fiscal|Above|Under|Hierarchy|Teams|EqualUserLanguage|^Contains$/.test(n),
  ),
);

export function dataverseFunctionParameters(shortName: string): string[] | undefined {
  const shape = SHAPES[shortName];
  return shape && PARAMETERS[shape];
}

/** Throws when a Microsoft.Dynamics.CRM call names an unknown function or passes the wrong parameters. */
export function checkDataverseFunction(call: FunctionCallExpr, text: string): void {
  if (call.namespace !== DATAVERSE_NAMESPACE) return;
  const expected = dataverseFunctionParameters(call.shortName);
  if (!expected) throw unknownFunction(call.name, text, call.position);
  const given = call.parameters.map((p) => p.name);
  const sameSet = given.length === expected.length && expected.every((p) => given.includes(p));
  if (!sameSet) {
    throw new ODataSyntaxError(
      `No function signature for the function with name '${call.name}' matches the specified arguments. ` +
        `The function signatures considered are: ${call.name}(${expected.join(', ')}).`,
      call.position,
      text,
    );
  }
}
