import { describe, expect, it } from 'vitest';
import { renderVelocity } from '../../../src/flows/executor/index.js';

function render(template: string, data: Record<string, unknown> = {}): string {
  const result = renderVelocity(template, data);
  if (!result.ok) throw new Error(result.problem);
  return result.text;
}

describe('renderVelocity', () => {
  const data = { input: { ani: '+34 600/000&x', count: 5, name: 'O"Brien \\ \n é' } };

  it('prints a missing reference as its own text with ${x} and as nothing with $!{x}', () => {
    expect(render('[${input.missing}][$!{input.missing}][$input.missing][$!input.missing]', data)).toBe(
      '[${input.missing}][][$input.missing][]',
    );
  });

  it('leaves JSON alone: no HTML escaping of quotes, ampersands or angle brackets', () => {
    expect(render('{"a": "${input.ani}", "b": "<&>"}', data)).toBe('{"a": "+34 600/000&x", "b": "<&>"}');
  });

  it('escapes a JSON string with $esc.jsonString so the body parses back to the exact value', () => {
    const out = render('{"name": "$esc.jsonString(${input.name})"}', data);
    expect(JSON.parse(out)).toEqual({ name: data.input.name });
  });

  it('encodes for URLs: url and urlFormEncode as forms (+), uriEncode as RFC 3986 (%20)', () => {
    expect(render('$esc.url(${input.ani})|$esc.urlFormEncode(${input.ani})|$esc.uriEncode(${input.ani})', data)).toBe(
      '%2B34+600%2F000%26x|%2B34+600%2F000%26x|%2B34%20600%2F000%26x',
    );
    expect(render(`$esc.uriEncode("it's (a) test*!")`)).toBe('it%27s%20%28a%29%20test%2A%21');
    expect(render(`$esc.url("a*b~c")`)).toBe('a*b%7Ec');
  });

  it('encodes base64 from UTF-8', () => {
    expect(render('$encoding.base64("user:pässword")')).toBe(Buffer.from('user:pässword').toString('base64'));
  });

  it('does basic math, and gives null (the literal reference) for bad operands or a division by zero', () => {
    expect(
      render(
        '$math.add(${input.count}, 2) $math.sub(10, 4) $math.mul(3, "4") $math.div(7, 2) $math.max(1, 9, 3) $math.min(4, 2) $math.round(2.5)',
        data,
      ),
    ).toBe('7 6 12 3.5 9 2 3');
    // velocityjs rebuilds the literal from the parse tree, so spacing inside it is not kept.
    expect(render('$math.div(1,0)|$math.add("x",1)')).toBe('$math.div(1,0)|$math.add("x",1)');
  });

  it('offers java.lang.String methods, with Java semantics, and nothing JavaScript-only', () => {
    expect(render('$input.ani.length() $input.ani.replace("0", "o") $input.ani.substring(0, 3)', data)).toBe(
      '13 +34 6oo/ooo&x +34',
    );
    expect(render('$input.ani.at(0)', data)).toBe('$input.ani.at(0)');
  });

  it('prints a tool or an unknown tool method literally, not as JavaScript source', () => {
    expect(render('$esc.jsonString|$esc.nothing("x")')).toBe('$esc.jsonString|$esc.nothing("x")');
  });

  it('supports directives', () => {
    expect(render('#if($input.count > 3)many#{else}few#end #foreach($i in [1..3])$i#end', data)).toBe('many 123');
  });

  it('reports a template that does not parse as a value', () => {
    const result = renderVelocity('#if(', {});
    expect(result.ok).toBe(false);
    expect(!result.ok && result.problem).toMatch(/^Velocity could not parse it: Parse error on line 1/);
  });
});
