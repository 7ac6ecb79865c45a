/** Four-letter words zkops may whitelist; `*` is deliberately not one of them. */
export const FOUR_LETTER_WORDS = [
  'srvr',
  'ruok',
  'mntr',
  'conf',
  'stat',
  'cons',
  'envi',
  'wchs',
  'dirs',
  'isro',
  'crst',
  'srst',
  'gtmk',
  'wchc',
  'wchp',
  'dump',
  'reqs',
] as const;

/** What zkops itself needs to report health; always whitelisted. */
export const REQUIRED_FOUR_LETTER_WORDS = ['srvr', 'ruok', 'mntr', 'conf'] as const;
