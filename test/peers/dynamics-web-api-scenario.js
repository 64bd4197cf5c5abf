/**
 * Runs DynamicsWebApi, unchanged, against the emulator and prints one JSON object with what it saw.
 * Started in a child process so that the emulator's CA is trusted the way a user would trust it:
 * NODE_EXTRA_CA_CERTS (DynamicsWebApi builds its own https.Agent and takes no CA option).
 */
'use strict';
const { DynamicsWebApi } = require('dynamics-web-api');

async function main() {
  const { SERVER_URL, ACCESS_TOKEN } = process.env;
  const api = new DynamicsWebApi({ serverUrl: SERVER_URL, dataApi: { version: '9.2' }, onTokenRefresh: async () => ACCESS_TOKEN });
  const out = {};

  const created = await api.create({ collection: 'accounts', data: { name: 'DWA Account', accountnumber: 'DWA-1' }, returnRepresentation: true, select: ['name', 'accountnumber'] });
  out.created = created;
  const id = created.accountid;
  out.retrieved = await api.retrieve({ collection: 'accounts', key: id, select: ['name'] });
  out.updated = await api.update({ collection: 'accounts', key: id, data: { name: 'DWA Account 2' }, returnRepresentation: true, select: ['name'] });
  out.upsertByAltKey = await api.upsert({ collection: 'accounts', key: "accountnumber='DWA-2'", data: { name: 'DWA Upserted' }, returnRepresentation: true, select: ['name', 'accountnumber'] });

  const page1 = await api.retrieveMultiple({ collection: 'accounts', select: ['name'], orderBy: ['name'], maxPageSize: 10 });
  const page2 = await api.retrieveMultiple({ collection: 'accounts', select: ['name'], orderBy: ['name'], maxPageSize: 10 }, page1.oDataNextLink);
  out.paging = { page1: page1.value.map((r) => r.name), page2: page2.value.map((r) => r.name), nextLink: page1.oDataNextLink };
  const all = await api.retrieveAll({ collection: 'accounts', select: ['name'], maxPageSize: 7 });
  out.retrieveAllCount = all.value.length;
  out.retrieveAllIds = all.value.map((r) => r.accountid);

  const fetchXml = '<fetch count="5"><entity name="account"><attribute name="name"/><order attribute="name"/></entity></fetch>';
  const f1 = await api.fetch({ collection: 'accounts', fetchXml, pageNumber: 1 });
  const f2 = await api.fetch({ collection: 'accounts', fetchXml, pageNumber: f1.PagingInfo.nextPage, pagingCookie: f1.PagingInfo.cookie });
  out.fetch = { page1: f1.value.map((r) => r.name), page2: f2.value.map((r) => r.name), moreRecords: f1.PagingInfo, fetchAll: (await api.fetchAll({ collection: 'accounts', fetchXml })).value.length };

  const contact = await api.create({ collection: 'contacts', data: { lastname: 'Batchless' }, returnRepresentation: true, select: ['contactid'] });
  await api.associate({ collection: 'accounts', primaryKey: id, relationshipName: 'contact_customer_accounts', relatedCollection: 'contacts', relatedKey: contact.contactid });
  out.associated = await api.retrieve({ collection: 'contacts', key: contact.contactid, select: ['_parentcustomerid_value'] });

  api.startBatch();
  api.create({ collection: 'accounts', data: { name: 'Batch Account' }, contentId: '1' });
  api.create({ collection: 'contacts', data: { lastname: 'Batch Contact', 'parentcustomerid_account@odata.bind': '$1' } });
  out.batch = await api.executeBatch();
  const batchAccounts = await api.retrieveMultiple({ collection: 'accounts', select: ['name'], filter: "name eq 'Batch Account'", expand: [{ property: 'contact_customer_accounts', select: ['lastname'] }] });
  out.batchResult = batchAccounts.value;

  api.startBatch();
  api.create({ collection: 'accounts', data: { name: 'Rolled back' } });
  api.create({ collection: 'tasks', data: { subject: 'x'.repeat(201) } });
  try {
    await api.executeBatch();
    out.failedBatch = 'no error';
  } catch (e) {
    out.failedBatch = JSON.parse(JSON.stringify(e));
  }
  out.rolledBack = (await api.retrieveMultiple({ collection: 'accounts', select: ['name'], filter: "name eq 'Rolled back'" })).value.length;

  await api.deleteRecord({ collection: 'accounts', key: id });
  try {
    await api.retrieve({ collection: 'accounts', key: id, select: ['name'] });
    out.afterDelete = 'still there';
  } catch (e) {
    out.afterDelete = { status: e.status, code: e.code, message: e.message };
  }
  const who = await api.callFunction({ functionName: 'WhoAmI' });
  out.whoAmI = who;
  process.stdout.write(JSON.stringify(out));
}

main().catch((e) => {
  process.stdout.write(JSON.stringify({ fatal: e && (e.message || String(e)), detail: e }));
  process.exitCode = 1;
});
