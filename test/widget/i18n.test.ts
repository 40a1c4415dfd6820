import { describe, expect, it } from 'vitest';
import { CATALOGUES, languageOf, translator } from '../../widget/src/core/i18n.js';

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('the catalogue', () => {
  it('has every key in every language, with the same placeholders, none empty', () => {
    const keys = Object.keys(CATALOGUES.en).sort();
    for (const [language, catalogue] of Object.entries(CATALOGUES)) {
      expect(Object.keys(catalogue).sort(), language).toEqual(keys);
      for (const key of keys) {
        const text = (catalogue as Record<string, string>)[key]!;
        expect(text.trim(), `${language}.${key}`).not.toBe('');
        expect(placeholders(text), `${language}.${key}`).toEqual(
          placeholders((CATALOGUES.en as Record<string, string>)[key]!),
        );
      }
    }
  });

  it("keeps the seed's error sentences", () => {
    const { t } = translator('en-US');
    expect(t('error.spoof')).toBe('Audio is tagged as pre-recorded voice.');
    expect(t('error.authentication')).toBe("Audio can't be verified.");
    expect(t('error.configuration')).toBe('There is a wrong configuration.');
    expect(t('error.connection')).toBe('There is an error while connecting with das-Peak Streaming');
  });

  it('picks the language from {{gcLangTag}}, English when unknown', () => {
    expect(languageOf('es-ES')).toBe('es');
    expect(languageOf('es_mx')).toBe('es');
    expect(languageOf('en-us')).toBe('en');
    expect(languageOf('fr')).toBe('en');
    expect(languageOf(undefined)).toBe('en');
    const es = translator('es-ES');
    expect(es.locale).toBe('es-ES');
    expect(es.t('collecting', { net: '2.5', total: '5.0' })).toBe('Voz recogida: 2.5 de 5.0 s');
    expect(es.score(0.8512)).toBe('0,85');
    expect(translator('not a tag!').locale).toBe('en');
  });
});
