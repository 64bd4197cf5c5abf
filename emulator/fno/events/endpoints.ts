/**
 * Business event endpoints and activations. In F&O an HTTPS endpoint is a name plus a Key Vault secret that holds
 * the URL, and an event is activated per legal entity (blank = all) with endpoints assigned to it, at most 10 per
 * event and legal entity. The emulator has no Key Vault: the endpoint row carries the URL itself, and a key the
 * receiver checks belongs in that URL (a query parameter or path segment), exactly where the secret URL of a real
 * endpoint carries it.
 */
import { FnoError } from '../context';
import { loopbackTarget } from '../../webhooks/loopback';

export interface EventEndpoint {
  name: string;
  type: 'Https';
  url: string;
}

export interface EventActivation {
  businessEventId: string;
  /** Lower-case dataAreaId, or '' for every legal entity. */
  legalEntity: string;
  endpointName: string;
}

/** F&O's default bound on endpoints per business event and legal entity. */
export const MAX_ENDPOINTS_PER_EVENT = 10;

export class EventSubscriptions {
  private readonly endpoints = new Map<string, EventEndpoint>();
  private activations: EventActivation[] = [];

  constructor(private readonly allowHttp: boolean) {}

  addEndpoint(name: string, type: string, url: string): EventEndpoint {
    if (!/^[\w .-]{1,60}$/.test(name)) throw new FnoError(400, 'EndpointName must be 1 to 60 letters, digits, spaces, dots, dashes or underscores.');
    if (type.toLowerCase() !== 'https') throw new FnoError(400, `The endpoint type '${type}' is not available in the emulator; use Https.`);
    try {
      loopbackTarget(url, this.allowHttp);
    } catch (e) {
      throw new FnoError(400, (e as Error).message.replace(url, '<endpoint url>'));
    }
    if (this.endpoints.has(name.toLowerCase())) throw new FnoError(400, `An endpoint named '${name}' already exists.`);
    const endpoint: EventEndpoint = { name, type: 'Https', url };
    this.endpoints.set(name.toLowerCase(), endpoint);
    return endpoint;
  }

  endpoint(name: string): EventEndpoint | undefined {
    return this.endpoints.get(name.toLowerCase());
  }

  listEndpoints(): EventEndpoint[] {
    return [...this.endpoints.values()];
  }

  removeEndpoint(name: string): void {
    const endpoint = this.endpoint(name);
    if (!endpoint) throw new FnoError(404, `No endpoint named '${name}' exists.`);
    if (this.activations.some((a) => a.endpointName.toLowerCase() === name.toLowerCase())) {
      throw new FnoError(400, `The endpoint '${endpoint.name}' is assigned to active business events; deactivate them first.`);
    }
    this.endpoints.delete(name.toLowerCase());
  }

  activate(activation: EventActivation): EventActivation {
    const endpoint = this.endpoint(activation.endpointName);
    if (!endpoint) throw new FnoError(400, `No endpoint named '${activation.endpointName}' exists; create it in BusinessEventsEndpoints first.`);
    const same = (a: EventActivation) => a.businessEventId === activation.businessEventId && a.legalEntity === activation.legalEntity;
    if (this.activations.some((a) => same(a) && a.endpointName.toLowerCase() === endpoint.name.toLowerCase())) {
      throw new FnoError(400, `${activation.businessEventId} is already active for '${activation.legalEntity || 'all legal entities'}' on the endpoint '${endpoint.name}'.`);
    }
    if (this.activations.filter(same).length >= MAX_ENDPOINTS_PER_EVENT) {
      throw new FnoError(400, `${activation.businessEventId} already has ${MAX_ENDPOINTS_PER_EVENT} endpoints for '${activation.legalEntity || 'all legal entities'}', the limit.`);
    }
    const stored = { ...activation, endpointName: endpoint.name };
    this.activations.push(stored);
    return stored;
  }

  deactivate(businessEventId: string, legalEntity: string, endpointName: string): void {
    const before = this.activations.length;
    this.activations = this.activations.filter((a) => !(a.businessEventId === businessEventId && a.legalEntity === legalEntity && a.endpointName.toLowerCase() === endpointName.toLowerCase()));
    if (this.activations.length === before) throw new FnoError(404, `${businessEventId} is not active for '${legalEntity || 'all legal entities'}' on '${endpointName}'.`);
  }

  listActivations(): EventActivation[] {
    return [...this.activations];
  }

  /** Endpoints an event of this legal entity goes to (activations for it and for all legal entities). */
  targets(businessEventId: string, legalEntity: string): EventEndpoint[] {
    const names = new Set(this.activations
      .filter((a) => a.businessEventId === businessEventId && (a.legalEntity === '' || a.legalEntity === legalEntity.toLowerCase()))
      .map((a) => a.endpointName.toLowerCase()));
    return [...names].map((n) => this.endpoints.get(n)!).filter(Boolean);
  }
}
