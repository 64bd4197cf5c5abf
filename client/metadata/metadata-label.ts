/**
 * Reads the text of a Dataverse `Label` complex value ({ LocalizedLabels, UserLocalizedLabel }).
 * UserLocalizedLabel is the label in the calling user's language; it is null when no label exists in that
 * language, so English (1033, the base language of every standard table) comes next, then any label at all.
 */
export const FALLBACK_LANGUAGE = 1033;

interface LocalizedLabel {
  Label?: unknown;
  LanguageCode?: unknown;
}

export function labelText(label: unknown, languageCode = FALLBACK_LANGUAGE): string | undefined {
  if (!label || typeof label !== 'object') return undefined;
  const { UserLocalizedLabel: user, LocalizedLabels: all } = label as { UserLocalizedLabel?: LocalizedLabel | null; LocalizedLabels?: unknown };
  if (user && typeof user.Label === 'string' && user.Label !== '') return user.Label;
  const localized = Array.isArray(all) ? (all as LocalizedLabel[]).filter((l) => l && typeof l.Label === 'string' && l.Label !== '') : [];
  const preferred = localized.find((l) => l.LanguageCode === languageCode) ?? localized[0];
  return preferred?.Label as string | undefined;
}
