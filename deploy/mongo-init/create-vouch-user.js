// Run by the mongo image once, when the mongo-data volume is first initialised (as the root user):
// creates the application's user, limited to read and write on Vouch's database. Its password is the
// one inside the mongodb_url secret (deploy/make-secrets.sh writes both from one random value).
/* global db, print, process, require -- mongosh's globals */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const fs = require('fs');
const password = fs.readFileSync('/run/secrets/mongo_vouch_password', 'utf8').trim();
const dbName = process.env.MONGODB_DB || 'vouch';
db.getSiblingDB(dbName).createUser({
  user: 'vouch',
  pwd: password,
  roles: [{ role: 'readWrite', db: dbName }],
});
print(`created user vouch on database ${dbName}`);
