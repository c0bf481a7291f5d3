// The `ecgrad` command line: dispatches `ecgrad <command> [options]` to src/cli/commands/*.
import '../wasm/relaxed-kernels.ts'; // the CLI trains and explains; relaxed-SIMD build included (src/wasm/source.ts)
import '../node/kernel-threads.ts'; // kernel threads on all cores (src/wasm/kernel-pool.ts; compare shares them out)
import { UsageError } from './args.ts';
import { commands } from './commands.ts';

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    const width = Math.max(...Object.keys(commands).map((k) => k.length)) + 2;
    console.log('usage: ecgrad <command> [options]   (ecgrad <command> --help for details)\n\ncommands:');
    for (const [k, c] of Object.entries(commands)) console.log(`  ${k.padEnd(width)}${c.summary}`);
    return name ? 0 : 1;
  }
  const command = commands[name];
  if (!command) {
    console.error(`ecgrad: unknown command "${name}"; commands: ${Object.keys(commands).join(', ')}`);
    return 2;
  }
  try {
    return await command.run(rest);
  } catch (e) {
    if (e instanceof UsageError) {
      console.error(e.message);
      return 2;
    }
    console.error(`ecgrad ${name}: ${(e as Error).message}`);
    if (process.env.ECGRAD_DEBUG) console.error((e as Error).stack);
    return 1;
  }
}
