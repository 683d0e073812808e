// Accounts browser test, roles: what a viewer and an editor see and may do.

export async function roleSteps({ base, check, step, log, newPage, login, nav, rest }) {
  await step('a viewer sees no write actions', async () => {
    const page = await newPage();
    await login(page, 'victor');
    await page.locator('.vrow-monitor').first().waitFor();
    check((await page.getByRole('link', { name: 'New monitor' }).count()) === 0, 'a viewer sees no "New monitor"');
    check((await page.getByText('Read-only').count()) === 1, 'a viewer is told it is read-only');
    check((await nav(page).getByRole('link', { name: 'Users' }).count()) === 0, 'a viewer has no Users in the navigation');
    check((await nav(page).getByRole('link', { name: 'Audit log' }).count()) === 0, 'a viewer has no Audit log');
    await page.locator('.vrow-monitor a').first().click();
    await page.getByRole('heading', { level: 1 }).waitFor();
    await page.waitForTimeout(300);
    for (const b of ['Delete', 'Edit', 'Pause']) check((await page.getByRole('button', { name: b, exact: true }).or(page.getByRole('link', { name: b, exact: true })).count()) === 0, `a viewer sees no ${b} on a monitor`);
    await nav(page).getByRole('link', { name: 'Maintenance' }).click();
    await page.getByRole('heading', { name: 'Maintenance windows' }).waitFor();
    check((await page.getByRole('link', { name: 'New window' }).count()) === 0, 'a viewer sees no "New window"');
    await page.goto(base + '/users');
    await page.getByText('Only admins can manage users.').waitFor();
    check(true, 'a viewer opening /users is told it is for admins');
    await page.goto(base + '/monitors/new');
    await page.getByText('You can read monitors but not change them').waitFor();
    check((await page.getByRole('button', { name: 'Create monitor' }).count()) === 0, 'a viewer opening /monitors/new gets no form');
    await page.context().close();
  });

  await step('an editor edits monitors but has no admin pages', async () => {
    const page = await newPage();
    await login(page, 'erin');
    await page.locator('.vrow-monitor').first().waitFor();
    check((await page.getByRole('link', { name: 'New monitor' }).count()) === 1, 'an editor sees "New monitor"');
    check((await page.getByText('Read-only').count()) === 0, 'an editor is not read-only');
    check((await nav(page).getByRole('link', { name: 'Users' }).count()) === 0, 'an editor has no Users in the navigation');
    check((await nav(page).getByRole('link', { name: 'Audit log' }).count()) === 0, 'an editor has no Audit log');
    // A write through the cookie session: needs the CSRF header.
    const first = page.locator('.vrow-monitor a').first();
    const name = await first.textContent();
    await first.click();
    await page.getByRole('link', { name: 'Edit', exact: true }).click();
    await page.getByLabel('Name').fill(`${name}-renamed`);
    await page.getByRole('button', { name: /Save/ }).click();
    await page.getByRole('heading', { name: new RegExp(`${name}-renamed`) }).waitFor();
    check(true, 'an editor saves a monitor (cookie session + X-CSRF-Token)');
    const last = ((await rest('GET', '/auditEvents?page_size=1')).events ?? [])[0];
    check(last?.action === 'monitor.update' && last?.actor === 'erin', `the change is in the audit log as erin (${last?.action} by ${last?.actor})`);
    await nav(page).getByRole('link', { name: 'Channels' }).click();
    await page.getByRole('heading', { name: 'Alert channels' }).waitFor();
    check((await page.getByRole('link', { name: 'New channel' }).count()) === 0, 'an editor sees no "New channel"');
    check((await page.getByRole('button', { name: 'Delete' }).count()) === 0, 'an editor sees no channel Delete');
    await page.goto(base + '/channels/new');
    await page.getByText('Only admins can change alert channels.').waitFor();
    check(true, 'an editor opening /channels/new gets no form');
    await page.goto(base + '/audit');
    await page.getByText('Only admins can read the audit log.').waitFor();
    check(true, 'an editor opening /audit is told it is for admins');
    const refused = await page.evaluate(async () => (await fetch('/api/v1/monitors', { method: 'POST', body: '{}' })).status);
    check(refused === 403, `a write without X-CSRF-Token is refused (${refused})`);
    await page.context().close();
  });
}
