/**
 * client/odata request building: literals per Edm type, key predicates, percent-encoding, the filter builder
 * (injection attempts, grouping, lambdas, Dataverse query functions), query strings and lookup helpers.
 * Golden strings are the forms documented in odata.md §1 and dataverse-web-api.md §5–6.
 */
import {
  appendQuery,
  bindProperty,
  bindValue,
  buildQueryString,
  encodeODataText,
  entityPath,
  filterBuilder,
  formatLiteral,
  keyPredicate,
  lookupNavigation,
  lookupValueColumn,
  raw,
  renderFilter,
  typed,
  type ColumnTypeLookup,
} from '../../client/odata';

const GUID = '00000000-0000-0000-0000-000000000001';
const INJECTION = "x' or 1 eq 1 or name eq '";

const types: Record<string, string> = {
  numberofemployees: 'Edm.Int32',
  name: 'Edm.String',
  accountnumber: 'Edm.String',
  revenue: 'Edm.Decimal',
  createdon: 'Edm.DateTimeOffset',
  statecode: 'Edm.Int32',
  'contact_customer_accounts/numberofchildren': 'Edm.Int32',
  Blocked: 'Microsoft.Dynamics.DataEntities.NoYes',
};
const columnType: ColumnTypeLookup = (c) => types[c];
const f = filterBuilder({ columnType });
const filterOf = (filter: Parameters<typeof renderFilter>[0]) => renderFilter(filter);
const decodedFilter = (q: Parameters<typeof buildQueryString>[0]) =>
  decodeURIComponent(buildQueryString(q).replace(/^\?\$filter=/, ''));

