/** The emulator's own OData query-option parser and evaluator (emulator/odata), on real Dataverse-shaped input. */
import {
  applyOrderBy,
  compareForOrderBy,
  evaluateApply,
  evaluateExpression,
  evaluateFilter,
  ODataEvaluationError,
  ODataNotSupportedError,
  ODataSyntaxError,
  parseApply,
  parseCount,
  parseExpand,
  parseFilter,
  parseLiteral,
  parseOrderBy,
  parseQueryOptions,
  parseSelect,
  parseSkip,
  parseTop,
  parseTypedValue,
  type EvaluationContext,
  type Expr,
  type Row,
} from '../../emulator/odata';
import { thrownBy } from '../helpers/errors';

/** Compact rendering of an expression tree, to assert on shape and precedence. */
function show(e: Expr): string {
  switch (e.kind) {
    case 'literal':
      return e.type === 'Edm.String' ? `'${e.value}'` : String(e.value);
    case 'path': {
      const root = e.root.kind === 'variable' ? `${e.root.name}:` : e.root.kind === 'implicit' ? '' : `$${e.root.kind}:`;
      const segments = e.segments.map((s) => {
        switch (s.kind) {
          case 'member': return s.name;
          case 'cast': return `<${s.typeName}>`;
          case 'lambda': return `${s.operator}(${s.variable ?? ''}${s.predicate ? `: ${show(s.predicate)}` : ''})`;
          case 'count': return '$count';
          default: return s.kind;
        }
      });
      return root + segments.join('/');
    }
    case 'alias':
      return `@${e.name}`;
    case 'binary':
      return `(${show(e.left)} ${e.operator} ${show(e.right)})`;
    case 'unary':
      return `(${e.operator === 'not' ? 'not' : '-'} ${show(e.operand)})`;
    case 'method':
      return `${e.name}(${e.args.map(show).join(', ')})`;
    case 'function':
      return `${e.name}(${e.parameters.map((p) => `${p.name}=${show(p.value)}`).join(', ')})`;
    case 'list':
      return `(${e.items.map(show).join(', ')})`;
    case 'array':
      return `[${e.items.map(show).join(', ')}]`;
    default:
      return e.kind;
  }
}

const f = (text: string, aliases?: Record<string, string>) => show(parseFilter(text, { aliases }));

const syntaxErrorOf = (fn: () => unknown) => thrownBy(ODataSyntaxError, fn, 'expected an ODataSyntaxError');

