import { parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { queryHash } from '../src/graphql/guard.js';
import { GuardedDocuments } from '../src/http/graphql-guard.js';

describe('the documents the guard checked', () => {
  it('hashes a query text as SHA-256, remembered or not', () => {
    const documents = new GuardedDocuments(2);
    const short = '{ __typename }';
    const long = `{ ${'__typename '.repeat(1_000)}}`;
    for (const text of [short, short, long, long, '{ a }', '{ b }', short]) {
      expect(documents.hashOfQuery(text)).toBe(queryHash(text));
    }
    expect(queryHash(short)).toMatch(/^[0-9a-f]{64}$/);
    expect(documents.hashOfQuery('{ a }')).not.toBe(documents.hashOfQuery('{ a  }'));
  });

  it('gives Apollo the document stored under its hash, whatever the schema prefix', async () => {
    const documents = new GuardedDocuments(2);
    const text = '{ __typename }';
    const hash = documents.hashOfQuery(text);
    const document = parse(text);
    documents.remember(hash, document);
    expect(await documents.get(`schema-hash:${hash}`)).toBe(document);
    expect(await documents.get(`schema-hash:${queryHash('{ other }')}`)).toBeUndefined();
  });
});
