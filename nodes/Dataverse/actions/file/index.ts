import type { INodeProperties } from 'n8n-workflow';
import { operationSelector } from '../../../shared/descriptions';
import type { OperationModule } from '../operation';
import * as del from './delete.operation';
import * as download from './download.operation';
import * as upload from './upload.operation';

export const operations: Record<string, OperationModule> = { upload, download, delete: del };

export const description: INodeProperties[] = [
  operationSelector('file', 'download', [
    { name: 'Delete', value: 'delete', description: 'Clear a file or image column of a row', action: 'Delete a file' },
    { name: 'Download', value: 'download', description: 'Download a file or image column into binary data', action: 'Download a file' },
    { name: 'Upload', value: 'upload', description: 'Upload binary data into a file or image column', action: 'Upload a file' },
  ]),
  ...upload.description,
  ...download.description,
  ...del.description,
];
