import twilio from 'twilio';
import { XMLParser } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { streamTwiml } from '../../src/twilio/twiml.js';

const URL_ = 'wss://dp.example.com/twilio/ws?tenant=a&b=1';

describe('streamTwiml', () => {
  it('is the document VoiceResponse builds verb by verb: Start, Stream inbound_track, Parameters', () => {
    const expected = new twilio.twiml.VoiceResponse();
    const stream = expected.start().stream({ url: URL_, name: 'daspeak', track: 'inbound_track' });
    stream.parameter({ name: 'from', value: '+34600000001' });
    stream.parameter({ name: 'note', value: 'a "quoted" <value> & more' });
    expect(
      streamTwiml({
        url: URL_,
        name: 'daspeak',
        parameters: { from: '+34600000001', note: 'a "quoted" <value> & more' },
      }),
    ).toBe(expected.toString());
  });

  it('escapes what it must: the document parses back to the same values', () => {
    const xml = streamTwiml({ url: URL_, parameters: { from: '{{From}}', note: 'a "q" <v> & m' } });
    const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(xml) as {
      Response: {
        Start: { Stream: { url: string; track: string; Parameter: { name: string; value: string }[] } };
      };
    };
    expect(doc.Response.Start.Stream.url).toBe(URL_);
    expect(doc.Response.Start.Stream.track).toBe('inbound_track');
    expect(doc.Response.Start.Stream.Parameter).toEqual([
      { name: 'from', value: '{{From}}' },
      { name: 'note', value: 'a "q" <v> & m' },
    ]);
  });

  it('then: enqueue into a Flex workflow with task attributes', () => {
    const expected = new twilio.twiml.VoiceResponse();
    expected.start().stream({ url: URL_, track: 'both_tracks', statusCallback: 'https://cb.example.com/s' });
    expected
      .enqueue({ workflowSid: `WW${'a'.repeat(32)}` })
      .task(JSON.stringify({ type: 'inbound', name: 'x & y' }));
    expect(
      streamTwiml({
        url: URL_,
        track: 'both_tracks',
        statusCallback: 'https://cb.example.com/s',
        then: {
          enqueue: { workflowSid: `WW${'a'.repeat(32)}`, taskAttributes: { type: 'inbound', name: 'x & y' } },
        },
      }),
    ).toBe(expected.toString());
  });

  it('then: redirect, or a pause; without then the Response ends after Start', () => {
    const r = new twilio.twiml.VoiceResponse();
    r.start().stream({ url: URL_, track: 'inbound_track' });
    r.redirect('https://app.example.com/voice?x=1&y=2');
    expect(streamTwiml({ url: URL_, then: { redirect: 'https://app.example.com/voice?x=1&y=2' } })).toBe(
      r.toString(),
    );

    const p = new twilio.twiml.VoiceResponse();
    p.start().stream({ url: URL_, track: 'inbound_track' });
    p.pause({ length: 60 });
    expect(streamTwiml({ url: URL_, then: { pauseSeconds: 60 } })).toBe(p.toString());

    expect(streamTwiml({ url: URL_ })).toBe(
      `<?xml version="1.0" encoding="UTF-8"?><Response><Start><Stream url="wss://dp.example.com/twilio/ws?tenant=a&amp;b=1" track="inbound_track"/></Start></Response>`,
    );
  });
});
