/**
 * Data projects (definition groups) and the entities they cover. A project is a DataManagementDefinitionGroups row;
 * its entity list, which that entity does not expose, comes from the project's last imported manifest, from
 * defineDataProject(), or else from the entity sets its Description names ("Customers V3 export" → CustomersV3).
 * Entity names are matched the way people write them in manifests: set name, entity name or label, any case,
 * spaces ignored.
 */
import type { FnoService } from '../context';

export interface DataProject {
  id: string;
  operation: 'Import' | 'Export';
  entitySets: string[];
}

const SET = 'DataManagementDefinitionGroups';

const normalize = (name: string) => name.toLowerCase().replace(/[\s_-]/g, '');

/** The entity set a manifest or project names, or undefined. */
export function resolveEntitySet(service: FnoService, name: string): string | undefined {
  const wanted = normalize(name);
  for (const [setName, set] of service.model.entitySets) {
    const typeName = set.entityType.split('.').pop() ?? '';
    if ([setName, typeName, `${typeName}Entity`].some((n) => normalize(n) === wanted)) return setName;
  }
  return undefined;
}

export class DataProjects {
  private readonly entities = new Map<string, string[]>();

  constructor(private readonly service: FnoService) {}

  define(id: string, operation: 'Import' | 'Export', entitySets: string[]): DataProject {
    for (const s of entitySets) if (!this.service.entitySet(s)) throw new Error(`'${s}' is not an entity set of the model.`);
    this.ensureRow(id, operation);
    this.entities.set(id.toLowerCase(), [...entitySets]);
    return { id, operation, entitySets: [...entitySets] };
  }

  /** Records the entities an import brought (creating the project, as ImportFromPackage does for a new name). */
  rememberImport(id: string, entitySets: string[]): void {
    if (!id) return;
    this.ensureRow(id, 'Import');
    this.entities.set(id.toLowerCase(), [...new Set(entitySets)]);
  }

  find(id: string): DataProject | undefined {
    const row = this.row(id);
    if (!row) return undefined;
    const operation = row.OperationType === 'Export' ? 'Export' : 'Import';
    const known = this.entities.get(id.toLowerCase());
    if (known) return { id: String(row.DefinitionGroupId), operation, entitySets: known };
    const description = normalize(String(row.Description ?? ''));
    const named = [...this.service.model.entitySets.keys()].filter((s) => description.includes(normalize(s)));
    return { id: String(row.DefinitionGroupId), operation, entitySets: named };
  }

  private row(id: string) {
    const exact = this.service.store.get(SET, { DefinitionGroupId: id });
    if (exact) return exact.row;
    return this.service.store.list(SET).find((r) => String(r.row.DefinitionGroupId).toLowerCase() === id.toLowerCase())?.row;
  }

  private ensureRow(id: string, operation: 'Import' | 'Export') {
    if (this.row(id)) return;
    this.service.store.insert(SET, {
      DefinitionGroupId: id,
      Description: id.slice(0, 60),
      OperationType: operation,
      GenerateDataPackage: operation === 'Export' ? 'Yes' : 'No',
      TruncateEntityData: 'No',
    });
  }
}
