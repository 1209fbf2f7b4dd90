import { MongoClient } from 'mongodb';
import { describe, expect, inject, it } from 'vitest';

const url = inject('mongoUrl');

describe.skipIf(url === '')(`MongoDB-wire server (${inject('mongoSource')})`, () => {
  it('answers ping and round-trips a document with a Date', async () => {
    const client = new MongoClient(url);
    try {
      const collection = client
        .db(`minicrm_server_${Date.now()}`)
        .collection<{ _id: string; at: Date }>('probe');
      const at = new Date('2026-01-02T03:04:05.678Z');
      await collection.insertOne({ _id: 'a', at });
      const doc = await collection.findOne({ _id: 'a' });
      expect(doc?.at).toEqual(at);
      await collection.drop();
    } finally {
      await client.close();
    }
  });
});
