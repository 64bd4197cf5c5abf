/**
 * Child process of the generator benchmark: converts one $metadata file to an OpenAPI 3 document of every entity
 * set with this package's generator (`ours`: parseCsdlStream, then writeOpenApi3 streaming compact JSON to the
 * file) or with odata-openapi (`odata-openapi`, the same steps as its CLI without --pretty: read, xml2json,
 * csdl2openapi, compact JSON stringified chunked to the file), then prints {ms, maxRssMB, outputBytes} as one JSON
 * line. Each run is alone in its process, so the peak RSS is its own. Both outputs are compact JSON, so their sizes
 * compare like for like. `baseline` does nothing but load this script (which loads this package's modules) and
 * report its peak RSS: the floor every run above starts from, so that memory can also be compared above it.
 *
 *   node generator-child.js ours|odata-openapi <input.xml> <output.json>
 *   node generator-child.js baseline
 */
import * as fs from 'node:fs';
import { once } from 'node:events';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { parseCsdlStream } from '../../client/metadata/csdl';
import { writeOpenApi3 } from '../../connectors/openapi3';

async function ours(input: string, output: string): Promise<void> {
  const model = await parseCsdlStream(fs.createReadStream(input, { highWaterMark: 1024 * 1024 }));
  // Streamed, compact (as odata-openapi's CLI without --pretty, and as the other side here).
  const stream = fs.createWriteStream(output);
  await writeOpenApi3(model, {}, stream);
  stream.end();
  await once(stream, 'finish');
}

async function odataOpenapi(input: string, output: string): Promise<void> {
  // Its package exports only lib/csdl2openapi.js; its own dependencies are resolved from its folder.
  const main = require.resolve('odata-openapi');
  const from = { paths: [path.dirname(main)] };
  const { csdl2openapi } = require(main);
  const { xml2json } = require(require.resolve('odata-csdl', from));
  const { stringifyChunked } = require(require.resolve('@discoveryjs/json-ext', from));
  const text = fs.readFileSync(input, 'utf8');
  const json = xml2json(text);
  const messages: unknown[] = [];
  const openapi = csdl2openapi(json, { messages });
  const stream = Readable.from(stringifyChunked(openapi, null, 0)).pipe(fs.createWriteStream(output));
  await once(stream, 'finish');
}

async function main() {
  const [tool, input, output] = process.argv.slice(2);
  if (tool === 'baseline') {
    process.stdout.write(`${JSON.stringify({ ms: 0, maxRssMB: process.resourceUsage().maxRSS / 1024, outputBytes: 0 })}\n`);
    return;
  }
  const started = process.hrtime.bigint();
  if (tool === 'ours') await ours(input, output);
  else if (tool === 'odata-openapi') await odataOpenapi(input, output);
  else throw new Error(`unknown tool '${tool}'`);
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  const outputBytes = fs.statSync(output).size;
  process.stdout.write(`${JSON.stringify({ ms, maxRssMB: process.resourceUsage().maxRSS / 1024, outputBytes })}\n`);
}

main().catch((e) => {
  process.stderr.write(`${(e as Error)?.stack ?? e}\n`);
  process.exit(1);
});