describe('literals', () => {
  test('strings double their single quotes and keep everything else for the URL encoder', () => {
    expect(formatLiteral("O'Bryan", 'Edm.String')).toBe("'O''Bryan'");
    expect(formatLiteral("''", 'Edm.String')).toBe("''''''");
    expect(formatLiteral('a & b # c + d % e', 'Edm.String')).toBe("'a & b # c + d % e'");
    expect(formatLiteral('Zoë 日本 😀')).toBe("'Zoë 日本 😀'");
    expect(formatLiteral(42, 'Edm.String')).toBe("'42'");
    expect(formatLiteral('', 'Edm.String')).toBe("''");
  });

  test('GUIDs are unquoted, validated, lower-cased, braces removed', () => {
    expect(formatLiteral(GUID, 'Edm.Guid')).toBe(GUID);
    expect(formatLiteral('{ABCDEF00-0000-0000-0000-00000000000A}', 'Edm.Guid')).toBe('abcdef00-0000-0000-0000-00000000000a');
    expect(() => formatLiteral("0000' or 1 eq 1", 'Edm.Guid', 'accountid')).toThrow(
      /column 'accountid' \(Edm\.Guid\).*not a GUID/,
    );
    expect(() => formatLiteral(1, 'Edm.Guid')).toThrow(TypeError);
  });

  test('integers accept numbers, bigints and digit text within the range of their type', () => {
    expect(formatLiteral('42', 'Edm.Int32')).toBe('42');
    expect(formatLiteral(' +007 ', 'Edm.Int32')).toBe('7');
    expect(formatLiteral(-2147483648, 'Edm.Int32')).toBe('-2147483648');
    expect(formatLiteral('9223372036854775807', 'Edm.Int64')).toBe('9223372036854775807');
    expect(formatLiteral(9007199254740993n, 'Edm.Int64')).toBe('9007199254740993');
    expect(() => formatLiteral(2147483648, 'Edm.Int32', 'numberofemployees')).toThrow(
      "Invalid value for column 'numberofemployees' (Edm.Int32): 2147483648 — out of range (-2147483648 to 2147483647).",
    );
    expect(() => formatLiteral(1.5, 'Edm.Int32', 'n')).toThrow(/not an integer/);
    expect(() => formatLiteral('42 or 1 eq 1', 'Edm.Int32', 'n')).toThrow(/not an integer/);
    expect(() => formatLiteral(2 ** 60, 'Edm.Int64', 'n')).toThrow(/pass it as text or a bigint/);
    expect(() => formatLiteral(256, 'Edm.Byte')).toThrow(/out of range/);
  });

  test('decimals are written without exponent and keep every digit; doubles spell INF, -INF and NaN', () => {
    expect(formatLiteral(1.5, 'Edm.Decimal')).toBe('1.5');
    expect(formatLiteral(1e-7, 'Edm.Decimal')).toBe('0.0000001');
    expect(formatLiteral(1.5e21, 'Edm.Decimal')).toBe('1500000000000000000000');
    expect(formatLiteral('123456789012345678901234.5678', 'Edm.Decimal')).toBe('123456789012345678901234.5678');
    expect(formatLiteral('-0.000', 'Edm.Decimal')).toBe('0');
    expect(() => formatLiteral(Infinity, 'Edm.Decimal', 'revenue')).toThrow(/finite/);
    expect(() => formatLiteral('1,5', 'Edm.Decimal')).toThrow(/not a number/);
    expect(formatLiteral(Infinity, 'Edm.Double')).toBe('INF');
    expect(formatLiteral(-Infinity, 'Edm.Double')).toBe('-INF');
    expect(formatLiteral(NaN, 'Edm.Double')).toBe('NaN');
    expect(formatLiteral(1e300, 'Edm.Double')).toBe('1e300');
    expect(formatLiteral('2.5E-3', 'Edm.Single')).toBe('0.0025');
  });

  test('booleans, null and inferred types', () => {
    expect(formatLiteral(true)).toBe('true');
    expect(formatLiteral(' FALSE ', 'Edm.Boolean')).toBe('false');
    expect(() => formatLiteral(1, 'Edm.Boolean', 'creditonhold')).toThrow(/column 'creditonhold' \(Edm\.Boolean\)/);
    expect(formatLiteral(null)).toBe('null');
    expect(formatLiteral(null, 'Edm.Int32')).toBe('null');
    expect(formatLiteral(7)).toBe('7');
    expect(formatLiteral(0.1)).toBe('0.1');
    expect(formatLiteral(Buffer.from('OData'))).toBe("binary'T0RhdGE'");
    expect(formatLiteral(typed('Edm.Guid', GUID))).toBe(GUID);
    expect(formatLiteral('7', 'Collection(Edm.Int32)')).toBe('7');
    expect(formatLiteral(typed('Collection(Edm.String)', 7))).toBe("'7'");
  });

  test('dates and times are validated ISO 8601', () => {
    expect(formatLiteral(new Date(Date.UTC(2023, 3, 7, 21, 59, 1)))).toBe('2023-04-07T21:59:01Z');
    expect(formatLiteral(new Date(Date.UTC(2023, 3, 7, 21, 59, 1, 250)))).toBe('2023-04-07T21:59:01.250Z');
    expect(formatLiteral('2023-04-07T21:59:01+01:00', 'Edm.DateTimeOffset')).toBe('2023-04-07T21:59:01+01:00');
    expect(formatLiteral('2023-04-07t21:59z', 'Edm.DateTimeOffset')).toBe('2023-04-07T21:59Z');
    expect(() => formatLiteral('2023-04-07', 'Edm.DateTimeOffset', 'createdon')).toThrow(/with a time and an offset/);
    expect(() => formatLiteral('2023-02-30T00:00:00Z', 'Edm.DateTimeOffset')).toThrow(TypeError);
    expect(() => formatLiteral(new Date('nope'), 'Edm.DateTimeOffset')).toThrow(/invalid Date/);
    expect(formatLiteral('2024-02-29', 'Edm.Date')).toBe('2024-02-29');
    expect(() => formatLiteral('2023-02-29', 'Edm.Date')).toThrow(TypeError);
    expect(formatLiteral(new Date(Date.UTC(2023, 0, 31, 23)), 'Edm.Date')).toBe('2023-01-31');
    expect(formatLiteral('21:59:01.1234567', 'Edm.TimeOfDay')).toBe('21:59:01.1234567');
    expect(() => formatLiteral('24:00', 'Edm.TimeOfDay')).toThrow(TypeError);
    expect(formatLiteral('P1DT2H', 'Edm.Duration')).toBe("duration'P1DT2H'");
    expect(() => formatLiteral("P1D' or '1", 'Edm.Duration')).toThrow(TypeError);
    expect(() => formatLiteral('PT', 'Edm.Duration')).toThrow(TypeError);
  });

  test('enums (F&O) and binary', () => {
    expect(formatLiteral('Yes', 'Microsoft.Dynamics.DataEntities.NoYes')).toBe("Microsoft.Dynamics.DataEntities.NoYes'Yes'");
    expect(formatLiteral('Red, Blue', 'Sales.Color')).toBe("Sales.Color'Red,Blue'");
    expect(formatLiteral(1, 'Sales.Color')).toBe("Sales.Color'1'");
    expect(() => formatLiteral("Yes' or '1", 'Microsoft.Dynamics.DataEntities.NoYes', 'Blocked')).toThrow(
      /column 'Blocked' \(Microsoft\.Dynamics\.DataEntities\.NoYes\).*member name/,
    );
    expect(formatLiteral('T0RhdGE=', 'Edm.Binary')).toBe("binary'T0RhdGE'");
    expect(formatLiteral(new Uint8Array([251, 255]), 'Edm.Binary')).toBe("binary'-_8'");
    expect(() => formatLiteral('not base64!', 'Edm.Binary')).toThrow(TypeError);
  });

  test('wrong types and unknown type names are TypeErrors that name the column and the type', () => {
    expect(() => formatLiteral({}, 'Edm.String', 'name')).toThrow("Invalid value for column 'name' (Edm.String): an object — expected text.");
    expect(() => formatLiteral([1], 'Edm.Int32', 'n')).toThrow(/column 'n' \(Edm\.Int32\): an array/);
    expect(() => formatLiteral(undefined, 'Edm.String', 'name')).toThrow(/no value given/);
    expect(() => formatLiteral('\uD800', 'Edm.String', 'name')).toThrow(/unpaired UTF-16 surrogate/);
    expect(() => formatLiteral('x', 'Edm.Text')).toThrow(/Unsupported Edm type 'Edm.Text'/);
    expect(() => formatLiteral('x', "NoYes'x")).toThrow(TypeError);
  });
});

