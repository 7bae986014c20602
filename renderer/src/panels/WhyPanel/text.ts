// The helper renders every diagnoser text in both languages; the panel picks the UI's.
import type { WhyText } from '@shared/contract/index';

export const whyText = (text: WhyText, locale: string): string => (locale === 'ko' ? text.ko : text.en);
