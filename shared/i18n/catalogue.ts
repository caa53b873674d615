import { en } from './en';

/** Every message the employee (or their manager) reads has a key in ./en.ts; each language has them all. */
export type MessageKey = keyof typeof en;
export type Catalogue = Record<MessageKey, string>;

/** The keys with plural forms (`<base>.one`, `<base>.other`). */
export type PluralKey = {
  [K in MessageKey]: K extends `${infer Base}.one`
    ? `${Base}.other` extends MessageKey
      ? Base
      : never
    : never;
}[MessageKey];
