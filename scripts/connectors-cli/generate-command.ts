/**
 * d365-connectors generate: metadata → model (metadata-source) → connector folders (generateConnectors +
 * writeConnectors), or one OpenAPI 3 document of every entity set (--format openapi3). Warnings go to stderr with
 * their code and location, the paths written to stdout.
 */
import * as fs from 'node:fs';
import { once } from 'node:events';
import * as path from 'node:path';
import type { CsdlModel } from '../../client/metadata/model';
import { GeneratorError } from '../../connectors/errors';
import { generateConnectors } from '../../connectors/generate';
import { writeOpenApi3 } from '../../connectors/openapi3';
import { selectEntitySets } from '../../connectors/typed/select';
import type { GenerateOptions, GeneratorWarning } from '../../connectors/types';
import { writeConnectors } from '../../connectors/write';
import type { GenerateArgs } from './args';
import { CliError, EXIT, type ExitCode } from './exit-codes';
import { Progress, type CliIo } from './io';
import { loadMetadata } from './metadata-source';

export function formatWarning(w: GeneratorWarning): string {
  return `warning ${w.code}${w.where ? ` ${w.where}` : ''}: ${w.message}`;
}

/** GeneratorError codes → exit codes: a refusal is 1, a bad option 2, input the generator cannot use 3. */
export function exitCodeOf(e: GeneratorError): ExitCode {
  if (e.code === 'InvalidOption') return EXIT.USAGE;
  if (e.code === 'InvalidInput') return EXIT.INPUT;
  return EXIT.FAILED;
}

export async function runGenerate(args: GenerateArgs, io: CliIo): Promise<ExitCode> {
  const progress = new Progress(io, args.progress || io.stderrIsTTY === true);
  const model = await loadMetadata(args.metadata, {
    service: args.service,
    maxMetadataMB: args.maxMetadataMB,
    progress,
    tenant: args.tenant,
    clientId: args.clientId,
    clientSecret: args.clientSecret,
    authority: args.authority,
    ca: args.ca,
    env: io.env ?? process.env,
  });
  const onProgress = (done: number, total: number) => progress.update(`generating: ${done} of ${total} entity sets`, done === total);
  try {
    return args.format === 'openapi3' ? await openApi3(model, args, onProgress, io) : await connectors(model, args, onProgress, io);
  } catch (e) {
    if (e instanceof GeneratorError) throw new CliError(e.message, exitCodeOf(e));
    const code = (e as NodeJS.ErrnoException)?.code;
    if (typeof code === 'string' && /^E[A-Z]+$/.test(code) && typeof (e as NodeJS.ErrnoException).syscall === 'string') {
      throw new CliError(`cannot write to ${args.out}: ${(e as Error).message}`, EXIT.INPUT);
    }
    throw e;
  } finally {
    progress.done();
  }
}

/**
 * openapi.json streamed (writeOpenApi3): neither the document nor its text is ever whole in memory. Written to a
 * temporary file renamed at the end, so a failure (an unknown --tables name, a full disk) leaves no partial
 * openapi.json. Indented by 2 as before: the file is also for people to read, and indentation costs no memory when
 * streamed (only time and size).
 */
async function openApi3(model: CsdlModel, args: GenerateArgs, onProgress: GenerateOptions['onProgress'], io: CliIo): Promise<ExitCode> {
  const warnings: GeneratorWarning[] = [];
  selectEntitySets(model, args.tables); // an unknown name refused before anything is created
  await fs.promises.mkdir(args.out, { recursive: true });
  const file = path.join(args.out, 'openapi.json');
  const partial = `${file}.${process.pid}.partial`;
  const stream = fs.createWriteStream(partial);
  try {
    await once(stream, 'open');
    await writeOpenApi3(model, { tables: args.tables, title: args.title, onProgress, warnings, indent: 2 }, stream);
    stream.end('\n');
    await once(stream, 'finish');
    await fs.promises.rename(partial, file);
  } catch (e) {
    stream.destroy();
    await fs.promises.rm(partial, { force: true });
    throw e;
  }
  if (!args.quiet) for (const w of warnings) io.stderr(`${formatWarning(w)}\n`);
  io.stdout(`${file}\n`);
  return EXIT.OK;
}

async function connectors(model: CsdlModel, args: GenerateArgs, onProgress: GenerateOptions['onProgress'], io: CliIo): Promise<ExitCode> {
  const result = generateConnectors(model, {
    service: args.service,
    style: args.style,
    tables: args.tables,
    title: args.title,
    split: args.split,
    onProgress,
  });
  if (!args.quiet) for (const w of result.warnings) io.stderr(`${formatWarning(w)}\n`);
  const folders = await writeConnectors(result, args.out);
  for (const folder of folders) io.stdout(`${folder}\n`);
  return EXIT.OK;
}
