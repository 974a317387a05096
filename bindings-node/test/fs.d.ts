// The one Node API usage.ts needs, so the check does not depend on @types/node.
declare module 'fs' {
  export function readFileSync(path: string, encoding: 'utf8'): string;
}
