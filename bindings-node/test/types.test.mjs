// The committed types/*.d.ts are what `npm run gen-types` generates from the addon's schemas.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { packageDir } from './helpers.mjs';
import { generate } from '../scripts/gen-types.mjs';

test('generated TypeScript types are fresh (else run `npm run gen-types`)', async () => {
  const files = await generate();
  assert.equal(files.length, 2);
  for (const { path, text } of files) {
    assert.equal(readFileSync(path, 'utf8'), text, `${relative(packageDir, path)} is stale: run \`npm run gen-types\``);
  }
});
