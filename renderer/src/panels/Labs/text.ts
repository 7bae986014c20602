// Lab text in the UI's language (labs carry en and ko), and labels for values the helper sends as words.
import type { Text } from '@shared/labs/text';

export const localText = (x: Text, locale: string): string => (locale === 'ko' ? x.ko : x.en);

/** "Beginner" for `beginner`; an unknown level is shown as the lab wrote it. */
export function levelLabel(level: string, t: (key: string) => string, te: (key: string) => boolean): string {
  return te(`labs.levels.${level}`) ? t(`labs.levels.${level}`) : level;
}

/** Saves text as a file through the browser's download (works in Electron and browser mode alike). */
export function download(name: string, text: string, type = 'text/x-shellscript'): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
