import type { ILoadOptionsFunctions, INodePropertyOptions } from 'n8n-workflow';
import { entityActions, entityFields, sampleValue } from '../helpers/model';
import { currentText, withConnection } from './context';

const byName = (a: INodePropertyOptions, b: INodePropertyOptions) => a.name.localeCompare(b.name);

/** Field names of the chosen entity ($select). */
export async function getFieldNames(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
  return withConnection(this, async (conn) => {
    const set = currentText(this, 'entitySet');
    if (!set) return [];
    const model = await conn.fno.metadata();
    return entityFields(model, set).map((f) => ({ name: f.name, value: f.name })).sort(byName);
  });
}

/** Actions bound to the chosen entity, each with its parameters as a JSON sample. */
export async function getEntityActions(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
  return withConnection(this, async (conn) => {
    const set = currentText(this, 'entitySet');
    if (!set) return [];
    const model = await conn.fno.metadata();
    return entityActions(model, set).map((a) => {
      const sample = Object.fromEntries(a.parameters.map((p) => [p.name, sampleValue(p.type, model)]));
      const scope = a.collection ? 'bound to the entity' : 'bound to a row';
      return { name: a.name, value: a.name, description: `${scope}; parameters: ${JSON.stringify(sample)}${a.returnType ? `; returns ${a.returnType}` : ''}` };
    });
  });
}

export async function getServiceGroups(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
  return withConnection(this, async (conn) => (await conn.fno.listServiceGroups()).map((g) => ({ name: g, value: g })).sort(byName));
}

export async function getServices(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
  return withConnection(this, async (conn) => {
    const group = currentText(this, 'serviceGroup');
    if (!group) return [];
    return (await conn.fno.listServices(group)).map((s) => ({ name: s, value: s })).sort(byName);
  });
}

/** Operations of the chosen service, each described by a JSON sample of its parameters and its return type. */
export async function getServiceOperations(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
  return withConnection(this, async (conn) => {
    const group = currentText(this, 'serviceGroup');
    const service = currentText(this, 'service');
    if (!group || !service) return [];
    const [described] = await conn.fno.discoverServices({ group });
    const operations = described?.services.find((s) => s.name === service)?.operations ?? [];
    return operations
      .map((o) => {
        const sample = Object.fromEntries(o.parameters.map((p) => [p.name, sampleValue(p.type)]));
        return { name: o.name, value: o.name, description: `Parameters: ${JSON.stringify(sample)}${o.returnType ? `; returns ${o.returnType}` : ''}` };
      })
      .sort(byName);
  });
}
