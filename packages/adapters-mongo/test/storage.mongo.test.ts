import { storageConformance } from '@minicrm/core/testing';
import { describe } from 'vitest';
import {
  dropPrefix,
  freshPrefix,
  freshStorage,
  mongoBackdoor,
  mongoSource,
  mongoUrl,
  useDatabase,
} from './support/mongo.js';

const { db } = useDatabase('conformance');
let prefix = '';

describe.skipIf(mongoUrl === '')(`MongoDB storage conformance (${mongoSource})`, () => {
  storageConformance({
    name: 'mongo storage',
    createStorage: () => {
      prefix = freshPrefix();
      return freshStorage(db, prefix);
    },
    teardown: () => dropPrefix(db, prefix),
    backdoor: () => mongoBackdoor(db, prefix),
  });
});

// MongoDB's own compare-and-set path (plain `replaceOne({ _id, _rev })`), checked here even when the
// server is FerretDB, whose suite above runs with revision claims (see docs/ferretdb.md).
describe.skipIf(mongoUrl === '')(
  `MongoDB storage conformance, without revision claims (${mongoSource})`,
  () => {
    storageConformance({
      name: 'mongo storage (plain compare-and-set)',
      createStorage: () => {
        prefix = freshPrefix();
        return freshStorage(db, prefix, { revisionClaims: false });
      },
      teardown: () => dropPrefix(db, prefix),
      backdoor: () => mongoBackdoor(db, prefix),
      driftOrders: 1000,
    });
  },
);
