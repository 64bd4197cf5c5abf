/** One Data management per F&O service, shared by the package API and recurring integrations. */
import type { FnoService } from '../context';
import { DataManagement, DataManagementOptions } from './runtime';

const instances = new WeakMap<FnoService, DataManagement>();

export function dataManagementOf(service: FnoService, options: DataManagementOptions = {}): DataManagement {
  let dm = instances.get(service);
  if (!dm) {
    dm = new DataManagement(service, options);
    instances.set(service, dm);
  }
  return dm;
}
