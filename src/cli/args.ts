// A small command-line parser: `--name value`, `--name=value`, boolean `--flag`, `--no-flag`, positionals.
// Each command declares its options so unknown flags and missing values give a clear error.

export interface OptionSpec {
  /** 'string' takes a value; 'boolean' does not. */
  type: 'string' | 'boolean';
  description: string;
  default?: string | boolean;
}

export interface ParsedArgs {
  options: Record<string, string | boolean | undefined>;
  positionals: string[];
}

export class UsageError extends Error {}

export function parseArgs(argv: string[], spec: Record<string, OptionSpec>, command: string): ParsedArgs {
  const options: Record<string, string | boolean | undefined> = {};
  for (const [k, s] of Object.entries(spec)) options[k] = s.default;
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('--')) {
      positionals.push(a);
      continue;
    }
    let name = a.slice(2);
    let value: string | undefined;
    const eq = name.indexOf('=');
    if (eq >= 0) {
      value = name.slice(eq + 1);
      name = name.slice(0, eq);
    }
    let negated = false;
    if (!(name in spec) && name.startsWith('no-') && spec[name.slice(3)]?.type === 'boolean') {
      name = name.slice(3);
      negated = true;
    }
    const s = spec[name];
    if (!s) throw new UsageError(`${command}: unknown option --${name} (see \`ecgrad ${command} --help\`)`);
    if (s.type === 'boolean') {
      if (value !== undefined) throw new UsageError(`${command}: --${name} takes no value`);
      options[name] = !negated;
    } else {
      if (value === undefined) {
        value = argv[++i];
        if (value === undefined || value.startsWith('--'))
          throw new UsageError(`${command}: --${name} needs a value (${s.description})`);
      }
      options[name] = value;
    }
  }
  return { options, positionals };
}

export function formatHelp(command: string, summary: string, usage: string, spec: Record<string, OptionSpec>): string {
  const lines = [`ecgrad ${command}: ${summary}`, '', `usage: ${usage}`, '', 'options:'];
  const width = Math.max(...Object.keys(spec).map((k) => k.length + (spec[k]!.type === 'string' ? 8 : 0)), 6) + 4;
  for (const [k, s] of Object.entries(spec)) {
    const left = `--${k}${s.type === 'string' ? ' <value>' : ''}`;
    const def = s.default !== undefined && s.default !== false ? ` (default: ${s.default})` : '';
    lines.push(`  ${left.padEnd(width)}${s.description}${def}`);
  }
  lines.push(`  ${'--help'.padEnd(width)}show this help`);
  return lines.join('\n');
}
