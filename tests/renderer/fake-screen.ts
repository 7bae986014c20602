// A terminal screen that does nothing, for tests of panels that embed terminals (xterm needs a real
// canvas-capable DOM). `onWrite` sees what would have been written; with `parse`, xterm's "parsed"
// callback (which drives acknowledgements) runs at once.
export function fakeScreen(opts: { cols: number; rows: number }, how: { onWrite?: (data: string) => void; parse?: boolean; found?: boolean } = {}) {
  return {
    cols: opts.cols,
    rows: opts.rows,
    write: (data: string, parsed?: () => void) => {
      how.onWrite?.(data);
      if (how.parse) parsed?.();
    },
    reset: () => undefined,
    onInput: () => undefined,
    onResize: () => undefined,
    setShortcutFilter: () => undefined,
    mount: () => undefined,
    unmount: () => undefined,
    fit: () => undefined,
    focus: () => undefined,
    selection: () => '',
    paste: () => undefined,
    find: () => how.found ?? false,
    clearSearch: () => undefined,
    setFontSize: () => undefined,
    setTheme: () => undefined,
    dispose: () => undefined,
  };
}
