// Replaces asset hashes (64 hex characters) in snapshot strings, so a handler change does not churn every
// template snapshot; the bundles themselves are tested by the handler tests.
const HASH = /[0-9a-f]{64}/g;
module.exports = {
  test: (value) => typeof value === 'string' && /[0-9a-f]{64}/.test(value),
  serialize: (value, config, indentation, depth, refs, printer) =>
    printer(value.replace(HASH, '[ASSET HASH]'), config, indentation, depth, refs),
};
