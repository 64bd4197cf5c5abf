/**
 * generateConnectors: the metadata model in, connector packages out. Pure: no I/O (connectors/write.ts writes).
 */
import type { OpenAPIV2 } from 'openapi-types';
import type { CsdlModel } from '../client/metadata/model';
import { buildDynamicDocument } from './dynamic';
import { GeneratorError } from './errors';
import { buildFnoDynamicDocument } from './fno';
import { folderName, packageFor } from './package';
import { buildTypedDocuments } from './typed';
import type { GenerateOptions, GenerationResult, GeneratorWarning } from './types';

export function generateConnectors(model: CsdlModel, options: GenerateOptions): GenerationResult {
  if (options.service !== 'dataverse' && options.service !== 'fno') {
    throw new GeneratorError(`Unknown service '${String(options.service)}': use 'dataverse' or 'fno'.`, 'InvalidOption');
  }
  const warnings: GeneratorWarning[] = [];
  let docs: OpenAPIV2.Document[];
  switch (options.style) {
    case 'dynamic':
      // F&O has no EntityDefinitions: its dynamic connector lists entities from the service document (connectors/fno).
      docs = [options.service === 'fno' ? buildFnoDynamicDocument(model, options, warnings) : buildDynamicDocument(model, options, warnings)];
      break;
    case 'typed':
      docs = buildTypedDocuments(model, options, warnings);
      break;
    default:
      throw new GeneratorError(`Unknown style '${String(options.style)}': use 'dynamic' or 'typed'.`, 'InvalidOption');
  }
  if (docs.length === 0) throw new GeneratorError('No connector was generated: the selection holds no tables.', 'NoTables');
  const used = new Set<string>();
  const connectors = docs.map((doc) => {
    const base = folderName(doc.info.title);
    let name = base;
    for (let n = 2; used.has(name); n++) name = `${base}-${n}`;
    used.add(name);
    return packageFor(doc, options, warnings, name);
  });
  return { connectors, warnings };
}
