// Accounts browser test, screenshots: the account pages in the dark theme,
// and at phone size (no horizontal scrolling).

export async function screenshotSteps({ base, check, step, log, newPage, shot, login, nav, laptop, phone }) {
  await step('dark theme screenshots', async () => {
    const page = await newPage({ ...laptop, colorScheme: 'dark' });
    await login(page, 'alice');
    for (const [path, heading, file] of [
      ['/users', 'Users', 'laptop-dark-users'],
      ['/account', 'Account', 'laptop-dark-account'],
      ['/audit', 'Audit log', 'laptop-dark-audit'],
    ]) {
      await page.goto(base + path);
      await page.getByRole('heading', { name: heading, exact: true }).waitFor();
      if (path === '/audit') await page.getByRole('button', { name: 'Changes' }).nth(1).click();
      await shot(page, file);
    }
    await page.goto(base + '/signin');
    await page.context().clearCookies();
    await page.goto(base + '/');
    await page.getByRole('heading', { name: 'Sign in', exact: true }).waitFor();
    await shot(page, 'laptop-dark-signin');
    await page.context().close();
  });

  await step('phone screenshots', async () => {
    const page = await newPage(phone);
    await page.goto(base + '/');
    await page.getByRole('heading', { name: 'Sign in', exact: true }).waitFor();
    await shot(page, 'phone-signin');
    await login(page, 'alice');
    for (const [path, heading, file] of [
      ['/account', 'Account', 'phone-account'],
      ['/users', 'Users', 'phone-users'],
      ['/audit', 'Audit log', 'phone-audit'],
    ]) {
      await page.getByRole('button', { name: 'Menu' }).click();
      const link = nav(page).getByRole('link', { name: heading === 'Account' ? 'Account' : heading, exact: true });
      await link.click();
      await page.getByRole('heading', { name: heading, exact: true }).waitFor();
      await page.waitForTimeout(300);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      check(overflow <= 0, `phone ${path}: no horizontal scrolling (overflow ${overflow}px)`);
      if (path === '/audit') await page.getByRole('button', { name: 'Changes' }).first().click();
      await shot(page, file);
    }
    await page.getByRole('button', { name: 'Menu' }).click();
    await shot(page, 'phone-menu');
    await page.context().close();
    const p2 = await newPage(phone);
    await p2.goto(base + '/');
    await p2.getByRole('button', { name: 'Sign in with an API token' }).click();
    await shot(p2, 'phone-signin-token');
    await p2.context().close();
  });
}