describe('parser: $filter', () => {
  it('applies OData operator precedence and left associativity', () => {
    expect(f("a eq 1 or b eq 2 and c eq 3")).toBe('((a eq 1) or ((b eq 2) and (c eq 3)))');
    expect(f('(a eq 1 or b eq 2) and c eq 3')).toBe('(((a eq 1) or (b eq 2)) and (c eq 3))');
    expect(f('price add 2 mul 3 gt 8')).toBe('((price add (2 mul 3)) gt 8)');
    expect(f('a sub b sub c eq 0')).toBe('(((a sub b) sub c) eq 0)');
    expect(f('a div 2 mod 3 eq 1')).toBe('(((a div 2) mod 3) eq 1)');
    expect(f('a lt 1 eq b gt 2')).toBe('((a lt 1) eq (b gt 2))');
    expect(f("not contains(name,'x') and statecode eq 0")).toBe("((not contains(name, 'x')) and (statecode eq 0))");
    expect(f("not (name eq 'x')")).toBe("(not (name eq 'x'))");
    // has and in are primary-level: they bind tighter than not and the negation.
    expect(f("not name in ('a','b')")).toBe("(not (name in ('a', 'b')))");
    expect(f("-price lt -5")).toBe('((- price) lt -5)');
    expect(f("Name EQ 'Milk' AND Price LT 2.55")).toBe("((Name eq 'Milk') and (Price lt 2.55))");
  });

  it('parses literals per the OData ABNF', () => {
    const lit = (text: string) => {
      const node = parseFilter(`x eq ${text}`);
      if (node.kind !== 'binary' || node.right.kind !== 'literal') throw new Error('not a literal');
      return [node.right.type, node.right.value];
    };
    expect(lit("'O''Bryan'")).toEqual(['Edm.String', "O'Bryan"]);
    expect(lit("''")).toEqual(['Edm.String', '']);
    expect(lit('null')).toEqual(['null', null]);
    expect(lit('true')).toEqual(['Edm.Boolean', true]);
    expect(lit('42')).toEqual(['Edm.Int32', 42]);
    expect(lit('9007199254740993')).toEqual(['Edm.Int64', 9007199254740992]);
    expect(lit('-1.5')).toEqual(['Edm.Decimal', -1.5]);
    expect(lit('1.0E10')).toEqual(['Edm.Double', 1e10]);
    expect(lit('1e-101')).toEqual(['Edm.Double', 1e-101]);
    expect(lit('INF')).toEqual(['Edm.Double', Infinity]);
    expect(lit('-INF')).toEqual(['Edm.Double', -Infinity]);
    expect(lit('NaN')[1]).toBeNaN();
    expect(lit('00000000-0000-0000-0000-000000000001')).toEqual(['Edm.Guid', '00000000-0000-0000-0000-000000000001']);
    expect(lit('deadbeef-0000-0000-0000-000000000001')).toEqual(['Edm.Guid', 'deadbeef-0000-0000-0000-000000000001']);
    expect(lit('2023-04-07T21:59:01Z')).toEqual(['Edm.DateTimeOffset', '2023-04-07T21:59:01Z']);
    expect(lit('2023-04-07T21:59:01.123+01:00')).toEqual(['Edm.DateTimeOffset', '2023-04-07T21:59:01.123+01:00']);
    expect(lit('2023-04-07')).toEqual(['Edm.Date', '2023-04-07']);
    expect(lit('21:59:01')).toEqual(['Edm.TimeOfDay', '21:59:01']);
    expect(lit("duration'P1DT2H'")).toEqual(['Edm.Duration', 'P1DT2H']);
    expect(lit("binary'T0RhdGE='")).toEqual(['Edm.Binary', 'T0RhdGE=']);
    expect(lit("Microsoft.Dynamics.DataEntities.NoYes'Yes'")).toEqual(['Enum', 'Yes']);
    expect(lit("Sales.Pattern'Solid,Yellow'")).toEqual(['Enum', 'Solid,Yellow']);
  });

  it('rejects malformed literals with ODL wording', () => {
    expect(syntaxErrorOf(() => parseFilter('d eq 2023-02-30')).message).toBe(
      "Unrecognized 'Edm.Date' literal '2023-02-30' at '5' in 'd eq 2023-02-30'.",
    );
    expect(() => parseFilter('t eq 2011-12-31T24:00Z')).toThrow(ODataSyntaxError);
    expect(() => parseFilter('x eq 42.')).toThrow(ODataSyntaxError);
    expect(() => parseFilter('x eq -0.314e1e2')).toThrow(ODataSyntaxError);
    expect(() => parseFilter("x eq duration'P1Y'")).toThrow(/Unrecognized 'Edm.Duration' literal/);
    expect(() => parseFilter("x eq X'1a2B'")).toThrow(ODataSyntaxError);
  });

  it('reports an unbalanced quote exactly as Dataverse does', () => {
    const error = syntaxErrorOf(() => parseFilter("lastname eq 'O'Bryan'"));
    expect(error.message).toBe("There is an unterminated literal at position 21 in 'lastname eq 'O'Bryan''.");
    expect(error.position).toBe(21);
  });

  it('points at the problem in other syntax errors', () => {
    expect(syntaxErrorOf(() => parseFilter("name eq 'a' 'b'")).message).toBe("Syntax error at position 12 in 'name eq 'a' 'b''.");
    expect(syntaxErrorOf(() => parseFilter('name eq')).message).toBe("Expression expected at position 7 in 'name eq'.");
    expect(syntaxErrorOf(() => parseFilter('')).position).toBe(0);
    expect(syntaxErrorOf(() => parseFilter("contains(name,'a'")).message).toBe(
      "')' or ',' expected at position 17 in 'contains(name,'a''.",
    );
    expect(syntaxErrorOf(() => parseFilter('name eq #')).message).toBe(
      "Syntax error: character '#' is not valid at position 8 in 'name eq #'.",
    );
    const unknown = syntaxErrorOf(() => parseFilter("foo(name) eq 'x'"));
    expect(unknown.message).toMatch(/^An unknown function with name 'foo' was found\./);
    expect(unknown.position).toBe(0);
    expect(() => parseFilter("contains(name)")).toThrow(/No function signature for the function with name 'contains'/);
  });

  it('parses navigation paths, lambdas and their variables', () => {
    expect(f("primarycontactid/fullname eq 'x'")).toBe("(primarycontactid/fullname eq 'x')");
    expect(f("contact_customer_accounts/any(c:startswith(c/fullname,'A'))")).toBe(
      "contact_customer_accounts/any(c: startswith(c:fullname, 'A'))",
    );
    expect(f('contacts/any()')).toBe('contacts/any()');
    expect(f("a/all(x: x/b/any(y: y/c eq x/d))")).toBe('a/all(x: x:b/any(y: (y:c eq x:d)))');
    expect(f('Products/$count gt 2')).toBe('(Products/$count gt 2)');
    expect(f("Address/Model.AddressWithLocation/Street eq 'x'")).toBe("(Address/<Model.AddressWithLocation>/Street eq 'x')");
    expect(() => parseFilter('contacts/all()')).toThrow(ODataSyntaxError);
    expect(() => parseFilter('any(c:true)')).toThrow(ODataSyntaxError);
  });

  it('parses Dataverse query functions, including the single-quoted array dialect and aliases', () => {
    expect(f("Microsoft.Dynamics.CRM.In(PropertyName='statecode',PropertyValues=['0','1'])")).toBe(
      "Microsoft.Dynamics.CRM.In(PropertyName='statecode', PropertyValues=['0', '1'])",
    );
    expect(f('Microsoft.Dynamics.CRM.Between(PropertyName=\'numberofemployees\',PropertyValues=["5","2000"])')).toBe(
      "Microsoft.Dynamics.CRM.Between(PropertyName='numberofemployees', PropertyValues=['5', '2000'])",
    );
    expect(
      f('Microsoft.Dynamics.CRM.In(PropertyName=@p1,PropertyValues=@p2)', { '@p1': "'lastname'", '@p2': '["OBrian","O\'Brian"]' }),
    ).toBe("Microsoft.Dynamics.CRM.In(PropertyName='lastname', PropertyValues=['OBrian', 'O'Brian'])");
    expect(f('Microsoft.Dynamics.CRM.LastXDays(PropertyName=@p1,PropertyValue=@p2)', { p1: "'createdon'", p2: '7' })).toBe(
      "Microsoft.Dynamics.CRM.LastXDays(PropertyName='createdon', PropertyValue=7)",
    );
    // Without a value the alias stays in the tree, for the evaluator to resolve from ctx.aliases.
    expect(f('name eq @p1')).toBe('(name eq @p1)');
    expect(() => parseFilter("Microsoft.Dynamics.CRM.Foo(PropertyName='x')")).toThrow(/unknown function with name 'Microsoft.Dynamics.CRM.Foo'/);
    expect(() => parseFilter("Microsoft.Dynamics.CRM.LastXDays(PropertyName='x')")).toThrow(
      /No function signature .*LastXDays\(PropertyName, PropertyValue\)/,
    );
    expect(syntaxErrorOf(() => parseFilter("Microsoft.Dynamics.CRM.In(PropertyName='x',PropertyValues=['O'Brian'])")).message).toBe(
      "Invalid JSON. A comma character ',' was expected in scope 'Array'. Path '[0]', line 1, position 4.",
    );
  });

  it('parses the rest of the built-ins, in, has, cast, isof and JSON operands', () => {
    expect(f("substring(name,1,2) eq 'ab' and year(createdon) eq 2024")).toBe(
      "((substring(name, 1, 2) eq 'ab') and (year(createdon) eq 2024))",
    );
    expect(f("matchesPattern(name,'^A.*e$')")).toBe("matchesPattern(name, '^A.*e$')");
    expect(f("style has Sales.Pattern'Yellow'")).toBe('(style has Yellow)');
    expect(f('FirstName in ["Miller",\'Smith\']')).toBe("(FirstName in ['Miller', 'Smith'])");
    expect(f('x in ()')).toBe('(x in ())');
    expect(() => parseFilter('FirstName in (FirstName,LastName)')).toThrow(ODataSyntaxError);
    expect(() => parseFilter("x eq ('a','b')")).toThrow(ODataSyntaxError);
    expect(parseFilter('isof(Model.Customer)')).toMatchObject({ kind: 'isof', typeName: 'Model.Customer' });
    expect(parseFilter('cast(price,Edm.Int32) eq 1')).toMatchObject({ left: { kind: 'cast', typeName: 'Edm.Int32' } });
  });
});

