/**
 * Reads the value of one `<Annotation>` element from the tokenizer's events: only the annotation's own small
 * subtree is ever held, never the document around it.
 */
import type { AnnotationValue } from './model';
import { ownString } from './csdl-elements';
import { setOwn } from './own-string';

/** Constant expressions that may be written as an attribute of `<Annotation>` / `<PropertyValue>` or as an element. */
const CONSTANTS = [
  'String', 'Bool', 'Int', 'Decimal', 'Float', 'EnumMember', 'Path', 'PropertyPath', 'NavigationPropertyPath',
  'AnnotationPath', 'ModelElementPath', 'Date', 'DateTimeOffset', 'TimeOfDay', 'Duration', 'Guid', 'Binary',
];
const CONSTANT_SET = new Set(CONSTANTS);
const CONSTANT_RANK = new Map(CONSTANTS.map((name, rank) => [name, rank]));

type Node =
  | { kind: 'holder'; value: AnnotationValue | undefined }
  | { kind: 'collection'; items: AnnotationValue[] }
  | { kind: 'record'; record: { [property: string]: AnnotationValue } }
  | { kind: 'property'; name: string; value: AnnotationValue | undefined }
  | { kind: 'constant'; element: string; text: string }
  | { kind: 'ignored' };

/**
 * Keeps a string read from the document: an own copy (never a slice pinning the input), possibly shared with equal
 * strings read before (descriptions, enum members and record types repeat thousands of times).
 */
export type KeepString = (text: string) => string;

function constant(element: string, text: string, keep: KeepString): AnnotationValue {
  switch (element) {
    case 'Bool':
      return text.trim() === 'true';
    case 'Int':
    case 'Decimal':
    case 'Float':
      return Number(text.trim());
    case 'String':
      return keep(text);
    default:
      return keep(text.trim());
  }
}

/** The value written as an attribute (`String="…"`, `Bool="true"`), if any. */
export function inlineValue(attrs: Record<string, string>, keep: KeepString = ownString): AnnotationValue | undefined {
  // An element has a few attributes, so they are looked up in the constants rather than all constants in them;
  // when several are written, the first in CONSTANTS order wins, as always.
  let best: string | undefined;
  let bestRank = CONSTANTS.length;
  for (const name of Object.keys(attrs)) {
    const rank = CONSTANT_RANK.get(name);
    if (rank !== undefined && rank < bestRank) {
      best = name;
      bestRank = rank;
    }
  }
  return best === undefined ? undefined : constant(best, attrs[best], keep);
}

export class AnnotationValueReader {
  private readonly stack: Node[];

  constructor(
    attrs: Record<string, string>,
    private readonly keep: KeepString = ownString,
  ) {
    this.stack = [{ kind: 'holder', value: inlineValue(attrs, keep) }];
  }

  /** The value read so far; undefined when the annotation has none (a Boolean term then means true). */
  get value(): AnnotationValue | undefined {
    return (this.stack[0] as { value: AnnotationValue | undefined }).value;
  }

  open(local: string, attrs: Record<string, string>): void {
    const parent = this.stack[this.stack.length - 1];
    // Annotations of the annotation, and anything below a dynamic expression, are not part of the value.
    if (parent.kind === 'ignored' || parent.kind === 'constant' || local === 'Annotation') {
      this.stack.push({ kind: 'ignored' });
    } else if (parent.kind === 'record') {
      this.stack.push(local === 'PropertyValue' && attrs.Property
        ? { kind: 'property', name: this.keep(attrs.Property), value: inlineValue(attrs, this.keep) }
        : { kind: 'ignored' });
    } else if (local === 'Collection') {
      this.stack.push({ kind: 'collection', items: [] });
    } else if (local === 'Record') {
      const record: { [property: string]: AnnotationValue } = {};
      if (attrs.Type) record.$Type = this.keep(attrs.Type);
      this.stack.push({ kind: 'record', record });
    } else if (CONSTANT_SET.has(local)) {
      this.stack.push({ kind: 'constant', element: local, text: '' });
    } else if (local === 'Null') {
      this.stack.push({ kind: 'holder', value: null });
    } else {
      this.stack.push({ kind: 'ignored' });
      this.add(parent, null);
    }
  }

  text(text: string): void {
    const top = this.stack[this.stack.length - 1];
    if (top.kind === 'constant') top.text += text;
  }

  /** Returns true when the `<Annotation>` element itself has closed. */
  close(): boolean {
    if (this.stack.length === 1) return true;
    const done = this.stack.pop()!;
    const parent = this.stack[this.stack.length - 1];
    switch (done.kind) {
      case 'collection': this.add(parent, done.items); break;
      case 'record': this.add(parent, done.record); break;
      case 'constant': this.add(parent, constant(done.element, done.text, this.keep)); break;
      case 'holder': this.add(parent, done.value ?? null); break;
      case 'property':
        if (parent.kind === 'record') setOwn(parent.record, done.name, done.value ?? null);
        break;
      default: break;
    }
    return false;
  }

  private add(parent: Node, value: AnnotationValue): void {
    if (parent.kind === 'collection') parent.items.push(value);
    else if (parent.kind === 'holder' || parent.kind === 'property') parent.value ??= value;
  }
}
