/** The shape every operation file has, so the router can run any of them (see shared/operation.ts). */
import type { OperationModule as SharedOperationModule } from '../../shared/operation';
import type { Connection } from '../transport/connection';

export type { ItemResult } from '../../shared/operation';
export type OperationModule = SharedOperationModule<Connection>;
