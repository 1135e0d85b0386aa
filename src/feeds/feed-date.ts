/**
 * A feed's dates as ISO 8601 text, for the article validation to check as it checks any
 * `publishedAt` (a real instant of the years 1000–9999). RSS 2.0 writes RFC 822 dates ("Sat, 14
 * Jun 2025 08:00:00 GMT"); Atom and Dublin Core write ISO 8601 (RFC 3339). Date.parse is not used:
 * it rolls "31 Jun" over into July and reads many strings no feed means as a date.
 */

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

/** RFC 822 zone names (RFC 2822 section 4.3) as offsets in hours. */
const ZONES: Record<string, number> = {
  ut: 0,
  utc: 0,
  gmt: 0,
  z: 0,
  est: -5,
  edt: -4,
  cst: -6,
  cdt: -5,
  mst: -7,
  mdt: -6,
  pst: -8,
  pdt: -7,
};

/** [Day,] DD Mon YYYY HH:MM[:SS] zone; a 2- or 4-digit year; the zone as a name or ±hhmm. */
const RFC_822 =
  /^\s*(?:[a-z]{3,9},?\s*)?(\d{1,2})\s+([a-z]{3,9})\.?\s+(\d{2}|\d{4})\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([a-z]{1,5}|[+-]\d{4})?\s*$/i;

const pad = (value: number | string, width = 2) => String(value).padStart(width, '0');

/**
 * The date as ISO 8601 text, or an error saying it is not a date a feed may hold. ISO 8601 text is
 * returned as it is (the validation checks it); an RFC 822 date is rewritten, its fields unchanged,
 * so that an impossible one (31 June) is refused there rather than rolled over here.
 */
export function feedDateToIso(value: string, field: string): string {
  const text = value.trim();
  if (/^\d{4}-\d{2}-\d{2}/.test(text)) return text;
  const match = RFC_822.exec(text);
  const month = match ? MONTHS.indexOf(match[2].slice(0, 3).toLowerCase()) : -1;
  if (!match || month === -1) throw new Error(`"${field}" is not an RFC 822 or ISO 8601 date: "${value}"`);
  const [, day, , yearText, hour, minute, second] = match;
  // RFC 2822 section 4.3: a two-digit year below 50 is of the 2000s, others of the 1900s.
  const year = yearText.length === 2 ? Number(yearText) + (Number(yearText) < 50 ? 2000 : 1900) : Number(yearText);
  const zone = match[7] ?? 'GMT';
  let offset: string;
  if (/^[+-]\d{4}$/.test(zone)) {
    offset = `${zone.slice(0, 3)}:${zone.slice(3)}`;
  } else {
    const hours = ZONES[zone.toLowerCase()];
    if (hours === undefined) throw new Error(`"${field}" has a time zone this import does not know: "${value}"`);
    offset = `${hours < 0 ? '-' : '+'}${pad(Math.abs(hours))}:00`;
  }
  return `${pad(year, 4)}-${pad(month + 1)}-${pad(day)}T${pad(hour)}:${minute}:${second ?? '00'}${offset}`;
}
