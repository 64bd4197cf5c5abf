/** A JSON custom service as F&O publishes it: service groups hold services, services hold operations. */
import type { FnoService } from '../context';

export interface ServiceParameter {
  Name: string;
  /** The X++ type name shown by the discovery document (`str`, `int`, `real`, a data contract class…). */
  Type: string;
}

export interface ServiceOperation {
  name: string;
  parameters: ServiceParameter[];
  returns: string;
  /** Runs the operation with the checked parameters; throws ServiceFault for an X++ error. */
  run(service: FnoService, args: Record<string, unknown>, caller: { userId: string }): unknown;
}

export interface ServiceGroup {
  name: string;
  services: { name: string; operations: ServiceOperation[] }[];
}

/** An error raised by the operation itself (F&O answers 500 with the X++ exception message). */
export class ServiceFault extends Error {
  constructor(
    message: string,
    readonly status = 500,
    readonly exceptionType = 'XppServicesException',
  ) {
    super(message);
  }
}
