// Accounts browser test, two-factor sign-in on the Account page: setting it
// up, signing in with a code, turning it off, and an admin removing another
// user's.
import { PASSWORD, totpCode } from './mock-accounts.mjs';

export async function twoFactorSteps({ base, mock, check, step, newPage, shot, login, nav, rest, userNamed, laptop, phone }) {
  // A second factor, set up on the Account page by tina (created here, so that
  // this runs on the real gateway too): the codes are computed from the secret
  // the page shows, as an authenticator app would.
  const twoFactorRow = (page) => page.locator('.props dt:text-is("Two-factor") + dd').textContent();
  await step('two-factor: set up, sign in with a code, turn off', async () => {
    await rest('POST', '/users', { username: 'tina', role: 'ROLE_VIEWER', password: PASSWORD('tina'), displayName: 'Tina Twofactor' });
    const page = await newPage();
    await login(page, 'tina');
    await page.goto(base + '/account');
    const card = page.getByRole('region', { name: 'Two-factor sign-in' });
    await card.getByText('Your password alone signs you in.').waitFor();
    check((await twoFactorRow(page)) === 'Off', 'the profile says two-factor is off');
    await card.getByRole('button', { name: 'Set up' }).click();
    const qr = card.getByRole('img', { name: /QR code/ });
    await qr.waitFor();
    const box = await qr.boundingBox();
    check(!!box && box.width >= 150 && box.height >= 150, `the QR code is shown (${box?.width}x${box?.height})`);
    check((await qr.locator('path').getAttribute('d'))?.length > 500, 'the QR code has modules');
    const shown = (await card.locator('#totp-secret').textContent()) ?? '';
    check(/^([A-Z2-7]{4} )+[A-Z2-7]{1,4}$/.test(shown), `the key is shown in groups of 4 (${shown})`);
    const secret = shown.replace(/\s+/g, '');
    const input = card.getByLabel('6-digit code');
    check(!(await card.getByRole('link', { name: /Open in an authenticator app/ }).isVisible()), 'no link to the app on a laptop');
    check((await input.getAttribute('inputmode')) === 'numeric' && (await input.getAttribute('autocomplete')) === 'one-time-code', 'the code field is numeric with autocomplete one-time-code');
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
    await card.getByRole('button', { name: 'Copy setup key' }).click();
    await card.getByRole('button', { name: 'Copy setup key' }).and(page.getByText('Copied')).waitFor();
    check((await page.evaluate(() => navigator.clipboard.readText())) === secret, 'Copy copies the key without spaces');
    await shot(page, 'laptop-account-totp-setup');
    await card.getByRole('button', { name: 'Confirm' }).click();
    await card.getByText('Enter the 6 digits the app shows').waitFor();
    const valid = new Set([-1, 0, 1].map((d) => totpCode(secret, Date.now() + d * 30000)));
    let wrong = '000000';
    while (valid.has(wrong)) wrong = String(Number(wrong) + 1).padStart(6, '0');
    await input.fill(wrong);
    await card.getByRole('button', { name: 'Confirm' }).click();
    await card.getByText('That code does not match').waitFor();
    check((await input.inputValue()) === '', 'a wrong code is cleared');
    await shot(page, 'laptop-account-totp-wrong-code');
    if (mock) {
      // Over 10 minutes: the gateway has forgotten the pending secret.
      mock.accounts.pendingTotp.clear();
      await input.fill(totpCode(secret));
      await card.getByRole('button', { name: 'Confirm' }).click();
      await card.getByText('This setup has expired').waitFor();
      await card.getByRole('button', { name: 'Start again' }).click();
      await card.getByRole('button', { name: 'Confirm' }).waitFor();
      check(true, 'an expired setup says so and starts again');
    }
    await input.fill(totpCode(secret));
    await card.getByRole('button', { name: 'Confirm' }).click();
    await card.getByText('Signing in asks for your password and a 6-digit code').waitFor();
    check((await twoFactorRow(page)) === 'On (authenticator app)', 'after the right code, the profile says On');
    check((await userNamed('tina')).totpEnabled === true, 'the gateway has two-factor on for tina');
    await shot(page, 'laptop-account-totp-on');

    await page.getByRole('button', { name: 'Sign out' }).first().click();
    await page.getByRole('heading', { name: 'Sign in', exact: true }).waitFor();
    await page.getByLabel('Username').fill('tina');
    await page.getByLabel('Password').fill(PASSWORD('tina'));
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByLabel('Authentication code').waitFor();
    check(true, 'signing in afterwards asks for the code');
    // The step after the one the confirmation used (a code is good once).
    await page.getByLabel('Authentication code').fill(totpCode(secret, Date.now() + 30000));
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('heading', { name: 'Monitors', exact: true }).waitFor();
    check(true, 'the password and a code sign in');

    await page.goto(base + '/account');
    await card.getByRole('button', { name: 'Turn off' }).click();
    await card.getByLabel('Your password').fill('not-tinas-password');
    await card.getByRole('button', { name: 'Turn off two-factor' }).click();
    await card.getByText('This is not your password').waitFor();
    check((await userNamed('tina')).totpEnabled === true, 'a wrong password leaves it on');
    await card.getByLabel('Your password').fill(PASSWORD('tina'));
    await card.getByRole('button', { name: 'Turn off two-factor' }).click();
    await card.getByRole('button', { name: 'Set up' }).waitFor();
    const row = await twoFactorRow(page);
    check(row === 'Off' && !(await userNamed('tina')).totpEnabled, `Turn off with the password turns it off (profile: ${row})`);

    // On again, for an admin to remove.
    await card.getByRole('button', { name: 'Set up' }).click();
    const again = ((await card.locator('#totp-secret').textContent()) ?? '').replace(/\s+/g, '');
    await input.fill(totpCode(again));
    await card.getByRole('button', { name: 'Confirm' }).click();
    await card.getByText('Signing in asks for your password and a 6-digit code').waitFor();
    await page.context().close();
  });

  await step("admin: remove another user's two-factor", async () => {
    const page = await newPage();
    await login(page, 'alice');
    await nav(page).getByRole('link', { name: 'Users' }).click();
    await page.getByRole('heading', { name: 'Users', exact: true }).waitFor();
    check((await page.getByRole('button', { name: 'Remove two-factor of erin' }).count()) === 0, 'no "Remove two-factor" for users without it');
    await page.getByRole('button', { name: 'Remove two-factor of tina' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText('Remove two-factor sign-in of tina?').waitFor();
    await shot(page, 'laptop-users-remove-totp');
    await dialog.getByRole('button', { name: 'Remove two-factor' }).click();
    await page.getByText('Removed two-factor sign-in of tina').waitFor();
    await page.getByRole('button', { name: 'Remove two-factor of tina' }).waitFor({ state: 'detached' });
    check(!(await userNamed('tina')).totpEnabled, 'the admin removed tina’s second factor');
    await page.context().close();
    // tina: the password alone signs in again; the set-up card on a phone.
    const phonePage = await newPage(phone);
    await login(phonePage, 'tina');
    await phonePage.goto(base + '/account');
    const card = phonePage.getByRole('region', { name: 'Two-factor sign-in' });
    await card.getByRole('button', { name: 'Set up' }).click();
    await card.getByRole('img', { name: /QR code/ }).waitFor();
    // The card's top just below the sticky header.
    await card.evaluate((el) => window.scrollBy(0, el.getBoundingClientRect().top - 72));
    check((await card.getByRole('link', { name: 'Open in an authenticator app on this phone' }).getAttribute('href'))?.startsWith('otpauth://totp/'), 'a phone gets a link that opens the authenticator app');
    const overflow = await phonePage.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    check(overflow <= 0, `phone: the set-up card does not scroll sideways (overflow ${overflow}px)`);
    await shot(phonePage, 'phone-account-totp-setup');
    await phonePage.getByLabel('6-digit code').evaluate((el) => el.scrollIntoView({ block: 'center' }));
    await shot(phonePage, 'phone-account-totp-setup-code');
    await phonePage.context().close();
  });
}
