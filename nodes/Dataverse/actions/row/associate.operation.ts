import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import type { RelationshipInfo, TableInfo } from '../../../../client/metadata/entity-definitions';
import { InputError } from '../../helpers/errors';
import { isGuid, resolveTable } from '../../helpers/metadata';
import type { Connection } from '../../transport/connection';
import { callHeaders, rowIdParameter, tableParameter } from '../helpers';
import { optionsCollection, rowLocator, tableLocator } from '../common.descriptions';

export function associationDescription(operation: 'associate' | 'disassociate'): INodeProperties[] {
  const show = { show: { resource: ['row'], operation: [operation] } };
  return [
    { ...tableLocator, displayOptions: show },
    { ...rowLocator(), displayOptions: show },
    {
      displayName: 'Relationship Name or ID',
      name: 'relationship',
      type: 'options',
      typeOptions: { loadOptionsMethod: 'getRelationships', loadOptionsDependsOn: ['table.value'] },
      default: '',
      required: true,
      description:
        'One-to-many or many-to-many relationship (collection navigation property) of the table. Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
      displayOptions: show,
    },
    {
      displayName: 'Related Row ID',
      name: 'relatedRowId',
      type: 'string',
      default: '',
      required: true,
      placeholder: '00000000-0000-0000-0000-000000000000',
      description: 'GUID of the row on the other side of the relationship',
      displayOptions: show,
    },
    optionsCollection(operation, ['callerObjectId']),
  ];
}

export const description = associationDescription('associate');

export async function relationshipTarget(
  ctx: IExecuteFunctions,
  conn: Connection,
  table: TableInfo,
  i: number,
): Promise<{ relationship: RelationshipInfo; related: TableInfo; relatedId: string }> {
  const name = String(ctx.getNodeParameter('relationship', i, '') ?? '').trim();
  if (!name) throw new InputError('The Relationship is empty: pick one or check the expression that gives it.', 'EmptyRelationship');
  const relationships = await conn.metadata.getRelationships(table.logicalName);
  const relationship = relationships.find(
    (r) => r.kind !== 'ManyToOne' && (r.navigationProperty === name || r.schemaName === name),
  );
  if (!relationship?.navigationProperty) {
    throw new InputError(`The table '${table.logicalName}' has no one-to-many or many-to-many relationship '${name}'.`, 'UnknownRelationship');
  }
  const relatedId = String(ctx.getNodeParameter('relatedRowId', i, '') ?? '').trim();
  if (!relatedId) throw new InputError('The Related Row ID is empty (did an expression resolve to nothing?).', 'EmptyRowId');
  if (!isGuid(relatedId)) throw new InputError(`The Related Row ID '${relatedId}' is not a GUID.`, 'InvalidRowId');
  return { relationship, related: await resolveTable(conn, relationship.relatedTable), relatedId };
}

export async function execute(this: IExecuteFunctions, conn: Connection, i: number): Promise<IDataObject[]> {
  const table = await tableParameter(this, conn, i);
  const id = rowIdParameter(this, i);
  const { relationship, related, relatedId } = await relationshipTarget(this, conn, table, i);
  const options = this.getNodeParameter('options', i, {}) as IDataObject;
  await conn.dv.associate(table.entitySetName, id, relationship.navigationProperty!, { set: related.entitySetName, key: relatedId }, { extraHeaders: callHeaders(options) });
  return [{ id, relationship: relationship.navigationProperty!, relatedTable: related.logicalName, relatedId, associated: true }];
}
