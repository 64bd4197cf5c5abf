export * from './fault-types';
export { parseFaultSpec, FaultSpecError } from './spec-parser';
export { createFaultInjector } from './fault-injector';
export type { FaultInjector, FaultStats } from './fault-injector';
export { faultResponse } from './fault-response';
export type { FaultResponseOptions } from './fault-response';
export { seededRandom } from './prng';
