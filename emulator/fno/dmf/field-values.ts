/**
 * Converts between CSV cells and row values by the field's CSDL type, the way the emulator's rows hold them
 * (numbers as numbers, enums as member names, dates as ISO strings), so an export re-imports unchanged.
 * A cell that does not fit its type is a row error with a message naming the field and the value.
 */
import type { CsdlModel, Property } from '../../../client/metadata/model';

export class FieldValueError extends Error {}

const INTEGER = /^[+-]?\d+$/;
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?(Z|[+-]\d{2}:\d{2})$/;
const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/** The row value of a non-empty cell. */
export function cellToValue(model: CsdlModel, prop: Property, cell: string): unknown {
  const bad = (what: string) => new FieldValueError(`The value '${cell.slice(0, 100)}' of field ${prop.name} is not ${what}.`);
  switch (prop.type) {
    case 'Edm.String':
      if (prop.maxLength !== undefined && cell.length > prop.maxLength) {
        throw new FieldValueError(`The value of field ${prop.name} is ${cell.length} characters long; at most ${prop.maxLength} are allowed.`);
      }
      return cell;
    case 'Edm.Int32':
    case 'Edm.Int64':
    case 'Edm.Int16':
    case 'Edm.Byte': {
      if (!INTEGER.test(cell)) throw bad('an integer');
      const n = Number(cell);
      if (!Number.isSafeInteger(n)) throw bad('an integer in range');
      return n;
    }
    case 'Edm.Decimal':
    case 'Edm.Double':
    case 'Edm.Single':
      if (!DECIMAL.test(cell)) throw bad('a number (use . as the decimal separator)');
      return Number(cell);
    case 'Edm.Boolean':
      if (/^(true|1)$/i.test(cell)) return true;
      if (/^(false|0)$/i.test(cell)) return false;
      throw bad('a boolean');
    case 'Edm.Date':
      if (!DATE.test(cell) || Number.isNaN(Date.parse(cell))) throw bad('a date (yyyy-mm-dd)');
      return cell;
    case 'Edm.DateTimeOffset':
      if (!DATETIME.test(cell) || Number.isNaN(Date.parse(cell))) throw bad('a date and time (ISO 8601 with a zone)');
      return cell;
    case 'Edm.Guid':
      if (!GUID.test(cell)) throw bad('a GUID');
      return cell.toLowerCase();
    default: {
      const enumType = model.enumTypes.get(prop.type);
      if (enumType) {
        const member = enumType.members.find((m) => m.name.toLowerCase() === cell.toLowerCase() || String(m.value) === cell);
        if (!member) throw bad(`a member of ${enumType.name} (${enumType.members.map((m) => m.name).join(', ')})`);
        return member.name;
      }
      return cell;
    }
  }
}

/** The CSV cell of a row value. */
export function valueToCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}
