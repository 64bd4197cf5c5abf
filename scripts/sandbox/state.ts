/**
 * .sandbox/state.json: what the first start created, so later starts reuse it instead of doing it again. It holds
 * the owner's password and n8n's encryption key, so it is written owner-readable only.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface SandboxCredentialState {
  id: string;
  /** Hash of the data last written, to tell when the emulator moved (another port) and n8n's copy must follow. */
  dataHash: string;
}

export interface SandboxState {
  owner: { email: string; password: string; firstName: string; lastName: string };
  encryptionKey: string;
  ownerCreated?: boolean;
  /** Hash of the build installed into n8n's user folder (see package-hash.ts). */
  packageHash?: string;
  credentials: Record<string, SandboxCredentialState>;
  /** Workflow file name → id in n8n; imported once, never again (a workflow the user deleted stays deleted). */
  workflows: Record<string, string>;
}

/** n8n asks for 8+ characters with a digit and an upper-case letter. */
function newPassword(): string {
  return `Sandbox-${randomBytes(12).toString('base64url')}-7`;
}

export function loadState(file: string): SandboxState {
  let saved: Partial<SandboxState> = {};
  if (fs.existsSync(file)) {
    try {
      saved = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<SandboxState>;
    } catch (e) {
      throw new Error(`${file} is not valid JSON (${(e as Error).message}); delete the .sandbox folder to start over`);
    }
  }
  return {
    owner: saved.owner ?? { email: 'sandbox@example.com', password: newPassword(), firstName: 'Sandbox', lastName: 'Owner' },
    encryptionKey: saved.encryptionKey ?? randomBytes(24).toString('hex'),
    ownerCreated: saved.ownerCreated,
    packageHash: saved.packageHash,
    credentials: saved.credentials ?? {},
    workflows: saved.workflows ?? {},
  };
}

/** Written to a temporary file and renamed, so an interrupted start never leaves half a state behind. */
export function saveState(file: string, state: SandboxState): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temp, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  fs.renameSync(temp, file);
}
