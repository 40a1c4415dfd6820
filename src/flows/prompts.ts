/**
 * The prompts the flows speak. They come from the config (`flows.prompts.<language>`); en-us has
 * these built-in defaults. The templates hold no text of their own: every prompt is chosen here by
 * key and language.
 */
import type { KitConfig, Prompts } from '../config/schema.js';
import { KitError } from '../errors.js';

export const BUILT_IN_PROMPTS: Record<string, Prompts> = {
  'en-us': {
    welcome: 'Welcome. This call uses voice biometrics to confirm who you are.',
    consent:
      'To recognise your voice on future calls, we need to register it. Press 1 if you agree, or 2 if you do not.',
    registerStart: 'Please tell us, in a few sentences, the reason for your call.',
    registered: 'Thank you. Your voice is now registered.',
    registerFailed: 'We could not register your voice this time.',
    verifyStart: 'Please tell us, in a few words, the reason for your call.',
    verified: 'Thank you. Your identity is confirmed.',
    notVerified: 'We could not confirm your identity by voice.',
    spoof: 'We could not confirm your identity by voice.',
    error: 'Voice verification is not available right now.',
    noConsent: 'Your voice will not be registered.',
    transfer: 'Please hold while we connect you to an agent.',
  },
};

export const PROMPT_KEYS = Object.keys(BUILT_IN_PROMPTS['en-us']!) as (keyof Prompts)[];

/** The prompts of every configured language (config first, built-in defaults for en-us). */
export function promptsByLanguage(config: Pick<KitConfig, 'flows'>): Record<string, Prompts> {
  const out: Record<string, Prompts> = {};
  for (const lang of config.flows.languages) {
    const p = config.flows.prompts[lang] ?? BUILT_IN_PROMPTS[lang];
    if (!p) {
      throw new KitError('flows.missing_prompts', `language ${lang} has no prompts`, {
        hint: `add flows.prompts.${lang} with every prompt (${PROMPT_KEYS.join(', ')})`,
      });
    }
    out[lang] = p;
  }
  return out;
}

/** A string literal of Architect's expression language. */
export function expString(text: string): string {
  return JSON.stringify(text);
}

/**
 * An expression choosing a prompt's text by the call's language: the default language is the last
 * (else) branch, so a language the flow does not know hears the default.
 */
export function promptTextExpression(
  prompts: Record<string, Prompts>,
  key: keyof Prompts,
  defaultLanguage: string,
): string {
  const others = Object.keys(prompts).filter((l) => l !== defaultLanguage);
  let expr = expString(prompts[defaultLanguage]![key]);
  for (const lang of others.reverse()) {
    expr = `If(Call.Language == ${expString(lang)}, ${expString(prompts[lang]![key])}, ${expr})`;
  }
  return expr;
}