describe('parser: other system query options', () => {
  it('parses $orderby', () => {
    const items = parseOrderBy('createdon desc,name asc,primarycontactid/fullname');
    expect(items.map((i) => `${show(i.expression)} ${i.direction}`)).toEqual([
      'createdon desc',
      'name asc',
      'primarycontactid/fullname asc',
    ]);
    expect(() => parseOrderBy('name sideways')).toThrow(ODataSyntaxError);
  });

  it('parses $select', () => {
    expect(parseSelect('name,revenue,*,Model.*,Address/Street,Model.Fn(a,b)')).toEqual([
      { path: ['name'] },
      { path: ['revenue'] },
      { path: [], star: true },
      { path: [], allOperationsInSchema: 'Model' },
      { path: ['Address', 'Street'] },
      { path: ['Model.Fn'], parameterNames: ['a', 'b'] },
    ]);
    expect(() => parseSelect('name,')).toThrow(ODataSyntaxError);
  });

  it('parses $expand with every nested option and leaves rejection to the Dataverse layer', () => {
    const [tasks, owner] = parseExpand(
      "Account_Tasks($select=subject,createdon;$filter=contains(subject,'Task');$orderby=createdon desc;$top=5;$skip=1;$count=true;" +
        '$expand=regardingobjectid($select=name;$levels=2);$search="blue";@a=1),ownerid/$ref',
    );
    expect(tasks.path).toEqual(['Account_Tasks']);
    expect(tasks.options.select?.map((s) => s.path.join('/'))).toEqual(['subject', 'createdon']);
    expect(show(tasks.options.filter!)).toBe("contains(subject, 'Task')");
    expect(tasks.options.orderby?.[0].direction).toBe('desc');
    expect(tasks.options).toMatchObject({ top: 5, skip: 1, count: true, search: '"blue"', aliases: { a: '1' } });
    expect(tasks.options.expand?.[0]).toMatchObject({ path: ['regardingobjectid'], options: { levels: 2 } });
    expect(owner).toMatchObject({ path: ['ownerid'], ref: true });
    expect(parseExpand('*($levels=max),Items/$count($filter=x eq 1)')).toMatchObject([
      { star: true, options: { levels: 'max' } },
      { path: ['Items'], count: true },
    ]);
    expect(() => parseExpand('Customer/$ref($select=Name)')).toThrow(ODataSyntaxError);
    expect(() => parseExpand('Customer($levels=04)')).toThrow(ODataSyntaxError);
    expect(() => parseExpand('Customer($top=1;$top=2)')).toThrow(ODataSyntaxError);
  });

  it('validates $top, $skip and $count', () => {
    expect(parseTop('10')).toBe(10);
    expect(parseSkip('0')).toBe(0);
    expect(parseCount('true')).toBe(true);
    expect(() => parseTop('-1')).toThrow(
      "Invalid value '-1' for $top query option found. The $top query option requires a non-negative integer value.",
    );
    expect(() => parseTop('1.5')).toThrow(ODataSyntaxError);
    expect(() => parseSkip('x')).toThrow(/\$skip/);
    expect(() => parseCount('yes')).toThrow("'yes' is not a valid count option.");
  });

  it('parses the $apply subset and reports the rest as not supported', () => {
    expect(parseApply('filter(statecode eq 0)/groupby((ownerid,address1_city),aggregate($count as count,revenue with sum as total))')).toMatchObject([
      { kind: 'filter' },
      {
        kind: 'groupby',
        properties: [['ownerid'], ['address1_city']],
        transformations: [{ kind: 'aggregate', items: [{ kind: 'count', alias: 'count' }, { kind: 'aggregate', method: 'sum', alias: 'total' }] }],
      },
    ]);
    expect(parseApply('aggregate(revenue with countdistinct as n)')).toMatchObject([{ kind: 'aggregate' }]);
    expect(() => parseApply('aggregate(revenue with sum)')).toThrow(ODataSyntaxError);
    expect(() => parseApply('aggregate()')).toThrow(ODataSyntaxError);
    expect(() => parseApply('groupby((Product/Self.Derived))')).toThrow(ODataSyntaxError);
    expect(() => parseApply('topcount(2,revenue)')).toThrow(ODataNotSupportedError);
  });

  it('parses a whole query with aliases and rejects repeated options', () => {
    const q = parseQueryOptions([
      ['$filter', 'Microsoft.Dynamics.CRM.In(PropertyName=@p1,PropertyValues=@p2)'],
      ['@p1', "'lastname'"],
      ['@p2', '["OBrian","O\'Brian"]'],
      ['$top', '3'],
      ['$select', 'fullname'],
      ['custom', 'x'],
    ]);
    expect(show(q.filter!)).toBe("Microsoft.Dynamics.CRM.In(PropertyName='lastname', PropertyValues=['OBrian', 'O'Brian'])");
    expect(q).toMatchObject({ top: 3, custom: { custom: 'x' }, aliases: { p1: "'lastname'" } });
    expect(() => parseQueryOptions({ $top: '1', $Top: '2' })).toThrow(/specified more than once/);
    expect(() => parseQueryOptions({ $bogus: '1' })).toThrow(/not supported/);
  });

  it('parses standalone literals and payload values', () => {
    expect(parseLiteral("'O''Neil'")).toMatchObject({ type: 'Edm.String', value: "O'Neil" });
    expect(() => parseLiteral("'O'Neil'")).toThrow(ODataSyntaxError);
    expect(parseTypedValue('Edm.DateTimeOffset', '2023-04-07T21:59:01Z')).toBe('2023-04-07T21:59:01Z');
    expect(parseTypedValue('Edm.Int32', '-2000000000')).toBe(-2000000000);
    expect(() => parseTypedValue('Edm.Byte', '256')).toThrow("Cannot convert the literal '256' to the expected type 'Edm.Byte'.");
    expect(() => parseTypedValue('Edm.Boolean', 'TRUE')).toThrow(ODataSyntaxError);
    expect(() => parseTypedValue('Edm.Duration', 'P1Y')).toThrow(ODataSyntaxError);
  });
});

