/**
 * Relate and unrelate operations of one table in the typed style, through the `$ref` of its collection-valued
 * navigation properties (one-to-many and many-to-many relationships):
 *
 * - Relate<Row>:   POST   /accounts({accountid})/{navigation}/$ref               body {"@odata.id": "contacts(<id>)"}
 * - Unrelate<Row>: DELETE /accounts({accountid})/{navigation}({relatedid})/$ref
 *
 * Decision: one pair per table with the relationship as a dropdown (`enum` with the related table in each label)
 * rather than one pair per navigation property: an account alone has 51 collection navigation properties in a real
 * environment, and a pair each would cost about 100 operations per table and crowd the split packing. Dataverse only:
 * every Dataverse row is addressed by a GUID, so the related row's key is typed the same whatever the relationship;
 * Finance and Operations data entities do not support `$ref` links.
 */
import type { OpenAPIV2 } from 'openapi-types';
import type { CsdlModel, EntitySet, EntityType } from '../../client/metadata/model';
import { label } from '../edm-schema';
import { sentence, summary, type OperationIds } from '../names';
import type { TableNames } from './operations';

type Parameter = OpenAPIV2.Parameter;

const ref = (name: string) => ({ $ref: `#/parameters/${name}` }) as unknown as Parameter;

export interface RelationshipInput {
  model: CsdlModel;
  set: EntitySet;
  type: EntityType;
  names: TableNames;
  /** The row's key path (`/accounts({accountid})`) and its parameters. */
  byKey: string;
  keyParams: Parameter[];
  ids: OperationIds;
}

/** A collection navigation property and the entity set of the rows it links to. */
interface Link {
  navigation: string;
  targetSet: string;
}

export function relationshipPaths(input: RelationshipInput): Record<string, OpenAPIV2.PathItemObject> {
  const { set, type, names, byKey, keyParams, ids } = input;
  const links = collectionLinks(input.model, set, type);
  if (!links.length) return {};
  const taken = new Set(keyParams.map((p) => p.name.toLowerCase()));
  const navName = free('navigation', taken);
  const relatedName = free('relatedid', taken);
  const rowLabel = label(type.name);
  const headers = [ref('ODataVersion'), ref('ODataMaxVersion')];
  const failed = { description: 'Operation failed.' };
  const navigation: Parameter = {
    name: navName,
    in: 'path',
    required: true,
    type: 'string',
    enum: links.map((l) => l.navigation),
    'x-ms-enum-values': links.map((l) => ({ value: l.navigation, displayName: `${label(l.targetSet)} (${l.navigation})` })),
    'x-ms-summary': 'Relationship',
    description: sentence(`The relationship of the ${rowLabel} row, named by its navigation property; the related table is in brackets`),
    'x-ms-url-encoding': 'double',
  } as Parameter;
  const examples = links.slice(0, 2).map((l) => `${l.targetSet}(00000000-0000-0000-0000-000000000001)`).join(' or ');
  const relate: OpenAPIV2.OperationObject = {
    operationId: ids.take(`Relate${names.singular}`, `${byKey}/{${navName}}/$ref`),
    summary: summary(`Relate a ${rowLabel} row to another row`),
    description: sentence(`Links a row of the ${set.name} table to a row of the related table through a one-to-many or many-to-many relationship`),
    parameters: [
      ...keyParams,
      navigation,
      {
        name: 'item',
        in: 'body',
        required: true,
        'x-ms-summary': 'Relate with',
        description: 'The row to link, as its URL.',
        schema: {
          type: 'object',
          required: ['@odata.id'],
          properties: {
            '@odata.id': {
              type: 'string',
              description: sentence(`URL of the related row, absolute or relative to the Web API root and in the relationship's table, for example ${examples}`).slice(0, 500),
              'x-ms-summary': 'Related row URL',
            } as OpenAPIV2.SchemaObject,
          },
        },
      } as Parameter,
      ...headers,
    ],
    responses: { 204: { description: 'The rows were related.' }, default: failed },
  };
  const unrelate: OpenAPIV2.OperationObject = {
    operationId: ids.take(`Unrelate${names.singular}`, `${byKey}/{${navName}}({${relatedName}})/$ref`),
    summary: summary(`Unrelate a ${rowLabel} row from a related row`),
    description: sentence(`Removes the link between a row of the ${set.name} table and a row of the related table`),
    parameters: [
      ...keyParams,
      navigation,
      {
        name: relatedName,
        in: 'path',
        required: true,
        type: 'string',
        'x-ms-summary': 'Related row ID',
        description: 'The unique identifier (GUID) of the related row to unlink.',
        'x-ms-url-encoding': 'double',
      } as Parameter,
      ...headers,
    ],
    responses: { 204: { description: 'The rows were unrelated.' }, default: failed },
  };
  return {
    [`${byKey}/{${navName}}/$ref`]: { post: relate },
    [`${byKey}/{${navName}}({${relatedName}})/$ref`]: { delete: unrelate },
  };
}

/** Collection navigation properties whose target rows have an entity set, sorted by name. */
function collectionLinks(model: CsdlModel, set: EntitySet, type: EntityType): Link[] {
  const links: Link[] = [];
  for (const nav of type.allNavigation.values()) {
    if (!nav.collection || nav.containsTarget) continue;
    const targetSet = set.navigationBindings.get(nav.name) || model.entitySetByType.get(nav.type)?.name;
    if (targetSet) links.push({ navigation: nav.name, targetSet });
  }
  return links.sort((a, b) => a.navigation.localeCompare(b.navigation));
}

/** `wanted`, or `wanted` with a number when a key parameter already has that name. */
function free(wanted: string, taken: Set<string>): string {
  let name = wanted;
  for (let n = 2; taken.has(name.toLowerCase()); n++) name = `${wanted}${n}`;
  taken.add(name.toLowerCase());
  return name;
}
