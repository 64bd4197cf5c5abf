/**
 * Reads an OData v4 CSDL ($metadata) document into a CsdlModel, from a string or a stream. Both go through the
 * strict streaming tokenizer, so hostile documents (DOCTYPE, entity bombs, oversized or deeply nested markup) are
 * refused before any model is built, and no document tree is ever held: a stream is read with memory that follows
 * the model, not the document.
 */
import { StringDecoder } from 'node:string_decoder';
import { CsdlBuilder } from './csdl-builder';
import { CsdlError } from './csdl-error';
import type { CsdlModel, EntityType } from './model';
import { XmlError, XmlTokenizer, type XmlTokenizerLimits } from './xml-events';

export { CsdlError };
export { resolveInheritance } from './csdl-resolve';

export type CsdlParseOptions = XmlTokenizerLimits;

/** Bytes decoded at a time: at most 32 K characters, an ordinary (young) string even when two-byte. */
const DECODE_SLICE = 32 * 1024;

export function parseCsdl(xml: string, options: CsdlParseOptions = {}): CsdlModel {
  const { tokenizer, builder } = start(options);
  try {
    tokenizer.write(xml);
    tokenizer.end();
  } catch (e) {
    throw asCsdlError(e);
  }
  return builder.finish();
}

/**
 * Parses a $metadata stream (an HTTP response, a file, a gunzip stream) chunk by chunk. Bytes are read as UTF-8;
 * strings are taken as they come. On an error the source is abandoned (a Node stream is destroyed), so a hostile
 * or huge document is never read to its end.
 */
export async function parseCsdlStream(
  source: NodeJS.ReadableStream | AsyncIterable<string | Buffer>,
  options: CsdlParseOptions = {},
): Promise<CsdlModel> {
  const { tokenizer, builder } = start(options);
  const decoder = new StringDecoder('utf8');
  try {
    for await (const chunk of source as AsyncIterable<string | Buffer>) {
      if (typeof chunk === 'string') {
        tokenizer.write(chunk);
        continue;
      }
      // Decoded a slice at a time: a string of a whole 1 MB read would be a large object, which only a full
      // collection frees, so every chunk read would add to the process's peak until then.
      for (let at = 0; at < chunk.length; at += DECODE_SLICE) {
        tokenizer.write(decoder.write(at === 0 && chunk.length <= DECODE_SLICE ? chunk : chunk.subarray(at, at + DECODE_SLICE)));
      }
    }
    tokenizer.write(decoder.end());
    tokenizer.end();
  } catch (e) {
    throw asCsdlError(e);
  }
  return builder.finish();
}

function start(options: CsdlParseOptions) {
  // The builder asks the tokenizer where it is only while tokenizing, after both exist.
  const builder: CsdlBuilder = new CsdlBuilder((): { line: number; column: number } => tokenizer.position());
  const tokenizer: XmlTokenizer = new XmlTokenizer(builder, options);
  return { tokenizer, builder };
}

function asCsdlError(e: unknown): unknown {
  if (e instanceof XmlError) {
    const error = new CsdlError(`$metadata is not well-formed XML: ${e.message}`, e.line, e.column);
    error.cause = e;
    return error;
  }
  return e;
}

/** The entity type behind an entity set, or undefined. */
export function entityTypeOfSet(model: CsdlModel, setName: string): EntityType | undefined {
  const set = model.entitySets.get(setName);
  return set ? model.entityTypes.get(set.entityType) : undefined;
}