// ---------------------------------------------------------------------------------------------------------------

const NOW = new Date('2024-06-12T15:30:00Z'); // a Wednesday
const USER = '5a1b2c3d-0000-0000-0000-00000000000a';
const BU = '0bbbbbbb-0000-0000-0000-000000000001';

const contacts: Record<string, Row[]> = {
  a1: [{ fullname: 'Anna Smith', age: 30 }, { fullname: 'bob Jones', age: null }],
  a2: [],
  a3: [{ fullname: 'alice Brown', age: 40 }],
};
const primary: Record<string, Row | null> = {
  a1: { fullname: 'Anna Smith' },
  a2: null,
  a3: { fullname: 'Alice Brown' },
};

const accounts: Row[] = [
  {
    id: 'a1', name: 'Contoso Ltd', revenue: 1000, city: 'Paris', createdon: '2024-06-10T08:00:00Z', statecode: 0,
    ownerid: '5A1B2C3D-0000-0000-0000-00000000000A', owningbusinessunit: BU, tags: '1,3', code: 'AB-1',
  },
  {
    id: 'a2', name: 'Fabrikam', revenue: null, city: 'paris ', createdon: '2024-05-01T00:00:00Z', statecode: 1,
    ownerid: '00000000-0000-0000-0000-000000000002', owningbusinessunit: BU, tags: '2', code: 'a_1',
  },
  {
    id: 'a3', name: null, revenue: '900', city: 'Berlin', createdon: '2024-06-12T00:30:00+02:00', statecode: 0,
    ownerid: null, owningbusinessunit: null, tags: null, code: '[x]',
  },
];

