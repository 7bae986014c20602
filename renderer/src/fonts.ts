// Self-hosted fonts, so Korean renders on a machine without CJK system fonts: Noto Sans KR for text and
// Nanum Gothic Coding (a monospace with Hangul) for code and terminals. Each @fontsource face is split into
// unicode-range slices and listed after the system fonts, so a browser downloads only the slices of the
// characters the system fonts lack — an English page downloads none, and cold start does not wait for
// them (font-display: swap).
import '@fontsource/noto-sans-kr/400.css';
import '@fontsource/noto-sans-kr/700.css';
import '@fontsource/nanum-gothic-coding/400.css';
