/**
 * What the DateTime scalar accepts from clients: the instants an import accepts as `publishedAt`
 * (src/jobs/article-input.ts, the same grammar and ranges, so that a time a client imported can be
 * sent back as a filter): an ISO 8601 date (`2025-06-12`, midnight UTC) or date and time
 * (`2025-06-12T09:00Z`, `2025-06-12T09:00:00.5+02:00`; seconds, fraction and zone optional, UTC
 * when it names no offset), naming a real calendar instant from year 1000 to 9999 (UTC), a range
 * both PostgreSQL's timestamptz and JavaScript's Date hold exactly. Anything else is
 * BAD_USER_INPUT: `"1"` (which Date.parse reads as 2001), `2020-02-30` (which it rolls over to
 * March), `T24:00`, a leap second. The instant is returned in UTC with milliseconds, as the scalar
 * outputs it.
 */
import { GraphQLError } from 'graphql';

const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?(Z|([+-])(\d{2})(?::?(\d{2}))?)?)?$/;

export const MIN_DATE_TIME = Date.UTC(1000, 0, 1);
export const MAX_DATE_TIME = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

function invalid(value: unknown): GraphQLError {
  const shown = typeof value === 'string' ? JSON.stringify(value.slice(0, 60)) : typeof value;
  return new GraphQLError(
    `DateTime must be an ISO 8601 date ("2025-06-12") or date and time ("2025-06-12T09:00:00Z", UTC without an offset) from year 1000 to 9999, got ${shown}`,
    { extensions: { code: 'BAD_USER_INPUT' } },
  );
}

/** The instant as "2025-06-12T09:00:00.000Z"; BAD_USER_INPUT for anything but a real ISO 8601 instant. */
export function parseDateTime(value: unknown): string {
  const match = typeof value === 'string' ? DATE_TIME.exec(value) : null;
  if (!match) throw invalid(value);
  const [year, month, day, hour = 0, minute = 0, second = 0] = match.slice(1, 7).map((part) => Number(part ?? 0));
  const milliseconds = Number((match[7] ?? '').padEnd(3, '0').slice(0, 3));
  const calendar = new Date(0);
  calendar.setUTCFullYear(year, month - 1, day);
  calendar.setUTCHours(hour, minute, second, milliseconds);
  const real =
    calendar.getUTCFullYear() === year &&
    calendar.getUTCMonth() === month - 1 &&
    calendar.getUTCDate() === day &&
    hour <= 23 &&
    minute <= 59 &&
    second <= 59;
  const offsetHours = Number(match[10] ?? 0);
  const offsetMinutes = Number(match[11] ?? 0);
  if (!real || offsetHours > 23 || offsetMinutes > 59) throw invalid(value);
  const offset = (match[9] === '-' ? -1 : 1) * (offsetHours * 60 + offsetMinutes) * 60_000;
  const instant = calendar.getTime() - offset;
  if (instant < MIN_DATE_TIME || instant > MAX_DATE_TIME) throw invalid(value);
  return new Date(instant).toISOString();
}
