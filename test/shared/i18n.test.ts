import { CATALOGUES, LANGUAGES, languageOfLocale, placeholdersOf, t, tn } from '../../shared/i18n';
import { en } from '../../shared/i18n/en';
import { OUTCOMES } from '../../shared/constants';
import { MANAGER_ANSWERS } from '../../shared/messages';
import { policyProblems } from '../../shared/policy-file';
import { effectivePolicy } from '../../shared/policy-file';
import { templateIn } from '../../shared/templates';

/** Every catalogue has every message, with the same placeholders; locales and policy templates per language. */
describe('message catalogues', () => {
  const keys = Object.keys(en).sort();
  const others = LANGUAGES.filter((l) => l !== 'en');

  it('has a language besides English', () => {
    expect(others.length).toBeGreaterThan(0);
  });

  it.each(others)('"%s" has every message of English, no other, none empty', (lang) => {
    const catalogue: Record<string, string> = CATALOGUES[lang];
    expect(Object.keys(catalogue).sort()).toEqual(keys);
    expect(Object.entries(catalogue).filter(([, text]) => text.trim() === '')).toEqual([]);
  });

  it.each(others)('"%s" uses the same placeholders as English in every message', (lang) => {
    const catalogue: Record<string, string> = CATALOGUES[lang];
    const differing = keys.filter(
      (k) => placeholdersOf(catalogue[k] ?? '').join() !== placeholdersOf(en[k as keyof typeof en]).join(),
    );
    expect(differing).toEqual([]);
  });

  it.each(LANGUAGES)('"%s" keeps Slack markup balanced and emoji codes as English has them', (lang) => {
    const catalogue: Record<string, string> = CATALOGUES[lang];
    const emoji = (text: string) => (text.match(/:[a-z_]+:/g) ?? []).join();
    expect(keys.filter((k) => emoji(catalogue[k]!) !== emoji(en[k as keyof typeof en]))).toEqual([]);
    expect(keys.filter((k) => (catalogue[k]!.match(/\*/g) ?? []).length % 2 !== 0)).toEqual([]);
  });

  it('has a message for every outcome, severity and manager answer', () => {
    const missing = [
      ...OUTCOMES.map((o) => `outcome.${o}`),
      ...['low', 'medium', 'high', 'critical'].map((s) => `severity.${s}`),
      ...MANAGER_ANSWERS.map((a) => `manager.${a}`),
    ].filter((k) => !(k in en));
    expect(missing).toEqual([]);
  });

  it('gives the coercion guidance in full in every language', () => {
    // End the call, share no codes, approve no prompt: each language says all three.
    expect(t('de', 'outcome.coercion_reported')).toMatch(
      /Beende das Gespräch.*\n.*keine Codes.*keine Anmeldeanfragen/,
    );
    expect(t('de', 'coercion.modal')).toMatch(/Beende das Gespräch.*keine Codes.*keine Anmeldeanfragen/);
    expect(t('de', 'reply.coerced')).toMatch(/Beende das Gespräch.*keine Codes.*keine Anmeldeanfragen/);
    expect(t('en', 'reply.coerced')).toMatch(/End the call.*share no codes.*approve no login prompts/);
  });

  it('fills placeholders once, and chooses plural forms by the language', () => {
    expect(t('de', 'alert.moreDetails', { count: 3 })).toBe('3 weitere Details im Bericht.');
    // A value that looks like a placeholder stays as it is.
    expect(t('en', 'dm.notification', { title: '{title}' })).toBe('Security check: did you do this? {title}');
    expect(tn('en', 'secondFactor.wrongCode', 1)).toBe("That code didn't work. 1 attempt left.");
    expect(tn('de', 'secondFactor.wrongCode', 2)).toBe(
      'Dieser Code hat nicht funktioniert. Noch 2 Versuche.',
    );
  });

  it('reads a Slack locale as a language it has, and English for any other', () => {
    expect(languageOfLocale('de-DE')).toBe('de');
    expect(languageOfLocale('de-AT')).toBe('de');
    expect(languageOfLocale('en-GB')).toBe('en');
    expect(languageOfLocale('fr-FR')).toBe('en');
    expect(languageOfLocale(undefined)).toBe('en');
    expect(languageOfLocale('')).toBe('en');
  });
});

describe('policy templates per language', () => {
  it('takes one text for every language, or one per language', () => {
    expect(policyProblems({ messages: { intro: 'Hi {{employee}}' } }, 'aws.login')).toEqual([]);
    expect(
      policyProblems(
        { messages: { intro: { en: 'Hi', de: 'Hallo' }, reminder: { de: 'Bitte' } } },
        'aws.login',
      ),
    ).toEqual([]);
    const policy = effectivePolicy({ messages: { intro: { de: 'Hallo {{employee}}' } } });
    expect(templateIn(policy.messages.intro, 'de')).toBe('Hallo {{employee}}');
    // A language without its own words gets Vouch's.
    expect(templateIn(policy.messages.intro, 'en')).toBeUndefined();
    expect(templateIn('Hi', 'de')).toBe('Hi');
  });

  it('names the field and the fix for an unknown language, a bad template or a wrong shape', () => {
    expect(policyProblems({ messages: { intro: { fr: 'Bonjour' } } }, 'aws.login')).toEqual([
      {
        field: 'aws.login.messages.intro.fr',
        problem: 'Vouch has no messages in "fr": use en, de (other languages get English)',
      },
    ]);
    expect(policyProblems({ messages: { reminder: { de: 'Bis {{deadlin}}' } } }, 'aws.login')).toEqual([
      expect.objectContaining({
        field: 'aws.login.messages.reminder.de',
        problem: expect.stringMatching(/^unknown placeholder \{\{deadlin\}\}/),
      }),
    ]);
    expect(policyProblems({ messages: { intro: { de: '' } } }, 'aws.login')).toEqual([
      { field: 'aws.login.messages.intro.de', problem: 'must not be empty' },
    ]);
    expect(policyProblems({ messages: { intro: {} } }, 'aws.login')).toEqual([
      expect.objectContaining({
        field: 'aws.login.messages.intro',
        problem: expect.stringMatching(/one per language/),
      }),
    ]);
    expect(policyProblems({ messages: { intro: 42 } }, 'aws.login')).toEqual([
      expect.objectContaining({
        field: 'aws.login.messages.intro',
        problem: expect.stringMatching(/^expected a template/),
      }),
    ]);
    expect(policyProblems({ messages: { intro: { de: '<!channel> Hallo' } } }, 'aws.login')).toEqual([
      expect.objectContaining({
        field: 'aws.login.messages.intro.de',
        problem: expect.stringMatching(/whole channel/),
      }),
    ]);
  });
});
