/**
 * What the DateTime scalar accepts from clients: the instants an import accepts as `publishedAt`
 * (parseInstant of src/jobs/article-input.ts, so that a time a client imported can be sent back as
 * a filter): an ISO 8601 date (`2025-06-12`, midnight UTC) or date and time
 * (`2025-06-12T09:00Z`, `2025-06-12T09:00:00.5+02:00`; seconds, fraction and zone optional, UTC
 * when it names no offset), naming a real calendar instant from year 1000 to 9999 (UTC), a range
 * both PostgreSQL's timestamptz and JavaScript's Date hold exactly. Anything else is
 * BAD_USER_INPUT: `"1"` (which Date.parse reads as 2001), `2020-02-30` (which it rolls over to
 * March), `T24:00`, a leap second. The instant is returned in UTC with milliseconds, as the scalar
 * outputs it.
 */
import { GraphQLError } from 'graphql';
import { parseInstant } from '../jobs/article-input.js';

function invalid(reason: string): GraphQLError {
  return new GraphQLError(
    `DateTime must be an ISO 8601 date ("2025-06-12") or date and time ("2025-06-12T09:00:00Z", UTC without an offset) from year 1000 to 9999: ${reason}`,
    { extensions: { code: 'BAD_USER_INPUT' } },
  );
}

/** The instant as "2025-06-12T09:00:00.000Z"; BAD_USER_INPUT for anything but a real ISO 8601 instant. */
export function parseDateTime(value: unknown): string {
  if (typeof value !== 'string') throw invalid(`got ${typeof value}`);
  try {
    return parseInstant(value.length > 100 ? `${value.slice(0, 100)}…` : value, 'DateTime');
  } catch (error) {
    throw invalid((error as Error).message);
  }
}
