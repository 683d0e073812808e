#!/usr/bin/env node
// Browser test of accounts in the dashboard, on the mock gateway
// (test/mock-gateway.mjs + test/mock-accounts.mjs) and Debian's Chromium:
// password sign-in (wrong password, TOTP, throttling), cookie sessions
// surviving a reload, sign-out, the token flow, what viewers, editors and
// admins see, the Users, Account (API keys shown once, setting up and turning
// off a second factor) and Audit log pages.
// Screenshots at 1366x900 and 390x844 go to --artifacts.
//
//   node test/accounts.browser.test.mjs [--artifacts DIR] [--dist DIR]
//   node test/accounts.browser.test.mjs --gateway BIN --coordinator BIN [--artifacts DIR]
// The second form runs uptime-coordinator (on a throwaway PostgreSQL) and
// uptime-gateway instead of the mock, creates the users through the API with
// the admin token, and leaves out what only the mock can arrange (a user with
// a fixed TOTP code, inspecting its sessions, an expired TOTP setup). Setting
// up a second factor runs on both: the codes come from the secret shown.
import { stopAll } from './harness.mjs';
import { adminSteps } from './accounts-admin.mjs';
import { startAccountsTest } from './accounts-fixture.mjs';
import { roleSteps } from './accounts-roles.mjs';
import { screenshotSteps } from './accounts-screenshots.mjs';
import { signInSteps } from './accounts-signin.mjs';
import { twoFactorSteps } from './accounts-two-factor.mjs';

// In this order: later groups use the users and keys earlier ones made.
const t = await startAccountsTest(process.argv.slice(2));
await signInSteps(t);
await roleSteps(t);
await adminSteps(t);
await twoFactorSteps(t);
await screenshotSteps(t);

t.check(t.cspErrors.length === 0, `no Content-Security-Policy violations (${t.cspErrors.length})`);
await t.browser.close();
t.mock?.close();
stopAll();
console.log(t.failures ? `[accounts] ${t.failures} failure(s)` : '[accounts] all passed');
process.exit(t.failures ? 1 : 0);
