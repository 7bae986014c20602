// One xterm.js terminal with the addons nslab uses (fit, search, web links, Unicode 11 so wide Korean
// characters take two cells). It lives as long as its session, not as long as the panel: switching panels
// moves its element out of the page and back, so nothing is lost and nothing needs re-attaching. It draws
// with xterm's WebGL renderer on a GPU and with the DOM renderer otherwise (gpu.ts).
import { FitAddon } from '@xterm/addon-fit';
import { SearchAddon } from '@xterm/addon-search';
import { Unicode11Addon } from '@xterm/addon-unicode11';
import { WebLinksAddon } from '@xterm/addon-web-links';
import { Terminal, type ITheme } from '@xterm/xterm';
import '@xterm/xterm/css/xterm.css';
import { GpuRenderer, type ActiveRenderer, type RendererChoice } from './gpu';
import { OutputPacer } from './pacer';

export type ScreenTheme = 'light' | 'dark';

export interface Screen {
  readonly cols: number;
  readonly rows: number;
  /** What it draws with now (WebGL only once mounted, and only where a WebGL2 context could be made). */
  readonly renderer: ActiveRenderer;
  /**
   * Writes output — at once while shown, in small background-priority pieces while hidden (pacer.ts);
   * `parsed` runs once xterm has processed it (flow control acknowledges from there).
   */
  write(data: string, parsed?: () => void): void;
  /** Clears everything (before a re-attach writes the scrollback again). */
  reset(): void;
  onInput(listener: (data: string) => void): void;
  onResize(listener: (size: { cols: number; rows: number }) => void): void;
  /** Keys the app handles itself: return true and xterm leaves the key alone (it still bubbles). */
  setShortcutFilter(isShortcut: (e: KeyboardEvent) => boolean): void;
  /** Shows the terminal inside `host` (the first time opens it there; later moves its element). */
  mount(host: HTMLElement): void;
  /** Takes the terminal out of the page, keeping its state. */
  unmount(): void;
  fit(): void;
  focus(): void;
  selection(): string;
  paste(text: string): void;
  find(text: string, direction: 'next' | 'previous'): boolean;
  clearSearch(): void;
  setFontSize(px: number): void;
  setTheme(theme: ScreenTheme): void;
  /** 'auto': WebGL on a GPU, DOM otherwise; 'dom': always the DOM renderer; 'webgl': WebGL wherever it loads. */
  setRenderer(choice: RendererChoice): void;
  dispose(): void;
}

export const THEMES: Record<ScreenTheme, ITheme> = {
  dark: {
    background: '#1b1e23',
    foreground: '#d8dee9',
    cursor: '#e5e9f0',
    cursorAccent: '#1b1e23',
    selectionBackground: '#4c566a99',
    black: '#3b4252',
    red: '#e06c75',
    green: '#98c379',
    yellow: '#e5c07b',
    blue: '#61afef',
    magenta: '#c678dd',
    cyan: '#56b6c2',
    white: '#e5e9f0',
    brightBlack: '#7f8794',
    brightRed: '#ef8891',
    brightGreen: '#b5e090',
    brightYellow: '#f0d197',
    brightBlue: '#84c1f5',
    brightMagenta: '#d898ea',
    brightCyan: '#7fd0da',
    brightWhite: '#ffffff',
  },
  light: {
    background: '#fbfbfc',
    foreground: '#24292f',
    cursor: '#24292f',
    cursorAccent: '#fbfbfc',
    selectionBackground: '#0969da40',
    black: '#24292f',
    red: '#cf222e',
    green: '#116329',
    yellow: '#7d4e00',
    blue: '#0550ae',
    magenta: '#8250df',
    cyan: '#1b7c83',
    white: '#6e7781',
    brightBlack: '#57606a',
    brightRed: '#a40e26',
    brightGreen: '#1a7f37',
    brightYellow: '#633c01',
    brightBlue: '#218bff',
    brightMagenta: '#a475f9',
    brightCyan: '#3192aa',
    brightWhite: '#8c959f',
  },
};

const FONT_FAMILY = "'DejaVu Sans Mono', 'Noto Sans Mono', 'Noto Sans Mono CJK KR', 'D2Coding', 'Nanum Gothic Coding', ui-monospace, monospace";

export function createScreen(opts: { cols: number; rows: number; fontSize: number; theme: ScreenTheme; renderer?: RendererChoice }): Screen {
  const term = new Terminal({
    cols: opts.cols,
    rows: opts.rows,
    fontSize: opts.fontSize,
    fontFamily: FONT_FAMILY,
    theme: THEMES[opts.theme],
    scrollback: 5000,
    cursorBlink: true,
    allowProposedApi: true, // term.unicode (Unicode 11 widths)
    macOptionIsMeta: true,
  });
  const fitAddon = new FitAddon();
  const search = new SearchAddon();
  term.loadAddon(fitAddon);
  term.loadAddon(search);
  term.loadAddon(new Unicode11Addon());
  term.unicode.activeVersion = '11';
  term.loadAddon(new WebLinksAddon((_e, uri) => window.open(uri, '_blank', 'noopener,noreferrer')));
  const pacer = new OutputPacer((data, parsed) => term.write(data, parsed));
  let opened = false;
  let rendererChoice: RendererChoice = opts.renderer ?? 'auto';
  // the element says what draws it (data-renderer), for the settings hint and the benchmarks
  const gpu = new GpuRenderer(term, (active) => term.element?.setAttribute('data-renderer', active));
  let filter: (e: KeyboardEvent) => boolean = () => false;
  term.attachCustomKeyEventHandler((e) => !filter(e));

  return {
    get cols() {
      return term.cols;
    },
    get rows() {
      return term.rows;
    },
    get renderer() {
      return gpu.active;
    },
    write: (data, parsed) => pacer.push(data, parsed),
    reset() {
      pacer.clear();
      term.reset();
    },
    onInput: (listener) => void term.onData(listener),
    onResize: (listener) => void term.onResize(listener),
    setShortcutFilter: (f) => (filter = f),
    mount(host) {
      if (!opened) {
        term.open(host);
        opened = true;
        gpu.apply(rendererChoice); // the WebGL addon needs the opened terminal's element
      } else if (term.element && term.element.parentElement !== host) host.appendChild(term.element);
      pacer.setVisible(true);
    },
    unmount() {
      pacer.setVisible(false);
      term.element?.remove();
    },
    fit() {
      if (!opened || !term.element?.isConnected) return;
      const size = fitAddon.proposeDimensions();
      if (size && Number.isFinite(size.cols) && Number.isFinite(size.rows) && size.cols > 1 && size.rows > 0) fitAddon.fit();
    },
    focus: () => term.focus(),
    selection: () => term.getSelection(),
    paste: (text) => term.paste(text),
    find: (text, direction) =>
      direction === 'next' ? search.findNext(text, { incremental: false }) : search.findPrevious(text),
    clearSearch: () => search.clearDecorations(),
    setFontSize(px) {
      term.options.fontSize = px;
    },
    setTheme(theme) {
      term.options.theme = THEMES[theme];
    },
    setRenderer(choice) {
      rendererChoice = choice;
      if (opened) gpu.apply(choice);
    },
    dispose() {
      gpu.drop();
      pacer.dispose();
      term.dispose();
    },
  };
}
