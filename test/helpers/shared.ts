/** The shared reference folder sits beside the project (`../shared`): fixtures are read from there by path. */
import * as path from 'node:path';

export const SHARED_DIR = path.resolve(__dirname, '..', '..', '..', 'shared');
export const METADATA_FIXTURES = path.join(SHARED_DIR, 'fixtures', 'metadata');

export function sharedPath(...parts: string[]): string {
  return path.join(SHARED_DIR, ...parts);
}
