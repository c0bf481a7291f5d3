// Settings as data: a spec per setting (its command-line flag, description, default, check and parser),
// so one table gives a library its defaults and checks and the CLI its options (src/cli/options.ts
// derives them). Spec builders for integers, positive numbers, choices and switches. Browser-safe.

/** A setting's value is invalid; `flag` is the setting's command-line name, `problem` what is wrong. */
export class SettingError extends RangeError {
  constructor(readonly flag: string, readonly problem: string, readonly value: unknown) {
    super(`${flag} ${problem}, got ${JSON.stringify(value)}`);
    this.name = 'SettingError';
  }
}

/** One setting: how the CLI names and describes it, its default, and how a value is checked or parsed. */
export interface SettingSpec<T> {
  /** The command-line option (without "--"). */
  flag: string;
  description: string;
  /** 'boolean' options take no value on the command line. */
  type: 'string' | 'boolean';
  /** Undefined: the setting is optional (unset means "not used" or "the recipe's value"). */
  default?: T;
  /** Returns the value if it is valid, else throws a SettingError. */
  check(value: unknown): T;
  /** Parses a command-line string (then checks it). */
  parse(text: string): T;
}

/**
 * One SettingSpec per field of a settings object S (every field, optional or not): the table a library takes
 * its defaults and checks from and the CLI its options.
 */
export type SettingSpecs<S> = { [K in keyof S]-?: SettingSpec<NonNullable<S[K]>> };

/** An integer >= min. */
export function intSetting(flag: string, description: string, min: number, def?: number): SettingSpec<number> {
  const check = (v: unknown): number => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min) throw new SettingError(flag, `must be an integer >= ${min}`, v);
    return v;
  };
  return { flag, description, type: 'string', default: def, check, parse: numberParser(flag, check) };
}

/** A finite number > 0. */
export function positiveSetting(flag: string, description: string, def?: number): SettingSpec<number> {
  const check = (v: unknown): number => {
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) throw new SettingError(flag, 'must be a positive number', v);
    return v;
  };
  return { flag, description, type: 'string', default: def, check, parse: numberParser(flag, check) };
}

/** Parses a number, reporting the text as given (not NaN) when it is not a valid value. */
function numberParser(flag: string, check: (v: unknown) => number): (text: string) => number {
  return (text) => {
    try {
      return check(text.trim() === '' ? NaN : Number(text));
    } catch (e) {
      throw new SettingError(flag, (e as SettingError).problem, text);
    }
  };
}

/** One of a list of names. */
export function choiceSetting<T extends string>(flag: string, description: string, choices: readonly T[], def?: T): SettingSpec<T> {
  const check = (v: unknown): T => {
    if (!(choices as readonly unknown[]).includes(v)) throw new SettingError(flag, `must be one of ${choices.join(', ')}`, v);
    return v as T;
  };
  return { flag, description, type: 'string', default: def, check, parse: check };
}

/** A switch (false unless given). */
export function booleanSetting(flag: string, description: string): SettingSpec<boolean> {
  const check = (v: unknown): boolean => {
    if (typeof v !== 'boolean') throw new SettingError(flag, 'must be true or false', v);
    return v;
  };
  return { flag, description, type: 'boolean', default: false, check, parse: (t) => check(t === 'true' ? true : t === 'false' ? false : t) };
}

/**
 * Complete settings from a partial set: every given value is checked against its spec, every missing one
 * takes the spec's default. Keys that are not settings are ignored (callers pass wider objects).
 */
export function resolveSettings<S>(specs: SettingSpecs<S>, given: Partial<S>): S {
  const out: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(specs) as [string, SettingSpec<unknown>][]) {
    const v = (given as Record<string, unknown>)[key];
    if (v !== undefined) out[key] = spec.check(v);
    else if (spec.default !== undefined) out[key] = spec.default;
  }
  return out as S;
}
