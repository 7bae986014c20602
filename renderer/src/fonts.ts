// Self-hosted fonts, so Korean renders on a machine without CJK system fonts: Noto Sans KR for text and
// Nanum Gothic Coding (a monospace with Hangul) for code and terminals. Their @font-face rules (and the
// slices they point at) are a chunk of their own, loaded after start-up — at once for a Korean page, once
// the first view is drawn and the browser is idle otherwise — so an English cold start neither downloads
// nor parses them (the page is "idle" while it waits for the helper's first answer: idleness alone let
// 220 kB of @font-face rules load and parse in the middle of the cold start). Each face is
// split into unicode-range slices listed after the system fonts: only slices the system fonts lack are
// ever downloaded (font-display: swap: text shows at once and is redrawn when a slice arrives).
import { afterFirstView } from './startup/firstView';

let loading: Promise<unknown> | null = null;
/** A chunk that could not be fetched (nslab serve restarting) is tried again later, a few times. */
const RETRY_MS = 5_000;
let retries = 5;

export function loadFonts(): Promise<unknown> {
  loading ??= import('./font-faces').catch(() => {
    loading = null;
    if (retries-- > 0) setTimeout(() => void loadFonts(), RETRY_MS);
  });
  return loading;
}

/** Korean now; otherwise once the first view is drawn and the page is idle. */
export function scheduleFonts(locale: string): void {
  if (locale === 'ko') void loadFonts();
  else afterFirstView(() => (globalThis.requestIdleCallback ?? ((f: () => void) => setTimeout(f, 500)))(() => void loadFonts()));
}
