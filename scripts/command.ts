/**
 * What every command of scripts/ does first, the one way: read its options (the usage on a bad one
 * or --help), and, for the operator commands, the configuration and the database, each failure
 * in one line (exit 2 for what the caller typed, 1 for a database that cannot be opened).
 */
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { type Config, loadConfig } from '../src/config.js';
import { type DatabaseHandle, openConfiguredDatabase } from '../src/db/client.js';
import { describeStartError } from '../src/db/errors.js';

type Options = NonNullable<ParseArgsConfig['options']>;

/** The command's options; `--help` / `-h` prints the usage. */
export function commandOptions<T extends Options>(
  usage: string,
  options: T,
): ReturnType<typeof parseArgs<{ options: T }>>['values'] {
  try {
    const { values } = parseArgs({ options: { ...options, help: { type: 'boolean', short: 'h' } } });
    if ((values as { help?: boolean }).help) {
      console.log(usage);
      process.exit(0);
    }
    return values as ReturnType<typeof parseArgs<{ options: T }>>['values'];
  } catch (error) {
    console.error(`${(error as Error).message}\n${usage}`);
    process.exit(2);
  }
}

/** Reads an option's value with `parse`; a bad value ends the command with its message (exit 2). */
export function optionValue<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    console.error((error as Error).message);
    process.exit(2);
  }
}

/** The configuration (a bad setting ends the command: exit 2). */
export function commandConfig(): Config {
  return optionValue(() => loadConfig());
}

/** The configured database, migrated; one line and exit 1 when it cannot be opened. */
export function openCommandDatabase(config: Config): Promise<DatabaseHandle> {
  return openConfiguredDatabase(config).catch((error: unknown) => {
    console.error(`could not open the database: ${describeStartError(error)}`);
    process.exit(1);
  });
}
