/**
 * Builds the F&O service state: the model (ours or any F&O CSDL), the rows from the seed file, and the legal
 * entities that define which companies exist.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseCsdl } from '../../client/metadata/csdl';
import type { FnoRow, FnoService } from './context';
import { FnoError } from './context';
import { FnoEntityStore } from './store';

export const FNO_MODEL_DIR = path.join(__dirname, 'model');

export interface FnoSeed {
  defaultCompany: string;
  rows: Record<string, FnoRow[]>;
}

export interface FnoServiceOptions {
  /** A CSDL file (e.g. a synthetic 3,000-entity model); default: emulator/fno/model/fno.xml. */
  metadataFile?: string;
  /** Seed rows; default: fno-seed.json when the built-in model is used, none otherwise. */
  seed?: FnoSeed;
  /** Seed the sample customers, vendors, products and orders (default true; legal entities are always there). */
  sampleData?: boolean;
  defaultCompany?: string;
  now: () => number;
}

/** Companies that always exist, even with a model that has no LegalEntities set. */
const FALLBACK_COMPANIES = ['usmf', 'ussu', 'demf', 'dat'];

export function createFnoService(options: FnoServiceOptions): FnoService & { store: FnoEntityStore } {
  const builtIn = !options.metadataFile;
  const metadataXml = fs.readFileSync(options.metadataFile ?? path.join(FNO_MODEL_DIR, 'fno.xml'), 'utf8');
  const model = parseCsdl(metadataXml);
  const seed: FnoSeed | undefined =
    options.seed ?? (builtIn ? (JSON.parse(fs.readFileSync(path.join(FNO_MODEL_DIR, 'fno-seed.json'), 'utf8')) as FnoSeed) : undefined);
  let defaultCompany = (options.defaultCompany ?? seed?.defaultCompany ?? 'usmf').toLowerCase();

  const companies = (): string[] => {
    if (!model.entitySets.has('LegalEntities')) return [...FALLBACK_COMPANIES];
    return store.list('LegalEntities').map((r) => String(r.row.LegalEntityId).toLowerCase());
  };
  const resolveCompany = (company: string): string => {
    const id = String(company).toLowerCase();
    if (!companies().includes(id)) {
      throw new FnoError(400, `The company '${company}' does not exist. Use the dataAreaId of a legal entity (see /data/LegalEntities).`);
    }
    return id;
  };
  const store = new FnoEntityStore({ model, defaultCompany: () => defaultCompany, resolveCompany });

  for (const [set, rows] of Object.entries(seed?.rows ?? {})) {
    if (!model.entitySets.has(set)) continue;
    if (options.sampleData === false && set !== 'LegalEntities') continue;
    store.load(set, rows);
  }
  if (!companies().includes(defaultCompany)) {
    throw new Error(`The default company '${defaultCompany}' is not a legal entity of the F&O model (${companies().join(', ')}).`);
  }
  defaultCompany = resolveCompany(defaultCompany);

  return {
    model,
    metadataXml,
    origin: '',
    defaultCompany,
    companies,
    resolveCompany,
    entitySet: (name) => store.info.get(name),
    store,
    now: () => new Date(options.now()),
  };
}
