/**
 * Serialises a stream of values as one JSON array, in chunks of about `chunkBytes` so that 200,000
 * calls are not 200,000 socket writes. One element per line: still a single JSON document, and easy to
 * read incrementally for clients that want to.
 */
export async function* jsonArrayChunks(items: AsyncIterable<unknown>, chunkBytes = 64 * 1024): AsyncGenerator<string> {
  let chunk = '[';
  let first = true;
  for await (const item of items) {
    chunk += `${first ? '\n' : ',\n'}${JSON.stringify(item)}`;
    first = false;
    if (chunk.length >= chunkBytes) {
      yield chunk;
      chunk = '';
    }
  }
  yield `${chunk}\n]\n`;
}
