// Imported first by main.ts, before any zod schema exists: zod's JIT probes `new Function`, which a strict
// CSP (no 'unsafe-eval') reports as a violation even though zod catches it. Jitless parsing is plenty fast
// for form validation.
import { z } from 'zod';

z.config({ jitless: true });
