/**
 * Mints an HS256 JWT for a user with the configured MEMGATE_JWT_SECRET (or the development secret
 * when running on the emulators): `npm run dev-token -- alex [ttl]`, ttl like `1h` (default 12h).
 */
import { ConfigError, loadConfig } from '../src/config.js';
import { USER_NAME, isValidUserName } from '../src/memory/input-rules.js';
import { mintDevToken } from '../src/server/dev-credentials.js';

const [user = 'default', ttl = '12h'] = process.argv.slice(2);
if (!isValidUserName(user)) {
  console.error(`Not a user name: ${USER_NAME.message}`);
  process.exit(1);
}
let secret: string | null;
try {
  secret = loadConfig().auth.jwtSecret;
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : String(error));
  process.exit(1);
}
if (!secret) {
  console.error('No HS256 secret: set MEMGATE_JWT_SECRET (JWKS deployments mint tokens with their identity provider).');
  process.exit(1);
}
try {
  console.log(await mintDevToken({ secret, user, expiresIn: ttl }));
} catch (error) {
  // jose's only complaint here is the lifetime's format; say which value and what is accepted.
  console.error(`Bad lifetime "${ttl}": a number and a unit, e.g. 90s, 30m, 12h or 7d (${error instanceof Error ? error.message : String(error)})`);
  process.exit(1);
}