describe('entity keys and paths', () => {
  test('GUID, alternate key, composite F&O key', () => {
    expect(entityPath('accounts', GUID)).toBe(`accounts(${GUID})`);
    expect(entityPath('accounts', { accountnumber: "A'1" })).toBe("accounts(accountnumber='A''1')");
    expect(entityPath('CustomersV3', { dataAreaId: 'usmf', CustomerAccount: 'US-001' })).toBe(
      "CustomersV3(dataAreaId='usmf',CustomerAccount='US-001')",
    );
    expect(entityPath('People', 'russellwhyte')).toBe("People('russellwhyte')");
    expect(entityPath('orders', 42)).toBe('orders(42)');
    expect(entityPath('contacts', { _parentcustomerid_value: GUID, accountid: typed('Edm.Guid', GUID) })).toBe(
      `contacts(_parentcustomerid_value=${GUID},accountid=${GUID})`,
    );
    expect(entityPath('x', { n: '5' }, { columnType: () => 'Edm.Int32' })).toBe('x(n=5)');
  });

  test('key values are percent-encoded inside their quotes; names must be identifiers', () => {
    expect(entityPath('accounts', { accountnumber: 'A/1 #2?&%' })).toBe("accounts(accountnumber='A%2F1%20%232%3F%26%25')");
    expect(keyPredicate({ accountnumber: 'A/1' })).toBe("(accountnumber='A/1')");
    expect(() => entityPath('accounts?$top=1', GUID)).toThrow(/entity set name/);
    expect(() => entityPath('accounts', { "accountnumber='x',y": 'z' })).toThrow(/key property name/);
    expect(() => entityPath('accounts', {})).toThrow(/empty key/);
    expect(() => entityPath('accounts', { accountnumber: undefined })).toThrow(/no value/);
  });
});

