/** The streaming XML tokenizer: events, chunk boundaries anywhere, positions in errors, and limits. */
import { parseXml } from '../../client/metadata/xml';
import { XmlError, XmlEventHandler, XmlTokenizer, XmlTokenizerLimits } from '../../client/metadata/xml-events';
import { thrownBy } from '../helpers/errors';

type Event = ['open', string, Record<string, string>, boolean] | ['close', string] | ['text', string];

/** Records events, merging adjacent text (text may arrive in pieces). */
function recorder(): { handler: XmlEventHandler; events: Event[] } {
  const events: Event[] = [];
  return {
    events,
    handler: {
      open: (name, attrs, selfClosing) => events.push(['open', name, { ...attrs }, selfClosing]),
      close: (name) => events.push(['close', name]),
      text: (text) => {
        const last = events[events.length - 1];
        if (last && last[0] === 'text') last[1] += text;
        else events.push(['text', text]);
      },
    },
  };
}

function tokenize(chunks: string[], limits?: XmlTokenizerLimits): Event[] {
  const { handler, events } = recorder();
  const tokenizer = new XmlTokenizer(handler, limits);
  for (const chunk of chunks) tokenizer.write(chunk);
  tokenizer.end();
  return events;
}

const errorOf = (fn: () => unknown) => thrownBy(XmlError, fn, 'expected an XmlError');

const SAMPLE = `\uFEFF<?xml version="1.0"?>
<!-- a comment with <tags> -->
<edmx:Edmx Version="4.0" xmlns:edmx="urn:x">
  <Schema Namespace='N' a="x &amp; y &lt;z&gt; &#65;&#x42;">text &quot;q&quot; <![CDATA[<raw> & ]]>tail</Schema>
  <Empty/><Spaced  a = "1"  />
  <?pi ignored?>
</edmx:Edmx>
`;

describe('XmlTokenizer', () => {
  test('reports start tags with decoded attributes, end tags and decoded text', () => {
    const events = tokenize([SAMPLE]).filter((e) => e[0] !== 'text' || e[1].trim() !== '');
    expect(events).toEqual([
      ['open', 'edmx:Edmx', { Version: '4.0', 'xmlns:edmx': 'urn:x' }, false],
      ['open', 'Schema', { Namespace: 'N', a: 'x & y <z> AB' }, false],
      ['text', 'text "q" <raw> & tail'],
      ['close', 'Schema'],
      ['open', 'Empty', {}, true],
      ['close', 'Empty'],
      ['open', 'Spaced', { a: '1' }, true],
      ['close', 'Spaced'],
      ['close', 'edmx:Edmx'],
    ]);
  });

  test('gives the same events whatever the chunk boundaries', () => {
    const whole = tokenize([SAMPLE]);
    for (let cut = 1; cut < SAMPLE.length; cut++) {
      expect(tokenize([SAMPLE.slice(0, cut), SAMPLE.slice(cut)])).toEqual(whole);
    }
    expect(tokenize([...SAMPLE])).toEqual(whole);
  });

  test('errors carry the line and column of the offending construct, also across chunks', () => {
    const doc = '<a>\n  <b>\n  </c>\n</a>';
    const e = errorOf(() => tokenize([doc]));
    expect(e.message).toBe('closing tag </c> does not match <b> (line 3, column 3)');
    expect([e.line, e.column]).toEqual([3, 3]);
    const chunked = errorOf(() => tokenize([...doc]));
    expect(chunked.message).toBe(e.message);
  });

  test('an unfinished document is an unexpected end, with its position', () => {
    expect(errorOf(() => tokenize(['<a>\n<b>'])).message).toBe('unexpected end of document: <b> is not closed (line 2, column 4)');
    expect(errorOf(() => tokenize(['<a>\n<b x="1'])).message).toMatch(/^unexpected end of document inside a start tag \(line 2, column 8\)$/);
    expect(errorOf(() => tokenize(['<a><!-- x'])).message).toMatch(/^unexpected end of document: unterminated comment/);
    expect(errorOf(() => tokenize([''])).message).toMatch(/^unexpected end of document: no root element/);
  });

  test('well-formedness errors', () => {
    const message = (doc: string) => errorOf(() => tokenize([doc])).message;
    expect(message('<a x="1" x="2"/>')).toMatch(/^duplicate attribute 'x'/);
    expect(message('<a x=1/>')).toMatch(/^attribute 'x' value must be quoted/);
    expect(message('<a/><b/>')).toMatch(/^more than one root element/);
    expect(message('text<a/>')).toMatch(/^text outside the root element/);
    expect(message('<a>&nbsp;</a>')).toMatch(/^undefined entity '&nbsp;'/);
    expect(message('<a>&#xZZ;</a>')).toMatch(/^invalid character reference/);
    expect(message('<a>x & y</a>')).toMatch(/^unterminated entity reference/);
    expect(message('</a>')).toMatch(/^unexpected closing tag/);
    expect(message('<a b="<"/>')).toMatch(/'<' is not allowed/);
  });

  test('a __proto__ attribute is an ordinary attribute', () => {
    const [open] = tokenize(['<a __proto__="x"/>']);
    const attrs = open[2] as Record<string, string>;
    expect(Object.keys(attrs)).toEqual(['__proto__']);
    expect(Object.getOwnPropertyDescriptor(attrs, '__proto__')?.value).toBe('x');
    expect(Object.getPrototypeOf(attrs)).toBe(Object.prototype);
  });

  test('limits: depth, attributes, attribute length, text length, total size, elements', () => {
    const message = (chunks: string[], limits: XmlTokenizerLimits) => errorOf(() => tokenize(chunks, limits)).message;
    expect(message(['<a><a><a></a></a></a>'], { maxDepth: 2 })).toMatch(/^elements nested deeper than 2/);
    expect(message(['<a x="1" y="2" z="3"/>'], { maxAttributes: 2 })).toMatch(/^more than 2 attributes/);
    expect(message(['<a x="', 'y'.repeat(50), '"/>'], { maxAttributeLength: 10 })).toMatch(/^attribute value longer than 10 characters \(line 1, column 6\)/);
    expect(message(['<a>', 'y'.repeat(50)], { maxTextLength: 10 })).toMatch(/^character data longer than 10 characters/);
    expect(message(['<a>', 'y'.repeat(50), '</a>'], { maxLength: 20 })).toMatch(/^document is larger than 20 characters/);
    expect(message(['<a><b/><b/><b/></a>'], { maxElements: 3 })).toMatch(/^more than 3 elements/);
    expect(message(['<a x="12345" ', 'y="12345"/>'], { maxTagLength: 16 })).toMatch(/^start tag longer than 16 characters \(line 1, column 1\)/);
  });

  test('parseXml builds the same tree from the tokenizer', () => {
    const root = parseXml(SAMPLE);
    expect(root.name).toBe('edmx:Edmx');
    expect(root.local).toBe('Edmx');
    expect(root.children.map((c) => c.local)).toEqual(['Schema', 'Empty', 'Spaced']);
    expect(root.children[0].text).toBe('text "q" <raw> & tail');
  });
});
