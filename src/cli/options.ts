// Command-line options shared by several commands: options derived from setting specs
// (src/train/settings.ts: flag, description, default, parser) and the few checks commands repeat.
import { type OptionSpec, UsageError } from './args.ts';

import { modelNames } from '../models/index.ts';
import { SettingError, type SettingSpec, type SettingSpecs } from '../core/settings.ts';
import { DATA_SETTINGS } from '../train/run-settings.ts';
import type { RrSet } from '../ecg/dataset/beat-features.ts';
import type { ProtocolName } from '../ecg/dataset/protocols.ts';

export const DATA_HELP = 'database folder (default: $ECGRAD_DATA, else ../shared/data/mitdb if present, else ./data/mitdb, downloaded there if missing)';

/** The command-line options of setting specs, by flag (defaults shown in --help). */
export function optionsOf(...tables: SettingSpecs<object>[]): Record<string, OptionSpec> {
  const out: Record<string, OptionSpec> = {};
  for (const table of tables)
    for (const s of Object.values(table) as SettingSpec<unknown>[])
      out[s.flag] = { type: s.type, description: s.description, ...(s.default !== undefined && s.type === 'string' ? { default: String(s.default) } : {}) };
  return out;
}

/** Parses the options of setting specs into settings (only those given or defaulted); a bad value is a UsageError. */
export function settingsOf<S>(table: SettingSpecs<S>, o: Record<string, unknown>, command: string): Partial<S> {
  const out: Record<string, unknown> = {};
  for (const [key, s] of Object.entries(table) as [string, SettingSpec<unknown>][]) {
    const v = o[s.flag];
    if (v === undefined) continue;
    out[key] = usage(command, () => (typeof v === 'boolean' ? s.check(v) : s.parse(String(v))));
  }
  return out as Partial<S>;
}

/** Runs f, turning a SettingError into a UsageError "<command>: --<flag> <problem>, got <value>". */
export function usage<T>(command: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof SettingError) throw new UsageError(`${command}: --${e.message}`);
    throw e;
  }
}

export function intOption(o: Record<string, unknown>, name: string, command: string, min = 1): number | undefined {
  const v = o[name];
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`${command}: --${name} must be an integer >= ${min}, got "${v}"`);
  return n;
}

export function checkProtocol(p: unknown, command: string): ProtocolName {
  return usage(command, () => DATA_SETTINGS.protocol.parse(String(p)));
}

/**
 * The protocol of a command that reads a model file: --protocol when given, else the protocol the file
 * records (meta.protocol, written by train/compare/classic), else intra.
 */
export function protocolFor(p: unknown, meta: Record<string, unknown> | undefined, command: string): ProtocolName {
  if (p !== undefined) return checkProtocol(p, command);
  const recorded = meta?.protocol;
  return typeof recorded === 'string' ? checkProtocol(recorded, command) : 'intra';
}

/** The --rr-set option (default local). */
export function rrSetOption(o: Record<string, unknown>, command: string): RrSet {
  return usage(command, () => DATA_SETTINGS.rrSet.parse(String(o['rr-set'] ?? 'local')));
}

export function checkModel(name: string, command: string, alsoValid: string[] = []): string {
  if (!modelNames().includes(name))
    throw new UsageError(`${command}: unknown model "${name}"; valid models: ${[...modelNames(), ...alsoValid].join(', ')}`);
  return name;
}

