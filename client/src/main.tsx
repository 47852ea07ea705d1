import { render } from 'solid-js/web';
import { z } from 'zod';
import { App } from './App';
import './styles.css';

// The page's Content-Security-Policy forbids eval: without this, zod probes `Function('')` for
// its compiled parsers on the first parse, which Firefox reports as a CSP violation on every page.
z.config({ jitless: true });

render(() => <App />, document.getElementById('root')!);
