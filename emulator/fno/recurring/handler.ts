/**
 * The recurring integrations REST endpoints under /api/connector: enqueue (message id as a quoted JSON string),
 * dequeue (200 with the message, or 204 when nothing waits), ack, jobstatus (DataJobStatusDetail) and download
 * (the package a DownloadLocation points at; it needs the bearer token like every other call here).
 */
import type { FnoHandler } from '../context';
import { FnoError } from '../context';
import { errorToResponse } from '../errors';
import { jsonResponse, type EmulatorResponse } from '../../http/types';
import { RecurringIntegrations } from './runtime';
import type { RecurringMessage } from './messages';

const ROUTE = /^\/api\/connector\/(enqueue|dequeue|ack|jobstatus|download)\/([^/]+)$/;
const METHODS: Record<string, string> = { enqueue: 'POST', dequeue: 'GET', ack: 'POST', jobstatus: 'GET', download: 'GET' };
/** F&O's empty date (1900-01-01), used for times that have not happened yet. */
const NULL_DATE = '1900-01-01T00:00:00Z';

export function recurringEndpoints(ri: RecurringIntegrations): FnoHandler {
  return async (req, ctx) => {
    const match = ROUTE.exec(req.url.pathname);
    if (!match) return undefined;
    const [, operation, rawActivity] = match;
    try {
      if (req.method !== METHODS[operation]) throw new FnoError(405, `${operation} is called with ${METHODS[operation]}, not ${req.method}.`);
      let activity: string;
      try {
        activity = decodeURIComponent(rawActivity);
      } catch {
        throw new FnoError(400, 'The activity id in the URL is not correctly percent-encoded.');
      }
      const job = ri.job(activity);
      const q = req.url.searchParams;
      switch (operation) {
        case 'enqueue': {
          const message = ri.enqueue(job, {
            body: req.body,
            entity: q.get('entity') ?? undefined,
            company: q.get('company') ?? undefined,
            externalId: headerValue(req.headers['x-ms-dyn-externalidentifier']),
            userId: ctx.userId,
          });
          return jsonResponse(200, message.id);
        }
        case 'dequeue': {
          const message = ri.dequeue(job);
          if (!message) return { status: 204, headers: {} };
          const location = `${ctx.service.origin}/api/connector/download/${encodeURIComponent(`{${job.activityId}}`)}?correlation-id=${encodeURIComponent(message.id)}`;
          return jsonResponse(200, {
            CorrelationId: message.id,
            PopReceipt: message.popReceipt,
            DownloadLocation: location,
            LastDequeueDateTime: message.lastDequeuedAt === undefined ? '' : new Date(message.lastDequeuedAt).toISOString(),
          });
        }
        case 'ack':
          ri.ack(job, req.body);
          return { status: 200, headers: {} };
        case 'jobstatus': {
          const message = ri.message(q.get('jobId') ?? '');
          if (!message || message.activityId !== job.activityId) throw new FnoError(404, `No message '${(q.get('jobId') ?? '').slice(0, 60)}' exists for the recurring data job {${job.activityId}}.`);
          return jsonResponse(200, jobStatus(ri, message));
        }
        default: {
          const message = ri.message(q.get('correlation-id') ?? '');
          if (!message || message.activityId !== job.activityId) throw new FnoError(404, 'No package exists for this correlation id.');
          const data = ri.packageOf(message);
          if (!data) throw new FnoError(404, 'The package of this message is no longer available.');
          return { status: 200, headers: { 'content-type': 'application/zip' }, body: data } satisfies EmulatorResponse;
        }
      }
    } catch (e) {
      if (e instanceof FnoError) return errorToResponse(e);
      throw e;
    }
  };
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

const JOB_STATE: Record<string, string> = {
  Enqueued: 'Enqueued', Dequeued: 'Dequeued', Downloaded: 'Downloaded', Acked: 'Acked', Processing: 'InProcess', Processed: 'Processed',
  ProcessedWithErrors: 'ProcessedWithErrors', PostProcessingError: 'PostProcessError', PreProcessingError: 'PreProcessError', PreProcessing: 'InProcess',
};

function jobStatus(ri: RecurringIntegrations, message: RecurringMessage) {
  const execution = ri.dm.executions.get(message.executionId);
  const status = ri.dm.executions.status(message.executionId);
  const iso = (t: number | undefined) => (t === undefined ? NULL_DATE : new Date(t).toISOString());
  const started = execution && ri.service.now().getTime() >= execution.startsAt ? execution.startsAt : undefined;
  const state = (errors: number) => (status === 'NotRun' ? 'NotRun' : status === 'Executing' ? 'Executing' : errors > 0 || status === 'Failed' ? 'Error' : 'Finished');
  return {
    DataJobStatus: {
      DataProject: execution?.definitionGroupId ?? '',
      DataJobIdentifier: message.id,
      ExternalIdentifier: message.externalId,
      ExecutionIdentifier: message.executionId,
      DataJobStartedDateTime: iso(started),
      DataJobCompletedDateTime: iso(execution?.finishedAt),
      DataJobState: JOB_STATE[ri.status(message)],
    },
    ExecutionLog: (execution?.outcome?.errors ?? []).join('\r\n'),
    ExecutionDetail: (execution?.outcome?.entities ?? []).map((e) => ({
      EntityName: e.entityName,
      Company: e.company,
      StagingRecords: e.stagingRecords,
      StagingStatus: state(0),
      StagingErrorCount: 0,
      TargetRecords: e.targetRecords,
      TargetStatus: state(e.errorCount),
      TargetErrorCount: e.errorCount,
      ExecutionStartedDateTime: iso(started),
      ExecutionCompletedDateTime: iso(execution?.finishedAt),
    })),
  };
}
