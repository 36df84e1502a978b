/** Development JWTs, signed with the development (or configured) HS256 secret. */
import { SignJWT } from 'jose';

export interface DevTokenOptions {
  /** HS256 secret. */
  secret: string;
  /** The `sub` claim. @default 'default' */
  user?: string;
  /** Lifetime, as jose reads it ('12h', '30m') or seconds. @default '12h' */
  expiresIn?: string | number;
}

export function mintDevToken({ secret, user = 'default', expiresIn = '12h' }: DevTokenOptions): Promise<string> {
  return new SignJWT({})
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(user)
    .setIssuedAt()
    .setExpirationTime(typeof expiresIn === 'number' ? Math.floor(Date.now() / 1000) + expiresIn : expiresIn)
    .sign(new TextEncoder().encode(secret));
}
