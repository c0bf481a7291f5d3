// The shape of a CLI command: each command lives in its own file under src/cli/ and handles its own
// --help; commands.ts lists them.

export interface Command {
  summary: string;
  /** Runs the command with the arguments after its name; resolves to the process exit code. */
  run(argv: string[]): Promise<number>;
}
