/** Parameters every File operation shares: the table, the row and the file or image column. */
import type { INodeProperties } from 'n8n-workflow';
import { columnPicker, rowLocator, tableLocator } from '../common.descriptions';

export function fileTarget(operation: string): INodeProperties[] {
  const displayOptions = { show: { resource: ['file'], operation: [operation] } };
  return [
    { ...tableLocator, displayOptions },
    { ...rowLocator(), displayOptions },
    {
      ...columnPicker('getFileColumns'),
      displayName: 'File or Image Column Name or ID',
      required: true,
      displayOptions,
    },
  ];
}

export const callerObjectIdOption: INodeProperties = {
  displayName: 'Impersonate User (Entra Object ID)',
  name: 'callerObjectId',
  type: 'string',
  default: '',
  description: 'Run as this user (CallerObjectId header); the application user needs the Act on Behalf of Another User privilege',
};
