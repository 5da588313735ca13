/** The dashboard page's entry: bundled with Preact into app.js by `npm run build` (scripts/bundleDashboard.mjs). */
import { render } from 'preact';
import { App } from './app.js';
import './app.css';

const root = document.getElementById('app')!;
root.textContent = ''; // the static "Loading…" line shown before this script ran
render(<App />, root);
