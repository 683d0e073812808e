// Accounts for the mock gateway (test/mock-gateway.mjs): users with
// passwords (and one with a TOTP code), cookie sessions with a CSRF token,
// API keys, roles per route, throttled sign-ins and the audit log, in the
// REST shapes of proto/uptime/v1/{auth,user,audit}.proto. Not the gateway's
// code: a stand-in that answers like it.
//
// Seeded users (password = "<name>-password-1"): alice (admin), erin
// (editor), victor (viewer), carol (editor, TOTP code "123456"), dave
// (disabled viewer). Static tokens: "admin", "edit", "read".
// Setting up a second factor (users/me:beginTotpEnrollment) always hands out
// TOTP_SECRET, and codes for it are checked for real (RFC 6238: SHA-1, 6
// digits, 30 s, one step either side, no step used twice), so a test computes
// them with totpCode().
import { createHmac, randomBytes } from 'node:crypto';

export const PASSWORD = (u) => `${u}-password-1`;
export const TOTP_CODE = '123456';
export const TOTP_SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';

function base32Decode(s) {
  const abc = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  const out = [];
  for (const ch of s.replace(/[\s=]/g, '').toUpperCase()) {
    value = (value << 5) | abc.indexOf(ch);
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}
// The code of `secret` for the 30-second step `step` (default: the current one at `ms`).
export function totpCode(secret, ms = Date.now(), step = Math.floor(ms / 30000)) {
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(step));
  const h = createHmac('sha1', base32Decode(secret)).update(msg).digest();
  const o = h[h.length - 1] & 0xf;
  return String((h.readUInt32BE(o) & 0x7fffffff) % 1e6).padStart(6, '0');
}
// The step a code matches (one either side of now, later than `after`), or null.
function verifyTotp(secret, code, ms, after = -1) {
  const now = Math.floor(ms / 30000);
  for (const s of [now, now - 1, now + 1]) if (s > after && totpCode(secret, ms, s) === String(code)) return s;
  return null;
}
const RANK = { ROLE_VIEWER: 1, ROLE_EDITOR: 2, ROLE_ADMIN: 3 };

