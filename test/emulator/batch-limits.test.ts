/** Service protection counts every request inside a $batch, as Dataverse does (reference §4.1). */
import { useWebApi } from '../helpers/emulator';
import { batchBody } from '../helpers/multipart';

const w = useWebApi({ limits: 'test' });

test('a batch of 10 GETs uses 10 requests of the budget', async () => {
  const items = Array.from({ length: 10 }, () => ({ request: 'GET accounts?$select=name&$top=1' }));
  const res = await w.call('POST', '$batch', {
    headers: { 'content-type': 'multipart/mixed; boundary=batch_limits' },
    body: batchBody('batch_limits', items),
  });
  expect(res.status).toBe(200);
  expect(res.headers['x-ms-ratelimit-burst-remaining-xrm-requests']).toBe('990');
  const next = await w.call('GET', 'accounts?$select=name&$top=1');
  expect(next.headers['x-ms-ratelimit-burst-remaining-xrm-requests']).toBe('989');
});
