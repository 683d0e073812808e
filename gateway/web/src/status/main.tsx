// Entry point of the public status page (/status/{slug}): a separate, light
// bundle with none of the dashboard's code. No token, no sign-in.

import { render } from 'preact';
import { App } from './app';
import { slugFromPath } from './logic';
import './status.css';

// No toggle here: the page follows the system's light or dark setting.
const dark = matchMedia('(prefers-color-scheme: dark)');
const applyTheme = () => {
  document.documentElement.dataset.theme = dark.matches ? 'dark' : 'light';
};
applyTheme();
dark.addEventListener('change', applyTheme);

render(<App slug={slugFromPath(location.pathname)} />, document.getElementById('app')!);
