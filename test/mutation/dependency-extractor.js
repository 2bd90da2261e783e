// jest `dependencyExtractor` for Stryker's runs (issue 17): jest's own, plus the handlers that local/join-service.ts
// imports by name from the operation table (`import(\`../lambda/${operation}\`)`, which no static analysis follows).
// Without it `--findRelatedTests` would not count the end-to-end suites as tests of any handler.
const { readdirSync } = require('node:fs');
const path = require('node:path');

const LAMBDA = path.join(__dirname, '..', '..', 'lambda');
const HANDLERS = readdirSync(LAMBDA)
  .filter((name) => name.endsWith('.ts') && !name.endsWith('.d.ts'))
  .map((name) => `../lambda/${name.slice(0, -3)}`);

module.exports = {
  extract(code, filePath, defaultExtract) {
    const dependencies = defaultExtract(code, filePath);
    if (filePath.endsWith(`${path.sep}local${path.sep}join-service.ts`)) for (const h of HANDLERS) dependencies.add(h);
    return dependencies;
  },
  getCacheKey() {
    return `mutation-dependency-extractor-1:${HANDLERS.join(',')}`;
  },
};
