export * from './config';
export * from './errors';
export { createServiceProtection, formatTimeRemaining } from './service-protection';
export type { Admission, Rejection, ServiceProtection, UsageSnapshot } from './service-protection';
