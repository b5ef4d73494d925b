// AWS-style wildcard matching: `*` any run of characters, `?` one character.

export function wildcardPattern(pattern: string, caseInsensitive: boolean): RegExp {
  const body = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`, caseInsensitive ? 'is' : 's');
}

export function matchesWildcard(pattern: string, value: string, caseInsensitive = false): boolean {
  return wildcardPattern(pattern, caseInsensitive).test(value);
}
