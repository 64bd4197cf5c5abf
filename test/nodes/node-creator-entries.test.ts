/**
 * The entries of n8n's node panel for this package's nodes. n8n 2.41.1's node creator (useActionsGeneration,
 * generateMergedNodesAndActions) folds a trigger into the node whose type name is the trigger's without "Trigger"
 * when that node has actions, and the shared entry then shows the trigger's description. So a folded trigger's
 * description has to cover the node's actions too; the others keep their own entry and description.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { INodeType, INodeTypeDescription } from 'n8n-workflow';

const root = path.resolve(__dirname, '../..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { name: string; n8n: { nodes: string[] } };

/** The node classes the package declares, loaded from their sources (dist/nodes/X/X.node.js → nodes/X/X.node). */
function declaredNodes(): INodeTypeDescription[] {
  return pkg.n8n.nodes.map((file) => {
    const mod = require(path.join(root, file.replace(/^dist\//, '').replace(/\.js$/, ''))) as Record<string, new () => INodeType>;
    const NodeClass = Object.values(mod).find((v) => typeof v === 'function');
    if (!NodeClass) throw new Error(`${file} exports no node class`);
    return new NodeClass().description;
  });
}

const typeName = (d: INodeTypeDescription) => `${pkg.name}.${d.name}`;

test('only the Dataverse trigger shares an entry, and that entry describes both the node and the trigger', () => {
  const nodes = declaredNodes();
  const apps = nodes.filter((d) => !d.group.includes('trigger'));
  const folded = nodes
    .filter((d) => d.group.includes('trigger'))
    .map((trigger) => ({ trigger, app: apps.find((a) => typeName(a) === typeName(trigger).replace('Trigger', '')) }))
    .filter((pair) => pair.app);
  expect(folded.map(({ trigger, app }) => [trigger.name, app!.name])).toEqual([['dataverseTrigger', 'dataverse']]);
  const [{ trigger, app }] = folded;
  expect(trigger.description).toContain(app!.description);
  expect(trigger.description).toMatch(/start a workflow when rows .* are created, updated or deleted/);
});
