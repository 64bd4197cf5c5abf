/**
 * Starting rows: the organisation and its users, and realistic sample rows (accounts with contacts, tasks, a lead,
 * an opportunity) so a new sandbox has something to list, filter and page through. Ids are derived from names, so they are the same on
 * every start and can be quoted in docs and tests.
 */
import { createHash } from 'node:crypto';
import { LOOKUP_TABLES, Row, TableStore } from '../store/table-store';
import type { DataverseSchema } from './schema';

export function stableId(seed: string): string {
  const h = createHash('sha1').update(seed).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export interface SampleIdentity {
  organizationId: string;
  organizationName: string;
  businessUnitId: string;
  users: { id: string; fullname: string; applicationId?: string; domainname?: string }[];
}

const COMPANIES: [string, string, number, number, number][] = [
  ['Contoso Pharmaceuticals', 'Redmond', 3, 7, 2_500_000], ['Fabrikam Inc', 'Lynnwood', 3, 12, 1_200_000],
  ['Adventure Works Cycles', 'Santa Cruz', 8, 5, 800_000], ['Alpine Ski House', 'Denver', 3, 8, 150_000],
  ['Blue Yonder Airlines', 'Seattle', 5, 6, 9_800_000], ['City Power & Light', 'Bellevue', 10, 2, 4_400_000],
  ['Coho Winery', 'Napa', 3, 8, 300_000], ['Fourth Coffee', 'Portland', 3, 8, 95_000],
  ['Litware, Inc.', 'Dallas', 9, 6, 2_100_000], ['Lucerne Publishing', 'Boston', 3, 3, 640_000],
  ['Margie\'s Travel', 'Tacoma', 8, 8, 120_000], ['Northwind Traders', 'Chicago', 11, 10, 1_750_000],
  ['Proseware, Inc.', 'Austin', 5, 6, 560_000], ['Relecloud', 'San Jose', 3, 7, 3_300_000],
  ['School of Fine Art', 'Philadelphia', 12, 9, 80_000], ['Tailspin Toys', 'Orlando', 3, 10, 410_000],
  ['Trey Research', 'Raleigh', 4, 7, 990_000], ['The Phone Company', 'Phoenix', 1, 6, 5_600_000],
  ['VanArsdel, Ltd.', 'Atlanta', 3, 12, 270_000], ['Wide World Importers', 'Miami', 11, 10, 2_900_000],
  ['Woodgrove Bank', 'New York', 4, 4, 12_000_000], ['Wingtip Toys', 'Minneapolis', 3, 10, 180_000],
  ['O\'Brien & Sons', 'Dublin', 3, 1, 75_000], ['Graphic Design Institute', 'San Diego', 12, 9, 60_000],
];
const PEOPLE = [
  'Yvonne McKay', 'Susanna Stubberod', 'Nancy Anderson', 'Maria Campbell', 'Sidney Higa', 'Scott Konersmann',
  'Robert Lyon', 'Paul Cannon', 'Rene Valdes', 'Jim Glynn', 'Patrick Sands', 'Susan Burk', 'Thomas Andersen',
  'Cathan Cook', 'Rachel Patel', 'Daniel O\'Connor', 'Aisha Khan', 'Kenji Watanabe', 'Lena Fischer', 'Omar Haddad',
  'Priya Raman', 'Lucas Martin', 'Emma Johansson', 'Diego Alvarez',
];

/**
 * The organisation, its business unit, the currency and the users every environment has; without them no token
 * maps to an application user. `sampleRows` adds the accounts, contacts, tasks… a new sandbox starts with.
 */
export function seedEnvironment(store: TableStore, schema: DataverseSchema, identity: SampleIdentity, now: Date, sampleRows: boolean): void {
  const iso = (daysAgo: number) => new Date(now.getTime() - daysAgo * 86_400_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const firstUser = identity.users[0].id;
  const put = (table: string, values: Row, daysAgo = 30) => {
    const t = schema.table(table);
    if (!t) return;
    const row: Row = {};
    for (const name of t.columns.keys()) row[name] = null;
    const lookups: Record<string, string> = {};
    for (const [k, v] of Object.entries(values)) {
      if (k.startsWith("@") || !t.columns.has(k)) continue;
      row[k] = v;
    }
    Object.assign(lookups, values['@lookups'] ?? {});
    const stamp = (column: string, target: string, id: string) => {
      if (t.columns.has(column) && row[column] === null) {
        row[column] = id;
        lookups[column] = target;
      }
    };
    stamp('_ownerid_value', 'systemuser', firstUser);
    stamp('_owninguser_value', 'systemuser', firstUser);
    stamp('_createdby_value', 'systemuser', firstUser);
    stamp('_modifiedby_value', 'systemuser', firstUser);
    if (t.columns.has('createdon') && row.createdon === null) row.createdon = iso(daysAgo);
    if (t.columns.has('modifiedon') && row.modifiedon === null) row.modifiedon = iso(Math.max(0, daysAgo - 1));
    if (t.columns.has('statecode') && row.statecode === null) row.statecode = 0;
    if (t.columns.has('statuscode') && row.statuscode === null) row.statuscode = t.columns.get('statuscode')?.choices?.keys().next().value ?? 1;
    if (t.keyAlias) row[t.keyAlias] = values[t.primaryId];
    row[LOOKUP_TABLES] = lookups;
    store.put(table, String(values[t.primaryId]), row);
  };

  put('organization', { organizationid: identity.organizationId, name: identity.organizationName });
  put('businessunit', { businessunitid: identity.businessUnitId, name: identity.organizationName });
  put('transactioncurrency', { transactioncurrencyid: stableId('currency:USD'), currencyname: 'US Dollar', isocurrencycode: 'USD', currencysymbol: '$' });
  for (const u of identity.users) {
    const [first, ...rest] = u.fullname.split(' ');
    put('systemuser', {
      systemuserid: u.id, fullname: u.fullname, firstname: first, lastname: rest.join(' ') || first,
      applicationid: u.applicationId ?? null, domainname: u.domainname ?? null,
      _businessunitid_value: identity.businessUnitId, '@lookups': { _businessunitid_value: 'businessunit' },
    });
  }

  if (!sampleRows) return;
  COMPANIES.forEach(([name, city, customerType, industry, revenue], i) => {
    const accountid = stableId(`account:${name}`);
    put('account', {
      accountid, name, accountnumber: `ACC-${String(1001 + i)}`, address1_city: city, customertypecode: customerType,
      industrycode: industry, revenue, numberofemployees: 10 + ((i * 137) % 5000),
      telephone1: `+1 555 01${String(i).padStart(2, '0')}`, emailaddress1: `info@${name.toLowerCase().replace(/[^a-z]/g, '')}.example`,
      websiteurl: `https://www.${name.toLowerCase().replace(/[^a-z]/g, '')}.example`, creditonhold: i % 7 === 0,
    }, 60 - i);
    const person = PEOPLE[i % PEOPLE.length];
    const [firstname, lastname] = person.split(' ');
    const contactid = stableId(`contact:${person}:${name}`);
    put('contact', {
      contactid, firstname, lastname, fullname: person, jobtitle: i % 2 ? 'Purchasing Manager' : 'Chief Executive Officer',
      emailaddress1: `${firstname.toLowerCase()}.${lastname.toLowerCase().replace(/[^a-z]/g, '')}@example.com`,
      telephone1: `+1 555 02${String(i).padStart(2, '0')}`,
      _parentcustomerid_value: accountid, '@lookups': { _parentcustomerid_value: 'account' },
    }, 50 - i);
    const account = store.get('account', accountid)!;
    store.put('account', accountid, { ...account, _primarycontactid_value: contactid, [LOOKUP_TABLES]: { ...(account[LOOKUP_TABLES] as object), _primarycontactid_value: 'contact' } });
    put('task', {
      activityid: stableId(`task:${name}`), subject: `Follow up with ${name}`, prioritycode: i % 3,
      scheduledend: iso(-7 + (i % 14)), description: `Call ${person} about the renewal.`,
      _regardingobjectid_value: accountid, '@lookups': { _regardingobjectid_value: 'account' },
    }, 20 - (i % 20));
  });
  put('lead', { leadid: stableId('lead:1'), subject: 'Interested in bulk order', firstname: 'Ana', lastname: 'Trujillo', fullname: 'Ana Trujillo', companyname: 'Trujillo Emparedados', leadqualitycode: 1 });
  put('opportunity', { opportunityid: stableId('opportunity:1'), name: '500 bikes for Adventure Works', estimatedvalue: 125000, _customerid_value: stableId('account:Adventure Works Cycles'), '@lookups': { _customerid_value: 'account' } });
}