const TYPES: Record<string, string> = {
  name: 'Edm.String', city: 'Edm.String', revenue: 'Edm.Decimal', createdon: 'Edm.DateTimeOffset', statecode: 'Edm.Int32',
  ownerid: 'Edm.Guid', owningbusinessunit: 'Edm.Guid', tags: 'Edm.String', code: 'Edm.String', id: 'Edm.String',
  fullname: 'Edm.String', age: 'Edm.Int32',
};

const ctx: EvaluationContext = {
  now: NOW,
  userId: USER,
  businessUnitId: BU,
  typeOf: (_row, property) => TYPES[property],
  navigate: (row, name) => {
    if (name === 'contact_customer_accounts') return contacts[row.id as string];
    if (name === 'primarycontactid') return primary[row.id as string];
    return undefined;
  },
};

function ids(filter: string, extra: Partial<EvaluationContext> = {}, aliases?: Record<string, string>): string[] {
  const ast = parseFilter(filter, { aliases });
  return accounts.filter((row) => evaluateFilter(ast, row, { ...ctx, ...extra })).map((row) => row.id as string);
}

describe('evaluator: $filter semantics', () => {
  it('compares strings case-insensitively, ignoring accents and trailing spaces, as Dataverse collation does', () => {
    expect(ids("name eq 'CONTOSO LTD'")).toEqual(['a1']);
    expect(ids("city eq 'PARIS'")).toEqual(['a1', 'a2']);
    expect(ids("city eq 'Päris'")).toEqual(['a1', 'a2']);
    expect(ids("city gt 'C'")).toEqual(['a1', 'a2']);
    expect(ids('name eq name')).toEqual(['a1', 'a2']);
  });

  it('uses three-valued logic with nulls and IS NULL for the null literal', () => {
    expect(ids('name eq null')).toEqual(['a3']);
    expect(ids('name ne null')).toEqual(['a1', 'a2']);
    expect(ids("name ne 'Fabrikam'")).toEqual(['a1']); // null name is unknown, not true
    expect(ids("not (name eq 'Fabrikam')")).toEqual(['a1']);
    expect(ids("name eq 'Fabrikam' or statecode eq 0")).toEqual(['a1', 'a2', 'a3']);
    expect(ids("not (name eq 'Fabrikam' and statecode eq 0)")).toEqual(['a1', 'a2']);
    expect(ids('missingcolumn eq null')).toEqual(['a1', 'a2', 'a3']);
    expect(ids("not contains(name,'o')")).toEqual(['a2']);
  });

  it('compares numbers numerically, Guids case-insensitively and dates chronologically', () => {
    expect(ids('revenue gt 950')).toEqual(['a1']); // '900' (string column value) is compared as a number
    expect(ids('revenue le 900')).toEqual(['a3']);
    expect(ids(`ownerid eq ${USER}`)).toEqual(['a1']);
    expect(ids(`ownerid eq ${USER.toUpperCase()}`)).toEqual(['a1']);
    expect(ids('createdon gt 2024-06-11T23:00:00Z')).toEqual([]); // 00:30+02:00 is 22:30Z on the 11th
    expect(ids('createdon ge 2024-06-01')).toEqual(['a1', 'a3']);
    expect(ids('createdon lt 2024-06-11T22:45:00+00:00')).toEqual(['a1', 'a2', 'a3']);
    expect(ids('year(createdon) eq 2024 and month(createdon) eq 6')).toEqual(['a1', 'a3']);
  });

  it('applies T-SQL wildcards inside contains, startswith and endswith', () => {
    expect(ids("contains(name,'TOSO')")).toEqual(['a1']);
    expect(ids("startswith(name,'c%ltd')")).toEqual(['a1']);
    expect(ids("startswith(name,'F_b')")).toEqual(['a2']);
    expect(ids("endswith(code,'[0-9]')")).toEqual(['a1', 'a2']);
    expect(ids("startswith(code,'[^a]')")).toEqual(['a3']);
    expect(ids("contains(code,'[_]')")).toEqual(['a2']);
    expect(ids("contains(code,'[[]x')")).toEqual(['a3']);
    expect(ids("code eq 'a_1'")).toEqual(['a2']); // eq does not use wildcards
  });

  it('follows single-valued navigation and evaluates any/all over collections', () => {
    expect(ids("primarycontactid/fullname eq 'anna smith'")).toEqual(['a1']);
    expect(ids('primarycontactid eq null')).toEqual(['a2']);
    expect(ids("contact_customer_accounts/any(c:startswith(c/fullname,'A'))")).toEqual(['a1', 'a3']);
    expect(ids("contact_customer_accounts/all(c:startswith(c/fullname,'A'))")).toEqual(['a2', 'a3']);
    expect(ids('contact_customer_accounts/any()')).toEqual(['a1', 'a3']);
    expect(ids('contact_customer_accounts/all(c:c/age gt 18)')).toEqual(['a1', 'a2', 'a3']); // null age: unknown, not false
    expect(ids('contact_customer_accounts/$count ge 1')).toEqual(['a1', 'a3']);
    expect(ids("contact_customer_accounts/any(c:c/fullname eq primarycontactid/fullname and statecode eq 0)")).toEqual(['a1', 'a3']);
  });

  it('implements In, NotIn, Between and NotBetween with values converted to the column type', () => {
    const q = (fn: string, values: string) => ids(`Microsoft.Dynamics.CRM.${fn}(PropertyName='statecode',PropertyValues=${values})`);
    expect(q('In', "['1','2']")).toEqual(['a2']);
    expect(q('NotIn', '["1"]')).toEqual(['a1', 'a3']);
    expect(ids('Microsoft.Dynamics.CRM.Between(PropertyName=\'revenue\',PropertyValues=["900","950"])')).toEqual(['a3']);
    expect(ids('Microsoft.Dynamics.CRM.NotBetween(PropertyName=\'revenue\',PropertyValues=["900","950"])')).toEqual(['a1']);
    expect(ids("Microsoft.Dynamics.CRM.In(PropertyName='city',PropertyValues=['PARIS'])")).toEqual(['a1', 'a2']);
    expect(
      ids('Microsoft.Dynamics.CRM.In(PropertyName=@p1,PropertyValues=@p2)', {}, { '@p1': "'name'", '@p2': '["fabrikam","O\'Brian"]' }),
    ).toEqual(['a2']);
    // Aliases left unresolved by the parser come from ctx.aliases.
    expect(ids('name eq @p1', { aliases: { p1: "'Fabrikam'" } })).toEqual(['a2']);
  });

  it('implements the relative date functions against ctx.now (UTC, weeks from Sunday)', () => {
    const d = (fn: string, value?: string) =>
      ids(`Microsoft.Dynamics.CRM.${fn}(PropertyName='createdon'${value === undefined ? '' : `,PropertyValue=${value}`})`);
    expect(d('LastXDays', '7')).toEqual(['a1', 'a3']);
    expect(d('LastXDays', '1')).toEqual(['a3']);
    expect(d('Last7Days')).toEqual(['a1', 'a3']);
    expect(d('LastXMonths', '2')).toEqual(['a1', 'a2', 'a3']);
    expect(d('OlderThanXDays', '30')).toEqual(['a2']);
    expect(d('NextXDays', '3')).toEqual([]);
    expect(d('Today')).toEqual([]);
    expect(d('Yesterday')).toEqual(['a3']);
    expect(d('ThisWeek')).toEqual(['a1', 'a3']); // from Sunday 9 June
    expect(d('LastWeek')).toEqual([]);
    expect(d('ThisMonth')).toEqual(['a1', 'a3']);
    expect(d('LastMonth')).toEqual(['a2']);
    expect(d('ThisYear')).toEqual(['a1', 'a2', 'a3']);
    expect(d('On', "'2024-06-10'")).toEqual(['a1']);
    expect(d('OnOrAfter', "'2024-06-11'")).toEqual(['a3']);
    expect(d('OnOrBefore', "'2024-05-01'")).toEqual(['a2']);
    const ast = parseFilter("Microsoft.Dynamics.CRM.LastXHours(PropertyName='createdon',PropertyValue=20)");
    expect(accounts.filter((r) => evaluateFilter(ast, r, ctx)).map((r) => r.id)).toEqual(['a3']);
  });

  it('implements the user, business unit and multi-select functions', () => {
    expect(ids("Microsoft.Dynamics.CRM.EqualUserId(PropertyName='ownerid')")).toEqual(['a1']);
    expect(ids("Microsoft.Dynamics.CRM.NotEqualUserId(PropertyName='ownerid')")).toEqual(['a2']);
    expect(ids("Microsoft.Dynamics.CRM.EqualBusinessId(PropertyName='owningbusinessunit')")).toEqual(['a1', 'a2']);
    expect(ids("Microsoft.Dynamics.CRM.ContainValues(PropertyName='tags',PropertyValues=['3','4'])")).toEqual(['a1']);
    expect(ids("Microsoft.Dynamics.CRM.DoesNotContainValues(PropertyName='tags',PropertyValues=['3'])")).toEqual(['a2']);
    expect(() => ids("Microsoft.Dynamics.CRM.ThisFiscalYear(PropertyName='createdon')")).toThrow(
      "The query function 'Microsoft.Dynamics.CRM.ThisFiscalYear' is not supported by the emulator.",
    );
    expect(() => ids("Microsoft.Dynamics.CRM.Under(PropertyName='ownerid',PropertyValue='x')")).toThrow(ODataNotSupportedError);
  });

  it('rejects comparisons between incompatible declared types, like ODL', () => {
    expect(() => ids("statecode eq 'a'")).toThrow(ODataEvaluationError);
    expect(() => ids("statecode eq 'a'")).toThrow(/incompatible types .*'Edm.Int32' and 'Edm.String'/);
    expect(() => ids("name")).toThrow(/must evaluate to a single boolean value/);
  });

  it('evaluates arithmetic, string and date functions', () => {
    const row = accounts[0];
    const value = (text: string) => evaluateExpression(parseFilter(text), row, ctx);
    expect(value('revenue add 1 mul 2')).toBe(1002);
    expect(value('7 div 2')).toBe(3);
    expect(value('7 divby 2')).toBe(3.5);
    expect(value("concat(name,'!')")).toBe('Contoso Ltd!');
    expect(value("indexof(name,'LTD')")).toBe(8);
    expect(value('length(name)')).toBe(11);
    expect(value('tolower(substring(name,0,3))')).toBe('con');
    expect(value('date(createdon)')).toBe('2024-06-10');
    expect(value('hour(createdon)')).toBe(8);
    expect(value('round(2.5) add floor(-1.5) add ceiling(1.2)')).toBe(3);
    expect(value("createdon add duration'P1D'")).toBe('2024-06-11T08:00:00.000Z');
    expect(value('now()')).toBe(NOW.toISOString());
    expect(value('statecode in (0,1)')).toBe(true);
    expect(value('revenue eq null')).toBe(false);
  });
});

