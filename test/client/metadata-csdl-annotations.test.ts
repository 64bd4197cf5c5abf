/** What the CSDL reader takes from annotations and facets, inline and out of line, on a small hand-written document. */
import { CsdlError, parseCsdl, parseCsdlStream } from '../../client/metadata/csdl';

const DOC = `<?xml version="1.0" encoding="utf-8"?>
<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx">
  <edmx:Reference Uri="https://oasis-tcs.github.io/odata-vocabularies/vocabularies/Org.OData.Core.V1.xml">
    <edmx:Include Namespace="Org.OData.Core.V1" Alias="Core" />
  </edmx:Reference>
  <edmx:Reference Uri="https://oasis-tcs.github.io/odata-vocabularies/vocabularies/Org.OData.Capabilities.V1.xml">
    <edmx:Include Namespace="Org.OData.Capabilities.V1" Alias="Cap" />
  </edmx:Reference>
  <edmx:DataServices>
    <!-- The alias "s" is used before the schema declaring it. -->
    <Schema Namespace="Sample.Annotations" xmlns="http://docs.oasis-open.org/odata/ns/edm">
      <Annotations Target="s.Order/note">
        <Annotation Term="Core.Description" String="Free text &amp; remarks" />
        <Annotation Term="Core.Permissions"><EnumMember>Core.Permission/Read</EnumMember></Annotation>
      </Annotations>
      <Annotations Target="s.Order">
        <Annotation Term="Core.Description" String="A customer order" />
        <Annotation Term="Core.AlternateKeys">
          <Collection>
            <Record><PropertyValue Property="Key"><Collection>
              <Record><PropertyValue Property="Alias" String="no" /><PropertyValue Property="Name" PropertyPath="number" /></Record>
            </Collection></PropertyValue></Record>
          </Collection>
        </Annotation>
      </Annotations>
      <Annotations Target="s.Container/Orders">
        <Annotation Term="Core.Description" String="All orders" />
        <Annotation Term="Cap.ChangeTracking"><Record><PropertyValue Property="Supported" Bool="true" /></Record></Annotation>
      </Annotations>
      <Annotations Target="s.Container/Orders" Qualifier="Phone">
        <Annotation Term="Core.Description" String="Orders (phone)" />
      </Annotations>
      <Annotations Target="s.Approve(s.Order)">
        <Annotation Term="Core.Description" String="Approves one order" />
      </Annotations>
      <Annotations Target="s.Approve(Collection(s.Order))/comment">
        <Annotation Term="Core.Description" String="Why" />
      </Annotations>
      <Annotations Target="s.Colors/Red">
        <Annotation Term="Core.Description" String="The red one" />
      </Annotations>
    </Schema>
    <Schema Namespace="Sample.Model" Alias="s" xmlns="http://docs.oasis-open.org/odata/ns/edm">
      <EnumType Name="Colors" UnderlyingType="Edm.Int16" IsFlags="true">
        <Member Name="Red" Value="1" /><Member Name="Green" Value="2" /><Member Name="Blue" Value="4" />
      </EnumType>
      <EnumType Name="Size"><Member Name="Small" /><Member Name="Large" /></EnumType>
      <EntityType Name="Order">
        <Key><PropertyRef Name="id" /></Key>
        <Property Name="id" Type="Edm.Guid" Nullable="false">
          <Annotation Term="Core.Computed" />
          <Annotation Term="Core.Immutable" Bool="true" />
        </Property>
        <Property Name="number" Type="Edm.String" MaxLength="20" Unicode="false" />
        <Property Name="note" Type="Edm.String" MaxLength="max" />
        <Property Name="amount" Type="Edm.Decimal" Precision="19" Scale="4" DefaultValue="0" />
        <Property Name="place" Type="Edm.GeographyPoint" SRID="4326" />
        <Property Name="tags" Type="Collection(Edm.String)" />
        <Property Name="colors" Type="s.Colors" />
        <Property Name="flag" Type="Edm.Boolean">
          <Annotation Term="Core.Computed" Bool="false" />
          <Annotation Term="Core.Description" Qualifier="Phone" String="ignored: qualified" />
        </Property>
        <NavigationProperty Name="lines" Type="Collection(s.Line)" Partner="order" ContainsTarget="true">
          <OnDelete Action="Cascade" />
        </NavigationProperty>
      </EntityType>
      <EntityType Name="Line">
        <Key><PropertyRef Name="id" /></Key>
        <Property Name="id" Type="Edm.Int32" Nullable="false" />
        <Property Name="_order_value" Type="Edm.Guid" />
        <NavigationProperty Name="order" Type="s.Order" Nullable="false" Partner="lines">
          <ReferentialConstraint Property="_order_value" ReferencedProperty="id" />
        </NavigationProperty>
      </EntityType>
      <Action Name="Approve" IsBound="true" EntitySetPath="order">
        <Parameter Name="order" Type="s.Order" Nullable="false" />
        <ReturnType Type="Edm.String" MaxLength="100" Unicode="false" Nullable="false" />
      </Action>
      <Action Name="Approve" IsBound="true">
        <Parameter Name="orders" Type="Collection(s.Order)" Nullable="false" />
        <Parameter Name="comment" Type="Edm.String" MaxLength="500" />
        <ReturnType Type="Edm.Decimal" Precision="10" Scale="variable" />
      </Action>
      <Function Name="Total" IsComposable="true">
        <ReturnType Type="Collection(Edm.Decimal)" Precision="19" Scale="2" Nullable="false" />
      </Function>
      <EntityContainer Name="Container">
        <EntitySet Name="Orders" EntityType="s.Order">
          <NavigationPropertyBinding Path="lines" Target="Lines" />
          <Annotation Term="Core.OptimisticConcurrency"><Collection><PropertyPath>number</PropertyPath></Collection></Annotation>
        </EntitySet>
        <EntitySet Name="Lines" EntityType="s.Line" />
        <Singleton Name="Latest" Type="s.Order" />
        <FunctionImport Name="Total" Function="s.Total" />
      </EntityContainer>
    </Schema>
  </edmx:DataServices>
</edmx:Edmx>`;