export function installAccounts({ now, iso, send, err, body, throttleAfter = 5, throttleSeconds = 60 }) {
  let n = 0;
  const hex = () => (++n).toString(16).padStart(16, '0');
  const rand = () => randomBytes(32).toString('base64url').slice(0, 43);
  const users = new Map();
  const passwords = new Map();
  const sessions = new Map();
  const keys = new Map();
  const keySecrets = new Map();
  const failures = new Map();
  // userId -> { secret, expire } of a second factor being set up; the
  // secrets of confirmed ones, and the last step each used (no replays).
  const pendingTotp = new Map();
  const totpSecrets = new Map();
  const totpLastStep = new Map();
  const events = [];
  let eventId = 1000;

  const addUser = (username, role, extra = {}) => {
    const t = iso(now() - 30 * 86400e3);
    const u = { id: `u-${hex()}`, username, displayName: extra.displayName ?? '', role, disabled: !!extra.disabled, createTime: t, updateTime: t, totpEnabled: !!extra.totp, ...(extra.lastLoginTime ? { lastLoginTime: extra.lastLoginTime } : {}) };
    users.set(u.id, u);
    passwords.set(u.id, PASSWORD(username));
    return u;
  };
  const alice = addUser('alice', 'ROLE_ADMIN', { displayName: 'Alice Admin', lastLoginTime: iso(now() - 3600e3) });
  const erin = addUser('erin', 'ROLE_EDITOR', { displayName: 'Erin Editor', lastLoginTime: iso(now() - 2 * 86400e3) });
  addUser('victor', 'ROLE_VIEWER', { displayName: 'Victor Viewer' });
  addUser('carol', 'ROLE_EDITOR', { displayName: 'Carol (2FA)', totp: true });
  addUser('dave', 'ROLE_VIEWER', { disabled: true });
  const byName = (name) => [...users.values()].find((u) => u.username === String(name).toLowerCase());

  const redact = (o) => (o ? JSON.stringify({ ...o, password: undefined }) : '');
  function audit(caller, action, resourceType, resourceId, before, after, req) {
    events.unshift({
      id: String(++eventId),
      time: iso(now()),
      actor: caller?.name ?? 'anonymous',
      actorUserId: caller?.userId ?? '',
      credential: caller ? { CREDENTIAL_KIND_SESSION: 'session', CREDENTIAL_KIND_API_KEY: `api_key:${caller.apiKeyId}`, CREDENTIAL_KIND_STATIC_TOKEN: 'static_token' }[caller.kind] : '',
      action,
      resourceType,
      resourceId: resourceId ?? '',
      beforeJson: before ? redact(before) : '',
      afterJson: after ? redact(after) : '',
      clientAddress: req?.socket?.remoteAddress ?? '',
    });
  }
  // History, oldest first, so that the log has more than one page.
  {
    const sys = { name: 'admin-token', kind: 'CREDENTIAL_KIND_STATIC_TOKEN' };
    const ali = { name: 'alice', userId: alice.id, kind: 'CREDENTIAL_KIND_SESSION' };
    const eri = { name: 'erin', userId: erin.id, kind: 'CREDENTIAL_KIND_SESSION' };
    audit(sys, 'user.create', 'user', alice.id, null, alice);
    audit(sys, 'user.create', 'user', erin.id, null, erin);
    for (let i = 0; i < 70; i++) {
      const id = `m-00000000000000${(i % 9).toString(16).padStart(2, '0')}`;
      const before = { id, name: `checkout-api-${i % 9}`, interval: '60s', http: { url: `https://checkout.example.com/health/${i % 9}` } };
      audit(i % 3 ? eri : ali, 'monitor.update', 'monitor', id, before, { ...before, interval: i % 2 ? '30s' : '60s', labels: { team: 'payments' } });
    }
    audit(null, 'session.login_failed', 'session', '', null, null);
    events.forEach((e, i) => (e.time = iso(now() - i * 600e3)));
  }

  function callerOf(req) {
    const a = req.headers.authorization ?? '';
    if (a === 'Bearer admin') return { role: 'ROLE_ADMIN', name: 'admin-token', kind: 'CREDENTIAL_KIND_STATIC_TOKEN' };
    if (a === 'Bearer edit') return { role: 'ROLE_EDITOR', name: 'edit-token', kind: 'CREDENTIAL_KIND_STATIC_TOKEN' };
    if (a === 'Bearer read') return { role: 'ROLE_VIEWER', name: 'read-token', kind: 'CREDENTIAL_KIND_STATIC_TOKEN' };
    if (a.startsWith('Bearer uk_')) {
      const k = keys.get(keySecrets.get(a.slice(7)));
      const u = k && users.get(k.userId);
      if (!u || u.disabled || (k.expireTime && Date.parse(k.expireTime) < now())) return null;
      k.lastUsedTime = iso(now());
      const role = RANK[k.role] <= RANK[u.role] ? k.role : u.role;
      return { role, name: u.username, userId: u.id, kind: 'CREDENTIAL_KIND_API_KEY', apiKeyId: k.id };
    }
    if (a) return null;
    const cookie = /(?:^|;\s*)uptime_session=([^;]+)/.exec(req.headers.cookie ?? '');
    const s = cookie && sessions.get(cookie[1]);
    const u = s && users.get(s.userId);
    if (!u || u.disabled || s.expire < now()) return null;
    s.idle = now() + 3600e3;
    return { role: u.role, name: u.username, userId: u.id, kind: 'CREDENTIAL_KIND_SESSION', idleExpireTime: iso(s.idle), expireTime: iso(s.expire), mustChangePassword: !!u.mustChangePassword, session: cookie[1], csrf: s.csrf };
  }
  // The caller as GetCaller answers (no mock-internal fields).
  const publicCaller = ({ session, csrf, ...c }) => c;

  // The least role a route needs (users and keys check ownership below).
  function needs(method, p) {
    if (p.startsWith('/auditEvents')) return 'ROLE_ADMIN';
    if (p.startsWith('/users')) return p.startsWith('/users/me') ? 'ROLE_VIEWER' : 'ROLE_ADMIN';
    if (p.startsWith('/apiKeys')) return 'ROLE_VIEWER';
    if (method === 'GET') return 'ROLE_VIEWER';
    if (p.startsWith('/channels')) return 'ROLE_ADMIN';
    return 'ROLE_EDITOR';
  }

  // Answers the account routes, and checks everyone else's credentials and
  // role: returns { caller } to go on, or null when it answered.
  async function handle(req, res, p, q) {
    if (p === '/auth:login' && req.method === 'POST') {
      const b = (await body(req)) ?? {};
      const name = String(b.username ?? '').toLowerCase();
      const f = failures.get(name);
      if (f && f.count >= throttleAfter && f.until > now()) {
        send(res, 429, { code: 'RESOURCE_EXHAUSTED', message: 'too many failed sign-ins; try again later', details: [] }, { 'Retry-After': String(Math.ceil((f.until - now()) / 1000)) });
        return null;
      }
      const u = byName(name);
      if (!u || u.disabled || passwords.get(u.id) !== b.password) {
        const c = f && f.until > now() ? f : { count: 0 };
        c.count++;
        c.until = now() + throttleSeconds * 1000;
        failures.set(name, c);
        audit(null, 'session.login_failed', 'session', '', null, null, req);
        err(res, 401, 'UNAUTHENTICATED', 'invalid username or password');
        return null;
      }
      if (u.totpEnabled && !b.totpCode) {
        err(res, 400, 'FAILED_PRECONDITION', 'totp_code: required');
        return null;
      }
      if (u.totpEnabled) {
        // carol's is a fixed code; a factor set up here is checked for real.
        const secret = totpSecrets.get(u.id);
        const step = secret ? verifyTotp(secret, b.totpCode, now(), totpLastStep.get(u.id) ?? -1) : b.totpCode === TOTP_CODE ? 0 : null;
        if (step === null) {
          err(res, 401, 'UNAUTHENTICATED', 'invalid username or password');
          return null;
        }
        if (secret) totpLastStep.set(u.id, step);
      }
      failures.delete(name);
      const token = `us_${rand()}`;
      const csrf = rand();
      sessions.set(token, { userId: u.id, csrf, expire: now() + 12 * 3600e3 });
      u.lastLoginTime = iso(now());
      const caller = callerOf({ headers: { cookie: `uptime_session=${token}` } });
      audit(caller, 'session.login', 'session', '', null, null, req);
      send(res, 200, { caller: publicCaller(caller), csrfToken: csrf }, {
        'Set-Cookie': [`uptime_session=${token}; Path=/; HttpOnly; SameSite=Strict`, `uptime_csrf=${csrf}; Path=/; SameSite=Strict`],
      });
      return null;
    }
    const caller = callerOf(req);
    if (!caller) {
      err(res, 401, 'UNAUTHENTICATED', 'authorization: a valid credential is required');
      return null;
    }
    if (caller.session && req.method !== 'GET' && req.headers['x-csrf-token'] !== caller.csrf) {
      err(res, 403, 'PERMISSION_DENIED', 'x-csrf-token: missing or wrong');
      return null;
    }
    if (p === '/auth:logout' && req.method === 'POST') {
      if (caller.session) sessions.delete(caller.session);
      send(res, 200, {}, { 'Set-Cookie': ['uptime_session=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict', 'uptime_csrf=; Path=/; Max-Age=0; SameSite=Strict'] });
      return null;
    }
    if (p === '/caller') {
      send(res, 200, publicCaller(caller));
      return null;
    }
    if (RANK[caller.role] < RANK[needs(req.method, p)]) {
      err(res, 403, 'PERMISSION_DENIED', `${caller.name} (${caller.role}) may not ${req.method} ${p}`);
      return null;
    }
    if (await accounts(req, res, p, q, caller)) return null;
    return { caller };
  }

  async function accounts(req, res, p, q, caller) {
    const isAdmin = caller.role === 'ROLE_ADMIN';
    let m;
    if (p === '/users' && req.method === 'GET') {
      send(res, 200, { users: [...users.values()].sort((a, b) => (a.username < b.username ? -1 : 1)), nextPageToken: '' });
      return true;
    }
    if (p === '/users' && req.method === 'POST') {
      const b = (await body(req)) ?? {};
      if (!/^[a-z0-9][a-z0-9._-]{0,63}$/.test(b.username ?? '')) return err(res, 400, 'INVALID_ARGUMENT', 'user.username: must be 1..64 of a-z, 0-9, ".", "_", "-"'), true;
      if (byName(b.username)) return err(res, 409, 'ALREADY_EXISTS', `user.username: '${b.username}' is taken`), true;
      if (!RANK[b.role]) return err(res, 400, 'INVALID_ARGUMENT', 'user.role: is required'), true;
      if (!b.password || b.password.length < 12) return err(res, 400, 'INVALID_ARGUMENT', 'user.password: must be 12..1024 characters'), true;
      const u = addUser(b.username, b.role, { displayName: b.displayName });
      u.createTime = u.updateTime = iso(now());
      passwords.set(u.id, b.password);
      audit(caller, 'user.create', 'user', u.id, null, u, req);
      send(res, 200, u);
      return true;
    }
    if (p === '/users/me:changePassword' && req.method === 'POST') {
      const b = (await body(req)) ?? {};
      if (!caller.userId) return err(res, 400, 'FAILED_PRECONDITION', 'caller: not a user'), true;
      if (passwords.get(caller.userId) !== b.currentPassword) return err(res, 400, 'INVALID_ARGUMENT', 'current_password: is wrong'), true;
      if (!b.newPassword || b.newPassword.length < 12) return err(res, 400, 'INVALID_ARGUMENT', 'new_password: must be 12..1024 characters'), true;
      passwords.set(caller.userId, b.newPassword);
      delete users.get(caller.userId).mustChangePassword;
      for (const [t, s] of sessions) if (s.userId === caller.userId && t !== caller.session) sessions.delete(t);
      audit(caller, 'user.change_password', 'user', caller.userId, null, null, req);
      send(res, 200, {});
      return true;
    }
    if (p === '/users/me:beginTotpEnrollment' && req.method === 'POST') {
      await body(req);
      const u = users.get(caller.userId ?? '');
      if (!u) return err(res, 400, 'FAILED_PRECONDITION', `a second factor belongs to a user; this call is made with ${caller.name}`), true;
      pendingTotp.set(u.id, { secret: TOTP_SECRET, expire: now() + 600e3 });
      const label = encodeURIComponent(`Uptime Monitor:${u.username}`).replace('%3A', ':');
      return send(res, 200, { secret: TOTP_SECRET, otpauthUrl: `otpauth://totp/${label}?secret=${TOTP_SECRET}&issuer=Uptime%20Monitor&algorithm=SHA1&digits=6&period=30` }), true;
    }
    if (p === '/users/me:confirmTotpEnrollment' && req.method === 'POST') {
      const b = (await body(req)) ?? {};
      const pending = pendingTotp.get(caller.userId ?? '');
      if (!pending || pending.expire <= now()) return err(res, 409, 'FAILED_PRECONDITION', 'no second factor is being set up (or it took over 10 minutes): begin again'), true;
      const step = verifyTotp(pending.secret, b.code, now());
      if (step === null) return err(res, 400, 'INVALID_ARGUMENT', "code: does not match; check the phone's clock and enter the current code"), true;
      const u = users.get(caller.userId);
      pendingTotp.delete(u.id);
      totpSecrets.set(u.id, pending.secret);
      totpLastStep.set(u.id, step);
      u.totpEnabled = true;
      u.updateTime = iso(now());
      audit(caller, 'user.totp_enable', 'user', u.id, null, null, req);
      return send(res, 200, {}), true;
    }
    if ((m = /^\/users\/([^/:]+):disableTotp$/.exec(p)) && req.method === 'POST') {
      const b = (await body(req)) ?? {};
      const own = m[1] === 'me' || m[1] === caller.userId;
      const id = own ? caller.userId : m[1];
      if (!id) return err(res, 400, 'INVALID_ARGUMENT', `user_id: is required: ${caller.name} is not a user`), true;
      if (!own && !isAdmin) return err(res, 403, 'PERMISSION_DENIED', "removing another user's second factor: admins only"), true;
      const u = users.get(id);
      if (!u) return err(res, 404, 'NOT_FOUND', `user '${id}' not found`), true;
      if (own && passwords.get(u.id) !== b.password) return err(res, 400, 'INVALID_ARGUMENT', 'password: is wrong'), true;
      if (u.totpEnabled) {
        u.totpEnabled = false;
        totpSecrets.delete(u.id);
        u.updateTime = iso(now());
        audit(caller, 'user.totp_disable', 'user', u.id, null, null, req);
      }
      return send(res, 200, {}), true;
    }
    if ((m = /^\/users\/([^/:]+)$/.exec(p))) {
      const id = m[1] === 'me' ? caller.userId : m[1];
      const u = users.get(id ?? '');
      if (m[1] !== 'me' && !isAdmin) return err(res, 403, 'PERMISSION_DENIED', 'users: admins only'), true;
      if (!u) return err(res, 404, 'NOT_FOUND', `user ${m[1]} not found`), true;
      if (req.method === 'GET') return send(res, 200, u), true;
      if (req.method === 'DELETE') {
        if (u.id === caller.userId) return err(res, 400, 'FAILED_PRECONDITION', 'id: you cannot delete yourself'), true;
        users.delete(u.id);
        for (const [k, x] of keys) if (x.userId === u.id) keys.delete(k);
        audit(caller, 'user.delete', 'user', u.id, u, null, req);
        return send(res, 200, {}), true;
      }
      if (req.method === 'PATCH') {
        const b = (await body(req)) ?? {};
        const mask = (q.get('update_mask') ?? '').split(',').filter(Boolean);
        if (!mask.length) return err(res, 400, 'INVALID_ARGUMENT', 'update_mask: is required'), true;
        const before = { ...u };
        for (const f of mask) {
          if (f === 'role') {
            if (u.id === caller.userId) return err(res, 400, 'FAILED_PRECONDITION', 'user.role: you cannot change your own role'), true;
            if (!RANK[b.role]) return err(res, 400, 'INVALID_ARGUMENT', 'user.role: is required'), true;
            u.role = b.role;
          } else if (f === 'disabled') {
            if (u.id === caller.userId) return err(res, 400, 'FAILED_PRECONDITION', 'user.disabled: you cannot disable yourself'), true;
            u.disabled = !!b.disabled;
            if (u.disabled) for (const [t, s] of sessions) if (s.userId === u.id) sessions.delete(t);
          } else if (f === 'display_name' || f === 'displayName') u.displayName = b.displayName ?? '';
          else if (f === 'password') {
            if (!b.password || b.password.length < 12) return err(res, 400, 'INVALID_ARGUMENT', 'user.password: must be 12..1024 characters'), true;
            passwords.set(u.id, b.password);
            if (u.id !== caller.userId) u.mustChangePassword = true;
            for (const [t, s] of sessions) if (s.userId === u.id) sessions.delete(t);
          } else return err(res, 400, 'INVALID_ARGUMENT', `update_mask: unknown path '${f}'`), true;
        }
        u.updateTime = iso(now());
        audit(caller, 'user.update', 'user', u.id, before, u, req);
        const { mustChangePassword, ...out } = u;
        return send(res, 200, out), true;
      }
    }
    if (p === '/apiKeys' && req.method === 'GET') {
      const who = q.get('user_id') ?? '';
      if (who && !isAdmin) return err(res, 403, 'PERMISSION_DENIED', 'user_id: admins only'), true;
      const list = [...keys.values()].filter((k) => (who === '-' ? true : k.userId === (who || caller.userId)));
      return send(res, 200, { apiKeys: list }), true;
    }
    if (p === '/apiKeys' && req.method === 'POST') {
      // Like the gateway: the body is the ApiKey, user_id (admins) in the query.
      const b = (await body(req)) ?? {};
      const k = b.apiKey ?? b;
      const forUser = q.get('user_id') ?? '';
      const owner = users.get(forUser && isAdmin ? forUser : caller.userId ?? '');
      if (!owner) return err(res, 400, 'FAILED_PRECONDITION', 'api_key: API keys belong to users; sign in as a user'), true;
      if (!k.name || k.name.length > 100) return err(res, 400, 'INVALID_ARGUMENT', 'api_key.name: must be 1..100 characters'), true;
      if (!RANK[k.role]) return err(res, 400, 'INVALID_ARGUMENT', 'api_key.role: is required'), true;
      if (RANK[k.role] > RANK[owner.role]) return err(res, 400, 'INVALID_ARGUMENT', "api_key.role: must be at most the owner's role"), true;
      const secret = `uk_${rand()}`;
      const key = { id: `k-${hex()}`, userId: owner.id, username: owner.username, name: k.name, role: k.role, createTime: iso(now()), prefix: secret.slice(0, 7), ...(k.expireTime ? { expireTime: k.expireTime } : {}) };
      keys.set(key.id, key);
      keySecrets.set(secret, key.id);
      audit(caller, 'api_key.create', 'api_key', key.id, null, key, req);
      return send(res, 200, { apiKey: key, key: secret }), true;
    }
    if ((m = /^\/apiKeys\/([^/:]+)$/.exec(p)) && req.method === 'DELETE') {
      const k = keys.get(m[1]);
      if (!k || (!isAdmin && k.userId !== caller.userId)) return err(res, 404, 'NOT_FOUND', `api key ${m[1]} not found`), true;
      keys.delete(k.id);
      for (const [s, id] of keySecrets) if (id === k.id) keySecrets.delete(s);
      audit(caller, 'api_key.revoke', 'api_key', k.id, k, null, req);
      return send(res, 200, {}), true;
    }
    if (p === '/auditEvents' && req.method === 'GET') {
      let list = events;
      if (q.get('actor')) list = list.filter((e) => e.actor === q.get('actor'));
      if (q.get('resource_type')) list = list.filter((e) => e.resourceType === q.get('resource_type'));
      if (q.get('resource_id')) list = list.filter((e) => e.resourceId === q.get('resource_id'));
      const size = Math.min(1000, Number(q.get('page_size')) || 100);
      const start = Number(q.get('page_token') || 0);
      return send(res, 200, { events: list.slice(start, start + size), nextPageToken: start + size < list.length ? String(start + size) : '' }), true;
    }
    return false;
  }

  return { handle, audit, users, events, keys, sessions, failures, pendingTotp };
}