describe('evaluator: $orderby and $apply', () => {
  it('orders nulls first ascending and last descending, strings case-insensitively', () => {
    const names = (text: string) => applyOrderBy(accounts, parseOrderBy(text), ctx).map((r) => r.id);
    expect(names('name')).toEqual(['a3', 'a1', 'a2']);
    expect(names('name desc')).toEqual(['a2', 'a1', 'a3']);
    expect(names('revenue')).toEqual(['a2', 'a3', 'a1']);
    expect(names('city,revenue desc')).toEqual(['a3', 'a1', 'a2']);
    expect(names('statecode,createdon desc')).toEqual(['a3', 'a1', 'a2']);
    expect(names('primarycontactid/fullname')).toEqual(['a2', 'a3', 'a1']);
  });

  it('compares single values like SQL Server, uniqueidentifiers by their last group first', () => {
    expect(compareForOrderBy(null, 'a')).toBeLessThan(0);
    expect(compareForOrderBy('b', 'A', 'Edm.String')).toBeGreaterThan(0);
    expect(compareForOrderBy(10, 9)).toBeGreaterThan(0);
    expect(compareForOrderBy('2024-01-02T00:00:00+05:00', '2024-01-01T20:00:00Z', 'Edm.DateTimeOffset')).toBeLessThan(0);
    const g1 = 'ffffffff-0000-0000-0000-000000000001';
    const g2 = '00000000-0000-0000-0000-000000000002';
    expect(compareForOrderBy(g1, g2, 'Edm.Guid')).toBeLessThan(0);
    expect(compareForOrderBy(g1.toUpperCase(), g1, 'Edm.Guid')).toBe(0);
  });

  it('groups and aggregates rows', () => {
    const rows = evaluateApply(
      accounts,
      parseApply('groupby((statecode),aggregate($count as count,revenue with sum as total,revenue with average as avg,revenue with max as top,city with countdistinct as cities))'),
      ctx,
    );
    expect(rows).toEqual([
      { statecode: 0, count: 2, total: 1900, avg: 950, top: 1000, cities: 2 },
      { statecode: 1, count: 1, total: null, avg: null, top: null, cities: 1 },
    ]);
    expect(evaluateApply(accounts, parseApply('groupby((city))'), ctx)).toEqual([{ city: 'Paris' }, { city: 'Berlin' }]);
    expect(evaluateApply(accounts, parseApply('filter(statecode eq 0)/aggregate(revenue with min as low,$count as n)'), ctx)).toEqual([
      { low: '900', n: 2 },
    ]);
    expect(evaluateApply(accounts, parseApply('groupby((primarycontactid/fullname))'), ctx)).toEqual([
      { primarycontactid: { fullname: 'Anna Smith' } },
      { primarycontactid: { fullname: null } },
      { primarycontactid: { fullname: 'Alice Brown' } },
    ]);
    expect(
      evaluateApply(accounts, parseApply('groupby((statecode),aggregate(revenue with sum as total))/filter(total gt 0)'), ctx),
    ).toEqual([{ statecode: 0, total: 1900 }]);
  });
});