describe('CSDL annotations and facets', () => {
  const model = parseCsdl(DOC);
  const order = model.entityTypes.get('Sample.Model.Order')!;

  test('the container schema names the model; aliases declared later still resolve', () => {
    expect([model.namespace, model.alias, model.containerName]).toEqual(['Sample.Model', 's', 'Container']);
    expect(model.entitySets.get('Orders')!.entityType).toBe('Sample.Model.Order');
    expect(order.navigation.get('lines')).toMatchObject({ type: 'Sample.Model.Line', collection: true, containsTarget: true, onDelete: 'Cascade' });
    expect(model.functionImports.get('Total')).toBe('Sample.Model.Total');
    expect(model.singletons!.get('Latest')!.type).toBe('Sample.Model.Order');
  });

  test('inline Core.Computed (no value means true), Core.Immutable; qualified annotations do not set fields', () => {
    expect(order.properties.get('id')).toMatchObject({ computed: true, immutable: true, nullable: false });
    expect(order.properties.get('flag')).toMatchObject({ computed: false, description: undefined });
  });

  test('facets on properties', () => {
    expect(order.properties.get('number')).toMatchObject({ maxLength: 20, unicode: false });
    expect(order.properties.get('note')!.maxLength).toBeUndefined();
    expect(order.properties.get('amount')).toMatchObject({ precision: 19, scale: 4, defaultValue: '0' });
    expect(order.properties.get('place')).toMatchObject({ type: 'Edm.GeographyPoint', srid: '4326' });
    expect(order.properties.get('tags')).toMatchObject({ type: 'Edm.String', collection: true });
  });

  test('out-of-line annotations on a type, a property, an enum member and a set', () => {
    expect(order.description).toBe('A customer order');
    expect(order.alternateKeys).toEqual([['number']]);
    expect(order.properties.get('note')).toMatchObject({ description: 'Free text & remarks', readOnly: true, permissions: ['Read'] });
    expect(model.enumTypes.get('Sample.Model.Colors')!.members[0]).toEqual({ name: 'Red', value: 1, description: 'The red one' });
    const orders = model.entitySets.get('Orders')!;
    expect(orders.description).toBe('All orders');
    expect(orders.changeTracking).toBe(true);
    expect(orders.annotations).toEqual({
      'Org.OData.Core.V1.OptimisticConcurrency': ['number'],
      'Org.OData.Core.V1.Description': 'All orders',
      'Org.OData.Capabilities.V1.ChangeTracking': { Supported: true },
      'Org.OData.Core.V1.Description#Phone': 'Orders (phone)',
    });
  });

  test('overloads are all kept, each reached by its own signature; return type facets', () => {
    const [one, many] = model.actions;
    expect(model.actions).toHaveLength(2);
    expect(one).toMatchObject({ name: 'Approve', bound: true, entitySetPath: 'order', description: 'Approves one order' });
    expect(one.returnType).toEqual({ type: 'Edm.String', collection: false, nullable: false, maxLength: 100, unicode: false });
    expect(many.description).toBeUndefined();
    expect(many.parameters[0]).toMatchObject({ type: 'Sample.Model.Order', collection: true });
    expect(many.parameters[1]).toMatchObject({ maxLength: 500, description: 'Why' });
    expect(many.returnType).toMatchObject({ precision: 10, scale: 'variable' });
    expect(model.functions[0]).toMatchObject({ composable: true, returnType: { type: 'Edm.Decimal', collection: true, precision: 19, scale: 2 } });
  });

  test('enums: IsFlags, underlying type, implicit values', () => {
    expect(model.enumTypes.get('Sample.Model.Colors')).toMatchObject({ isFlags: true, underlyingType: 'Edm.Int16' });
    expect(model.enumTypes.get('Sample.Model.Size')).toMatchObject({ isFlags: false, members: [{ name: 'Small', value: 0 }, { name: 'Large', value: 1 }] });
  });

  test('a stream cut into one-character chunks gives the same model', async () => {
    async function* oneByOne() {
      for (const c of Buffer.from(DOC, 'utf8')) yield Buffer.from([c]);
    }
    expect(await parseCsdlStream(oneByOne())).toEqual(model);
  });

  test('model errors name the element and its position', () => {
    const broken = DOC.replace('<Property Name="tags" Type="Collection(Edm.String)" />', '<Property Name="tags" />');
    expect(() => parseCsdl(broken)).toThrow(CsdlError);
    expect(() => parseCsdl(broken)).toThrow(/^property tags has no Type \(line \d+, column \d+\)$/);
    expect(() => parseCsdl('<root/>')).toThrow('$metadata root element is <root>, expected <edmx:Edmx>');
    expect(() => parseCsdl('<edmx:Edmx xmlns:edmx="x"/>')).toThrow('$metadata has no <edmx:DataServices> element');
    expect(() => parseCsdl('<edmx:Edmx xmlns:edmx="x"><edmx:DataServices/></edmx:Edmx>')).toThrow('$metadata has no <Schema> element');
  });
});
