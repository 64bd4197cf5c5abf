/**
 * MSAL's logger routed into the provider's log: PII logging stays off (MSAL then drops messages that would hold
 * personal data), and every message is still scrubbed of the credentials the provider holds, so that a message
 * quoting a request or a response cannot carry one into n8n's log.
 */
import { LogLevel, type NodeSystemOptions } from '@azure/msal-node';
import type { AuthLogEntry, AuthLogLevel } from './options';
import { redactSecrets } from './redact-secrets';

type LoggerOptions = NonNullable<NodeSystemOptions['loggerOptions']>;

const TO_MSAL: Record<AuthLogLevel, LogLevel> = {
  error: LogLevel.Error,
  warning: LogLevel.Warning,
  info: LogLevel.Info,
  verbose: LogLevel.Verbose,
};

function fromMsal(level: LogLevel): AuthLogLevel {
  if (level <= LogLevel.Error) return 'error';
  if (level === LogLevel.Warning) return 'warning';
  if (level === LogLevel.Info) return 'info';
  return 'verbose';
}

export function msalLoggerOptions(
  log: ((entry: AuthLogEntry) => void) | undefined,
  level: AuthLogLevel | undefined,
  secrets: readonly (string | undefined)[],
): LoggerOptions {
  return {
    piiLoggingEnabled: false,
    logLevel: log ? TO_MSAL[level ?? 'warning'] : LogLevel.Error,
    loggerCallback: (msalLevel, message, containsPii) => {
      if (!log || containsPii) return;
      try {
        log({ level: fromMsal(msalLevel), message: redactSecrets(message, secrets), source: 'msal' });
      } catch {
        // A failing log sink must not break sign-in.
      }
    },
  };
}
