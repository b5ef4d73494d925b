// Environment of an instance, read from its launch template's user data:
// every `export NAME=value` line (values may be quoted), the way the boot
// script would set them.

const EXPORT_LINE = /^\s*export\s+([A-Za-z_][A-Za-z0-9_]*)=(.*)$/;

export function parseUserDataExports(userDataBase64: string | undefined): Record<string, string> {
  if (!userDataBase64) return {};
  const script = Buffer.from(userDataBase64, 'base64').toString('utf8');
  const env: Record<string, string> = {};
  for (const line of script.split(/\r?\n/)) {
    const m = EXPORT_LINE.exec(line);
    if (m) env[m[1]!] = unquote(m[2]!.trim());
  }
  return env;
}

function unquote(value: string): string {
  const quoted = /^"(.*)"$/.exec(value) ?? /^'(.*)'$/.exec(value);
  if (quoted) return quoted[1]!;
  return value.replace(/\s+#.*$/, '');
}

/** Whether a string is canonical base64 (what EC2 demands of user data). */
export function isBase64(text: string): boolean {
  return /^[A-Za-z0-9+/]*={0,2}$/.test(text) && text.length % 4 === 0;
}
