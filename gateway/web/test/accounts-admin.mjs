// Accounts browser test, admin pages: users, an API key shown once, the audit
// log, and a reset password that must be changed (mock only).

export async function adminSteps({ mock, check, step, log, newPage, shot, login, nav, rest, userNamed, laptop }) {
  let newKey = '';
  await step('admin: users', async () => {
    const page = await newPage();
    await login(page, 'alice');
    await nav(page).getByRole('link', { name: 'Users' }).click();
    await page.getByRole('heading', { name: 'Users', exact: true }).waitFor();
    await page.getByRole('cell', { name: /erin/ }).first().waitFor();
    await shot(page, 'laptop-users');
    await page.getByRole('button', { name: 'New user' }).click();
    await page.getByLabel('Username').fill('frank');
    await page.getByLabel('Full name').fill('Frank Ops');
    await page.getByLabel('Role', { exact: true }).selectOption('ROLE_EDITOR');
    await page.getByLabel('Initial password').fill('short');
    await page.getByRole('button', { name: 'Create user' }).click();
    await page.getByText('Use at least 12 characters').waitFor();
    await page.getByRole('button', { name: 'Generate' }).click();
    await shot(page, 'laptop-users-new');
    await page.getByRole('button', { name: 'Create user' }).click();
    await page.getByRole('cell', { name: /frank/ }).first().waitFor();
    let frank = await userNamed('frank');
    check(frank?.role === 'ROLE_EDITOR' && frank.displayName === 'Frank Ops', 'the user is created with the form values');
    await page.getByLabel('Role of frank').selectOption('ROLE_VIEWER');
    await page.getByText('frank is now Viewer').waitFor();
    check((await userNamed('frank')).role === 'ROLE_VIEWER', 'changing the role in the list updates it');
    await page.getByRole('button', { name: 'Disable frank' }).click();
    await page.getByRole('button', { name: 'Enable frank' }).waitFor();
    check((await userNamed('frank')).disabled === true, 'Disable disables the user');
    await page.getByRole('button', { name: 'Reset password of frank' }).click();
    await page.getByLabel('New password').fill('a-brand-new-password');
    await page.getByRole('button', { name: 'Set password', exact: true }).click();
    await page.getByText('New password set for frank').waitFor();
    if (mock) check([...mock.accounts.users.values()].find((u) => u.username === 'frank')?.mustChangePassword === true, 'a reset asks frank to choose a new password');
    check((await page.getByLabel('Role of alice').isDisabled()) && (await page.getByRole('button', { name: 'Delete alice' }).count()) === 0, 'an admin cannot demote or delete themselves here');
    await page.getByRole('button', { name: 'Delete frank' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete user' }).click();
    await page.getByText('Deleted frank').waitFor();
    check(!(await userNamed('frank')), 'Delete (after the confirmation) deletes the user');
    await page.context().close();
  });

  await step('admin: API key shown once', async () => {
    const page = await newPage();
    await login(page, 'alice');
    await page.getByRole('link', { name: /Account/ }).first().click();
    await page.getByRole('heading', { name: 'Account', exact: true }).waitFor();
    await page.getByRole('button', { name: 'New API key' }).click();
    await page.getByLabel('Name').fill('ci deploy');
    await page.getByLabel('Role', { exact: true }).selectOption('ROLE_EDITOR');
    await page.getByLabel('Expires').selectOption('30');
    await page.getByRole('button', { name: 'Create key' }).click();
    const field = page.getByLabel('Key “ci deploy”');
    await field.waitFor();
    newKey = await field.inputValue();
    check(/^uk_[A-Za-z0-9_-]{43}$/.test(newKey), 'the new key is shown');
    check((await page.getByText('This is the only time the key is shown').count()) === 1, 'with a warning that it is shown once');
    await page.getByRole('button', { name: 'Copy' }).click();
    await page.getByRole('button', { name: 'Copied' }).waitFor();
    await shot(page, 'laptop-account-key');
    await page.getByRole('button', { name: 'Done' }).click();
    await page.getByRole('dialog').waitFor({ state: 'detached' });
    check(!(await page.content()).includes(newKey), 'after closing, the key is nowhere in the page');
    await page.getByRole('cell', { name: /ci deploy/ }).first().waitFor();
    const who = await page.evaluate(async (k) => (await fetch('/api/v1/caller', { headers: { Authorization: `Bearer ${k}` } })).json(), newKey);
    check(who.role === 'ROLE_EDITOR' && who.name === 'alice', 'the key works, with the role chosen');
    await page.reload();
    await page.getByRole('cell', { name: /ci deploy/ }).first().waitFor();
    await page.getByText(/ago|just now/).first().waitFor();
    await shot(page, 'laptop-account');
    await page.getByRole('button', { name: 'Revoke ci deploy' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Revoke key' }).click();
    await page.getByText('Revoked ci deploy').waitFor();
    const after = await page.evaluate(async (k) => (await fetch('/api/v1/caller', { headers: { Authorization: `Bearer ${k}` } })).status, newKey);
    check(after === 401, 'a revoked key stops working');
    // Another for the screenshots of the list.
    await page.getByRole('button', { name: 'New API key' }).click();
    await page.getByLabel('Name').fill('grafana read');
    await page.getByLabel('Role', { exact: true }).selectOption('ROLE_VIEWER');
    await page.getByRole('button', { name: 'Create key' }).click();
    await page.getByRole('button', { name: 'Done' }).click();
    await page.getByRole('cell', { name: /grafana read/ }).first().waitFor();
    await shot(page, 'laptop-account', true);
    await page.context().close();
  });

  await step('admin: audit log', async () => {
    const page = await newPage();
    await login(page, 'alice');
    await nav(page).getByRole('link', { name: 'Audit log' }).click();
    await page.getByRole('heading', { name: 'Audit log' }).waitFor();
    await page.locator('.audit-table tbody tr').first().waitFor();
    const first = await page.locator('.audit-table tbody tr').count();
    check(first === 50, `the first page has 50 events (${first})`);
    const newest = await page.locator('.audit-table tbody tr').first().locator('.action-tag').textContent();
    check(newest === 'session.login', `newest first (${newest})`);
    await page.getByRole('button', { name: 'Load older events' }).click();
    await page.waitForFunction(() => document.querySelectorAll('.audit-table tbody tr').length > 50);
    check(true, 'Load older events appends the next page');
    await page.getByLabel('Actor').fill('erin');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.waitForFunction(() => [...document.querySelectorAll('.audit-table tbody tr td:nth-child(2) .link-btn')].every((b) => b.textContent === 'erin'));
    const rows = await page.locator('.audit-table tbody tr').count();
    check(rows > 0, `filtering by actor shows only erin (${rows} rows)`);
    const row = page.locator('.audit-table tbody tr').filter({ hasText: 'monitor.update' }).first();
    await row.getByRole('button', { name: 'Changes' }).click();
    const diff = page.getByRole('table', { name: 'Changes' });
    await diff.waitFor();
    const changed = await diff.locator('.diff-row:not(.diff-head)').count();
    check(changed > 0 && (await diff.locator('.diff-new').count()) > 0, `the row opens to a before/after diff (${changed} fields)`);
    await shot(page, 'laptop-audit');
    await page.getByLabel('Actor').fill('');
    await page.getByLabel('Resource type').selectOption('user');
    await page
      .waitForFunction(() => [...document.querySelectorAll('.audit-table tbody tr:not(.audit-detail) td:nth-child(4)')].every((t) => t.textContent.startsWith('user')))
      .catch(async (e) => {
        await shot(page, 'debug-audit-user-filter', true);
        throw e;
      });
    check(await page.getByText('user.delete').first().isVisible(), 'filtering by resource type shows user changes (frank deleted)');
    await page.getByRole('button', { name: 'Clear' }).click();
    await page.waitForFunction(() => document.querySelectorAll('.audit-table tbody tr').length === 50);
    await page.context().close();
  });

  // The real coordinator does not set mustChangePassword yet (2026-12-04).
  if (mock) await step('a reset password must be changed', async () => {
    const victor = await userNamed('victor');
    await rest('PATCH', `/users/${victor.id}?update_mask=password`, { id: victor.id, password: 'reset-by-admin-1' });
    const page = await newPage();
    await login(page, 'victor', 'reset-by-admin-1');
    await page.getByText('Your password was reset by an admin.').waitFor();
    await page.getByRole('link', { name: 'Choose a new password' }).click();
    await page.getByRole('heading', { name: 'Account', exact: true }).waitFor();
    await page.getByLabel('Current password').fill('wrong-current-pw');
    await page.getByLabel('New password', { exact: true }).fill('victor-new-password');
    await page.getByLabel('New password, again').fill('victor-new-password');
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByText('This is not your current password').waitFor();
    await page.getByLabel('Current password').fill('reset-by-admin-1');
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByText('Password changed.').waitFor();
    await nav(page).getByRole('link', { name: 'Monitors' }).click();
    await page.getByRole('heading', { name: 'Monitors', exact: true }).waitFor();
    check((await page.getByText('Your password was reset by an admin.').count()) === 0, 'after changing it, the reminder is gone');
    await page.context().close();
  });

  // A second factor, set up on the Account page by tina (created here, so that
  // this runs on the real gateway too): the codes are computed from the secret
  // the page shows, as an authenticator app would.
}
