// The entry: a small chunk that asks the helper for the first panel's data, then loads the app (app.ts, a
// chunk of its own) while the helper works on the answer (startup/prefetch.ts).
import './boot';
import { prefetchFirstView } from './startup/prefetch';
import './styles.css';

prefetchFirstView();
void import('./app');
