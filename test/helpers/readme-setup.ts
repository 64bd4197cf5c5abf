/**
 * What README.md's "## Set up" section tells a new user to run, read from the README itself so that a test of those
 * commands follows the README when it changes and fails when it stops naming them.
 */

export interface SetUpCommands {
  /** The line that installs and starts the sandbox, e.g. `npm install && npm start`. */
  start: string;
  /** The line that runs the tests, e.g. `npm test`. */
  test: string;
  /** The keys the README says the last JSON line of `npm start` carries. */
  jsonKeys: string[];
}

function setUpSection(readme: string): string {
  const lines = readme.split(/\r?\n/);
  const from = lines.findIndex((l) => /^##\s+Set up\s*$/.test(l));
  if (from < 0) throw new Error('README.md has no "## Set up" section');
  const to = lines.findIndex((l, i) => i > from && /^##\s/.test(l));
  return lines.slice(from + 1, to < 0 ? undefined : to).join('\n');
}

/** The command lines of every ```bash block of the section, comments and blank lines left out. */
function bashLines(section: string): string[] {
  const lines: string[] = [];
  for (const block of section.matchAll(/^```bash[ \t]*\n([\s\S]*?)^```/gm)) {
    for (const line of block[1].split('\n')) if (line.trim() && !line.trim().startsWith('#')) lines.push(line.trim());
  }
  return lines;
}

export function readSetUpCommands(readme: string): SetUpCommands {
  const section = setUpSection(readme);
  const lines = bashLines(section);
  const found = lines.length ? `; its bash blocks hold: ${lines.map((l) => JSON.stringify(l)).join(', ')}` : '; it has no ```bash block';
  const start = lines.find((l) => /\bnpm (install|ci)\b/.test(l) && /\bnpm start\b/.test(l));
  if (!start) throw new Error(`README.md "## Set up" names no command that installs and runs npm start (expected like "npm install && npm start")${found}`);
  const test = lines.find((l) => /^npm test\b/.test(l));
  if (!test) throw new Error(`README.md "## Set up" names no "npm test" command${found}`);
  // "The last line printed is JSON (`n8nUrl`, `email`, …)": the keys are the code spans inside the parentheses.
  const sentence = /last line printed is JSON \(([^)]*)\)/.exec(section.replace(/\s+/g, ' '));
  if (!sentence) throw new Error('README.md "## Set up" no longer says which keys the last JSON line of npm start has ("The last line printed is JSON (…)")');
  const jsonKeys = [...sentence[1].matchAll(/`([A-Za-z_$][\w$]*)`/g)].map((m) => m[1]);
  if (!jsonKeys.length) throw new Error(`README.md "## Set up" lists no JSON keys in "${sentence[0]}"`);
  return { start, test, jsonKeys };
}

/** `npm test` with extra jest arguments, added after `--` as npm expects. */
export function withJestArgs(testLine: string, args: string[]): string {
  const quoted = args.map((a) => (/^[\w./=@:-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
  return / -- /.test(` ${testLine} `) ? `${testLine} ${quoted}` : `${testLine} -- ${quoted}`;
}
