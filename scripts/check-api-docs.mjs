// Fails when a public API element in the .jsii has no doc summary: every type, property, method, parameter and
// enum member, since API.md and every language's bindings show these docs. An initializer without parameters
// is exempt (an abstract class's implicit constructor has no doc comment to carry). Run after `npm run compile`.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const assembly = JSON.parse(readFileSync(join(dirname(fileURLToPath(import.meta.url)), '..', '.jsii'), 'utf8'));
const missing = [];
const need = (docs, what) => {
  if (!docs?.summary?.trim()) missing.push(what);
};
for (const [fqn, type] of Object.entries(assembly.types ?? {})) {
  need(type.docs, fqn);
  for (const p of type.properties ?? []) need(p.docs, `${fqn}.${p.name}`);
  for (const m of type.members ?? []) need(m.docs, `${fqn}.${m.name}`);
  const callables = [...(type.methods ?? []).map((m) => [m, `${fqn}.${m.name}()`])];
  if (type.initializer?.parameters?.length) callables.push([type.initializer, `new ${fqn}()`]);
  for (const [callable, name] of callables) {
    need(callable.docs, name);
    for (const p of callable.parameters ?? []) need(p.docs, `${name} parameter ${p.name}`);
  }
}
if (missing.length > 0) {
  console.error(`Public API without a doc comment (add a summary or an @param):\n  ${missing.join('\n  ')}`);
  process.exit(1);
}
console.log(
  `API docs: all ${Object.keys(assembly.types ?? {}).length} public types, their members and parameters are documented`,
);
