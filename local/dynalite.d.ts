// dynalite 4.0.0 ships no type declarations; this covers what local/dynamodb.ts uses (see its index.js JSDoc).
declare module 'dynalite' {
  import type { Server } from 'node:http';

  interface DynaliteOptions {
    /** LevelDB directory; in memory when absent. */
    path?: string;
    /** Time tables stay CREATING, in ms. @default 500 */
    createTableMs?: number;
    /** Time tables stay DELETING, in ms. @default 500 */
    deleteTableMs?: number;
    /** Time tables stay UPDATING, in ms. @default 500 */
    updateTableMs?: number;
    /** @default 400 */
    maxItemSizeKb?: number;
    ssl?: boolean;
    key?: string;
    cert?: string;
    ca?: string;
    verbose?: boolean;
    debug?: boolean;
  }

  /** Returns an http.Server (not yet listening) whose close() also closes the store. */
  function dynalite(options?: DynaliteOptions): Server;
  export = dynalite;
}
