/**
 * The Authentication choice every Dynamics 365 node (action or trigger) offers, and how each kind of node method reads
 * it. The credentials list itself stays written out in each node: the community lint rule that checks credential
 * tests only reads it there.
 */
import type { ILoadOptionsFunctions, INodeProperties } from 'n8n-workflow';
import type { AuthenticationKind } from './credentials';

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

/** A picker runs before the node is saved: the choice is read from the editor's current values. */
export function pickerAuthentication(ctx: Pick<ILoadOptionsFunctions, 'getCurrentNodeParameter'>): AuthenticationKind {
  return (ctx.getCurrentNodeParameter('authentication') as AuthenticationKind | undefined) ?? 'appRegistration';
}

/** Hooks, polls and webhooks read the saved node's parameters, which have no item. */
export function savedAuthentication(ctx: { getNodeParameter(name: string, fallback: unknown): unknown }): AuthenticationKind {
  return ctx.getNodeParameter('authentication', 'appRegistration') === 'oAuth2' ? 'oAuth2' : 'appRegistration';
}
