// The test files that reach each mutant, recorded during Stryker's dry run and read before every mutant run
// (issue 17). Stryker's jest runner gives a mutant run only the names of the tests that covered it; jest would
// still load every test file in scope (each end-to-end file starts DynamoDB and Chime stand-ins, each construct file
// loads aws-cdk-lib) to find them. With this map, ./filter.js hands jest only the files that reached the mutant.
// The map lives in the sandbox (one per Stryker run), shared by its workers.
const { readFileSync, writeFileSync, renameSync } = require('node:fs');
const path = require('node:path');

const MAP_FILE = path.join(process.cwd(), '.mutation-coverage-map.json');
const ACTIVE_MUTANT = '__STRYKER_ACTIVE_MUTANT__';

/** True during one of Stryker's mutant runs (not its dry run, not plain jest). */
function inMutantRun() {
  return process.env[ACTIVE_MUTANT] !== undefined;
}

function activeMutant() {
  return process.env[ACTIVE_MUTANT];
}

let cached;
/** mutant id → test files (absolute paths) that reached it, in a test or while loading. */
function readMap() {
  if (cached === undefined) {
    try {
      cached = JSON.parse(readFileSync(MAP_FILE, 'utf8'));
    } catch {
      cached = null;
    }
  }
  return cached;
}

/** Adds one test file's mutant ids to the map on disk (the dry run runs in one process, one file at a time). */
function record(testPath, mutantIds) {
  let map = {};
  try {
    map = JSON.parse(readFileSync(MAP_FILE, 'utf8'));
  } catch {
    // first file of the dry run
  }
  for (const id of mutantIds) {
    const files = (map[id] ??= []);
    if (!files.includes(testPath)) files.push(testPath);
  }
  const temp = `${MAP_FILE}.${process.pid}`;
  writeFileSync(temp, JSON.stringify(map));
  renameSync(temp, MAP_FILE);
  cached = undefined;
}

module.exports = { activeMutant, inMutantRun, readMap, record };
