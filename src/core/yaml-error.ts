/** The parts of a `yaml` package error that say what and where. */
export interface YamlErrorLike {
  readonly message: string;
  readonly linePos?: readonly { readonly line: number; readonly col: number }[] | undefined;
}

/**
 * One clean clause from a YAML parse error: `at line 2, column 1: tabs are not allowed as indentation`
 * (the library's message spans several lines with a code excerpt and a caret).
 */
export function describeYamlError(err: YamlErrorLike): string {
  const first = (err.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?\s*$/, '').replace(/:\s*$/, '');
  const what = first.charAt(0).toLowerCase() + first.slice(1);
  const pos = err.linePos?.[0];
  return pos ? `at line ${pos.line}, column ${pos.col}: ${what}` : what;
}
