#!/usr/bin/env node
// Prints the demo logins of realm-data.json (for `make up`'s banner):
//   node tools/idp/demo-users.mjs
import { loadRealm } from './realm.mjs';

const realm = loadRealm();
for (const user of realm.users) {
  const line = `    ${user.username.padEnd(12)} ${user.password.padEnd(18)} ${user.roles.join(',').padEnd(15)} ${user.org ?? ''}`;
  process.stdout.write(`${line.trimEnd()}\n`);
}
