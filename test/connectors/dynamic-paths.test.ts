/**
 * The URL shapes the dynamic connector relies on that are not plain CRUD, checked against the emulator:
 * GetTables' $select, upsert by `key=value`, $ref relate/unrelate and the unbound action path with a trailing '/'.
 */
import { useWebApi } from '../helpers/emulator';

describe('dynamic connector URL shapes on the emulator', () => {
  const web = useWebApi();

  it('lists tables with the GetTables $select', async () => {
    const res = await web.call('GET', 'EntityDefinitions?$select=LogicalName,EntitySetName,DisplayCollectionName');
    expect(res.status).toBe(200);
    const body = res.json as { value: Array<Record<string, unknown>> };
    expect(body.value.find((t) => t.LogicalName === 'account')).toMatchObject({ EntitySetName: 'accounts' });
  });

  it('upserts by key column = value, relates and unrelates through $ref', async () => {
    const id = '3f2504e0-4f89-11d3-9a0c-0305e82c3301';
    const created = await web.call('PATCH', `accounts(accountid=${id})`, { body: { name: 'Upserted' } });
    expect(created.status).toBeLessThan(300);
    const contact = await web.call('POST', 'contacts', { body: { lastname: 'Related' }, headers: { prefer: 'return=representation' } });
    const contactId = (contact.json as Record<string, string>).contactid;
    const related = await web.call('POST', `accounts(${id})/contact_customer_accounts/$ref`, { body: { '@odata.id': `contacts(${contactId})` } });
    expect(related.status).toBe(204);
    const unrelated = await web.call('DELETE', `accounts(${id})/contact_customer_accounts/$ref?$id=contacts(${contactId})`);
    expect(unrelated.status).toBe(204);
  });

  it('runs an unbound action at /{actionName}/', async () => {
    const res = await web.call('POST', 'RevokeAccess/', { body: {} });
    // The path is routed to the action: a missing-parameter error, not an unknown segment.
    expect(res.status).toBe(400);
    expect(res.text).toMatch(/parameter '\w+' of the operation 'RevokeAccess' is required/);
  });
});
