// Accounts browser test, signing in: the sign-in page on every load, wrong
// passwords, cookie sessions surviving a reload, sign-out, an ended session,
// throttling, the second factor (mock only) and the token flow.
import { PASSWORD, TOTP_CODE } from './mock-accounts.mjs';

export async function signInSteps({ base, mock, REAL, check, step, log, newPage, shot, login, nav, laptop }) {
  await step('every load shows the sign-in page (no lost first update)', async () => {
    // The sign-in check can answer before the app has subscribed to the store
    // (within one frame of the first render); the app used to stay blank then.
    const page = await newPage();
    let blank = 0;
    for (let i = 0; i < 15; i++) {
      await page.goto(base + '/');
      try {
        await page.getByLabel('Username').waitFor({ timeout: 5000 });
      } catch {
        blank++;
      }
    }
    check(blank === 0, `15 loads in a row show the sign-in form (${blank} blank)`);
    await page.context().close();
  });

  await step('sign-in: wrong password, success, reload, sign-out', async () => {
    const page = await newPage();
    await page.goto(base + '/incidents');
    await page.getByRole('heading', { name: 'Sign in', exact: true }).waitFor();
    await shot(page, 'laptop-signin');
    await page.getByLabel('Username').fill('alice');
    await page.getByLabel('Password').fill('not-the-password');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByText('Wrong username or password.').waitFor();
    check((await page.getByLabel('Password').inputValue()) === '', 'a wrong password is cleared from the field');
    await shot(page, 'laptop-signin-error');
    await page.getByLabel('Password').fill(PASSWORD('alice'));
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('heading', { name: 'Incidents', exact: true }).waitFor();
    check(true, 'signing in goes on to the page asked for (?next=)');
    const cookies = await page.context().cookies();
    const session = cookies.find((c) => c.name === 'uptime_session');
    check(session?.httpOnly === true, 'the session cookie is HttpOnly');
    check((await page.evaluate(() => sessionStorage.getItem('uptime.token'))) === null, 'no token in session storage for a password sign-in');
    await page.reload();
    await page.getByRole('heading', { name: 'Incidents', exact: true }).waitFor();
    check((await page.getByRole('heading', { name: 'Sign in', exact: true }).count()) === 0, 'the cookie session survives a reload');
    check((await nav(page).getByRole('link', { name: 'Users' }).count()) === 1, 'an admin has Users in the navigation');
    check((await nav(page).getByRole('link', { name: 'Audit log' }).count()) === 1, 'an admin has Audit log in the navigation');
    await page.getByRole('button', { name: 'Sign out' }).first().click();
    await page.getByRole('heading', { name: 'Sign in', exact: true }).waitFor();
    const stillValid = await page.evaluate(async () => (await fetch('/api/v1/caller')).status);
    check(stillValid === 401, `signing out ends the session at the gateway (GET /caller: ${stillValid})`);
    if (mock) check(mock.accounts.sessions.size === 0, 'the gateway has no session left');
    await page.reload();
    await page.getByRole('heading', { name: 'Sign in', exact: true }).waitFor();
    check(true, 'after sign-out a reload shows the sign-in page');
    await page.context().close();
  });

  if (mock) await step('an ended session leads back to sign-in', async () => {
    const page = await newPage();
    await login(page, 'erin');
    await page.goto(base + '/maintenance');
    await page.getByRole('heading', { name: 'Maintenance windows' }).waitFor();
    // The gateway forgets the session (expired, or revoked elsewhere).
    mock.accounts.sessions.clear();
    await page.reload();
    await page.getByRole('heading', { name: 'Sign in', exact: true }).waitFor();
    check(new URL(page.url()).searchParams.get('next') === '/maintenance', `a reload with an ended session shows sign-in, then comes back (${new URL(page.url()).search})`);
    await page.getByLabel('Username').fill('erin');
    await page.getByLabel('Password').fill(PASSWORD('erin'));
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('heading', { name: 'Maintenance windows' }).waitFor();
    await page.context().close();
  });

  await step('sign-in: throttled', async () => {
    const page = await newPage();
    await page.goto(base + '/');
    // Wrong passwords until the gateway throttles (3 in the mock; the
    // coordinator allows 5, then locks for 1 s, 2 s, 4 s, ...: on a slow
    // machine an attempt may land after a short lock-out, so keep trying).
    const alert = page.getByText('Too many failed sign-ins');
    for (let i = 0; i < 16 && !(await alert.count()); i++) {
      await page.getByLabel('Username').fill('victor');
      await page.getByLabel('Password').fill('wrong-' + i);
      await Promise.all([page.waitForResponse((r) => r.url().includes('/auth:login')), page.getByRole('button', { name: 'Sign in', exact: true }).click()]);
    }
    await alert.waitFor({ timeout: 2000 });
    const text = await page.locator('.alert-error').textContent();
    check(/Try again in (\d+m )?\d+s/.test(text ?? ''), `the wait time is shown: "${text}"`);
    check(await page.getByRole('button', { name: 'Sign in', exact: true }).isDisabled(), 'the button waits while throttled');
    await shot(page, 'laptop-signin-throttled');
    if (mock) mock.accounts.failures.clear();
    // The real lock-out is short (and covers this client address too): wait it out.
    else await page.getByRole('button', { name: 'Sign in', exact: true }).and(page.locator(':enabled')).waitFor({ timeout: 60000 });
    await page.context().close();
  });

  if (mock) await step('sign-in: second factor', async () => {
    const page = await newPage();
    await page.goto(base + '/');
    await page.getByLabel('Username').fill('carol');
    await page.getByLabel('Password').fill(PASSWORD('carol'));
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByLabel('Authentication code').waitFor();
    check(true, 'the TOTP field appears when the server asks for it');
    await shot(page, 'laptop-signin-totp');
    await page.getByLabel('Authentication code').fill('000000');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByText('Wrong username or password.').waitFor();
    await page.getByLabel('Password').fill(PASSWORD('carol'));
    await page.getByLabel('Authentication code').fill(TOTP_CODE);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('heading', { name: 'Monitors', exact: true }).waitFor();
    check(true, 'a correct code signs in');
    await page.context().close();
  });

  await step('sign-in with an API token', async () => {
    const page = await newPage();
    await page.goto(base + '/');
    await page.getByRole('button', { name: 'Sign in with an API token' }).click();
    await page.getByLabel('API token').fill('wrong-token');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByText('This token was not accepted').waitFor();
    await shot(page, 'laptop-signin-token');
    await page.getByLabel('API token').fill(REAL ? 'R-read-token-for-tests' : 'read');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('heading', { name: 'Monitors', exact: true }).waitFor();
    check((await page.evaluate(() => sessionStorage.getItem('uptime.token'))) === (REAL ? 'R-read-token-for-tests' : 'read'), 'the token stays in session storage');
    check((await page.context().cookies()).every((c) => c.name !== 'uptime_session'), 'a token sign-in sets no session cookie');
    await page.reload();
    await page.getByRole('heading', { name: 'Monitors', exact: true }).waitFor();
    check(true, 'a token sign-in survives a reload');
    await page.context().close();
  });
}
