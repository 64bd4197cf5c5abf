/**
 * The Authentication choice every Dataverse node (action or trigger) offers. The credentials list itself stays written
 * out in each node: the community lint rule that checks credential tests only reads it there.
 */
import type { INodeProperties } from 'n8n-workflow';

export const authenticationProperty: INodeProperties = {
  displayName: 'Authentication',
  name: 'authentication',
  type: 'options',
  default: 'appRegistration',
  options: [
    { name: 'App Registration (Client Secret or Certificate)', value: 'appRegistration' },
    { name: 'OAuth2 (Signed-in User)', value: 'oAuth2' },
  ],
};