describe('percent-encoding', () => {
  test('each special character is encoded the documented way; punctuation outside literals stays readable', () => {
    const encoded = encodeODataText("name eq 'a b&c#d+e%f/g?h=i$j,k:l@m;n''o'");
    expect(encoded).toBe("name%20eq%20'a%20b%26c%23d%2Be%25f%2Fg%3Fh%3Di%24j%2Ck%3Al%40m%3Bn''o'");
    expect(encodeODataText("contains(a/b,'x') and c/any(o:o/d eq @p1)")).toBe("contains(a/b,'x')%20and%20c/any(o:o/d%20eq%20@p1)");
    expect(encodeODataText("'ü😀'")).toBe("'%C3%BC%F0%9F%98%80'");
    expect(encodeODataText('["a\\"b","c\'d"]')).toBe("%5B%22a%5C%22b%22,%22c'd%22%5D");
    expect(encodeODataText('1.5e+10 eq 2023-04-07T21:59:01+01:00')).toBe('1.5e%2B10%20eq%202023-04-07T21:59:01%2B01:00');
  });

  test('decoding gives back the exact text, and no raw space, &, #, + or non-ASCII survives (seeded random text)', () => {
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    const alphabet = ['\'', '"', '\\', '&', '#', '+', '%', ' ', '/', '?', '=', '(', ')', '[', ']', 'a', 'Z', 'é', '😀', '\n', ',', ';', '@', '$'];
    for (let i = 0; i < 2000; i++) {
      const text = Array.from({ length: Math.floor(next() * 20) }, () => alphabet[Math.floor(next() * alphabet.length)]).join('');
      const encoded = encodeODataText(text);
      expect(decodeURIComponent(encoded)).toBe(text);
      expect(encoded).not.toMatch(/[ &#+\s"\\[\]]|[^\x20-\x7e]/);
    }
  });
});

describe('filter builder', () => {
  test('golden comparisons, null checks and string functions', () => {
    expect(filterOf(f.eq('name', "O'Bryan"))).toBe("name eq 'O''Bryan'");
    expect(filterOf(f.ne('statecode', 1))).toBe('statecode ne 1');
    expect(filterOf(f.gt('revenue', '1000.50'))).toBe('revenue gt 1000.5');
    expect(filterOf(f.ge('createdon', new Date(Date.UTC(2024, 0, 1))))).toBe('createdon ge 2024-01-01T00:00:00Z');
    expect(filterOf(f.lt('numberofemployees', '42'))).toBe('numberofemployees lt 42');
    expect(filterOf(f.le('new_custom', 3.25))).toBe('new_custom le 3.25');
    expect(filterOf(f.isNull('revenue'))).toBe('revenue eq null');
    expect(filterOf(f.isNotNull('primarycontactid/fullname'))).toBe('primarycontactid/fullname ne null');
    expect(filterOf(f.contains('name', 'sample'))).toBe("contains(name,'sample')");
    expect(filterOf(f.startswith('name', "O'B"))).toBe("startswith(name,'O''B')");
    expect(filterOf(f.endswith('name', 'Inc.'))).toBe("endswith(name,'Inc.')");
    expect(filterOf(f.eq('firstname', f.column('lastname')))).toBe('firstname eq lastname');
    expect(filterOf(f.eq('Blocked', 'Yes'))).toBe("Blocked eq Microsoft.Dynamics.DataEntities.NoYes'Yes'");
  });

  test("a user-typed '42' becomes 42 for an Int32 column and '42' for a String column; lookups infer GUIDs", () => {
    expect(filterOf(f.eq('numberofemployees', '42'))).toBe('numberofemployees eq 42');
    expect(filterOf(f.eq('accountnumber', '42'))).toBe("accountnumber eq '42'");
    expect(filterOf(f.eq('accountnumber', 42))).toBe("accountnumber eq '42'");
    expect(filterOf(filterBuilder().eq('unknown', '42'))).toBe("unknown eq '42'");
    expect(filterOf(filterBuilder().eq('_parentcustomerid_value', GUID))).toBe(`_parentcustomerid_value eq ${GUID}`);
    expect(filterOf(filterBuilder().eq('name', GUID))).toBe(`name eq '${GUID}'`);
    expect(filterOf(f.eq('numberofemployees', typed('Edm.String', '42')))).toBe("numberofemployees eq '42'");
    expect(() => f.eq('numberofemployees', 'forty-two')).toThrow(
      "Invalid value for column 'numberofemployees' (Edm.Int32): 'forty-two' — not an integer.",
    );
  });

  test('injection through values is impossible: the text stays one literal', () => {
    expect(filterOf(f.eq('name', INJECTION))).toBe("name eq 'x'' or 1 eq 1 or name eq '''");
    expect(buildQueryString({ filter: f.eq('name', "a'&$select=name#")})).toBe(
      "?$filter=name%20eq%20'a''%26%24select%3Dname%23'",
    );
    expect(decodedFilter({ filter: f.contains('name', "') or true or contains(name,'") })).toBe(
      "contains(name,''') or true or contains(name,''')",
    );
    expect(() => f.eq('statecode', '0 or statecode eq 1')).toThrow(TypeError);
  });

  test('injection through column names is impossible: only identifiers and paths are accepted', () => {
    for (const column of ["name eq 'x' or 1 eq 1", 'name)', 'name,x', 'name desc', '$filter', 'a//b', '/a', 'a/', '', 'na me', 'ü']) {
      expect(() => f.eq(column, 'x')).toThrow(/Invalid column/);
      expect(() => f.contains(column, 'x')).toThrow(/Invalid column/);
      expect(() => f.crm.In(column, ['x'])).toThrow(/Invalid column/);
    }
    expect(() => f.any('contacts)', (c) => c.isNull('x'))).toThrow(/Invalid column/);
    expect(() => f.column("lastname or 1 eq 1")).toThrow(/Invalid column/);
    expect(filterOf(f.eq('regardingobjectid/Microsoft.Dynamics.CRM.account/name', 'x'))).toBe(
      "regardingobjectid/Microsoft.Dynamics.CRM.account/name eq 'x'",
    );
  });

  test('and/or/not add exactly the parentheses precedence needs', () => {
    const a = f.eq('name', 'a');
    const b = f.eq('name', 'b');
    const c = f.isNull('revenue');
    expect(filterOf(f.and(a, f.or(b, c)))).toBe("name eq 'a' and (name eq 'b' or revenue eq null)");
    expect(filterOf(f.or(a, f.and(b, c)))).toBe("name eq 'a' or name eq 'b' and revenue eq null");
    expect(filterOf(f.and(f.and(a, b), c))).toBe("name eq 'a' and name eq 'b' and revenue eq null");
    expect(filterOf(f.not(a))).toBe("not (name eq 'a')");
    expect(filterOf(f.not(f.contains('name', 'x')))).toBe("not contains(name,'x')");
    expect(filterOf(f.and(f.not(f.or(a, b)), c))).toBe("not (name eq 'a' or name eq 'b') and revenue eq null");
    expect(filterOf(f.and(a, undefined))).toBe("name eq 'a'");
    expect(() => f.and()).toThrow(/at least one/);
    expect(() => f.and('name eq 1' as never)).toThrow(TypeError);
    expect(filterOf(f.oneOf('statecode', [0, '1']))).toBe('(statecode eq 0 or statecode eq 1)');
  });

  test('Dataverse LIKE wildcards in contains/startswith/endswith match literally unless asked for', () => {
    expect(filterOf(f.contains('name', '100%_[a]'))).toBe("contains(name,'100[%][_][[]a]')");
    expect(filterOf(f.contains('name', 'a%b', { pattern: true }))).toBe("contains(name,'a%b')");
    expect(filterOf(filterBuilder({ likeWildcards: 'keep' }).startswith('name', '50%'))).toBe("startswith(name,'50%')");
    // F&O: wildcard match is `eq '*x*'`; eq never escapes.
    expect(filterOf(f.eq('name', '*retail*'))).toBe("name eq '*retail*'");
  });

  test('lambdas over collection navigation, nested, with the related table column types', () => {
    expect(filterOf(f.any('contact_customer_accounts', (c) => c.contains('fullname', 'Smith')))).toBe(
      "contact_customer_accounts/any(o:contains(o/fullname,'Smith'))",
    );
    expect(filterOf(f.all('contact_customer_accounts', (c) => c.gt('numberofchildren', '2')))).toBe(
      'contact_customer_accounts/all(o:o/numberofchildren gt 2)',
    );
    expect(filterOf(f.any('Account_Tasks'))).toBe('Account_Tasks/any()');
    expect(
      filterOf(f.any('contact_customer_accounts', (c) => c.and(c.isNull('x'), c.any('Contact_Tasks', (t) => t.eq('subject', f.column('x')))))),
    ).toBe("contact_customer_accounts/any(o:o/x eq null and o/Contact_Tasks/any(o1:o1/subject eq o1/x))");
    expect(filterOf(f.any('Account_Tasks', (t) => t.eq('prioritycode', '2'), { columnType: () => 'Edm.Int32' }))).toBe(
      'Account_Tasks/any(o:o/prioritycode eq 2)',
    );
    expect(() => f.all('Account_Tasks', undefined as never)).toThrow(/needs a predicate/);
    expect(() => f.any('Account_Tasks', () => 'x eq 1' as never)).toThrow(/must return a filter/);
  });

  test('Dataverse query functions, serialized as documented', () => {
    const ns = 'Microsoft.Dynamics.CRM';
    expect(filterOf(f.crm.In('name', ['OBrian', "O'Brian", 'say "hi"']))).toBe(
      `${ns}.In(PropertyName='name',PropertyValues=["OBrian","O'Brian","say \\"hi\\""])`,
    );
    expect(filterOf(f.crm.NotIn('statecode', [0, '1']))).toBe(`${ns}.NotIn(PropertyName='statecode',PropertyValues=["0","1"])`);
    expect(filterOf(f.crm.Between('numberofemployees', 5, '2000'))).toBe(
      `${ns}.Between(PropertyName='numberofemployees',PropertyValues=["5","2000"])`,
    );
    expect(filterOf(f.crm.NotBetween('createdon', '2024-01-01T00:00:00Z', new Date(Date.UTC(2024, 11, 31))))).toBe(
      `${ns}.NotBetween(PropertyName='createdon',PropertyValues=["2024-01-01T00:00:00Z","2024-12-31T00:00:00Z"])`,
    );
    expect(filterOf(f.crm.LastXDays('createdon', 7))).toBe(`${ns}.LastXDays(PropertyName='createdon',PropertyValue=7)`);
    expect(filterOf(f.crm.NextXDays('createdon', '30'))).toBe(`${ns}.NextXDays(PropertyName='createdon',PropertyValue=30)`);
    expect(filterOf(f.crm.LastXHours('createdon', 2))).toBe(`${ns}.LastXHours(PropertyName='createdon',PropertyValue=2)`);
    expect(filterOf(f.crm.OlderThanXDays('createdon', 90))).toBe(`${ns}.OlderThanXDays(PropertyName='createdon',PropertyValue=90)`);
    expect(filterOf(f.crm.On('createdon', '2023-04-07'))).toBe(`${ns}.On(PropertyName='createdon',PropertyValue='2023-04-07')`);
    expect(filterOf(f.crm.OnOrAfter('createdon', new Date(Date.UTC(2023, 3, 7))))).toBe(
      `${ns}.OnOrAfter(PropertyName='createdon',PropertyValue='2023-04-07T00:00:00Z')`,
    );
    expect(filterOf(f.crm.OnOrBefore('createdon', '2023-04-07'))).toBe(`${ns}.OnOrBefore(PropertyName='createdon',PropertyValue='2023-04-07')`);
    for (const fn of ['Today', 'Yesterday', 'Tomorrow', 'ThisMonth', 'LastMonth', 'ThisYear'] as const) {
      expect(filterOf(f.crm[fn]('createdon'))).toBe(`${ns}.${fn}(PropertyName='createdon')`);
    }
    expect(filterOf(f.crm.EqualUserId('ownerid'))).toBe(`${ns}.EqualUserId(PropertyName='ownerid')`);
    expect(filterOf(f.crm.ContainValues('new_colors', ['100000000', 100000001]))).toBe(
      `${ns}.ContainValues(PropertyName='new_colors',PropertyValues=["100000000","100000001"])`,
    );
    expect(filterOf(f.crm.Under('accountid', GUID))).toBe(`${ns}.Under(PropertyName='accountid',PropertyValue='${GUID}')`);
    expect(filterOf(f.crm.InFiscalPeriodAndYear('createdon', 3, 2024))).toBe(
      `${ns}.InFiscalPeriodAndYear(PropertyName='createdon',PropertyValue1=3,PropertyValue2=2024)`,
    );
  });

  test('query function values are checked against the column type and the function', () => {
    expect(() => f.crm.In('statecode', ['0', 'x'])).toThrow(/column 'statecode' \(Edm\.Int32\): 'x'/);
    expect(() => f.crm.In('name', [])).toThrow(/non-empty array/);
    expect(() => f.crm.In('name', [null])).toThrow(/null is not allowed/);
    expect(() => f.crm.LastXDays('createdon', "7) or (1 eq 1" as never)).toThrow(/PropertyValue of LastXDays \(Edm\.Int64\)/);
    expect(() => f.crm.LastXDays('createdon', null as never)).toThrow(/a value is required/);
    expect(() => f.crm.On('createdon', 'yesterday')).toThrow(/PropertyValue of On/);
    expect(() => f.crm.Under('accountid', 'x')).toThrow(/not a GUID/);
  });

  test('query function parameters as parameter aliases, numbered per query', () => {
    const fa = filterBuilder({ queryFunctionValues: 'aliases' });
    expect(decodeURIComponent(buildQueryString({ filter: fa.crm.In('lastname', ['OBrian', "O'Brian"]) }))).toBe(
      `?$filter=Microsoft.Dynamics.CRM.In(PropertyName=@p1,PropertyValues=@p2)&@p1='lastname'&@p2=["OBrian","O'Brian"]`,
    );
    const both = buildQueryString({
      filter: fa.and(fa.crm.LastXDays('createdon', 7), fa.crm.Today('modifiedon')),
      aliases: { p2: "'x'" },
    });
    expect(decodeURIComponent(both)).toBe(
      "?$filter=Microsoft.Dynamics.CRM.LastXDays(PropertyName=@p1,PropertyValue=@p3) and Microsoft.Dynamics.CRM.Today(PropertyName=@p4)" +
        "&@p2='x'&@p1='createdon'&@p3=7&@p4='modifiedon'",
    );
    expect(() => renderFilter(fa.crm.Today('createdon'))).toThrow(/buildQueryString/);
  });

  test('raw() passes text through but cannot escape its group', () => {
    expect(filterOf(raw("name eq 'x'"))).toBe("name eq 'x'");
    expect(filterOf(f.and(f.isNull('a'), raw('b eq 1 or c eq 2')))).toBe('a eq null and (b eq 1 or c eq 2)');
    expect(() => raw("x eq 1) or (1 eq 1")).toThrow(/unbalanced/);
    expect(() => raw("name eq 'x")).toThrow(/unbalanced/);
    expect(filterOf(raw("name eq ')'"))).toBe("name eq ')'");
    expect(() => raw('  ')).toThrow(TypeError);
  });
});

describe('buildQueryString', () => {
  test('empty query gives an empty string', () => {
    expect(buildQueryString({})).toBe('');
    expect(buildQueryString()).toBe('');
  });

  test('golden query with every option, each value encoded on its own', () => {
    const qs = buildQueryString({
      select: ['name', 'accountnumber', '_primarycontactid_value'],
      filter: f.and(f.contains('name', 'A&B #1'), f.ge('revenue', 1000)),
      orderBy: ['name', { column: 'createdon', descending: true }, 'revenue DESC'],
      top: 10,
      expand: [
        {
          property: 'Account_Tasks',
          select: ['subject'],
          filter: filterBuilder().contains('subject', 'Task'),
          orderBy: [{ column: 'createdon', descending: true }],
          top: 5,
        },
        { property: 'primarycontactid', select: ['fullname'], expand: [{ property: 'owninguser' }] },
      ],
      count: true,
    });
    expect(qs).toBe(
      '?$select=name,accountnumber,_primarycontactid_value' +
        "&$filter=contains(name,'A%26B%20%231')%20and%20revenue%20ge%201000" +
        '&$orderby=name,createdon%20desc,revenue%20desc' +
        '&$top=10' +
        "&$expand=Account_Tasks($select=subject;$filter=contains(subject,'Task');$orderby=createdon%20desc;$top=5)," +
        'primarycontactid($select=fullname;$expand=owninguser)' +
        '&$count=true',
    );
    expect(qs).not.toMatch(/[ +#]/);
  });

  test('string filters, $apply, skip token, cross-company and user aliases', () => {
    expect(buildQueryString({ filter: "name eq 'a b'" })).toBe("?$filter=name%20eq%20'a%20b'");
    expect(buildQueryString({ apply: 'groupby((statecode),aggregate($count as count))' })).toBe(
      '?$apply=groupby((statecode),aggregate($count%20as%20count))',
    );
    expect(buildQueryString({ skipToken: '<cookie pagenumber="2" />' })).toBe('?$skiptoken=%3Ccookie%20pagenumber%3D%222%22%20%2F%3E');
    expect(buildQueryString({ filter: f.eq('dataAreaId', 'usrt'), crossCompany: true, skip: 20 })).toBe(
      "?$filter=dataAreaId%20eq%20'usrt'&$skip=20&cross-company=true",
    );
    expect(buildQueryString({ filter: 'lastname eq @last', aliases: { '@last': "'O''Brian'" } })).toBe(
      "?$filter=lastname%20eq%20@last&@last='O''Brian'",
    );
  });

  test('invalid options are rejected', () => {
    expect(() => buildQueryString({ top: -1 })).toThrow(/\$top/);
    expect(() => buildQueryString({ top: 1.5 })).toThrow(/\$top/);
    expect(() => buildQueryString({ select: [] })).toThrow(/at least one/);
    expect(() => buildQueryString({ select: ['name,accountid&$top=1'] })).toThrow(/select column/);
    expect(() => buildQueryString({ orderBy: ['name; drop'] })).toThrow(/orderBy/);
    expect(() => buildQueryString({ orderBy: [{ column: 'name desc' }] })).toThrow(/orderBy column/);
    expect(() => buildQueryString({ expand: [{ property: 'a($select=b)' }] })).toThrow(/expand navigation property/);
    expect(() => buildQueryString({ aliases: { 'p1&x': '1' } })).toThrow(/parameter alias/);
    expect(() => buildQueryString({ filter: '' })).toThrow(/empty/);
  });

  test('appendQuery joins with ? or & and keeps what is there', () => {
    expect(appendQuery('https://org/api/data/v9.2/accounts', { top: 1 })).toBe('https://org/api/data/v9.2/accounts?$top=1');
    expect(appendQuery('https://org/api/data/v9.2/accounts?$select=name', { top: 1 })).toBe(
      'https://org/api/data/v9.2/accounts?$select=name&$top=1',
    );
    expect(appendQuery('https://org/x?', '?$top=1')).toBe('https://org/x?$top=1');
    expect(appendQuery('https://org/x', {})).toBe('https://org/x');
    expect(appendQuery('https://org/x', '&$count=true')).toBe('https://org/x?$count=true');
  });
});

describe('lookups', () => {
  test('value column, navigation and @odata.bind', () => {
    expect(lookupValueColumn('parentcustomerid')).toBe('_parentcustomerid_value');
    expect(lookupValueColumn('_parentcustomerid_value')).toBe('_parentcustomerid_value');
    expect(lookupNavigation('parentcustomerid', 'contact')).toBe('parentcustomerid_contact');
    expect(bindProperty('parentcustomerid', 'account')).toBe('parentcustomerid_account@odata.bind');
    expect(bindProperty('primarycontactid')).toBe('primarycontactid@odata.bind');
    expect(bindProperty('regardingobjectid', { target: 'account', navigationProperty: 'regardingobjectid_account_task' })).toBe(
      'regardingobjectid_account_task@odata.bind',
    );
    expect(bindValue('accounts', GUID)).toBe(`/accounts(${GUID})`);
    expect(bindValue('accounts', { accountnumber: 'A 1' })).toBe("/accounts(accountnumber='A%201')");
    expect(() => bindValue('accounts', 'not-a-guid')).toThrow(/id of the accounts row to bind/);
    expect(() => bindProperty('parent customer')).toThrow(/lookup column/);
    expect(() => lookupValueColumn("x'")).toThrow(TypeError);
  });
});
