/**
 * parseCsdlStream decodes large reads a slice at a time and types share their member maps when they inherit
 * nothing: the model must be the same as from the whole text, whatever the chunking, with multi-byte characters
 * split across slice boundaries, and inheritance must still merge (without touching the base type's maps).
 */
import { parseCsdl, parseCsdlStream } from '../../client/metadata/csdl';
import type { CsdlModel } from '../../client/metadata/model';

function document(properties: number): string {
  const props: string[] = [];
  for (let i = 0; i < properties; i++) {
    // Two-, three- and four-byte UTF-8 in names and descriptions, so that slices of 32 KB cut through some of them.
    props.push(
      `<Property Name="colonne_${i}_é" Type="Edm.String" MaxLength="${10 + (i % 50)}">` +
        `<Annotation Term="Org.OData.Core.V1.Description" String="Données №${i} — 数据 😀 &amp; more" /></Property>`,
    );
  }
  return (
    '<?xml version="1.0" encoding="utf-8"?><edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx">' +
    '<edmx:DataServices><Schema Namespace="Test.NS" xmlns="http://docs.oasis-open.org/odata/ns/edm">' +
    '<EntityType Name="base" Abstract="true"><Key><PropertyRef Name="id" /></Key><Property Name="id" Type="Edm.Guid" Nullable="false" /></EntityType>' +
    `<EntityType Name="wide" BaseType="Test.NS.base">${props.join('')}<NavigationProperty Name="self" Type="Test.NS.wide" /></EntityType>` +
    '<EntityType Name="alone"><Key><PropertyRef Name="code" /></Key><Property Name="code" Type="Edm.String" Nullable="false" /></EntityType>' +
    '<ComplexType Name="address"><Property Name="city" Type="Edm.String" /></ComplexType>' +
    '<EntityContainer Name="Container"><EntitySet Name="wides" EntityType="Test.NS.wide" /><EntitySet Name="alones" EntityType="Test.NS.alone" /></EntityContainer>' +
    '</Schema></edmx:DataServices></edmx:Edmx>'
  );
}

function summary(model: CsdlModel) {
  return [...model.entityTypes.values()].map((t) => ({
    name: t.qualifiedName,
    key: t.keyProperties,
    properties: [...t.allProperties.values()].map((p) => [p.name, p.type, p.maxLength, p.description]),
    navigation: [...t.allNavigation.keys()],
  }));
}

async function* chunks(bytes: Buffer, size: number): AsyncIterable<Buffer> {
  for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size);
}

describe('parseCsdlStream over large reads', () => {
  const text = document(2000);
  const bytes = Buffer.from(text, 'utf8');
  const expected = summary(parseCsdl(text));

  it('reads a document of several 32 KB slices with multi-byte characters across their boundaries', () => {
    expect(bytes.length).toBeGreaterThan(8 * 32 * 1024);
    expect(text.length).toBeLessThan(bytes.length);
    expect(expected[1].properties[1][3]).toBe('Données №0 — 数据 😀 & more');
  });

  it.each([
    ['one read of the whole document', bytes.length],
    ['1 MB reads', 1024 * 1024],
    ['reads of 32 KB + 1 byte', 32 * 1024 + 1],
    ['reads of 7 bytes', 7],
  ])('gives the model the whole text gives, in %s', async (_name, size) => {
    expect(summary(await parseCsdlStream(chunks(bytes, size)))).toEqual(expected);
  });

  it('merges inherited members into a new map and shares the own map of a type that inherits nothing', () => {
    const model = parseCsdl(text);
    const base = model.entityTypes.get('Test.NS.base')!;
    const wide = model.entityTypes.get('Test.NS.wide')!;
    const alone = model.entityTypes.get('Test.NS.alone')!;
    expect([...base.allProperties.keys()]).toEqual(['id']);
    expect(base.allProperties).toBe(base.properties);
    expect([...wide.allProperties.keys()][0]).toBe('id');
    expect(wide.allProperties.size).toBe(2001);
    expect(wide.properties.has('id')).toBe(false);
    expect(wide.keyProperties).toEqual(['id']);
    // The derived type's navigation is its own (the base has none), and the base saw nothing of the derived type.
    expect(wide.allNavigation).toBe(wide.navigation);
    expect(alone.allProperties).toBe(alone.properties);
    expect(model.complexTypes.get('Test.NS.address')!.allProperties.size).toBe(1);
  });
});
