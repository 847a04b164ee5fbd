import pg from 'pg';

export type Pool = pg.Pool;
export type PoolClient = pg.PoolClient;

// bigint columns come back as strings by default; the values we store are bounded by 2^53 at the ingress.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));

export function createPool(connectionString: string, max: number, applicationName: string): Pool {
  return new pg.Pool({ connectionString, max, application_name: applicationName, connectionTimeoutMillis: 5_000 });
}

/** Runs fn in one transaction on one connection; rolls back and rethrows on any error. */
export async function inTransaction<T>(pool: Pool, fn: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  // A connection lost while checked out (Postgres restarted) is also emitted as an 'error' event on the
  // client, which would crash the process unheard; the failed query already tells the caller.
  client.on('error', ignoreConnectionError);
  let broken = false;
  try {
    await client.query('begin');
    const result = await fn(client);
    await client.query('commit');
    return result;
  } catch (error) {
    broken = await client.query('rollback').then(
      () => false,
      () => true,
    );
    throw error;
  } finally {
    client.off('error', ignoreConnectionError);
    // A connection that cannot even roll back is discarded, not handed to the next transaction.
    client.release(broken || undefined);
  }
}

function ignoreConnectionError(): void {}
