// The message of what a call throws, or "(no error)": for child scripts that report errors as data.
export function message(f: () => unknown): string {
  try {
    f();
    return '(no error)';
  } catch (e) {
    return (e as Error).message;
  }
}
